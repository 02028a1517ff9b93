/**
 * `npm run bench`: every figure of issue 5 in one run, on one machine, with
 * one client: in-process compose time, gRPC latency and throughput against
 * the no-op floor, cold start, memory and bundle size. Prints a table and
 * writes dist/bench/results.json at the repository root. Loopback only.
 *
 * BENCH_SECONDS (default 5) per gRPC row, BENCH_SOAK_SECONDS (default 60),
 * BENCH_COLD_STARTS (default 7), BENCH_NODE_ARGS (V8 flags for both servers);
 * BENCH_CPU_PROF=1 writes a CPU profile of our
 * server to dist/bench/profiles.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { REPO_ROOT } from '../dev/api-files.js';
import { BUNDLE, connectRaw, PACKAGE_ROOT, startFunction, type FunctionProcess } from '../dev/function-process.js';
import { coldStart } from './cold-start.js';
import { drive, soak, type LoadResult } from './grpc-load.js';
import { timeHandler } from './in-process.js';
import { machine, memory } from './process-metrics.js';
import { render, PEER_BLOCKED, type InProcessRow, type Results } from './report.js';
import { encodeRequest, productionScenario, scenarioGrid, type Scenario } from './scenarios.js';

const NOOP_BUNDLE = join(PACKAGE_ROOT, 'dist', 'noop.cjs');
const OUT_DIR = join(REPO_ROOT, 'dist', 'bench');
const CONCURRENCIES = [1, 8, 64] as const;
const SOAK_CONCURRENCY = 32;
const WARMUP_SECONDS = 1;

function setting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name}=${raw} must be a number from ${min} to ${max}`);
  return value;
}

function inProcessRow(s: Scenario): InProcessRow {
  const { request, ...scenario } = s;
  return { scenario, timing: timeHandler(request) };
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** One answer from each server, decoded and checked, before any load: a broken setup must not produce figures. */
async function checkAnswers(ours: FunctionProcess, floor: FunctionProcess, body: Buffer, observedResources: number) {
  const sizes: number[] = [];
  for (const [name, fn, expected] of [['ours', ours, observedResources], ['floor', floor, 0]] as const) {
    const client = connectRaw(fn.address);
    const bytes = await client.run(body);
    client.close();
    const rsp = RunFunctionResponse.decode(bytes);
    const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
    const resources = Object.keys(rsp.desired?.resources ?? {}).length;
    if (fatal || resources !== expected) {
      throw new Error(`${name} answered ${resources} desired resources (expected ${expected})${fatal ? `, fatal: ${fatal.message}` : ''}`);
    }
    sizes.push(bytes.length);
  }
  return { responseBytes: sizes[0]!, floorResponseBytes: sizes[1]! };
}

async function main(): Promise<void> {
  const settings = {
    seconds: setting('BENCH_SECONDS', 5, 1, 60),
    warmupSeconds: WARMUP_SECONDS,
    soakSeconds: setting('BENCH_SOAK_SECONDS', 60, 1, 600),
    coldStarts: setting('BENCH_COLD_STARTS', 7, 1, 25),
  };
  const profile = process.env.BENCH_CPU_PROF === '1';
  mkdirSync(OUT_DIR, { recursive: true });

  progress('in-process timings');
  const inProcess = scenarioGrid().map(inProcessRow);
  const productionFull = productionScenario('full');
  const production = inProcessRow(productionFull);
  const body = encodeRequest(productionFull.request);

  progress('starting both servers');
  // BENCH_NODE_ARGS (e.g. "--max-semi-space-size=4") tunes V8 for both servers alike.
  const tuning = (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const start = (bundle: string, nodeArgs: string[] = []) =>
    startFunction({ bundle, nodeArgs: [...tuning, ...nodeArgs], args: ['--insecure'], maxOutputChars: 64 * 1024 });
  const ours = await start(BUNDLE, profile ? ['--cpu-prof', '--cpu-prof-dir', join(OUT_DIR, 'profiles')] : []);
  const floor = await start(NOOP_BUNDLE);
  const ourLoad: LoadResult[] = [];
  const floorLoad: LoadResult[] = [];
  let sizes: { responseBytes: number; floorResponseBytes: number };
  let soaked;
  let peaks: { ours: number; floor: number };
  try {
    sizes = await checkAnswers(ours, floor, body, productionFull.observedResources);
    const oursClient = connectRaw(ours.address);
    const floorClient = connectRaw(floor.address);
    for (const concurrency of CONCURRENCIES) {
      // Alternate the two servers so that a change of machine load hits both alike.
      const options = { concurrency, seconds: settings.seconds, warmupSeconds: WARMUP_SECONDS, maxRequests: settings.seconds * 100_000 };
      progress(`gRPC, concurrency ${concurrency}: ours`);
      ourLoad.push(await drive(oursClient, body, ours.child.pid!, options));
      progress(`gRPC, concurrency ${concurrency}: floor`);
      floorLoad.push(await drive(floorClient, body, floor.child.pid!, options));
    }
    progress(`soak: ${settings.soakSeconds} s at concurrency ${SOAK_CONCURRENCY}`);
    soaked = await soak(oursClient, body, ours.child.pid!, SOAK_CONCURRENCY, settings.soakSeconds);
    peaks = { ours: memory(ours.child.pid!).peakRssBytes, floor: memory(floor.child.pid!).peakRssBytes };
    oursClient.close();
    floorClient.close();
  } finally {
    await ours.stop();
    await floor.stop();
  }

  progress('cold starts');
  const coldOurs = await coldStart(BUNDLE, body, settings.coldStarts);
  const coldFloor = await coldStart(NOOP_BUNDLE, body, settings.coldStarts);

  const results: Results = {
    date: new Date().toISOString(),
    machine: machine(),
    settings,
    inProcess,
    production,
    wire: { observedResources: productionFull.observedResources, requestBytes: body.length, ...sizes },
    ours: { load: ourLoad, coldStart: coldOurs, peakRssBytes: peaks.ours, bundleBytes: statSync(BUNDLE).size },
    floor: { load: floorLoad, coldStart: coldFloor, peakRssBytes: peaks.floor, bundleBytes: statSync(NOOP_BUNDLE).size },
    soak: soaked,
    peer: PEER_BLOCKED,
  };
  process.stdout.write(render(results));
  const out = join(OUT_DIR, 'results.json');
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwritten: dist/bench/results.json${profile ? ', dist/bench/profiles/*.cpuprofile' : ''}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
