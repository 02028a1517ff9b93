/**
 * `npm run package` (Nx target `package` of configuration): the Configuration
 * package, built by the real `crossplane xpkg build`.
 *
 *   tsx scripts/package.ts [--function-repository REPO --function-version VERSION|DIGEST]
 *
 * The package root holds only crossplane.yaml and apis/ (the CLI would read every
 * YAML file under a root, tests and goldens included, and `--ignore` cannot
 * exclude folders), so both are staged into dist/package/configuration first.
 * With --function-repository, the Function dependency names that repository at
 * exactly that version or digest, and the Composition calls the Function by the name
 * Crossplane will give it: `npm run publish` (publish.ts) pushes the Function there.
 * Writes dist/xpkg/configuration-eks-cluster.xpkg.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import { REPO_ROOT, tool } from 'workshop';

export const CONFIGURATION_NAME = 'configuration-eks-cluster';
export const FUNCTION_NAME = 'function-eks-cluster';
const SOURCE = join(REPO_ROOT, 'configuration');
const STAGE = join(REPO_ROOT, 'dist', 'package', 'configuration');
export const XPKG_DIR = join(REPO_ROOT, 'dist', 'xpkg');
export const CONFIGURATION_XPKG = join(XPKG_DIR, `${CONFIGURATION_NAME}.xpkg`);

export interface FunctionDependency {
  repository: string;
  /** A version (v1.2.3) or constraint, or the digest (sha256:...) of exactly one package. */
  version: string;
}

/** crossplane.yaml with the Function dependency pointed at `fn` (comments and order kept). */
export function packageMetadata(fn?: FunctionDependency): string {
  const doc = parseDocument(readFileSync(join(SOURCE, 'crossplane.yaml'), 'utf8'));
  if (!fn) return doc.toString();
  const dependsOn = doc.getIn(['spec', 'dependsOn']) as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] } | undefined;
  const dependency = dependsOn?.items.find((d) => String(d.get('function') ?? '').endsWith(`/${FUNCTION_NAME}`));
  if (!dependency) throw new Error(`configuration/crossplane.yaml has no dependency on a function named ${FUNCTION_NAME}`);
  dependency.set('function', fn.repository);
  dependency.set('version', fn.version);
  return doc.toString();
}

/**
 * The name Crossplane gives a package it installs as a dependency: the
 * repository path without the registry (eks-gitops/function-eks-cluster), as a
 * DNS label: lower-case letters and digits kept, separators become '-', at most
 * 63 characters, no '-' at either end (crossplane-runtime's xpkg.ToDNSLabel).
 */
export function dependencyName(repository: string): string {
  const path = repository.split('/').slice(1).join('/');
  let label = '';
  for (let i = 0; i < path.length && i <= 62; i++) {
    const c = path[i]!;
    if (/[a-z0-9]/.test(c)) label += c;
    else if ('./:-'.includes(c) && i !== 0 && i !== 62 && i !== path.length - 1) label += '-';
  }
  return label.replace(/^-+|-+$/g, '');
}

/** The Composition calling the Function by `functionName`. */
export function composition(functionName?: string): string {
  const doc = parseDocument(readFileSync(join(SOURCE, 'apis', 'eksclusters', 'composition.yaml'), 'utf8'));
  if (!functionName) return doc.toString();
  const pipeline = doc.getIn(['spec', 'pipeline']) as { items: { setIn(path: string[], v: unknown): void }[] } | undefined;
  if (!pipeline?.items.length) throw new Error('the Composition has no pipeline');
  for (const step of pipeline.items) step.setIn(['functionRef', 'name'], functionName);
  return doc.toString();
}

/** Builds dist/xpkg/configuration-eks-cluster.xpkg with the real CLI; returns its path. */
export function buildConfigurationPackage(fn?: FunctionDependency): string {
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(STAGE, { recursive: true });
  mkdirSync(XPKG_DIR, { recursive: true });
  writeFileSync(join(STAGE, 'crossplane.yaml'), packageMetadata(fn));
  cpSync(join(SOURCE, 'apis'), join(STAGE, 'apis'), { recursive: true });
  writeFileSync(join(STAGE, 'apis', 'eksclusters', 'composition.yaml'), composition(fn && dependencyName(fn.repository)));
  rmSync(CONFIGURATION_XPKG, { force: true });
  execFileSync(
    tool('crossplane'),
    ['xpkg', 'build', '--package-root', STAGE, '--examples-root', join(SOURCE, 'examples'), '--package-file', CONFIGURATION_XPKG],
    { stdio: 'inherit' },
  );
  const dependency = fn && `${fn.repository}${fn.version.startsWith('sha256:') ? '@' : ':'}${fn.version}`;
  console.log(`${CONFIGURATION_NAME}: ${CONFIGURATION_XPKG}${dependency ? ` (depends on ${dependency})` : ''}`);
  return CONFIGURATION_XPKG;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

if (process.argv[1] && basename(process.argv[1]) === 'package.ts') {
  const args = process.argv.slice(2);
  const repository = flag(args, '--function-repository');
  const version = flag(args, '--function-version');
  if (Boolean(repository) !== Boolean(version)) throw new Error('give --function-repository and --function-version together');
  buildConfigurationPackage(repository && version ? { repository, version } : undefined);
}
