/**
 * `npm run bench`: four servers in one run, on one machine, with one client
 * sending pre-encoded requests: ours, the Node no-op floor (same server, a
 * handler that changes nothing), a Go no-op function on function-sdk-go and
 * function-patch-and-transform with a Composition for the same resources
 * (bench/peer-composition.ts). In-process time, gRPC latency and throughput,
 * how cost grows with the XR, cold start and memory. Prints the tables and
 * the targets, writes dist/bench/results.json and the peer's Composition
 * (dist/bench/peer-composition.yaml) at the repository root. Loopback only.
 *
 * BENCH_SECONDS (default 6) per gRPC row and server, in turns, BENCH_SOAK_SECONDS (default 60),
 * BENCH_COLD_STARTS (default 7), BENCH_GROWTH_SECONDS (default 1, per server
 * and scenario of the growth table), BENCH_NODE_ARGS (V8 flags for both Node
 * servers, after the image's own), BENCH_IMAGE_FLAGS=0 (without the image's
 * flags and environment: what they cost). Both Node servers run on the
 * image's Node (packages/function-image/node-binary.ts), the client on the one running this; BENCH_CPU_PROF=1 writes a CPU profile of our
 * server to dist/bench/profiles.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import { BUNDLE, connectRaw, type FunctionProcess, REPO_ROOT, startFunction, type UnaryClient } from 'workshop';
import { loadInputs } from 'function-image/inputs.js';
import { imageNode } from 'function-image/node-binary.js';
import { NODE_FLAGS, RUNTIME_ENV, RUNTIME_ENV_ENTRIES } from 'function-image/node-flags.js';
import { FLOW_CONTROL_WINDOW_BYTES } from 'function-eks-cluster/src/server/flow-control.js';
import { coldStart } from './cold-start.js';
import { HOSTILE_CONNECTIONS, hostileClients } from './hostile-clients.js';
import { GO_NOOP_BIN, PEER_BIN, startGoFunction } from './go-process.js';
import { drive, driveInTurns, soak, type Body, type LoadResult } from './grpc-load.js';
import { timeHandler } from './in-process.js';
import { peerCompositionYaml } from './peer-composition.js';
import { peerRequest } from './peer-request.js';
import { machine, memory } from './process-metrics.js';
import { render, SERVERS, type GrowthRow, type InProcessRow, type Results, type ServerName } from './report.js';
import { encodeRequest, productionScenario, scenarioGrid, type Scenario } from './scenarios.js';
import { varyingBodies, varyingRequests } from './varying.js';

/**
 * The load client's receive windows, as Crossplane's client has them once warm.
 * Crossplane's function runner is a grpc-go client dialled with no window
 * option, and grpc-go grows its windows up to 16 MiB as it measures the
 * connection. A grpc-js client keeps 64 KiB unless told, so every answer
 * larger than that (ours and patch-and-transform's are) would stall until the
 * bench's own event loop acknowledged it. The cold start keeps the defaults:
 * a new connection has not grown its windows yet.
 */
const LOAD_CLIENT_OPTIONS = { 'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES };

const NOOP_BUNDLE = join(import.meta.dirname, 'dist', 'noop.cjs');
const OUT_DIR = join(REPO_ROOT, 'dist', 'bench');
const CONCURRENCIES = [1, 8, 64] as const;
/** Concurrencies of the informational rows that send one request over and over. */
const REPEATED_CONCURRENCIES = [8, 64] as const;
const SOAK_CONCURRENCY = 32;
const WARMUP_SECONDS = 1;
/** Each verdict row is measured in this many turns per server, the servers alternating (grpc-load.ts driveInTurns). */
const TURNS = 3;
/** Warm-up before every turn after the first: long enough to fill 64 requests in flight again. */
const REWARM_SECONDS = 0.5;
const GROWTH_WARMUP_SECONDS = 0.2;
const GROWTH_MAX_REQUESTS = 2000;
const GROWTH_IN_PROCESS = { warmup: 100, maxIterations: 2000, maxMs: 500 };
/** Per request: long enough for patch-and-transform at concurrency 64 on a busy machine, still bounded. */
const DEADLINE_MS = 60_000;

function setting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) throw new Error(`${name}=${raw} must be a number from ${min} to ${max}`);
  return value;
}

