// Renovate keeps every pin current: the custom regex managers in renovate.json
// must find each pinned tool version in scripts/tools, each version set by
// a Flux postBuild.substitute with a "# renovate:" comment, and our packages'
// tags and digests in the Flux tree; its gomod manager, each Go tool's
// committed module under scripts/tools/go.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PINNED_PACKAGES, pinLine, readPin, type Pin } from 'configuration/scripts/pins.js';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { manifestTexts } from './lib/analyze.js';
import { REPO_ROOT } from './lib/tools.js';

interface CustomManager {
  managerFilePatterns: string[];
  matchStrings: string[];
  depNameTemplate?: string;
  datasourceTemplate?: string;
  autoReplaceStringTemplate?: string;
}

interface PackageRule {
  groupName?: string;
  matchPackageNames?: string[];
  matchManagers?: string[];
  matchFileNames?: string[];
  matchDepTypes?: string[];
  enabled?: boolean;
  postUpdateOptions?: string[];
}

const config = JSON.parse(readFileSync(join(REPO_ROOT, 'renovate.json'), 'utf8')) as {
  customManagers: CustomManager[];
  packageRules: PackageRule[];
  enabledManagers?: string[];
  gomod?: { enabled?: boolean; managerFilePatterns?: string[] };
};
interface XrdDoc {
  spec: { versions: { schema: { openAPIV3Schema: { properties: { spec: { properties: { kubernetesVersion: { default: string } } } } } } }[] };
}

const toRegExp = (pattern: string) => new RegExp(pattern.replace(/^\/|\/$/g, ''));

interface Extracted {
  depName?: string;
  datasource?: string;
  currentValue?: string;
  currentDigest?: string;
}

