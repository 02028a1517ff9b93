/**
 * What the image tells an SBOM tool about itself: the npm packages inside the
 * bundle, as a lockfile (packages/function-image/bundle-packages.ts), and each Debian package's
 * control record (packages/function-image/rootfs.ts). That syft reads both and Node's version is
 * shown on the published package (configuration/test/publish.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleLockfile, packageDir, readBundleLockfile, type Metafile } from '../bundle-packages.js';
import { requireInputs } from '../fetch.js';
import { loadInputs, PACKAGE_ROOT, WORKSPACE_ROOT } from '../inputs.js';
import { DPKG_STATUS_DIR, FUNCTION_DIR, imageLayers } from '../rootfs.js';

const DIRS = { buildDir: '/repo/packages/fn', lockDir: '/repo' };
const APP = { name: 'fn', version: '1.0.0' };
const entry = (version: string) => ({ version, resolved: `https://registry.npmjs.org/x/-/x-${version}.tgz`, integrity: 'sha512-x', license: 'MIT' });

describe('the lockfile of the bundle', () => {
  it.each([
    { reason: 'a plain package', file: 'node_modules/long/index.js', dir: 'node_modules/long' },
    { reason: 'a scoped package', file: 'node_modules/@grpc/grpc-js/build/src/index.js', dir: 'node_modules/@grpc/grpc-js' },
    { reason: 'a nested copy is its own package', file: 'node_modules/a/node_modules/@s/b/x.js', dir: 'node_modules/a/node_modules/@s/b' },
    { reason: 'our own source is no package', file: 'packages/fn/src/main.ts', dir: undefined },
  ])('$reason: $file', ({ file, dir }) => {
    expect(packageDir(file)).toBe(dir);
  });

  it('lists each package esbuild took in once, with the lock entry of the copy it took', () => {
    const metafile: Metafile = {
      outputs: {
        'dist/main.cjs': {
          inputs: {
            'src/main.ts': {},
            '../../node_modules/long/index.js': {},
            '../../node_modules/long/umd/index.js': {},
            '../../node_modules/a/node_modules/long/index.js': {},
          },
        },
      },
    };
    const lock = {
      packages: { 'node_modules/long': entry('5.3.2'), 'node_modules/a/node_modules/long': entry('4.0.0'), 'node_modules/unused': entry('1.0.0') },
    };
    expect(bundleLockfile(metafile, 'dist/main.cjs', lock, APP, DIRS)).toEqual({
      name: 'fn',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': APP, 'node_modules/a/node_modules/long': entry('4.0.0'), 'node_modules/long': entry('5.3.2') },
    });
  });

  it.each([
    {
      reason: 'a bundled package the lock lacks would be missing from the SBOM',
      output: 'dist/main.cjs',
      error: /node_modules\/long is in the bundle but not in package-lock.json/,
    },
    { reason: 'a metafile of another build', output: 'dist/other.cjs', error: /no output dist\/other.cjs/ },
  ])('refuses: $reason', ({ output, error }) => {
    const metafile: Metafile = { outputs: { 'dist/main.cjs': { inputs: { '../../node_modules/long/index.js': {} } } } };
    expect(() => bundleLockfile(metafile, output, { packages: {} }, APP, DIRS)).toThrow(error);
  });

  it("of this repository's bundle: its runtime dependencies at the versions package-lock.json resolved", () => {
    const lockfile = readBundleLockfile(join(PACKAGE_ROOT, 'dist'));
    const repoLock = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const direct = Object.keys((JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    for (const name of direct) expect(lockfile.packages[`node_modules/${name}`]?.version, name).toBe(repoLock.packages[`node_modules/${name}`]!.version);
    for (const tool of ['vitest', 'typescript', 'esbuild']) expect(lockfile.packages, tool).not.toHaveProperty([`node_modules/${tool}`]);
  });
});

describe('the image names its contents where SBOM tools look', () => {
  it('carries the control record of every Debian package it takes files from, and the lockfile beside the bundle', () => {
    requireInputs(['amd64']);
    const inputs = loadInputs();
    const files = new Map(
      imageLayers(inputs, 'amd64', join(PACKAGE_ROOT, 'dist'))
        .flatMap((l) => l.entries)
        .flatMap((e) => (e.type === 'file' ? [[e.path, e.data.toString()] as const] : [])),
    );
    for (const pin of inputs.debian.amd64) {
      const record = files.get(`${DPKG_STATUS_DIR}/${pin.package}`);
      expect(record, pin.package).toMatch(new RegExp(`^Package: ${pin.package.replace(/\+/g, '\\+')}$`, 'm'));
      expect(record).toMatch(new RegExp(`^Version: ${pin.version.replace(/\+/g, '\\+')}$`, 'm'));
      expect(record).toMatch(/^Architecture: amd64$/m);
    }
    expect(JSON.parse(files.get(`${FUNCTION_DIR}/package-lock.json`)!)).toEqual(readBundleLockfile(join(PACKAGE_ROOT, 'dist')));
  });
});