function progress(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** A JSON value with object keys sorted: patch-and-transform writes fields in its own order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
  );
}

/** Composed resources by name, each as canonical JSON. */
function composed(rsp: RunFunctionResponse): Map<string, string> {
  return new Map(Object.entries(rsp.desired?.resources ?? {}).map(([k, r]) => [k, JSON.stringify(canonical(r.resource))]));
}

type Servers = Record<ServerName, FunctionProcess>;
type Clients = Record<ServerName, UnaryClient<Buffer, Buffer>>;

/**
 * One answer from each server, decoded and checked, before any load: a broken
 * setup must not produce figures. The no-ops return the (empty) desired state;
 * patch-and-transform must compose the same resources as ours, field for field.
 */
async function checkAnswers(clients: Clients, bodies: Record<ServerName, Buffer>, observedResources: number) {
  const sizes = {} as Record<ServerName, number>;
  const answers = {} as Record<ServerName, RunFunctionResponse>;
  for (const name of SERVERS) {
    const bytes = await clients[name].run(bodies[name]);
    const rsp = RunFunctionResponse.decode(bytes);
    const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
    if (fatal) throw new Error(`${name} answered a fatal result: ${fatal.message}`);
    answers[name] = rsp;
    sizes[name] = bytes.length;
  }
  const count = (name: ServerName) => Object.keys(answers[name].desired?.resources ?? {}).length;
  if (count('ours') !== observedResources) throw new Error(`ours composed ${count('ours')} resources, ${observedResources} observed`);
  for (const name of ['floor', 'goNoop'] as const) if (count(name) !== 0) throw new Error(`${name} answered ${count(name)} desired resources, expected none`);
  const ours = composed(answers.ours);
  const peer = composed(answers.peer);
  const differing = [...new Set([...ours.keys(), ...peer.keys()])].filter((k) => ours.get(k) !== peer.get(k));
  if (differing.length > 0) {
    const k = differing[0]!;
    throw new Error(`patch-and-transform composed ${differing.length} resources otherwise than ours, e.g. ${k}:\nours: ${ours.get(k)}\npeer: ${peer.get(k)}`);
  }
  return { sizes, composed: count('ours') };
}

/** Median latency at concurrency 1 of one server on one request, bounded in time and count. */
async function wireLatency(client: UnaryClient<Buffer, Buffer>, body: Buffer, pid: number, seconds: number) {
  const load = await drive(client, body, pid, {
    concurrency: 1,
    seconds,
    warmupSeconds: GROWTH_WARMUP_SECONDS,
    maxRequests: GROWTH_MAX_REQUESTS,
    deadlineMs: DEADLINE_MS,
  });
  if (load.errors > 0) throw new Error(`growth table: ${load.errors} errors, first: ${load.firstError}`);
  return load.latency;
}

async function growthRow(s: Scenario, servers: Servers, clients: Clients, seconds: number): Promise<GrowthRow> {
  const { request, ...scenario } = s;
  const body = encodeRequest(request);
  const peerBody = encodeRequest(peerRequest(request));
  const pid = (name: ServerName) => servers[name].child.pid!;
  return {
    scenario,
    inProcess: timeHandler(request, GROWTH_IN_PROCESS),
    requestBytes: body.length,
    peerRequestBytes: peerBody.length,
    wire: {
      ours: await wireLatency(clients.ours, body, pid('ours'), seconds),
      goNoop: await wireLatency(clients.goNoop, body, pid('goNoop'), seconds),
      peer: await wireLatency(clients.peer, peerBody, pid('peer'), seconds),
    },
  };
}