/** The dependencies Renovate's custom managers extract from a file (a template stands in for a group the match lacks). */
function extract(file: string, text: string, managers = config.customManagers): Extracted[] {
  return managers
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

/**
 * What Renovate writes for an update of `file` to `next`: each match of a
 * manager with an autoReplaceStringTemplate replaced by the template, its
 * triple-stash fields filled from the match and the new tag and digest.
 */
function autoReplace(file: string, text: string, next: { newValue: string; newDigest: string }): string {
  return config.customManagers
    .filter((m) => m.autoReplaceStringTemplate && m.managerFilePatterns.some((p) => toRegExp(p).test(file)))
    .reduce(
      (out, m) =>
        m.matchStrings.reduce(
          (acc, s) =>
            acc.replace(new RegExp(s, 'g'), (...args: unknown[]) => {
              const fields: Record<string, string> = { ...(args.at(-1) as Record<string, string>), ...next };
              return m.autoReplaceStringTemplate!.replace(/\{\{\{(\w+)\}\}\}/g, (_t, field: string) => fields[field] ?? `<no ${field}>`);
            }),
          out,
        ),
      text,
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

  it('covers every provider dependency of configuration/package/crossplane.yaml', () => {
    const file = 'configuration/package/crossplane.yaml';
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
    const xrd = parse(readFileSync(join(REPO_ROOT, 'configuration/package/apis/eksclusters/definition.yaml'), 'utf8')) as XrdDoc;
    const byDefault = xrd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec.properties.kubernetesVersion.default;
    const copies: Record<string, number> = {
      'packages/function-eks-cluster/src/api/eks-cluster.ts': 1,
      'configuration/package/apis/eksclusters/definition.yaml': 1,
      'docs/api.md': 2, // the example and the field table
    };
    for (const [file, count] of Object.entries(copies)) {
      const deps = extract(file, readFileSync(join(REPO_ROOT, file), 'utf8')).filter((d) => d.depName === 'amazon-eks');
      expect(deps, file).toEqual(Array.from({ length: count }, () => expect.objectContaining({ datasource: 'endoflife-date', currentValue: byDefault })));
    }
  });

  it("covers every version annotated with '# renovate:' under flux/ and apps/", () => {
    const byComment = config.customManagers.filter((m) => m.matchStrings.some((s) => s.startsWith('# renovate:')));
    let annotated = 0;
    for (const [file, text] of manifestTexts(REPO_ROOT)) {
      const comments = text.match(/# renovate:/g)?.length ?? 0;
      annotated += comments;
      expect(extract(file, text, byComment).filter((d) => d.depName && d.currentValue).length, file).toBe(comments);
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

describe('our packages in the Flux tree, by digest', () => {
  const exampleDigest = `sha256:${'0123456789abcdef'.repeat(4)}`;
  const referenceOf = (form: (typeof PINNED_PACKAGES)[number]['form'], pin: Pin) =>
    form === 'tag@digest' ? `${pin.repository}:${pin.tag}@${pin.digest}` : `${pin.repository}@${pin.digest}`;

  it('every Function and Configuration the Flux tree applies is one of them', () => {
    const packages = [...manifestTexts(REPO_ROOT)].flatMap(([file, text]) =>
      parseAllDocuments(text)
        .map((d) => d.toJS() as { apiVersion?: string; kind?: string; spec?: { package?: string } } | null)
        .filter((o) => o?.apiVersion?.startsWith('pkg.crossplane.io/') && ['Function', 'Configuration'].includes(o.kind ?? ''))
        .map((o) => ({ file, package: o!.spec?.package })),
    );
    expect(packages.map((p) => p.file).sort()).toEqual(PINNED_PACKAGES.map((p) => p.file).sort());
    for (const p of packages) expect(p.package, p.file).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  it.each(PINNED_PACKAGES)('$file names $name by digest ($form), and one Renovate rule reads its tag and digest', ({ name, file, form }) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const pin = readPin(form, text);
    const example = pinLine(form, { repository: `ghcr.io/eks-gitops/${name}`, tag: 'v1.2.3', digest: exampleDigest });
    expect(pin, `${file}: one line like "${example}"`).toBeDefined();
    expect(pin!.repository).toBe(`ghcr.io/eks-gitops/${name}`);
    expect((parse(text) as { spec: { package: string } }).spec.package).toBe(referenceOf(form, pin!));
    expect(extract(file, text)).toEqual([{ depName: pin!.repository, datasource: 'docker', currentValue: pin!.tag, currentDigest: pin!.digest }]);
  });

  it.each(PINNED_PACKAGES)("Renovate's update of $file writes the new tag and digest in the same form", ({ file, form }) => {
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const next = { newValue: 'v9.8.7', newDigest: exampleDigest };
    const updated = autoReplace(file, text, next);
    const pin = readPin(form, updated);
    expect(pin).toEqual({ repository: readPin(form, text)!.repository, tag: next.newValue, digest: next.newDigest });
    expect((parse(updated) as { spec: { package: string } }).spec.package).toBe(referenceOf(form, pin!));
    // Nothing else in the file changed.
    expect(updated.split('\n').filter((l) => !l.trim().startsWith('package:'))).toEqual(text.split('\n').filter((l) => !l.trim().startsWith('package:')));
  });

  const repository = 'ghcr.io/eks-gitops/function-eks-cluster';
  it.each([
    { reason: 'digest with the tag in a comment', line: `package: ${repository}@${exampleDigest} # v0.1.0`, found: 1 },
    { reason: 'tag and digest', line: `package: ${repository}:v0.1.0@${exampleDigest}`, found: 1 },
    { reason: 'a registry with a port', line: `package: registry.example.com:5000/platform/fn:v0.1.0@${exampleDigest}`, found: 1 },
    { reason: 'a tag alone: no digest to keep', line: `package: ${repository}:v0.1.0`, found: 0 },
    { reason: 'a digest with no tag beside it: no version to bump', line: `package: ${repository}@${exampleDigest}`, found: 0 },
    { reason: 'a short digest', line: `package: ${repository}:v0.1.0@sha256:0123abcd`, found: 0 },
  ])("Renovate's rules on a package line: $reason ($found)", ({ line, found }) => {
    expect(extract('flux/infrastructure/packages/function.yaml', `spec:\n  ${line}\n`)).toHaveLength(found);
  });
});

/** A Renovate glob (matchPackageNames, matchFileNames) as a regular expression: `**` any path, `*` one segment. */
const globRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split('**')
      .map((part) =>
        part
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('[^/]*'),
      )
      .join('.*')}$`,
  );
/** Whether a packageRules entry's glob or /regex/ patterns match a name. */
const matches = (patterns: string[] | undefined, name: string) =>
  patterns === undefined || patterns.some((p) => (p.startsWith('/') && p.endsWith('/') ? toRegExp(p).test(name) : globRegExp(p).test(name)));

interface GoMod {
  Require?: { Path: string; Version: string; Indirect?: boolean }[];
  Tool?: { Path: string }[];
}

describe("the Go tools' committed modules (scripts/tools/go), with Renovate's gomod manager", () => {
  const modulesDir = 'scripts/tools/go';
  const tools = readdirSync(join(REPO_ROOT, modulesDir)).sort();
  // go.mod read by Go itself.
  const goMod = (tool: string): GoMod =>
    JSON.parse(execFileSync('go', ['mod', 'edit', '-json'], { cwd: join(REPO_ROOT, modulesDir, tool), encoding: 'utf8' })) as GoMod;
  // The modules each tools script reads its pins from: `tool_module_version TOOL MODULE`.
  const readPins = readdirSync(join(REPO_ROOT, 'scripts/tools'))
    .filter((f) => f.endsWith('.sh'))
    .flatMap((f) =>
      [...readFileSync(join(REPO_ROOT, 'scripts/tools', f), 'utf8').matchAll(/tool_module_version "?([\w$-]+)"? "?([\w$./-]+)"?/g)].map((m) => ({
        script: f,
        tool: m[1] as string,
        module: m[2] as string,
      })),
    );
  const gomodRules = (file: string, module: string, depType: string) =>
    config.packageRules.filter(
      (r) => matches(r.matchManagers, 'gomod') && matches(r.matchFileNames, file) && matches(r.matchDepTypes, depType) && matches(r.matchPackageNames, module),
    );

  it('the gomod manager reads every one of them', () => {
    expect(tools.length).toBeGreaterThan(0);
    expect(config.enabledManagers === undefined || config.enabledManagers.includes('gomod')).toBe(true);
    expect(config.gomod?.enabled).not.toBe(false);
    // Renovate's default for the gomod manager, unless renovate.json sets its own.
    const patterns = config.gomod?.managerFilePatterns ?? ['/(^|/)go\\.mod$/'];
    for (const tool of tools)
      expect(
        patterns.some((p) => toRegExp(p).test(`${modulesDir}/${tool}/go.mod`)),
        tool,
      ).toBe(true);
    expect(gomodRules(`${modulesDir}/${tools[0]}/go.mod`, 'any', 'require').flatMap((r) => r.postUpdateOptions ?? [])).toContain('gomodTidy');
  });

  it.each(tools)('%s: a go.sum, and every module a tools script pins from it bumped by Renovate, in its group', (tool) => {
    const file = `${modulesDir}/${tool}/go.mod`;
    expect(existsSync(join(REPO_ROOT, modulesDir, tool, 'go.sum')), `${tool}/go.sum`).toBe(true);
    const mod = goMod(tool);
    // flux-controllers.sh reads each controller's pins in a function: "$name" is the controller, "$module" github.com/fluxcd/<controller>.
    const controller = (p: (typeof readPins)[number]) => p.script === 'flux-controllers.sh' && p.tool === '$name' && tool.endsWith('-controller');
    const pins = readPins.filter((p) => p.tool === tool || controller(p));
    expect(pins.length, `a scripts/tools/*.sh reads its version from ${file}`).toBeGreaterThan(0);
    const modules = pins.map((p) => (controller(p) ? p.module.replace('$module', `github.com/fluxcd/${tool}`) : p.module));
    const required = mod.Require ?? [];
    // A tool's module is indirect in go.mod; Renovate updates the module whose path is the longest prefix of a `tool` path.
    const toolModules = new Set(
      (mod.Tool ?? []).map(
        (t) =>
          required
            .filter((r) => t.Path === r.Path || t.Path.startsWith(`${r.Path}/`))
            .sort((a, b) => b.Path.length - a.Path.length)
            .at(0)?.Path,
      ),
    );
    const groupOf = (module: string) => config.packageRules.find((r) => r.groupName && matches(r.matchPackageNames, module))?.groupName;
    const mainGroup = groupOf(modules[0] as string);
    for (const module of modules) {
      const requirement = required.find((r) => r.Path === module);
      expect(requirement, `${file} requires ${module}`).toBeDefined();
      const bumped = !requirement!.Indirect || toolModules.has(module) || gomodRules(file, module, 'indirect').some((r) => r.enabled === true);
      expect(bumped, `Renovate bumps ${module} in ${file} (direct, a tool's module, or an indirect one a packageRule enables)`).toBe(true);
      expect(groupOf(module), `${module} in the group of ${modules[0]}`).toBe(mainGroup);
    }
  });
});
