/**
 * The release by digest, as parts 2 and 3 install it. The run pushes what
 * `npm run package` built to its mirror of ghcr.io/eks-gitops, the
 * Configuration depending on the Function by the name users see at the digest
 * just pushed, as `npm run publish` builds it for ghcr.io. The Flux tree in Git
 * pins a release's digests (configuration/scripts/pins.ts); this source builds
 * others whenever it differs from that release, so the checkout parts 2 and 3
 * install from gets the lines `npm run publish` prints for what the run pushed:
 * the commit that pins a release. Crossplane then pulls by digest through the
 * mirror's ImageConfig, which rewrites the registry and keeps the digest.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { PINNED_PACKAGES, pinLine, readPin, repin, type PinnedPackage } from 'configuration/scripts/pins.js';
import { REPO_ROOT, tool, waitFor, xpkgPush, type JsonObject, type Kube, type ProcessGroup } from 'workshop';
import { PACKAGE_HOME } from './environment.js';
import { condition, isTrue } from './objects.js';

const PKG = 'pkg.crossplane.io/v1';
const digestOf = (ref: string) => execFileSync(tool('crane'), ['digest', ref], { encoding: 'utf8' }).trim();
const xpkg = (name: string) => join(REPO_ROOT, 'dist', 'xpkg', name);

/** Pushes the packages of `npm run package` to `mirror` at `version`, the Configuration built as a release builds it; returns what it pushed. */
export function pushMirror(mirror: string, version: string): string[] {
  const fn = `${mirror}/function-eks-cluster:${version}`;
  xpkgPush([xpkg('function-eks-cluster-amd64.xpkg'), xpkg('function-eks-cluster-arm64.xpkg')], fn);
  const args = ['--function-repository', `${PACKAGE_HOME}/function-eks-cluster`, '--function-version', digestOf(fn)];
  execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'configuration', 'scripts', 'package.ts'), ...args], { cwd: REPO_ROOT, stdio: 'pipe' });
  const configuration = `${mirror}/configuration-eks-cluster:${version}`;
  xpkgPush([xpkg('configuration-eks-cluster.xpkg')], configuration);
  return [`${fn} (${digestOf(fn)})`, `${configuration} (${digestOf(configuration)}, depends on the Function by that digest)`];
}

/** The object a pinned file applies, and the reference it names. */
function pinnedObject(checkout: string, p: PinnedPackage): { ref: { apiVersion: string; kind: string; name: string }; pkg: string } {
  const o = parse(readFileSync(join(checkout, p.file), 'utf8')) as { apiVersion: string; kind: string; metadata: { name: string }; spec: { package: string } };
  return { ref: { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name }, pkg: o.spec.package };
}

/**
 * Pins the packages in `checkout` (a copy of this repository) to the digests
 * `mirror` holds at `version`, with the lines `npm run publish` prints; says
 * per file what it named before, and whether any file changed.
 */
export function pinToMirror(checkout: string, mirror: string, version: string): { notes: string[]; changed: boolean } {
  let changed = false;
  const notes = PINNED_PACKAGES.map(({ name, file, form }) => {
    const text = readFileSync(join(checkout, file), 'utf8');
    const before = readPin(form, text);
    if (!before) throw new Error(`${file}: no package line of the form ${form} (configuration/scripts/pins.ts)`);
    const pin = { repository: before.repository, tag: version, digest: digestOf(`${mirror}/${name}:${version}`) };
    const pinned = repin(form, text, pin);
    if (pinned !== text) {
      writeFileSync(join(checkout, file), pinned);
      changed = true;
    }
    const same =
      before.digest === pin.digest ? 'the digest Git names: this source builds that release' : `Git names ${before.tag} at ${before.digest.slice(0, 19)}...`;
    return `${file}: ${pinLine(form, pin)} (${same})`;
  });
  return { notes, changed };
}

