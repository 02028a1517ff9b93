/**
 * Signed packages, end to end: the run publishes with a release key made for
 * it, logs each signature in its own transparency log (sigstore-offline.ts),
 * and runs Crossplane with --enable-signature-verification and an ImageConfig
 * that accepts only that key for our packages. Part 1 then shows Crossplane
 * refusing a package signed with another key and an unsigned one, with its own
 * message, and that nothing of them runs.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tool, waitFor, type JsonObject, type Kube, type ProcessGroup } from 'workshop';
import { NAMESPACE, xpkgCacheDir } from './crossplane.js';
import { condition } from './objects.js';
import { pushFunctionRebuild } from './registry.js';
import { installTrustRoots, offlineSigstore, type OfflineSigstore } from './sigstore-offline.js';

/** cosign's annotation holding a signature on its layer of the `.sig` image. */
const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
const KEY_SECRET = 'eks-gitops-release-key';
const AUTHORITY = 'eks-gitops-release';

interface KeyPair {
  private: string;
  publicPem: string;
}

export class Signing {
  readonly release: KeyPair;
  readonly other: KeyPair;
  readonly sigstore: OfflineSigstore;
  /** cosign's own variable for the keys' password, random for the run. */
  readonly env: NodeJS.ProcessEnv;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.env = { ...process.env, COSIGN_PASSWORD: randomBytes(24).toString('base64') };
    this.release = this.keyPair('release');
    this.other = this.keyPair('other');
    this.sigstore = offlineSigstore(join(dir, 'sigstore'));
  }

  private keyPair(name: string): KeyPair {
    const dir = join(this.dir, name);
    mkdirSync(dir);
    execFileSync(tool('cosign'), ['generate-key-pair'], { cwd: dir, env: this.env, stdio: 'pipe' });
    return { private: join(dir, 'cosign.key'), publicPem: readFileSync(join(dir, 'cosign.pub'), 'utf8') };
  }

  /** `npm run publish`'s signing flags: the release key; the run's log is not Rekor, `record` logs afterwards. */
  publishFlags(): string[] {
    return ['--key', this.release.private, '--no-tlog'];
  }

  /** Signs `ref` (by its digest now) with `key`, offline, then logs the signature. */
  sign(ref: string, key: 'release' | 'other' = 'release'): string {
    const digestRef = this.digestRef(ref);
    this.cosign(['sign', '--key', this[key].private, '--tlog-upload=false', '--yes', digestRef]);
    this.record(digestRef, this[key].publicPem);
    return digestRef;
  }

  /**
   * Gives each signature on `ref`'s digest the Rekor bundle the run's log
   * issues for it, attached with `cosign attach signature` as a signer who
   * logged would have. Returns how many were logged.
   */
  record(ref: string, signerPem = this.release.publicPem): number {
    const digestRef = ref.includes('@') ? ref : this.digestRef(ref);
    const [repository, digest] = digestRef.split('@') as [string, string];
    const sigImage = `${repository}:${digest.replace(':', '-')}.sig`;
    const manifest = JSON.parse(this.crane(['manifest', sigImage])) as { layers: { digest: string; annotations?: Record<string, string> }[] };
    const dir = join(this.dir, 'log', digest.replace(':', '-'));
    mkdirSync(dir, { recursive: true });
    manifest.layers.forEach((layer, i) => {
      const signature = layer.annotations?.[SIGNATURE_ANNOTATION];
      if (!signature) throw new Error(`${sigImage} layer ${layer.digest} has no ${SIGNATURE_ANNOTATION}`);
      const payload = execFileSync(tool('crane'), ['blob', `${repository}@${layer.digest}`], { maxBuffer: 2 ** 20 });
      const files = { payload: join(dir, `${i}.payload`), signature: join(dir, `${i}.sig`), bundle: join(dir, `${i}.rekor.json`) };
      writeFileSync(files.payload, payload);
      writeFileSync(files.signature, signature);
      writeFileSync(files.bundle, JSON.stringify(this.sigstore.log.record(payload, signature, signerPem)));
      this.cosign(['attach', 'signature', '--payload', files.payload, '--signature', files.signature, '--rekor-response', files.bundle, digestRef]);
    });
    return manifest.layers.length;
  }

  /** What core started in `dir` needs for verification: the flag, and the run's trust roots where it reads them. */
  coreOptions(dir: string): { extraArgs: string[] } {
    installTrustRoots(this.sigstore, join(xpkgCacheDir(dir), '.sigstore', 'root'));
    return { extraArgs: ['--enable-signature-verification'] };
  }

  /** The run's trust roots for a core started in `dir` with the flag from elsewhere (the chart's args). */
  trustRootsFor(dir: string): void {
    installTrustRoots(this.sigstore, join(xpkgCacheDir(dir), '.sigstore', 'root'));
  }

  /** The release key as a Secret in Crossplane's namespace, and an ImageConfig requiring it for every package under `prefix`. */
  async requireReleaseKey(kube: Kube, prefix: string): Promise<void> {
    await kube.apply(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: KEY_SECRET, namespace: NAMESPACE }, stringData: { 'cosign.pub': this.release.publicPem } },
      'e2e',
    );
    await kube.apply(
      {
        apiVersion: 'pkg.crossplane.io/v1beta1',
        kind: 'ImageConfig',
        metadata: { name: 'eks-gitops-signed' },
        spec: {
          matchImages: [{ type: 'Prefix', prefix }],
          verification: {
            provider: 'Cosign',
            cosign: { authorities: [{ name: AUTHORITY, key: { secretRef: { name: KEY_SECRET, key: 'cosign.pub' }, hashAlgorithm: 'sha256' } }] },
          },
        },
      },
      'e2e',
    );
  }

  private digestRef(ref: string): string {
    const repository = ref.replace(/[:@][^:/]+$/, '');
    return `${repository}@${this.crane(['digest', ref]).trim()}`;
  }

  private crane(args: string[]): string {
    return execFileSync(tool('crane'), args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  }

  private cosign(args: string[]): void {
    execFileSync(tool('cosign'), args, { env: this.env, stdio: 'pipe' });
  }
}

