/**
 * The image's file system, as three layers of tar entries, from the verified
 * inputs: (1) the system files Node needs, taken from Debian packages, each
 * package's control record (where an SBOM tool reads which Debian packages an
 * image carries), /etc/passwd, /etc/group, /tmp and the non-root user's home;
 * (2) Node; (3) the bundle and the lockfile of the npm packages inside it.
 * Ordered from the least to the most often changed, so a new bundle changes
 * one small layer.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { readBundleLockfile } from './bundle-packages.js';
import { elfDeps, isElf } from './elf.js';
import { debArchive, nodeArchive, type Arch, type Inputs } from './inputs.js';
import type { TarEntry } from './tar.js';

export const USER_ID = 65532;
const USER_NAME = 'nonroot';
export const NODE_DIR = 'nodejs';
export const FUNCTION_DIR = 'function';
/**
 * One control record per Debian package, as distroless images keep them: the
 * image has no dpkg, so no /var/lib/dpkg/status, but SBOM scanners (syft,
 * trivy) read this folder as the list of installed Debian packages.
 */
export const DPKG_STATUS_DIR = 'var/lib/dpkg/status.d';

export interface Layer {
  /** Shown in the image history. */
  comment: string;
  entries: TarEntry[];
}

/** 0755 when the source is executable by anyone, else 0644: independent of the umask that unpacked it. */
function normalMode(mode: number): number {
  return mode & 0o111 ? 0o755 : 0o644;
}

/** A file or symlink from an unpacked archive, under its path in the image. */
function entryFrom(root: string, path: string, imagePath = path): TarEntry {
  const source = join(root, path);
  const stat = lstatSync(source);
  if (stat.isSymbolicLink()) return { type: 'symlink', path: imagePath, target: readlinkSync(source) };
  if (stat.isFile()) return { type: 'file', path: imagePath, data: readFileSync(source), mode: normalMode(stat.mode) };
  throw new Error(`${path}: only files and symlinks are taken from packages`);
}

function withTempDir<T>(use: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'fn-image-'));
  try {
    return use(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function systemLayer(inputs: Inputs, arch: Arch): Layer {
  const entries: TarEntry[] = withTempDir((dir) =>
    inputs.debian[arch].flatMap((pin) => {
      const root = join(dir, pin.package);
      const archive = debArchive(pin, arch);
      execFileSync('dpkg-deb', ['-x', archive, root]);
      const control: TarEntry = { type: 'file', path: `${DPKG_STATUS_DIR}/${pin.package}`, data: execFileSync('dpkg-deb', ['-f', archive]) };
      return [...pin.files.map((file) => entryFrom(root, file)), control];
    }),
  );
  const id = USER_ID;
  entries.push(
    {
      type: 'file',
      path: 'etc/passwd',
      data: Buffer.from(`root:x:0:0:root:/root:/sbin/nologin\n${USER_NAME}:x:${id}:${id}:${USER_NAME}:/home/${USER_NAME}:/sbin/nologin\n`),
    },
    { type: 'file', path: 'etc/group', data: Buffer.from(`root:x:0:\n${USER_NAME}:x:${id}:\n`) },
    { type: 'dir', path: 'root', mode: 0o700 },
    { type: 'dir', path: `home/${USER_NAME}`, mode: 0o700, uid: id, gid: id },
    { type: 'dir', path: 'tmp', mode: 0o1777 },
    // Where Crossplane mounts the function's TLS secret.
    { type: 'dir', path: 'tls/server' },
  );
  return {
    comment: `system libraries from Debian ${inputs.debian.release}: ${inputs.debian[arch].map((p) => `${p.package}=${p.version}`).join(' ')}`,
    entries,
  };
}

function nodeLayer(inputs: Inputs, arch: Arch): Layer {
  const entries = withTempDir((dir) => {
    execFileSync('tar', ['-xzf', nodeArchive(inputs, arch), '-C', dir, 'package/bin/node', 'package/LICENSE']);
    return [entryFrom(dir, 'package/bin/node', `${NODE_DIR}/bin/node`), entryFrom(dir, 'package/LICENSE', `${NODE_DIR}/LICENSE`)];
  });
  return { comment: `Node.js ${inputs.node.version} (npm ${inputs.node[arch].package}@${inputs.node.version})`, entries };
}

function functionLayer(bundleDir: string): Layer {
  return {
    comment: 'function-eks-cluster bundle',
    entries: [
      entryFrom(bundleDir, 'main.cjs', `${FUNCTION_DIR}/main.cjs`),
      entryFrom(bundleDir, 'main.cjs.LEGAL.txt', `${FUNCTION_DIR}/main.cjs.LEGAL.txt`),
      { type: 'file', path: `${FUNCTION_DIR}/package-lock.json`, data: Buffer.from(`${JSON.stringify(readBundleLockfile(bundleDir), null, 2)}\n`) },
    ],
  };
}

export function imageLayers(inputs: Inputs, arch: Arch, bundleDir: string): Layer[] {
  const layers = [systemLayer(inputs, arch), nodeLayer(inputs, arch), functionLayer(bundleDir)];
  checkSharedLibraries(layers, arch);
  return layers;
}

const LIBRARY_DIRS: Record<Arch, string[]> = {
  amd64: ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib', 'usr/lib'],
  arm64: ['lib/aarch64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib', 'usr/lib'],
};
const MACHINE: Record<Arch, string> = { amd64: 'x86-64', arm64: 'aarch64' };

/**
 * Every ELF file in the image must be for `arch`, and its interpreter and every
 * DT_NEEDED library must resolve (through symlinks) to a file in the image,
 * looked up where Debian's dynamic loader looks without an ld.so.cache.
 */
export function checkSharedLibraries(layers: readonly Layer[], arch: Arch): void {
  const byPath = new Map(layers.flatMap((l) => l.entries).map((e) => [e.path.replace(/^\/+/, ''), e]));
  const resolve = (path: string, hops = 0): TarEntry | undefined => {
    const entry = byPath.get(path.replace(/^\/+/, ''));
    if (entry?.type !== 'symlink' || hops > 8) return entry;
    const target = entry.target.startsWith('/') ? entry.target : posix.join(posix.dirname(entry.path), entry.target);
    return resolve(posix.normalize(target), hops + 1);
  };
  const problems: string[] = [];
  for (const entry of byPath.values()) {
    if (entry.type !== 'file' || !isElf(entry.data)) continue;
    const deps = elfDeps(entry.data);
    if (deps.machine !== MACHINE[arch]) problems.push(`${entry.path} is for ${deps.machine}, not ${arch}`);
    if (deps.interpreter && resolve(deps.interpreter)?.type !== 'file') problems.push(`${entry.path}: interpreter ${deps.interpreter} is missing`);
    for (const name of deps.needed) {
      if (!LIBRARY_DIRS[arch].some((dir) => resolve(`${dir}/${name}`)?.type === 'file')) problems.push(`${entry.path}: ${name} is missing`);
    }
  }
  if (problems.length) throw new Error(`the image cannot run Node:\n  ${problems.join('\n  ')}`);
}
