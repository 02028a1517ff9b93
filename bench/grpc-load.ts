/**
 * A closed-loop load driver over gRPC: `concurrency` calls in flight on one
 * channel, each sending a pre-encoded request (the same one, or a new one
 * from a function, bench/varying.ts), for a bounded time and count. Latency is measured at the client; CPU at the server, from /proc.
 */
import type { UnaryClient } from 'workshop';
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

/** One server under load: its client, what to send and its process (for CPU and memory). */
export interface Target {
  readonly client: UnaryClient<Buffer, Buffer>;
  readonly body: Body;
  readonly pid: number;
}

/** What measuring one target gathered, over one or more turns. */
interface Tally {
  latencies: number[];
  errors: number;
  firstError?: string;
  seconds: number;
  cpuSeconds: number;
}

async function measure(target: Target, tally: Tally, options: LoadOptions): Promise<void> {
  const { client, body, pid } = target;
  await run(client, body, options.concurrency, performance.now() + options.warmupSeconds * 1000, options.maxRequests, options.deadlineMs);
  const cpuBefore = cpuSeconds(pid);
  const t0 = performance.now();
  const ticker = options.onSecond ? setInterval(options.onSecond, 1000) : undefined;
  const { errors, firstError } = await run(
    client,
    body,
    options.concurrency,
    t0 + options.seconds * 1000,
    options.maxRequests,
    options.deadlineMs,
    tally.latencies,
  );
  if (ticker) clearInterval(ticker);
  tally.seconds += (performance.now() - t0) / 1000;
  tally.cpuSeconds += cpuSeconds(pid) - cpuBefore;
  tally.errors += errors;
  tally.firstError ??= firstError;
}

function result(target: Target, tally: Tally, concurrency: number): LoadResult {
  const requests = tally.latencies.length;
  return {
    concurrency,
    requests,
    errors: tally.errors,
    ...(tally.firstError ? { firstError: tally.firstError } : {}),
    seconds: tally.seconds,
    latency: summarize(tally.latencies),
    requestsPerSecond: requests / tally.seconds,
    serverCores: tally.cpuSeconds / tally.seconds,
    requestsPerCoreSecond: tally.cpuSeconds > 0 ? requests / tally.cpuSeconds : Number.NaN,
    serverRssBytes: memory(target.pid).rssBytes,
  };
}

const newTally = (): Tally => ({ latencies: [], errors: 0, seconds: 0, cpuSeconds: 0 });

export async function drive(client: UnaryClient<Buffer, Buffer>, body: Body, pid: number, options: LoadOptions): Promise<LoadResult> {
  const target = { client, body, pid };
  const tally = newTally();
  await measure(target, tally, options);
  return result(target, tally, options.concurrency);
}

/**
 * Several servers measured in turns: `rounds` turns each of seconds/rounds,
 * the servers alternating within every round, so that a change of the
 * machine's load (the cores are shared) hits them alike and the ratios
 * between them hold. The first turn of each warms up for warmupSeconds, the
 * later ones for `rewarmSeconds`, to fill the pipeline again. One result per target.
 */
export async function driveInTurns(
  targets: readonly Target[],
  options: LoadOptions & { readonly rounds: number; readonly rewarmSeconds: number },
): Promise<LoadResult[]> {
  const tallies = targets.map(newTally);
  for (let round = 0; round < options.rounds; round++) {
    for (const [i, target] of targets.entries()) {
      const warmupSeconds = round === 0 ? options.warmupSeconds : options.rewarmSeconds;
      await measure(target, tallies[i]!, { ...options, warmupSeconds, seconds: options.seconds / options.rounds });
    }
  }
  return targets.map((target, i) => result(target, tallies[i]!, options.concurrency));
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
