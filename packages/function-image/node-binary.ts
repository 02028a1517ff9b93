/**
 * The image's Node, unpacked to run on this machine: `npm run bench` serves
 * the function with the runtime the image ships (packages/function-image/inputs.json), not with
 * whichever Node runs the benchmark, so that its figures are the image's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fetchNode } from './fetch.js';
import { INPUTS_DIR, loadInputs, nodeArchive, type Arch } from './inputs.js';

/** This machine's architecture, as the image names it. */
function hostArch(): Arch {
  if (process.arch === 'x64') return 'amd64';
  if (process.arch === 'arm64') return 'arm64';
  throw new Error(`the image is built for amd64 and arm64, not ${process.arch}`);
}

/** The path of the image's node executable for `arch`: fetched and verified (packages/function-image/fetch.ts), unpacked once. */
export function imageNode(arch: Arch = hostArch(), inputs = loadInputs()): string {
  const dir = join(INPUTS_DIR, arch, `node-${inputs.node.version}`);
  const bin = join(dir, 'bin', 'node');
  if (existsSync(bin)) return bin;
  fetchNode(inputs, arch);
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  execFileSync('tar', ['-xzf', nodeArchive(inputs, arch), '-C', partial, '--strip-components=1', 'package/bin/node']);
  renameSync(partial, dir);
  return bin;
}