async function main(): Promise<void> {
  // The image's node flags and environment, unless BENCH_IMAGE_FLAGS=0 asks what they cost.
  const imageSettings = process.env.BENCH_IMAGE_FLAGS !== '0';
  const settings = {
    seconds: setting('BENCH_SECONDS', 6, 1, 60),
    warmupSeconds: WARMUP_SECONDS,
    turns: TURNS,
    rewarmSeconds: REWARM_SECONDS,
    soakSeconds: setting('BENCH_SOAK_SECONDS', 60, 1, 600),
    coldStarts: setting('BENCH_COLD_STARTS', 7, 1, 25),
    growthSeconds: setting('BENCH_GROWTH_SECONDS', 1, 0.2, 10),
    nodeFlags: imageSettings ? NODE_FLAGS.join(' ') : '',
    runtimeEnv: imageSettings ? RUNTIME_ENV_ENTRIES.join(' ') : '',
    extraNodeArgs: process.env.BENCH_NODE_ARGS ?? '',
    serverNode: `v${loadInputs().node.version} (the image's)`,
    clientWindowBytes: LOAD_CLIENT_OPTIONS['grpc-node.flow_control_window'],
  };
  const node = imageNode();
  const profile = process.env.BENCH_CPU_PROF === '1';
  mkdirSync(OUT_DIR, { recursive: true });

  progress('in-process timing of the production example');
  const productionFull = productionScenario('full');
  const { request: _request, ...productionInfo } = productionFull;
  // Every request differs (bench/varying.ts), as in the gRPC rows that give the verdicts; the same request over and over for comparison.
  const production: InProcessRow = {
    scenario: productionInfo,
    timing: timeHandler(varyingRequests(productionFull.request)),
    repeated: timeHandler(productionFull.request),
  };
  const body = encodeRequest(productionFull.request);
  const peerFull = peerRequest(productionFull.request);
  const peerBody = encodeRequest(peerFull);
  writeFileSync(join(OUT_DIR, 'peer-composition.yaml'), peerCompositionYaml(peerFull.input as Parameters<typeof peerCompositionYaml>[0]));
  const bodies: Record<ServerName, Buffer> = { ours: body, floor: body, goNoop: body, peer: peerBody };
  // The verdict rows: every request differs, so that no cache of a whole request can answer it.
  const varying: Record<ServerName, Body> = {
    ours: varyingBodies(productionFull.request),
    floor: varyingBodies(productionFull.request),
    goNoop: varyingBodies(productionFull.request),
    peer: varyingBodies(peerFull),
  };

  progress('starting the four servers');
  // The image's flags first, then BENCH_NODE_ARGS (e.g. "--max-semi-space-size=4") for both Node servers alike.
  const nodeArgs = [...settings.nodeFlags.split(' '), ...settings.extraNodeArgs.split(/\s+/)].filter(Boolean);
  const env: Record<string, string> = imageSettings ? { ...RUNTIME_ENV } : {};
  const start = (bundle: string, more: string[] = []) =>
    startFunction({ bundle, node, nodeArgs: [...nodeArgs, ...more], env, args: ['--insecure'], maxOutputChars: 64 * 1024 });
  const started: Partial<Servers> = {};
  const load: Record<ServerName, LoadResult[]> = { ours: [], floor: [], goNoop: [], peer: [] };
  const repeated: LoadResult[] = [];
  let checked: Awaited<ReturnType<typeof checkAnswers>>;
  let soaked;
  let peaks: Record<ServerName, number>;
  const growth: GrowthRow[] = [];
  try {
    started.ours = await start(BUNDLE, profile ? ['--cpu-prof', '--cpu-prof-dir', join(OUT_DIR, 'profiles')] : []);
    started.floor = await start(NOOP_BUNDLE);
    started.goNoop = await startGoFunction(GO_NOOP_BIN);
    started.peer = await startGoFunction(PEER_BIN);
    const servers = started as Servers;
    const clients = Object.fromEntries(SERVERS.map((n) => [n, connectRaw(servers[n].address, undefined, LOAD_CLIENT_OPTIONS)])) as Clients;
    try {
      checked = await checkAnswers(clients, bodies, productionFull.observedResources);
      for (const concurrency of CONCURRENCIES) {
        const options = {
          concurrency,
          seconds: settings.seconds,
          warmupSeconds: WARMUP_SECONDS,
          maxRequests: settings.seconds * 100_000,
          deadlineMs: DEADLINE_MS,
        };
        progress(`gRPC, concurrency ${concurrency}: the four servers in ${TURNS} turns each`);
        const targets = SERVERS.map((name) => ({ client: clients[name], body: varying[name], pid: servers[name].child.pid! }));
        const results = await driveInTurns(targets, { ...options, rounds: TURNS, rewarmSeconds: REWARM_SECONDS });
        for (const [i, name] of SERVERS.entries()) load[name].push(results[i]!);
        if ((REPEATED_CONCURRENCIES as readonly number[]).includes(concurrency)) {
          progress(`gRPC, concurrency ${concurrency}: ours, repeated request (informational)`);
          repeated.push(await drive(clients.ours, bodies.ours, servers.ours.child.pid!, options));
        }
      }
      progress(`soak: ${settings.soakSeconds} s at concurrency ${SOAK_CONCURRENCY}`);
      soaked = await soak(clients.ours, varying.ours, servers.ours.child.pid!, SOAK_CONCURRENCY, settings.soakSeconds);
      peaks = Object.fromEntries(SERVERS.map((n) => [n, memory(servers[n].child.pid!).peakRssBytes])) as Record<ServerName, number>;
      for (const s of scenarioGrid()) {
        progress(`growth: ${s.name}, ${s.observed} observed`);
        growth.push(await growthRow(s, servers, clients, settings.growthSeconds));
      }
    } finally {
      for (const name of SERVERS) clients[name].close();
    }
  } finally {
    for (const fn of Object.values(started)) await fn.stop();
  }

  progress('cold starts');
  const coldOurs = await coldStart({ bundle: BUNDLE, node, nodeArgs, env }, body, settings.coldStarts);
  const coldFloor = await coldStart({ bundle: NOOP_BUNDLE, node, nodeArgs, env }, body, settings.coldStarts);

  progress(`hostile clients: ${HOSTILE_CONNECTIONS} mTLS connections stalling their uploads`);
  const hostile = await hostileClients({ node, nodeArgs, env });

  const results: Results = {
    date: new Date().toISOString(),
    machine: machine(),
    settings,
    production,
    growth,
    wire: {
      observedResources: productionFull.observedResources,
      composedResources: checked.composed,
      requestBytes: body.length,
      peerRequestBytes: peerBody.length,
      responseBytes: checked.sizes,
    },
    oursRepeated: { load: repeated },
    ours: { load: load.ours, coldStart: coldOurs, peakRssBytes: peaks.ours, bundleBytes: statSync(BUNDLE).size },
    floor: { load: load.floor, coldStart: coldFloor, peakRssBytes: peaks.floor, bundleBytes: statSync(NOOP_BUNDLE).size },
    goNoop: { load: load.goNoop, peakRssBytes: peaks.goNoop, binaryBytes: statSync(GO_NOOP_BIN).size },
    peer: { load: load.peer, peakRssBytes: peaks.peer, binaryBytes: statSync(PEER_BIN).size },
    soak: soaked,
    hostile,
  };
  process.stdout.write(render(results));
  writeFileSync(join(OUT_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwritten: dist/bench/results.json, dist/bench/peer-composition.yaml${profile ? ', dist/bench/profiles/*.cpuprofile' : ''}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
