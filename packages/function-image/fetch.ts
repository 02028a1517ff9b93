/**
 * Downloads the pinned inputs of the runtime image into .tools/image/<arch>/ and
 * verifies each against inputs.json; skips what is already there and verified.
 *
 *   tsx packages/function-image/fetch.ts [amd64|arm64 ...]     (default: both)
 *
 * Node comes from the npm registry with `npm pack` (checked against the pinned
 * integrity), the Debian libraries with `apt-get download` (apt checks them
 * against the release's signed index; we check the pinned SHA-256 on top). apt
 * runs on a private state directory per architecture, with the machine's
 * Debian sources, so neither `dpkg --add-architecture` nor the machine's
 * package lists are touched.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { npmIntegrity, sha256 } from './digest.js';
import { ARCHES, INPUTS_DIR, debArchive, isArch, loadInputs, nodeArchive, type Arch, type DebianPin, type Inputs } from './inputs.js';

function verified(path: string, check: (data: Buffer) => boolean): boolean {
  return existsSync(path) && check(readFileSync(path));
}

const nodeVerified = (inputs: Inputs, arch: Arch) => verified(nodeArchive(inputs, arch), (data) => npmIntegrity(data) === inputs.node[arch].integrity);
const debVerified = (pin: DebianPin, arch: Arch) => verified(debArchive(pin, arch), (data) => sha256(data) === pin.sha256);

/** The pinned Node archive for `arch`, downloaded and verified unless it is there and verified. */
export function fetchNode(inputs: Inputs, arch: Arch): void {
  const pin = inputs.node[arch];
  const target = nodeArchive(inputs, arch);
  if (nodeVerified(inputs, arch)) return;
  const spec = `${pin.package}@${inputs.node.version}`;
  console.log(`fetching ${spec} (npm pack)`);
  mkdirSync(dirname(target), { recursive: true });
  const packed = JSON.parse(
    execFileSync('npm', ['pack', spec, '--json', '--pack-destination', dirname(target)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
  ) as { filename: string }[];
  const file = join(dirname(target), packed[0]!.filename);
  if (file !== target) renameSync(file, target);
  const actual = npmIntegrity(readFileSync(target));
  if (actual !== pin.integrity) {
    rmSync(target);
    throw new Error(`${spec}: integrity ${actual} is not the pinned ${pin.integrity}`);
  }
}

function aptOptions(arch: Arch): string[] {
  const state = join(INPUTS_DIR, `apt-${arch}`);
  for (const dir of ['lists/partial', 'cache/archives/partial']) mkdirSync(join(state, dir), { recursive: true });
  if (!existsSync(join(state, 'status'))) writeFileSync(join(state, 'status'), '');
  return [
    '-q',
    '-o',
    `APT::Architecture=${arch}`,
    '-o',
    `APT::Architectures=${arch}`,
    '-o',
    `Dir::State::Lists=${join(state, 'lists')}`,
    '-o',
    `Dir::State::status=${join(state, 'status')}`,
    '-o',
    `Dir::Cache=${join(state, 'cache')}`,
    '-o',
    'Acquire::Languages=none',
    '-o',
    'APT::Sandbox::User=root',
  ];
}

function fetchDebs(inputs: Inputs, arch: Arch): void {
  const missing = inputs.debian[arch].filter((pin) => !debVerified(pin, arch));
  if (!missing.length) return;
  const options = aptOptions(arch);
  console.log(`fetching ${missing.map((p) => `${p.package}=${p.version}`).join(' ')} for ${arch} (apt-get download)`);
  execFileSync('apt-get', [...options, 'update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = join(INPUTS_DIR, arch);
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('apt-get', [...options, 'download', ...missing.map((p) => `${p.package}:${arch}=${p.version}`)], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch (error) {
    throw new Error(
      `apt-get could not download a pinned Debian package for ${arch}. Debian replaces point-release versions; ` +
        `see the candidates with: apt-cache ${options.join(' ')} policy ${missing.map((p) => p.package).join(' ')}\n` +
        `then pin the new version and the SHA256 from apt-cache show in packages/function-image/inputs.json.\n${String(error)}`,
    );
  }
  for (const pin of missing) {
    const path = debArchive(pin, arch);
    const actual = existsSync(path) ? sha256(readFileSync(path)) : 'missing';
    if (actual !== pin.sha256) {
      rmSync(path, { force: true });
      throw new Error(`${basename(path)}: sha256 ${actual} is not the pinned ${pin.sha256}`);
    }
  }
}

/** Makes sure every pinned input for `arches` is on disk and verified. */
export function ensureInputs(arches: readonly Arch[], inputs = loadInputs()): void {
  for (const arch of arches) {
    fetchNode(inputs, arch);
    fetchDebs(inputs, arch);
  }
}

/**
 * For the tests, which never download: throws, naming each pinned input of
 * `arches` that is missing or differs from inputs.json and the command that
 * fetches it (scripts/tools/runtime-image.sh, which `npm test` runs first).
 */
export function requireInputs(arches: readonly Arch[], inputs = loadInputs()): void {
  const missing = arches.flatMap((arch) => [
    ...(nodeVerified(inputs, arch) ? [] : [nodeArchive(inputs, arch)]),
    ...inputs.debian[arch].filter((pin) => !debVerified(pin, arch)).map((pin) => debArchive(pin, arch)),
  ]);
  if (missing.length) throw new Error(`the runtime image's pinned inputs are missing or unverified: ${missing.join(', ')}; run \`npm run tools\``);
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const requested = process.argv.slice(2);
  const bad = requested.filter((a) => !isArch(a));
  if (bad.length) throw new Error(`unknown architecture ${bad.join(', ')}; use ${ARCHES.join(' or ')}`);
  ensureInputs(requested.length ? (requested as Arch[]) : ARCHES);
  console.log(`image inputs verified in ${INPUTS_DIR}`);
}
