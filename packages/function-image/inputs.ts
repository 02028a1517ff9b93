/**
 * The pinned outside inputs of the runtime image (inputs.json) and where their
 * verified copies live on disk. Nothing here touches the network.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ARCHES = ['amd64', 'arm64'] as const;
export type Arch = (typeof ARCHES)[number];

export interface NodePin {
  /** npm package holding the nodejs.org binaries for this architecture. */
  package: string;
  /** The registry's `dist.integrity` (what a lockfile records). */
  integrity: string;
}

export interface DebianPin {
  package: string;
  version: string;
  /** SHA-256 of the .deb, as in the release's signed Packages index. */
  sha256: string;
  /** Paths inside the package to copy into the image (no leading slash). Symlinks stay symlinks. */
  files: string[];
}

export interface Inputs {
  node: { version: string } & Record<Arch, NodePin>;
  debian: { release: string } & Record<Arch, DebianPin[]>;
}

const IMAGE_DIR = dirname(fileURLToPath(import.meta.url));
export const WORKSPACE_ROOT = join(IMAGE_DIR, '..', '..');
/** The function's package, whose dist/ and package/ this image builder packs. */
export const PACKAGE_ROOT = join(WORKSPACE_ROOT, 'packages', 'function-eks-cluster');
/** Downloaded, verified archives (gitignored). */
export const INPUTS_DIR = join(WORKSPACE_ROOT, '.tools', 'image');

export function loadInputs(file = join(IMAGE_DIR, 'inputs.json')): Inputs {
  return JSON.parse(readFileSync(file, 'utf8')) as Inputs;
}

export function isArch(value: string): value is Arch {
  return (ARCHES as readonly string[]).includes(value);
}

/** Where the verified npm tarball of Node for `arch` is kept. */
export function nodeArchive(inputs: Inputs, arch: Arch): string {
  return join(INPUTS_DIR, arch, `${inputs.node[arch].package}-${inputs.node.version}.tgz`);
}

/** Where the verified .deb of `pin` for `arch` is kept (the name apt-get download gives it). */
export function debArchive(pin: DebianPin, arch: Arch): string {
  return join(INPUTS_DIR, arch, `${pin.package}_${pin.version.replace(/:/g, '%3a')}_${arch}.deb`);
}
