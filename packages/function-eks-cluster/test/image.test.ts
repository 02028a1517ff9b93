/**
 * The runtime image, built without a daemon from the pinned inputs: reproducible,
 * well-formed as an OCI layout and a docker-archive, and it really serves: its
 * layers unpacked into a root file system, the entrypoint started as the image's
 * user in an isolated root (mount and PID namespaces, chroot), mTLS certificates
 * mounted read-only at /tls/server, and a RunFunction answered over mTLS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, freePort, requestFor, startFunction, untilServing } from '../dev/function-process.js';
import { buildImage, ENTRYPOINT, type Image } from '../image/build.js';
import { sha256 } from '../image/digest.js';
import { dockerArchive } from '../image/docker-archive.js';
import { ensureInputs } from '../image/fetch.js';
import { loadInputs, PACKAGE_ROOT } from '../image/inputs.js';
import { REF_NAME, writeOciLayout } from '../image/layout.js';
import { MEDIA_TYPE } from '../image/oci.js';
import { checkSharedLibraries, imageLayers, USER_ID } from '../image/rootfs.js';
import { writeTar } from '../image/tar.js';
import { PACKAGE_FILE, STAND_IN_LABEL, standInXpkg, XPKG_ANNOTATION } from '../image/xpkg.js';
import { validXr } from './support/bad-inputs.js';
import { makePki, type Pki } from './support/certs.js';

const EPOCH = 1_700_000_000;
const hex = (digest: string) => digest.replace(/^sha256:/, '');
const tarList = (archive: string, flags = '-tvf') => execFileSync('tar', ['--numeric-owner', '--full-time', flags, archive], { encoding: 'utf8', env: { TZ: 'UTC' } });

function which(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

let work: string;
let image: Image;

beforeAll(() => {
  ensureInputs(['amd64']);
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
    expect(writeTar([{ type: 'dir', path: 'tmp', mode: 0o1777 }, { type: 'file', path: 'a/run', data: Buffer.from('#!'), mode: 0o755, uid: 7, gid: 8 }, { type: 'symlink', path: 'b/link', target: 'z.txt' }, { type: 'file', path: 'b/z.txt', data: Buffer.from('z') }], EPOCH)).toEqual(tar);
    writeFileSync(join(work, 't.tar'), tar);
    const lines = tarList(join(work, 't.tar')).trim().split('\n').map((l) => l.replace(/\s+/g, ' '));
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
    expect(() => writeTar([{ type: 'dir', path: 'a' }, { type: 'dir', path: '/a/' }], 0)).toThrow(/duplicate/);
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
    expect(config.Entrypoint).toEqual(['/nodejs/bin/node', '/function/main.cjs']);
    expect(config).not.toHaveProperty('Cmd');
    expect(Object.keys(config.ExposedPorts)).toEqual(['9443/tcp']);
    expect(rootfs.diff_ids).toHaveLength(image.layers.length);
    expect(image.configDoc.config.Labels['dev.eks-gitops.nodejs.version']).toBe(loadInputs().node.version);
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
    expect(index.manifests).toEqual([expect.objectContaining({ digest: image.digest, annotations: { [REF_NAME]: 'v-test' }, platform: { architecture: 'amd64', os: 'linux' } })]);
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

  it('makes an xpkg-shaped stand-in: package.yaml in a last layer marked io.crossplane.xpkg: base', () => {
    const packageYaml = readFileSync(join(PACKAGE_ROOT, 'package', 'crossplane.yaml'), 'utf8');
    expect(packageYaml).toMatch(/apiVersion: meta\.pkg\.crossplane\.io\/v1\nkind: Function\nmetadata:\n {2}name: function-eks-cluster\n/);
    expect(packageYaml).toMatch(/spec:\n {2}crossplane:\n {4}version: ">=v2\.\d+\.\d+"/);
    const xpkg = standInXpkg(image, packageYaml, EPOCH);
    const last = xpkg.layers.at(-1)!;
    expect(xpkg.layers.slice(0, -1).map((l) => l.blob.digest)).toEqual(image.layers.map((l) => l.blob.digest));
    expect(last.descriptor.annotations).toEqual({ [XPKG_ANNOTATION]: 'base' });
    expect(xpkg.configDoc.config.Labels[`${XPKG_ANNOTATION}:${last.blob.digest}`]).toBe('base');
    expect(xpkg.configDoc.config.Labels[STAND_IN_LABEL]).toMatch(/not by crossplane xpkg build/);
    writeFileSync(join(work, 'package.tar'), gunzipSync(last.blob.data));
    expect(tarList(join(work, 'package.tar'), '-tf').trim()).toBe(PACKAGE_FILE);
    expect(execFileSync('tar', ['-xOf', join(work, 'package.tar'), PACKAGE_FILE], { encoding: 'utf8' })).toBe(packageYaml);
  });
});

const isolation = ['unshare', 'chroot', 'mount'].map(which);
const canIsolate = process.platform === 'linux' && process.getuid?.() === 0 && isolation.every(Boolean);

// Not skipped when the tools are missing: a check that runs only sometimes is no check.
describe('the unpacked image in an isolated root', () => {
  let rootfs: string;
  let pki: Pki;
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let address: string;

  beforeAll(async () => {
    if (!canIsolate) {
      throw new Error('running the image needs Linux, root (as in CI) and unshare, chroot and mount from util-linux on PATH');
    }
    // Unpack every layer of the layout, in order, as a container runtime does.
    const layout = join(work, 'run-layout');
    writeOciLayout(layout, [image], 'v-test');
    const blobPath = (digest: string) => join(layout, 'blobs', 'sha256', hex(digest));
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(blobPath(index.manifests[0].digest), 'utf8'));
    rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    for (const layer of manifest.layers) execFileSync('tar', ['--numeric-owner', '-xzpf', blobPath(layer.digest), '-C', rootfs]);
    const config = JSON.parse(readFileSync(blobPath(manifest.config.digest), 'utf8')).config;

    // The TLS secret as Kubernetes mounts it for the pod's group: root-owned, group-readable.
    pki = makePki();
    const secret = join(work, 'secret');
    mkdirSync(secret);
    for (const file of ['ca.crt', 'tls.crt', 'tls.key']) {
      copyFileSync(join(pki.serverDir, file), join(secret, file));
      chownSync(join(secret, file), 0, USER_ID);
      chmodSync(join(secret, file), 0o440);
    }
    mkdirSync(join(rootfs, 'proc')); // the runtime's mount point, not part of the image

    const port = await freePort();
    address = `127.0.0.1:${port}`;
    const [unshare, chroot, mount] = isolation as string[];
    const script = [
      'set -e',
      'root=$1 secret=$2 mount=$3 chroot=$4 user=$5; shift 5',
      '"$mount" -t proc proc "$root/proc"',
      '"$mount" --bind "$secret" "$root/tls/server"',
      '"$mount" -o remount,bind,ro "$root/tls/server"',
      'exec "$chroot" --userspec="$user" "$root" "$@"',
    ].join('\n');
    // Only the image's environment reaches the function.
    const env = Object.fromEntries((config.Env as string[]).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
    child = spawn(
      unshare!,
      ['--mount', '--pid', '--fork', '--kill-child', '--', '/bin/sh', '-c', script, 'sh', rootfs, secret, mount!, chroot!, config.User, ...config.Entrypoint, '--address', address],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    ({ exited } = await untilServing(child, { timeoutMs: 15_000 }));
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });

  /** The function's host PID: unshare's only child. */
  const functionPid = () => Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim());

  it('holds no shell, package manager or other program than node', () => {
    const programs: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const stat = statSync(path, { throwIfNoEntry: false });
        if (!stat || path === join(rootfs, 'proc') || path === join(rootfs, 'tls')) continue;
        if (stat.isDirectory()) walk(path);
        else if (stat.isFile() && stat.mode & 0o111 && !name.includes('.so')) programs.push(path.slice(rootfs.length));
      }
    };
    walk(rootfs);
    expect(programs).toEqual(['/nodejs/bin/node']);
    for (const path of ['bin/sh', 'usr/bin', 'bin', 'sbin', 'usr/sbin', 'var/lib/dpkg']) expect(existsSync(join(rootfs, path)), path).toBe(false);
    expect(readFileSync(join(rootfs, 'etc/passwd'), 'utf8')).toContain(`nonroot:x:${USER_ID}:${USER_ID}:`);
    expect(statSync(join(rootfs, 'home/nonroot')).uid).toBe(USER_ID);
    expect(statSync(join(rootfs, 'function/main.cjs')).uid).toBe(0);
    expect(ENTRYPOINT.every((p) => existsSync(join(rootfs, p)))).toBe(true);
  });

  it('runs the entrypoint as 65532:65532 with no supplementary groups', () => {
    const status = readFileSync(`/proc/${functionPid()}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\s+${USER_ID}\\s+${USER_ID}\\s+${USER_ID}\\s+${USER_ID}$`, 'm'));
    expect(status).toMatch(new RegExp(`^Gid:\\s+${USER_ID}\\s+${USER_ID}\\s+${USER_ID}\\s+${USER_ID}$`, 'm'));
    expect(status).toMatch(new RegExp(`^Groups:\\s*(${USER_ID}\\s*)?$`, 'm'));
    expect(readFileSync(`/proc/${functionPid()}/cmdline`, 'utf8').split('\0')[0]).toBe('/nodejs/bin/node');
  });

  it('answers RunFunction over mTLS with the certificates mounted at /tls/server, as the bundle does on the host', async () => {
    const client = connect(address, grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert));
    const rsp = await client.run(requestFor(validXr()));
    client.close();
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(Object.keys(rsp.desired!.resources)).toEqual(expect.arrayContaining(['vpc', 'igw', 'role-cluster']));
    const host = await startFunction();
    try {
      const hostClient = connect(host.address);
      const expected = await hostClient.run(requestFor(validXr()));
      hostClient.close();
      expect(rsp).toEqual(expected);
    } finally {
      await host.stop();
    }
  });

  it('refuses a client without a certificate', async () => {
    const client = connect(address, grpc.credentials.createSsl(pki.ca));
    await expect(client.run(requestFor(validXr()), 3000)).rejects.toMatchObject({ code: expect.any(Number) });
    client.close();
  });

  it('stops gracefully on SIGTERM', async () => {
    process.kill(functionPid(), 'SIGTERM');
    expect(await exited).toBe(0);
  });
});
