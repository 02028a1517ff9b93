// Renovate keeps every pin current: the custom regex managers in renovate.json
// must find each pinned tool version in scripts/tools and each version set by
// a Flux postBuild.substitute with a "# renovate:" comment.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { manifestTexts } from './lib/analyze.js';
import { REPO_ROOT } from './lib/tools.js';

interface CustomManager {
  managerFilePatterns: string[];
  matchStrings: string[];
  depNameTemplate?: string;
  datasourceTemplate?: string;
}

const config = JSON.parse(readFileSync(join(REPO_ROOT, 'renovate.json'), 'utf8')) as {
  customManagers: CustomManager[];
  packageRules: { groupName?: string; matchPackageNames?: string[] }[];
};
interface XrdDoc {
  spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: { kubernetesVersion: { default: string } } } } } } }[] };
}

const toRegExp = (pattern: string) => new RegExp(pattern.replace(/^\/|\/$/g, ''));

/** The dependencies Renovate's custom managers extract from a file (a template stands in for a group the match lacks). */
function extract(file: string, text: string): { depName?: string; datasource?: string; currentValue?: string }[] {
  return config.customManagers
    .filter((m) => m.managerFilePatterns.some((p) => toRegExp(p).test(file)))
    .flatMap((m) =>
      m.matchStrings.flatMap((s) =>
        [...text.matchAll(new RegExp(s, 'g'))].map((match) => ({
          ...(m.depNameTemplate ? { depName: m.depNameTemplate } : {}),
          ...(m.datasourceTemplate ? { datasource: m.datasourceTemplate } : {}),
          ...match.groups,
        })),
      ),
    );
}

describe('renovate.json', () => {
  const toolScripts = readdirSync(join(REPO_ROOT, 'scripts/tools')).filter((f) => f.endsWith('.sh'));

  it.each(toolScripts)('covers every *_VERSION pin in scripts/tools/%s', (script) => {
    const file = `scripts/tools/${script}`;
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const pins = [...text.matchAll(/^[A-Z0-9_]+_VERSION=(\S+)$/gm)].map((m) => m[1]);
    // A script whose pins live elsewhere (with their checksums, or in another
    // tools script) names the file that holds them instead.
    const pinFile = /^# pins: (\S+)/m.exec(text)?.[1];
    if (pinFile) {
      expect(pins).toEqual([]);
      expect(existsSync(join(REPO_ROOT, pinFile)), `${file} names ${pinFile}`).toBe(true);
      return;
    }
    expect(pins.length).toBeGreaterThan(0);
    expect(
      extract(file, text)
        .map((d) => d.currentValue)
        .sort(),
    ).toEqual([...pins].sort());
  });

  it('covers every provider dependency of configuration/crossplane.yaml', () => {
    const file = 'configuration/crossplane.yaml';
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const providers = [...text.matchAll(/provider: (\S+)/g)].map((m) => m[1]);
    expect(providers.length).toBeGreaterThan(0);
    expect(
      extract(file, text)
        .map((d) => d.depName)
        .sort(),
    ).toEqual([...providers].sort());
  });

  it("covers the EKSCluster API's default Kubernetes minor and each generated copy of it, as one endoflife-date dependency", () => {
    const xrd = parse(readFileSync(join(REPO_ROOT, 'configuration/apis/eksclusters/definition.yaml'), 'utf8')) as XrdDoc;
    const byDefault = xrd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.kubernetesVersion.default;
    const copies: Record<string, number> = {
      'packages/function-eks-cluster/src/api/eks-cluster.ts': 1,
      'configuration/apis/eksclusters/definition.yaml': 1,
      'docs/api.md': 2, // the example and the field table
    };
    for (const [file, count] of Object.entries(copies)) {
      const deps = extract(file, readFileSync(join(REPO_ROOT, file), 'utf8')).filter((d) => d.depName === 'amazon-eks');
      expect(deps, file).toEqual(Array.from({ length: count }, () => expect.objectContaining({ datasource: 'endoflife-date', currentValue: byDefault })));
    }
  });

  it("covers every version annotated with '# renovate:' under flux/ and apps/", () => {
    let annotated = 0;
    for (const [file, text] of manifestTexts(REPO_ROOT)) {
      const comments = text.match(/# renovate:/g)?.length ?? 0;
      annotated += comments;
      expect(extract(file, text).filter((d) => d.depName && d.currentValue).length, file).toBe(comments);
    }
    expect(annotated).toBeGreaterThan(0);
  });

  it("keeps Karpenter's chart pin and the module the e2e packages it from at one release, in one pull request", () => {
    const repository = parse(readFileSync(join(REPO_ROOT, 'apps/karpenter/repository.yaml'), 'utf8')) as { spec: { url: string; ref: { tag: string } } };
    const script = readFileSync(join(REPO_ROOT, 'scripts/tools/karpenter.sh'), 'utf8');
    const moduleName = /depName=(\S+)\nKARPENTER_VERSION=/.exec(script)?.[1];
    const moduleVersion = /^KARPENTER_VERSION=v(\S+)$/m.exec(script)?.[1];
    expect(moduleVersion, 'scripts/tools/karpenter.sh pins the module the chart is packaged from').toBe(repository.spec.ref.tag);
    const chart = repository.spec.url.replace(/^oci:\/\//, '');
    const group = config.packageRules.find((r) => r.matchPackageNames?.includes(chart));
    expect(group?.groupName, `a packageRules group holding ${chart}`).toBeDefined();
    expect(group?.matchPackageNames).toContain(moduleName);
  });
});
