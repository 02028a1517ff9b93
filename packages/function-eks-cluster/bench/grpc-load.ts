/**
 * A closed-loop load driver over gRPC: `concurrency` calls in flight on one
 * channel, each sending a pre-encoded request (the same one, or a new one
 * from a function, bench/varying.ts), for a bounded time and count. Latency is measured at the client; CPU at the server, from /proc.
 */
import type { UnaryClient } from 'function-eks-cluster/testing';
import { cpuSeconds, memory } from './process-metrics.js';
import { summarize, type Summary } from './stats.js';

export interface LoadOptions {
  readonly concurrency: number;
  readonly seconds: number;
  /** Load before measuring, so that the JIT and the channel are warm. */
  readonly warmupSeconds: number;
  /** Bound on measured requests, whatever the time. */
  readonly maxRequests: number;
  /** Per request; patch-and-transform under load can take longer than the client's default 10 s. */
  readonly deadlineMs?: number;
  /** Called about once a second while measuring. */
  readonly onSecond?: () => void;
}

export interface LoadResult {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly seconds: number;
  /** Client-side latency, ms. */
  readonly latency: Summary;
  readonly requestsPerSecond: number;
  /** Server CPU cores busy on average: CPU seconds over wall seconds. */
  readonly serverCores: number;
  /** Requests per server CPU second: throughput per core. */
  readonly requestsPerCoreSecond: number;
  readonly serverRssBytes: number;
}

/** The same bytes every time, or new bytes for every request. */
export type Body = Buffer | (() => Buffer);

async function run(
  client: UnaryClient<Buffer, Buffer>,
  body: Body,
  concurrency: number,
  until: number,
  maxRequests: number,
  deadlineMs: number | undefined,
  latencies?: number[],
) {
  let errors = 0;
  let firstError: string | undefined;
  let started = 0;
  const worker = async () => {
    while (performance.now() < until && started < maxRequests) {
      started++;
      const bytes = typeof body === 'function' ? body() : body;
      const t0 = performance.now();
      try {
        await client.run(bytes, deadlineMs);
        latencies?.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { errors, firstError };
}

export async function drive(client: UnaryClient<Buffer, Buffer>, body: Body, pid: number, options: LoadOptions): Promise<LoadResult> {
  await run(client, body, options.concurrency, performance.now() + options.warmupSeconds * 1000, options.maxRequests, options.deadlineMs);
  const latencies: number[] = [];
  const cpuBefore = cpuSeconds(pid);
  const t0 = performance.now();
  const ticker = options.onSecond ? setInterval(options.onSecond, 1000) : undefined;
  const { errors, firstError } = await run(client, body, options.concurrency, t0 + options.seconds * 1000, options.maxRequests, options.deadlineMs, latencies);
  if (ticker) clearInterval(ticker);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpuBefore;
  return {
    concurrency: options.concurrency,
    requests: latencies.length,
    errors,
    ...(firstError ? { firstError } : {}),
    seconds,
    latency: summarize(latencies),
    requestsPerSecond: latencies.length / seconds,
    serverCores: cpu / seconds,
    requestsPerCoreSecond: cpu > 0 ? latencies.length / cpu : Number.NaN,
    serverRssBytes: memory(pid).rssBytes,
  };
}

export interface SoakResult {
  readonly load: LoadResult;
  /** RSS once a second, bytes. */
  readonly rssSamples: number[];
  readonly startRssBytes: number;
  readonly endRssBytes: number;
  /** (end - start) / start, where start and end are means of the first and last three samples. */
  readonly growth: number;
}

/** A long run at steady concurrency, watching the server's resident memory. */
export async function soak(client: UnaryClient<Buffer, Buffer>, body: Body, pid: number, concurrency: number, seconds: number): Promise<SoakResult> {
  const rssSamples: number[] = [];
  const sample = () => rssSamples.push(memory(pid).rssBytes);
  const load = await drive(client, body, pid, { concurrency, seconds, warmupSeconds: 2, maxRequests: seconds * 100_000, onSecond: sample });
  sample();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const window = Math.min(3, Math.max(1, Math.floor(rssSamples.length / 2)));
  const startRssBytes = mean(rssSamples.slice(0, window));
  const endRssBytes = mean(rssSamples.slice(-window));
  return { load, rssSamples, startRssBytes, endRssBytes, growth: (endRssBytes - startRssBytes) / startRssBytes };
}
