/**
 * Sigstore's public services, played offline for the run, as an air-gapped
 * platform mirrors them. Crossplane v2.4.0 with --enable-signature-verification
 * needs two of them even to verify a signature made with a plain key
 * (crossplane-runtime's pkg/xpkg/signature, cosign's pkg/cosign/verify.go):
 *   - at start, the Fulcio roots and the Rekor and CT log keys, from Sigstore's
 *     TUF repository (TUF_ROOT); without them core does not start;
 *   - per signature, a transparency log entry: core verifies with the log on
 *     and no Rekor client, so a signature counts only with a Rekor bundle
 *     (the entry's signed timestamp, SET) attached to it.
 * So the run makes (1) a TUF repository of its own, signed with a run key, with
 * a run CA as Fulcio's root and a run key as Rekor's and the CT log's, loaded
 * with `cosign initialize` into core's package cache; (2) a transparency log of
 * its own: `record` gives a signature the Rekor bundle Rekor would have given it
 * (a hashedrekord entry, and the SET over it signed with the log's key), and
 * `cosign attach signature` attaches it, as a signer who logged would have.
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tool } from 'workshop';

const DAY_MS = 86_400_000;
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const sha512 = (data: Buffer | string) => createHash('sha512').update(data).digest('hex');

/** JSON with sorted keys and no spaces: TUF's canonical form and RFC 8785's for what is signed here (ASCII strings and integers). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What sigstore's TUF client reads from a target's custom metadata to know what it is. */
type Usage = 'Fulcio' | 'Rekor' | 'CTFE';

/** A TUF repository (spec 1.0, one ed25519 key for every role) in `dir`, its targets in dir/targets. */
export function writeTufRepository(dir: string, targets: { name: string; data: Buffer; usage: Usage }[], now = Date.now()): void {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
  const key = { keytype: 'ed25519', scheme: 'ed25519', keyid_hash_algorithms: ['sha256', 'sha512'], keyval: { public: raw } };
  const keyid = sha256(canonicalJson(key));
  const expires = new Date(now + DAY_MS).toISOString().replace(/\.\d+Z$/, 'Z');
  const common = { spec_version: '1.0', version: 1, expires };
  const signed = (body: object) => {
    const doc = { signed: body, signatures: [{ keyid, sig: sign(null, Buffer.from(canonicalJson(body)), privateKey).toString('hex') }] };
    return Buffer.from(JSON.stringify(doc));
  };
  const role = { keyids: [keyid], threshold: 1 };
  mkdirSync(join(dir, 'targets'), { recursive: true });
  const targetsDoc = signed({
    _type: 'targets',
    ...common,
    targets: Object.fromEntries(
      targets.map((t) => {
        writeFileSync(join(dir, 'targets', t.name), t.data);
        return [
          t.name,
          { length: t.data.length, hashes: { sha256: sha256(t.data), sha512: sha512(t.data) }, custom: { sigstore: { status: 'Active', usage: t.usage } } },
        ];
      }),
    ),
  });
  const snapshotDoc = signed({ _type: 'snapshot', ...common, meta: { 'targets.json': { version: 1 } } });
  const files: Record<string, Buffer> = {
    'root.json': signed({
      _type: 'root',
      ...common,
      consistent_snapshot: false,
      keys: { [keyid]: key },
      roles: { root: role, targets: role, snapshot: role, timestamp: role },
    }),
    'targets.json': targetsDoc,
    'snapshot.json': snapshotDoc,
    'timestamp.json': signed({
      _type: 'timestamp',
      ...common,
      meta: { 'snapshot.json': { version: 1, length: snapshotDoc.length, hashes: { sha256: sha256(snapshotDoc), sha512: sha512(snapshotDoc) } } },
    }),
  };
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  writeFileSync(join(dir, '1.root.json'), files['root.json']!);
}

/** A Rekor bundle, as cosign keeps it beside a signature (cosign's LocalSignedPayload). */
export interface RecordedSignature {
  base64Signature: string;
  rekorBundle: { SignedEntryTimestamp: string; Payload: { body: string; integratedTime: number; logIndex: number; logID: string } };
}

/** The run's transparency log: an ECDSA P-256 key that countersigns entries, as Rekor's does. */
export class TransparencyLog {
  readonly publicKeyPem: string;
  readonly logId: string;
  private readonly key: KeyObject;
  private entries = 0;

  constructor() {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.key = privateKey;
    this.publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    // Rekor's log ID: the SHA-256 of its public key (DER).
    this.logId = sha256(publicKey.export({ format: 'der', type: 'spki' }));
  }

  /** The entry of a signature over `payload` by `signerPem`, and its SET. */
  record(payload: Buffer, base64Signature: string, signerPem: string, now = Date.now()): RecordedSignature {
    const entry = {
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: sha256(payload) } },
        signature: { content: base64Signature, publicKey: { content: Buffer.from(signerPem).toString('base64') } },
      },
    };
    const Payload = {
      body: Buffer.from(JSON.stringify(entry)).toString('base64'),
      integratedTime: Math.floor(now / 1000),
      logIndex: this.entries++,
      logID: this.logId,
    };
    const set = sign('sha256', Buffer.from(canonicalJson(Payload)), this.key);
    return { base64Signature, rekorBundle: { SignedEntryTimestamp: set.toString('base64'), Payload } };
  }
}

export interface OfflineSigstore {
  /** The run's TUF repository (a file:// mirror). */
  repository: string;
  log: TransparencyLog;
}

/**
 * The run's TUF repository in dir/repository: a run CA as Fulcio's root, the
 * log's key as Rekor's and as the CT log's.
 */
export function offlineSigstore(dir: string): OfflineSigstore {
  const repository = join(dir, 'repository');
  mkdirSync(repository, { recursive: true });
  const log = new TransparencyLog();
  const fulcio = join(dir, 'fulcio');
  mkdirSync(fulcio, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=e2e-fulcio',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    ],
    { cwd: fulcio, stdio: 'pipe' },
  );
  writeTufRepository(repository, [
    { name: 'fulcio.crt.pem', data: readFileSync(join(fulcio, 'ca.crt')), usage: 'Fulcio' },
    { name: 'rekor.pub', data: Buffer.from(log.publicKeyPem), usage: 'Rekor' },
    { name: 'ctfe.pub', data: Buffer.from(log.publicKeyPem), usage: 'CTFE' },
  ]);
  return { repository, log };
}

/**
 * Loads the run's TUF repository into `tufRoot` with `cosign initialize`, as an
 * air-gapped platform loads its mirror of Sigstore's. Core v2.4.0 reads
 * <its package cache>/.sigstore/root (it sets TUF_ROOT there itself).
 */
export function installTrustRoots(sigstore: OfflineSigstore, tufRoot: string): void {
  execFileSync(tool('cosign'), ['initialize', '--mirror', `file://${sigstore.repository}`, '--root', join(sigstore.repository, 'root.json')], {
    env: { ...process.env, TUF_ROOT: tufRoot },
    stdio: 'pipe',
  });
}
