/**
 * Provider packages built from the real provider-aws v2.7.0 CRDs (no controller
 * image: their controllers cannot run here, the simulated AWS plays them):
 * provider-family-aws with the ProviderConfig kinds, and one member per family
 * the Configuration depends on, each depending on the family as the real ones
 * do. Built with `crossplane xpkg build` and pushed with `crossplane xpkg push`
 * under crossplane-contrib/ in the loopback registry, where a Crossplane
 * ImageConfig sends xpkg.crossplane.io/crossplane-contrib.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crdsDir, REPO_ROOT, tool, xpkgPush, yamlStream } from 'function-eks-cluster/testing';

export const UPSTREAM = 'xpkg.crossplane.io/crossplane-contrib';

/** The provider-aws version the CRDs were extracted at (scripts/tools/crds.sh). */
function providerVersion(): string {
  const script = readFileSync(join(REPO_ROOT, 'scripts', 'tools', 'crds.sh'), 'utf8');
  const version = /^PROVIDER_AWS_VERSION=(\S+)$/m.exec(script)?.[1];
  if (!version) throw new Error('scripts/tools/crds.sh pins no PROVIDER_AWS_VERSION');
  return version;
}

/** The family members configuration/crossplane.yaml depends on. */
function members(): string[] {
  const meta = readFileSync(join(REPO_ROOT, 'configuration', 'crossplane.yaml'), 'utf8');
  return [...meta.matchAll(/provider: \S+\/provider-aws-(\w+)/g)].map((m) => m[1]!);
}

/** Builds and pushes every provider package to `registry` (host:port); returns the pushed references. */
export function publishProviders(registry: string, workDir: string): string[] {
  const version = providerVersion();
  const pushed: string[] = [];
  const build = (name: string, crds: string, dependsOn?: string) => {
    const root = join(workDir, name);
    mkdirSync(root, { recursive: true });
    const meta = {
      apiVersion: 'meta.pkg.crossplane.io/v1',
      kind: 'Provider',
      metadata: { name, ...(dependsOn ? { labels: { 'pkg.crossplane.io/provider-family': 'provider-family-aws' } } : {}) },
      spec: {
        crossplane: { version: '>=v2.0.0' },
        ...(dependsOn ? { dependsOn: [{ provider: `${UPSTREAM}/${dependsOn}`, version: `>=${version}` }] } : {}),
      },
    };
    writeFileSync(join(root, 'crossplane.yaml'), yamlStream([meta]));
    cpSync(crds, join(root, 'crds'), { recursive: true });
    const file = join(workDir, `${name}.xpkg`);
    execFileSync(tool('crossplane'), ['xpkg', 'build', '--package-root', root, '--examples-root', join(root, 'none'), '--package-file', file], {
      stdio: 'pipe',
    });
    const ref = `${registry}/crossplane-contrib/${name}:${version}`;
    xpkgPush([file], ref);
    pushed.push(ref);
  };
  build('provider-family-aws', crdsDir('provider-aws', 'family'));
  for (const member of members()) build(`provider-aws-${member}`, crdsDir('provider-aws', member), 'provider-family-aws');
  return pushed;
}
