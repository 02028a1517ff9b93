/**
 * The benchmark's row for hostile clients: the function as the image runs it,
 * over mTLS, with many connections stalling their uploads at once (workshop/stalled-clients.ts).
 * Its peak resident set is the figure; the image's memory limit is the target
 * (packages/function-image/memory-budget.ts), since past it the kubelet kills the pod.
 */
import { BUNDLE, makePki, stallUploads, startFunction } from 'workshop';
import { memoryLimitMiB } from 'function-image/memory-budget.js';

const MIB = 1024 * 1024;
/** Under the server's connection bound (64, src/server/connection-limits.ts), so that every one holds its uploads. */
export const HOSTILE_CONNECTIONS = 40;

export interface HostileRow {
  readonly connections: number;
  readonly requests: number;
  readonly offeredBytes: number;
  readonly rssBeforeBytes: number;
  readonly rssDuringBytes: number;
  readonly peakRssBytes: number;
  readonly limitBytes: number;
}

export async function hostileClients(options: { node: string; nodeArgs: string[]; env: Record<string, string> }): Promise<HostileRow> {
  const pki = makePki();
  const fn = await startFunction({ bundle: BUNDLE, ...options, args: ['--tls-server-certs-dir', pki.serverDir], maxOutputChars: 64 * 1024 });
  try {
    const kept = await stallUploads({ address: fn.address, pid: fn.child.pid!, pki, connections: HOSTILE_CONNECTIONS });
    return {
      connections: kept.connections,
      requests: kept.requests,
      offeredBytes: kept.offeredBytes,
      rssBeforeBytes: kept.before.rss * MIB,
      rssDuringBytes: kept.during.rss * MIB,
      peakRssBytes: kept.after.peak * MIB,
      limitBytes: memoryLimitMiB() * MIB,
    };
  } finally {
    await fn.stop();
  }
}