/**
 * The `packages` (by default the Function and the Configuration) are installed
 * by the digests `checkout` pins, through the mirror, Healthy, and Crossplane's
 * lock holds the Function under its repository at that digest, the version the
 * Configuration's dependency names. Throws saying what differs; returns what it saw.
 */
export async function expectInstalledByDigest(kube: Kube, checkout: string, packages = PINNED_PACKAGES): Promise<string[]> {
  const lock = (await kube.get({ apiVersion: 'pkg.crossplane.io/v1beta1', kind: 'Lock', name: 'lock' })) as { packages?: JsonObject[] };
  const seen: string[] = [];
  for (const p of packages) {
    const { ref, pkg } = pinnedObject(checkout, p);
    const pin = readPin(p.form, readFileSync(join(checkout, p.file), 'utf8'))!;
    const o = await kube.get(ref);
    const spec = o.spec as JsonObject;
    const resolved = String((o.status as JsonObject | undefined)?.resolvedPackage ?? '');
    if (spec.package !== pkg) throw new Error(`${ref.kind} ${ref.name}: spec.package ${String(spec.package)}, not ${pkg} as ${p.file} pins it`);
    if (!resolved.endsWith(`@${pin.digest}`)) throw new Error(`${ref.kind} ${ref.name}: resolved to ${resolved}, not the pinned digest ${pin.digest}`);
    if (!isTrue(o, 'Healthy')) throw new Error(`${ref.kind} ${ref.name}: not Healthy: ${condition(o, 'Healthy')?.message ?? 'no condition'}`);
    const locked = (lock.packages ?? []).find((l) => String(l.source).startsWith(pin.repository));
    if (!locked) throw new Error(`${ref.kind} ${ref.name}: no lock entry for ${pin.repository}`);
    if (p.form !== 'tag@digest' && (locked.source !== pin.repository || locked.version !== pin.digest))
      throw new Error(
        `${ref.kind} ${ref.name}: locked as ${String(locked.source)} at ${String(locked.version)}; the Configuration's dependency needs ${pin.repository} at ${pin.digest}`,
      );
    seen.push(`${ref.kind} ${ref.name} Healthy, package ${pkg}, pulled as ${resolved}; lock: ${String(locked.source)} at ${String(locked.version)}`);
  }
  return seen;
}

/**
 * A Function named by a digest the registry does not hold (another build, a
 * typo) is not installed: Crossplane reports why on the Function and makes no
 * revision. The object is deleted again; returns Crossplane's message.
 */
export async function expectWrongDigestRefused(kube: Kube, group: ProcessGroup, checkout: string): Promise<string> {
  const fn = PINNED_PACKAGES.find((p) => p.form !== 'tag@digest')!;
  const pin = readPin(fn.form, readFileSync(join(checkout, fn.file), 'utf8'))!;
  const wrong = `sha256:${createHash('sha256').update(`not ${pin.digest}`).digest('hex')}`;
  const ref = { apiVersion: PKG, kind: 'Function', name: 'wrong-digest' };
  await kube.apply({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name }, spec: { package: `${pin.repository}@${wrong}` } }, 'e2e');
  try {
    const message = await waitFor(
      `Function ${ref.name} (${pin.repository}@${wrong.slice(0, 19)}...) refused`,
      async () => {
        const o = await kube.find(ref);
        const healthy = condition(o, 'Healthy');
        if (healthy?.status === 'False' && healthy.message) return healthy.message;
        throw new Error(`Healthy: ${healthy?.status ?? 'not reported'}`);
      },
      60_000,
      group,
      1000,
    );
    const revisions = (await kube.list({ apiVersion: PKG, kind: 'FunctionRevision' })).filter(
      (r) => ((r.metadata as JsonObject).labels as Record<string, string> | undefined)?.['pkg.crossplane.io/package'] === ref.name,
    );
    if (revisions.length) throw new Error(`Function ${ref.name}: ${revisions.length} revision(s) made for a digest the registry does not hold`);
    return `${pin.repository}@${wrong.slice(0, 19)}... refused, no revision: ${message}`;
  } finally {
    await kube.delete(ref);
  }
}
