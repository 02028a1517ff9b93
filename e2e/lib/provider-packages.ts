/**
 * Provider packages built from the real provider-aws CRDs at the pinned version
 * (no controller image: their controllers cannot run here, the simulated AWS
 * plays them): provider-family-aws with the ProviderConfig kinds, and one member
 * per API group the function composes (MANAGED_GROUPS), each depending on the
 * family as the real ones do. Their package metadata is the real one: rendered
 * from the family's own template at the pinned version (scripts/tools/crds.sh
 * extracts it), so they declare what the real packages declare, the SafeStart
 * capability included, and Crossplane keeps their kinds inactive until an
 * activation policy names them, as on a real install. Built with
 * `crossplane xpkg build` and pushed with `crossplane xpkg push` under
 * crossplane-contrib/ in the loopback registry, where a Crossplane ImageConfig
 * sends xpkg.crossplane.io/crossplane-contrib.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { crdsDir, MANAGED_GROUPS, memberOf, PROVIDER_REGISTRY, providerAwsVersion, tool, xpkgPush, yamlStream, type JsonObject } from 'workshop';

export const UPSTREAM = PROVIDER_REGISTRY;
const FAMILY = 'provider-family-aws';

/**
 * The family's package metadata template for one package. It takes only
 * `{{ .Var }}` and `{{ if }}` blocks of `eq`/`ne` comparisons, optionally under
 * `and`; anything else throws, so a changed template is noticed, not misread.
 */
export function renderPackageMetadata(template: string, vars: Record<string, string>): JsonObject {
  const holds = (condition: string): boolean => {
    const tests = [...condition.matchAll(/\((eq|ne) \.(\w+) "([^"]*)"\)|^(eq|ne) \.(\w+) "([^"]*)"$/g)];
    const understood = /^(and( \((eq|ne) \.\w+ "[^"]*"\))+|(eq|ne) \.\w+ "[^"]*")$/.test(condition);
    if (!understood || tests.length === 0) throw new Error(`provider package template: condition "${condition}" not understood`);
    return tests.every((t) => {
      const [op, name, value] = t[1] ? [t[1], t[2]!, t[3]] : [t[4], t[5]!, t[6]];
      return (value === vars[name]) === (op === 'eq');
    });
  };
  const value = (name: string): string => {
    const v = vars[name];
    if (v === undefined) throw new Error(`provider package template: no value for .${name}`);
    return v;
  };
  const rendered = template
    .replace(/\{\{ if (.+?) \}\}([\s\S]*?)\{\{ end \}\}/g, (_, condition: string, body: string) => (holds(condition) ? body : ''))
    .replace(/\{\{ \.(\w+) \}\}/g, (_, name: string) => value(name));
  const leftover = /\{\{.*?\}\}/.exec(rendered);
  if (leftover) throw new Error(`provider package template: ${leftover[0]} not understood`);
  return parse(rendered) as JsonObject;
}

/** Builds and pushes every provider package to `registry` (host:port); returns the pushed references. */
export function publishProviders(registry: string, workDir: string): string[] {
  const version = providerAwsVersion();
  const template = readFileSync(join(crdsDir('provider-aws-meta'), 'crossplane.yaml.tmpl'), 'utf8');
  const pushed: string[] = [];
  // The family's build names the family package's service "config"; members depend on
  // the family at ">= 0.0.0", as the release build of a non-prerelease version does.
  const build = (name: string, service: string, crds: string) => {
    const root = join(workDir, name);
    mkdirSync(root, { recursive: true });
    const meta = renderPackageMetadata(template, {
      Name: name,
      Service: service,
      ProviderName: 'aws',
      ProviderAuthGroup: 'aws',
      XpkgRegOrg: UPSTREAM,
      DepConstraint: '>= 0.0.0',
    });
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
  build(FAMILY, 'config', crdsDir('provider-aws', 'family'));
  for (const group of MANAGED_GROUPS) build(group.provider, memberOf(group), crdsDir('provider-aws', memberOf(group)));
  return pushed;
}
