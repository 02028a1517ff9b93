/**
 * The runtime image, built without a daemon from the pinned inputs: reproducible,
 * well-formed as an OCI layout and a docker-archive (what `crossplane xpkg build`
 * embeds). That the image really serves is shown on what a user pulls: the
 * published package, in configuration/test/publish.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, type Image } from '../build.js';
import { sha256 } from '../digest.js';
import { dockerArchive } from '../docker-archive.js';
import { requireInputs } from '../fetch.js';
import { loadInputs, PACKAGE_ROOT } from '../inputs.js';
import { REF_NAME, writeOciLayout } from '../layout.js';
import { imageNode } from '../node-binary.js';
import { NODE_FLAGS, RUNTIME_ENV } from '../node-flags.js';
import { MEDIA_TYPE } from '../oci.js';
import { checkSharedLibraries, imageLayers, USER_ID } from '../rootfs.js';
import { writeTar } from '../tar.js';

const EPOCH = 1_700_000_000;
const hex = (digest: string) => digest.replace(/^sha256:/, '');
const tarList = (archive: string, flags = '-tvf') =>
  execFileSync('tar', ['--numeric-owner', '--full-time', flags, archive], { encoding: 'utf8', env: { TZ: 'UTC' } });

let work: string;
let image: Image;

beforeAll(() => {
  requireInputs(['amd64']);
  work = mkdtempSync(join(tmpdir(), 'fn-image-test-'));
  image = buildImage('amd64', { epoch: EPOCH });
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the tar writer', () => {
  it('sorts entries, adds parents, fixes owners and times, and GNU tar reads it back', () => {
    const tar = writeTar(
      [
        { type: 'file', path: 'b/z.txt', data: Buffer.from('z') },
        { type: 'symlink', path: 'b/link', target: 'z.txt' },
        { type: 'file', path: '/a/run', data: Buffer.from('#!'), mode: 0o755, uid: 7, gid: 8 },
        { type: 'dir', path: 'tmp', mode: 0o1777 },
      ],
      EPOCH,
    );
    expect(
      writeTar(
        [
          { type: 'dir', path: 'tmp', mode: 0o1777 },
          { type: 'file', path: 'a/run', data: Buffer.from('#!'), mode: 0o755, uid: 7, gid: 8 },
          { type: 'symlink', path: 'b/link', target: 'z.txt' },
          { type: 'file', path: 'b/z.txt', data: Buffer.from('z') },
        ],
        EPOCH,
      ),
    ).toEqual(tar);
    writeFileSync(join(work, 't.tar'), tar);
    const lines = tarList(join(work, 't.tar'))
      .trim()
      .split('\n')
      .map((l) => l.replace(/\s+/g, ' '));
    expect(lines).toEqual([
      'drwxr-xr-x 0/0 0 2023-11-14 22:13:20 a/',
      '-rwxr-xr-x 7/8 2 2023-11-14 22:13:20 a/run',
      'drwxr-xr-x 0/0 0 2023-11-14 22:13:20 b/',
      'lrwxrwxrwx 0/0 0 2023-11-14 22:13:20 b/link -> z.txt',
      '-rw-r--r-- 0/0 1 2023-11-14 22:13:20 b/z.txt',
      'drwxrwxrwt 0/0 0 2023-11-14 22:13:20 tmp/',
    ]);
  });

  it('refuses paths that escape the root and duplicates', () => {
    expect(() => writeTar([{ type: 'file', path: '../etc/passwd', data: Buffer.alloc(0) }], 0)).toThrow(/unsafe/);
    expect(() =>
      writeTar(
        [
          { type: 'dir', path: 'a' },
          { type: 'dir', path: '/a/' },
        ],
        0,
      ),
    ).toThrow(/duplicate/);
  });
});

describe('the runtime image', () => {
  it('is reproducible: a second build from the same inputs has the same digest and bytes', () => {
    const again = buildImage('amd64', { epoch: EPOCH });
    expect(again.digest).toBe(image.digest);
    expect(again.layers.map((l) => l.blob.digest)).toEqual(image.layers.map((l) => l.blob.digest));
    expect(sha256(dockerArchive(again, 'x:1', EPOCH))).toBe(sha256(dockerArchive(image, 'x:1', EPOCH)));
    console.log(`amd64 image ${image.digest} (twice)`);
  });

  it('runs as 65532:65532 with an exec-form entrypoint, port 9443 and no shell command', () => {
    const { config, rootfs, architecture, os } = image.configDoc;
    expect({ architecture, os }).toEqual({ architecture: 'amd64', os: 'linux' });
    expect(config.User).toBe(`${USER_ID}:${USER_ID}`);
    expect(config.Entrypoint).toEqual(['/nodejs/bin/node', ...NODE_FLAGS, '/function/main.cjs']);
    // The Dockerfile builds the same image another way: the same entrypoint, flags included.
    const dockerfile = readFileSync(join(import.meta.dirname, '..', 'Dockerfile'), 'utf8');
    expect(JSON.parse(/^ENTRYPOINT (.*)$/m.exec(dockerfile)?.[1] ?? 'null')).toEqual(config.Entrypoint);
    expect([...dockerfile.matchAll(/^ENV (.*)$/gm)].map((m) => m[1])).toEqual(config.Env);
    expect(config.Env).toEqual(['PATH=/nodejs/bin', ...Object.entries(RUNTIME_ENV).map(([name, value]) => `${name}=${value}`)]);
    expect(config).not.toHaveProperty('Cmd');
    expect(Object.keys(config.ExposedPorts)).toEqual(['9443/tcp']);
    expect(rootfs.diff_ids).toHaveLength(image.layers.length);
    expect(image.configDoc.config.Labels['dev.eks-gitops.nodejs.version']).toBe(loadInputs().node.version);
  });

  it("unpacks its Node for the benchmark: the pinned version, runnable here with the image's flags", () => {
    const version = execFileSync(imageNode('amd64'), [...NODE_FLAGS, '--version'], { encoding: 'utf8', env: { ...RUNTIME_ENV } }).trim();
    expect(version).toBe(`v${loadInputs().node.version}`);
  });

  it('refuses to build when a library Node needs is missing', () => {
    const layers = imageLayers(loadInputs(), 'amd64', join(PACKAGE_ROOT, 'dist'));
    const without = layers.map((l) => ({ ...l, entries: l.entries.filter((e) => !e.path.includes('libstdc++.so.6.0.30')) }));
    expect(() => checkSharedLibraries(without, 'amd64')).toThrow(/libstdc\+\+\.so\.6 is missing/);
    expect(() => checkSharedLibraries(layers, 'arm64')).toThrow(/is for x86-64, not arm64/);
  });

  it('writes an OCI layout whose blobs are addressed by content', () => {
    const dir = join(work, 'layout');
    writeOciLayout(dir, [image], 'v-test');
    expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    expect(index.mediaType).toBe(MEDIA_TYPE.index);
    expect(index.manifests).toEqual([
      expect.objectContaining({ digest: image.digest, annotations: { [REF_NAME]: 'v-test' }, platform: { architecture: 'amd64', os: 'linux' } }),
    ]);
    for (const name of readdirSync(join(dir, 'blobs', 'sha256'))) expect(sha256(readFileSync(join(dir, 'blobs', 'sha256', name)))).toBe(name);
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs', 'sha256', hex(image.digest)), 'utf8'));
    expect(manifest.config.digest).toBe(image.config.digest);
    expect(manifest.layers.map((l: { mediaType: string }) => l.mediaType)).toEqual(image.layers.map(() => MEDIA_TYPE.layerGzip));
  });

  it('writes a docker-archive whose manifest.json names the config and the gzipped layers', () => {
    const dir = join(work, 'archive');
    mkdirSync(dir);
    writeFileSync(join(work, 'image.tar'), dockerArchive(image, 'function-eks-cluster-runtime:v-test', EPOCH));
    execFileSync('tar', ['-xf', join(work, 'image.tar'), '-C', dir]);
    const [entry] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(entry.RepoTags).toEqual(['function-eks-cluster-runtime:v-test']);
    const config = readFileSync(join(dir, entry.Config));
    expect(`sha256:${sha256(config)}`).toBe(image.config.digest);
    const diffIds = JSON.parse(config.toString()).rootfs.diff_ids;
    entry.Layers.forEach((name: string, i: number) => {
      const layer = readFileSync(join(dir, name));
      expect(`sha256:${sha256(layer)}`).toBe(image.layers[i]!.blob.digest);
      expect(`sha256:${sha256(gunzipSync(layer))}`).toBe(diffIds[i]);
    });
  });
});
