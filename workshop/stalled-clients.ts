/**
 * Clients that stall their uploads, as a hostile or broken peer of the function
 * would: each opens an mTLS HTTP/2 session, starts as many RunFunction requests
 * as the server allows streams, announces more bytes than it sends, and waits.
 * test/hostile-clients.test.ts asserts what the server does with them; the
 * benchmark (bench/main.ts) prints the memory they cost against the image's limit.
 */
import { readFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import type { Pki } from './certs.js';
import { MAX_CONCURRENT_STREAMS } from 'function-eks-cluster/src/server/flow-control.js';

const MIB = 1024 * 1024;
const RUN_FUNCTION = '/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction';

/** A process's resident set now and at its peak (VmHWM), in MiB, from /proc. */
export function residentMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** An mTLS HTTP/2 session to the function, as Crossplane opens one. */
export function mtlsSession(address: string, pki: Pki): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const s = http2.connect(`https://${address}`, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/**
 * A request that announces `announced` bytes, sends `body` and stalls.
 * Resolves, when the server ends the stream, with its RST_STREAM code.
 */
export function stalledUpload(s: http2.ClientHttp2Session, body: Buffer, announced: number): Promise<number> {
  const stream = s.request({ ':method': 'POST', ':path': RUN_FUNCTION, 'content-type': 'application/grpc', te: 'trailers' }, { endStream: false });
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(announced, 1);
  stream.write(prefix);
  stream.write(body);
  stream.on('error', () => {});
  stream.resume();
  return new Promise((resolve) => stream.once('close', () => resolve(stream.rstCode ?? 0)));
}

export interface StalledUploads {
  readonly connections: number;
  readonly requests: number;
  readonly offeredBytes: number;
  /** The function's resident set before, while the uploads stall, and its peak once all have ended (MiB). */
  readonly before: { rss: number; peak: number };
  readonly during: { rss: number; peak: number };
  readonly after: { rss: number; peak: number };
  /** The RST_STREAM code each stalled request ended with. */
  readonly codes: number[];
}

/**
 * `connections` sessions, each with as many stalled uploads of `chunkMiB` (announcing four times
 * that) as the server allows streams; `whileStalled` runs once they have stalled for `holdMs`.
 */
export async function stallUploads(options: {
  address: string;
  pid: number;
  pki: Pki;
  connections: number;
  chunkMiB?: number;
  holdMs?: number;
  whileStalled?: () => Promise<void>;
}): Promise<StalledUploads> {
  const { address, pid, pki, connections, chunkMiB = 1, holdMs = 3_000 } = options;
  const before = residentMiB(pid);
  const chunk = Buffer.alloc(chunkMiB * MIB, 7);
  const sessions = await Promise.all(Array.from({ length: connections }, () => mtlsSession(address, pki)));
  try {
    const uploads = sessions.flatMap((s) => Array.from({ length: MAX_CONCURRENT_STREAMS }, () => stalledUpload(s, chunk, 4 * chunk.length)));
    await new Promise((r) => setTimeout(r, holdMs));
    const during = residentMiB(pid);
    await options.whileStalled?.();
    const codes = await Promise.all(uploads);
    return { connections, requests: uploads.length, offeredBytes: uploads.length * chunk.length, before, during, after: residentMiB(pid), codes };
  } finally {
    for (const s of sessions) s.destroy();
  }
}
