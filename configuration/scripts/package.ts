/**
 * `npm run package` (Nx target `package` of configuration): the Configuration
 * package, built by the real `crossplane xpkg build`.
 *
 *   tsx scripts/package.ts [--function-repository REPO --function-version VERSION|DIGEST]
 *
 * The package root is configuration/package: crossplane.yaml, apis/ and
 * examples/, nothing else (the CLI reads every YAML file under a root and its
 * `--ignore` cannot exclude folders, so tests, scripts and their data live
 * beside it), and the package is built straight from it. With
 * --function-repository, the Function dependency names that repository at
 * exactly that version or digest, and the Composition calls the Function by the
 * name Crossplane will give it: `npm run publish` (publish.ts) pushes the
 * Function there. Those two files are known only once the Function is pushed,
 * so that build reads a copy of the root with them rewritten, in a temporary
 * folder. Writes dist/xpkg/configuration-eks-cluster.xpkg.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseDocument } from 'yaml';
import { REPO_ROOT, tool } from 'workshop';

export const CONFIGURATION_NAME = 'configuration-eks-cluster';
export const FUNCTION_NAME = 'function-eks-cluster';
/** The package root: only what the package holds. */
export const PACKAGE_ROOT = join(REPO_ROOT, 'configuration', 'package');
export const XPKG_DIR = join(REPO_ROOT, 'dist', 'xpkg');
export const CONFIGURATION_XPKG = join(XPKG_DIR, `${CONFIGURATION_NAME}.xpkg`);

export interface FunctionDependency {
  repository: string;
  /** A version (v1.2.3) or constraint, or the digest (sha256:...) of exactly one package. */
  version: string;
}

/** crossplane.yaml with the Function dependency pointed at `fn` (comments and order kept). */
export function packageMetadata(fn?: FunctionDependency): string {
  const doc = parseDocument(readFileSync(join(PACKAGE_ROOT, 'crossplane.yaml'), 'utf8'));
  if (!fn) return doc.toString();
  const dependsOn = doc.getIn(['spec', 'dependsOn']) as { items: { get(k: string): unknown; set(k: string, v: unknown): void }[] } | undefined;
  const dependency = dependsOn?.items.find((d) => String(d.get('function') ?? '').endsWith(`/${FUNCTION_NAME}`));
  if (!dependency) throw new Error(`configuration/package/crossplane.yaml has no dependency on a function named ${FUNCTION_NAME}`);
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
  const doc = parseDocument(readFileSync(join(PACKAGE_ROOT, 'apis', 'eksclusters', 'composition.yaml'), 'utf8'));
  if (!functionName) return doc.toString();
  const pipeline = doc.getIn(['spec', 'pipeline']) as { items: { setIn(path: string[], v: unknown): void }[] } | undefined;
  if (!pipeline?.items.length) throw new Error('the Composition has no pipeline');
  for (const step of pipeline.items) step.setIn(['functionRef', 'name'], functionName);
  return doc.toString();
}

/** `crossplane xpkg build` of the package root `root` into dist/xpkg/configuration-eks-cluster.xpkg. */
function xpkgBuild(root: string): void {
  mkdirSync(XPKG_DIR, { recursive: true });
  rmSync(CONFIGURATION_XPKG, { force: true });
  // The examples are inside the root; the CLI packs them as examples, not as package objects.
  execFileSync(tool('crossplane'), ['xpkg', 'build', '--package-root', root, '--examples-root', join(root, 'examples'), '--package-file', CONFIGURATION_XPKG], {
    stdio: 'inherit',
  });
}

/** A copy of the root whose Function dependency and Composition name `fn`, in a temporary folder; the caller removes it. */
function rootFor(fn: FunctionDependency): string {
  const root = join(mkdtempSync(join(tmpdir(), 'configuration-package-')), 'package');
  cpSync(PACKAGE_ROOT, root, { recursive: true });
  writeFileSync(join(root, 'crossplane.yaml'), packageMetadata(fn));
  writeFileSync(join(root, 'apis', 'eksclusters', 'composition.yaml'), composition(dependencyName(fn.repository)));
  return root;
}

/** Builds dist/xpkg/configuration-eks-cluster.xpkg with the real CLI; returns its path. */
export function buildConfigurationPackage(fn?: FunctionDependency): string {
  if (!fn) xpkgBuild(PACKAGE_ROOT);
  else {
    const root = rootFor(fn);
    try {
      xpkgBuild(root);
    } finally {
      rmSync(join(root, '..'), { recursive: true, force: true });
    }
  }
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
