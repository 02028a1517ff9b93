/**
 * The npm packages inside the bundle, written into the image as a
 * package-lock.json (lockfile version 3) beside it: the bundle carries no
 * package.json, and a lockfile is the standard place an SBOM tool reads a Node
 * application's dependencies from (scripts/lib/sbom.sh). Which packages: the
 * files esbuild took in (its metafile, scripts/build.mjs); their version,
 * resolved URL, integrity and license: the repository's package-lock.json.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PACKAGE_ROOT, WORKSPACE_ROOT } from './inputs.js';

export interface LockEntry {
  version: string;
  resolved?: string;
  integrity?: string;
  license?: string;
}

interface Lockfile {
  name: string;
  version: string;
  lockfileVersion: 3;
  requires: true;
  packages: Record<string, LockEntry & { name?: string }>;
}

/** esbuild's metafile, the part read here: the inputs of each output. */
export interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}

/** The folder of the package a file belongs to (`node_modules/@scope/name`, nested ones kept), or undefined outside node_modules. */
export function packageDir(file: string): string | undefined {
  return /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1];
}

/**
 * The lockfile of the bundle `output` of `metafile`: `inputs` are relative to
 * `buildDir`, lock keys to `lockDir`. A bundled package the lock does not know
 * is an error: the SBOM would leave it out.
 */
export function bundleLockfile(
  metafile: Metafile,
  output: string,
  lock: { packages: Record<string, LockEntry> },
  app: { name: string; version: string },
  dirs: { buildDir: string; lockDir: string },
): Lockfile {
  const bundle = metafile.outputs[output];
  if (!bundle) throw new Error(`the esbuild metafile has no output ${output}: run the build again`);
  const keys = new Set(
    Object.keys(bundle.inputs)
      .map((input) => packageDir(relative(dirs.lockDir, join(dirs.buildDir, input))))
      .filter((key): key is string => key !== undefined),
  );
  const packages: Lockfile['packages'] = { '': { name: app.name, version: app.version } };
  for (const key of [...keys].sort()) {
    const entry = lock.packages[key];
    if (!entry?.version) throw new Error(`${key} is in the bundle but not in package-lock.json: run npm install`);
    const { version, resolved, integrity, license } = entry;
    packages[key] = { version, resolved, integrity, license };
  }
  return { name: app.name, version: app.version, lockfileVersion: 3, requires: true, packages };
}

/** The lockfile of dist/main.cjs in `bundleDir`, from its metafile and the repository's package-lock.json. */
export function readBundleLockfile(bundleDir: string): Lockfile {
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;
  const app = read(join(PACKAGE_ROOT, 'package.json')) as { name: string; version: string };
  const metafile = read(join(bundleDir, 'main.cjs.meta.json')) as Metafile;
  const lock = read(join(WORKSPACE_ROOT, 'package-lock.json')) as { packages: Record<string, LockEntry> };
  return bundleLockfile(metafile, 'dist/main.cjs', lock, app, { buildDir: PACKAGE_ROOT, lockDir: WORKSPACE_ROOT });
}