/** What Crossplane v2.4.0 writes on a package it refused to unpack because no authority verified it (crossplane-runtime pkg/xpkg/client.go). */
const REFUSED = new RegExp(`signature verification failed: authority "${AUTHORITY}": signature verification failed with`);

/**
 * Installs `ref` as Function `name` and waits for Crossplane to refuse it:
 * Installed=False (UnpackingPackage) with its verification message; then
 * checks that no FunctionRevision of it exists (so nothing of it was run) and
 * removes it. Resolves with Crossplane's message.
 */
export async function expectRefused(kube: Kube, group: ProcessGroup, name: string, ref: string): Promise<string> {
  const fn = { apiVersion: 'pkg.crossplane.io/v1', kind: 'Function', name };
  await kube.apply({ apiVersion: fn.apiVersion, kind: fn.kind, metadata: { name }, spec: { package: ref } }, 'e2e');
  const installed = await waitFor(
    `Function ${name} refused`,
    async () => {
      const c = condition(await kube.find(fn), 'Installed');
      return c?.status === 'False' && c.reason === 'UnpackingPackage' && REFUSED.test(String(c.message)) ? c : undefined;
    },
    120_000,
    group,
    1000,
  );
  const revisions = (await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'FunctionRevision' })).filter((r) =>
    (((r.metadata as JsonObject).ownerReferences as JsonObject[] | undefined) ?? []).some((o) => o.name === name),
  );
  if (revisions.length > 0)
    throw new Error(`Function ${name} was refused but has revisions: ${revisions.map((r) => String((r.metadata as JsonObject).name)).join(', ')}`);
  await kube.delete(fn);
  return String(installed.message);
}

/**
 * Part 1's proof, once the signed Configuration and Function are installed: a
 * Function package signed with another key and an unsigned one, each a rebuild
 * of ours pushed beside it under the same ImageConfig, are refused. Resolves
 * with what it saw.
 */
export async function expectSignaturesEnforced(
  kube: Kube,
  group: ProcessGroup,
  signing: Signing,
  packages: string,
  version: string,
  dir: string,
): Promise<string[]> {
  // Our signed packages are installed by now, under the ImageConfig that refuses the two below.
  const seen: string[] = [`installed, signed with the release key: ${packages}/configuration-eks-cluster:${version} and its Function`];
  const otherKey = `${packages}/function-eks-cluster:${version}-other-key`;
  pushFunctionRebuild(otherKey, 'other-key', join(dir, 'other-key'));
  signing.sign(otherKey, 'other');
  seen.push(`signed with another key (logged): ${otherKey} refused: ${await expectRefused(kube, group, 'signed-by-another-key', otherKey)}`);
  const unsigned = `${packages}/function-eks-cluster:${version}-unsigned`;
  pushFunctionRebuild(unsigned, 'unsigned', join(dir, 'unsigned'));
  seen.push(`unsigned: ${unsigned} refused: ${await expectRefused(kube, group, 'unsigned', unsigned)}`);
  seen.push('neither has a FunctionRevision: nothing of them runs');
  return seen;
}
