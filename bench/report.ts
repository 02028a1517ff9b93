/** The targets, the printed tables and dist/bench/results.json. */
import type { ColdStart } from './cold-start.js';
import type { LoadResult, SoakResult } from './grpc-load.js';
import type { InProcessTiming } from './in-process.js';
import type { HostileRow } from './hostile-clients.js';
import type { machine } from './process-metrics.js';
import type { Scenario } from './scenarios.js';
import type { Summary } from './stats.js';

const TARGETS = {
  /** ours / Go no-op, requests per second at concurrency 8 and 64. */
  throughputVsGoNoop: 0.8,
  /** ours / function-patch-and-transform, likewise. */
  throughputVsPeer: 3,
  p99VsGoNoopAt64: 1.5,
  inProcessMedianMs: 0.3,
  coldStartMs: 300,
  peakRssMiB: 120,
  rssGrowth: 0.1,
} as const;

/** The four servers, by their field name in results.json. */
export const SERVERS = ['ours', 'floor', 'goNoop', 'peer'] as const;
export type ServerName = (typeof SERVERS)[number];

const SERVER_LABELS: Record<ServerName, string> = {
  ours: 'ours (dist/main.cjs)',
  floor: 'Node no-op floor (dist/noop.cjs)',
  goNoop: 'Go no-op (function-sdk-go v0.7.1)',
  peer: 'function-patch-and-transform v0.10.9',
};

export interface InProcessRow {
  readonly scenario: Omit<Scenario, 'request'>;
  /** Every request differs (bench/varying.ts): the verdict. */
  readonly timing: InProcessTiming;
  /** The same request over and over: informational. */
  readonly repeated?: InProcessTiming;
}

/** One scenario of the growth table: in-process time (ours) and latency at concurrency 1 of each server. */
export interface GrowthRow {
  readonly scenario: Omit<Scenario, 'request'>;
  readonly inProcess: InProcessTiming;
  readonly requestBytes: number;
  readonly peerRequestBytes: number;
  readonly wire: Readonly<Record<'ours' | 'goNoop' | 'peer', Summary>>;
}

export interface ServerFigures {
  readonly load: LoadResult[];
  readonly peakRssBytes: number;
  /** Node servers only: how the process was started and what it is. */
  readonly coldStart?: ColdStart;
  readonly bundleBytes?: number;
  readonly binaryBytes?: number;
}

export interface Results {
  readonly date: string;
  readonly machine: ReturnType<typeof machine>;
  readonly settings: Readonly<Record<string, number | string>>;
  readonly production: InProcessRow;
  readonly growth: GrowthRow[];
  readonly wire: {
    readonly observedResources: number;
    readonly composedResources: number;
    readonly requestBytes: number;
    readonly peerRequestBytes: number;
    readonly responseBytes: Readonly<Record<ServerName, number>>;
  };
  /** Every load row of the four servers sends a different request each time; these send ours one request over and over (informational). */
  readonly oursRepeated: { readonly load: LoadResult[] };
  readonly ours: ServerFigures;
  readonly floor: ServerFigures;
  readonly goNoop: ServerFigures;
  readonly peer: ServerFigures;
  readonly soak: SoakResult;
  /** Many connections stalling their uploads at once (bench/hostile-clients.ts); absent from results written before it existed. */
  readonly hostile?: HostileRow;
}

export type Verdict = 'PASS' | 'MISS';

export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly figure: string;
  readonly verdict: Verdict;
}

const ms = (x: number) => (x < 10 ? x.toFixed(3) : x.toFixed(1));
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (x: number) => `${x.toFixed(2)}x`;
const pass = (ok: boolean): Verdict => (ok ? 'PASS' : 'MISS');

const NUMERIC = /^-?[\d.,]+(x| %| ms| MiB| KiB)?$/;

/** Columns padded to their widest cell; a column of numbers is right-aligned. */
function table(rows: readonly (readonly string[])[]): string {
  const columns = rows[0]!.map((_, c) => rows.map((r) => r[c] ?? ''));
  const widths = columns.map((cells) => Math.max(...cells.map((cell) => cell.length)));
  const numeric = columns.map((cells) => cells.slice(1).every((cell) => cell === '' || NUMERIC.test(cell)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function at(load: readonly LoadResult[], concurrency: number): LoadResult {
  const found = load.find((l) => l.concurrency === concurrency);
  if (!found) throw new Error(`no load result at concurrency ${concurrency}`);
  return found;
}

/** A comparison of two rows counts only if both ran without errors. */
function compared(rows: readonly LoadResult[], ok: boolean, figure: string): { figure: string; verdict: Verdict } {
  const failed = rows.filter((l) => l.errors > 0 || l.requests === 0);
  if (failed.length === 0) return { figure, verdict: pass(ok) };
  return { figure: `not comparable: ${failed.map((l) => `${l.errors} errors (${l.firstError ?? 'no answer'})`).join(', ')}`, verdict: 'MISS' };
}

function targetChecks(r: Results): TargetCheck[] {
  const throughput = [8, 64].flatMap((c) => {
    const [ours, go, peer] = [at(r.ours.load, c), at(r.goNoop.load, c), at(r.peer.load, c)];
    const rate = (a: LoadResult, b: LoadResult) => a.requestsPerSecond / b.requestsPerSecond;
    const figure = (b: LoadResult) => `${ratio(rate(ours, b))} (${int(ours.requestsPerSecond)} / ${int(b.requestsPerSecond)} req/s)`;
    return [
      {
        name: `throughput at concurrency ${c} vs Go no-op`,
        target: `>= ${TARGETS.throughputVsGoNoop.toFixed(1)}x`,
        ...compared([ours, go], rate(ours, go) >= TARGETS.throughputVsGoNoop, figure(go)),
      },
      {
        name: `throughput at concurrency ${c} vs patch-and-transform`,
        target: `>= ${TARGETS.throughputVsPeer.toFixed(1)}x`,
        ...compared([ours, peer], rate(ours, peer) >= TARGETS.throughputVsPeer, figure(peer)),
      },
    ];
  });
  const ours64 = at(r.ours.load, 64);
  const go64 = at(r.goNoop.load, 64);
  const p99Ratio = ours64.latency.p99 / go64.latency.p99;
  const cold = r.ours.coldStart!.medianMs;
  return [
    ...throughput,
    {
      name: 'p99 at concurrency 64 vs Go no-op',
      target: `<= ${TARGETS.p99VsGoNoopAt64}x`,
      ...compared([ours64, go64], p99Ratio <= TARGETS.p99VsGoNoopAt64, `${ratio(p99Ratio)} (${ms(ours64.latency.p99)} / ${ms(go64.latency.p99)} ms)`),
    },
    {
      name: 'in-process median, production.yaml, full observed, every request differs',
      target: `< ${TARGETS.inProcessMedianMs} ms`,
      figure: `${ms(r.production.timing.p50)} ms`,
      verdict: pass(r.production.timing.p50 < TARGETS.inProcessMedianMs),
    },
    {
      name: 'cold start, spawn to first RunFunction (median)',
      target: `< ${TARGETS.coldStartMs} ms`,
      figure: `${ms(cold)} ms`,
      verdict: pass(cold < TARGETS.coldStartMs),
    },
    {
      name: `peak RSS under load (VmHWM), node flags: ${r.settings.nodeFlags || 'none'}, environment: ${r.settings.runtimeEnv || 'none'}`,
      target: `< ${TARGETS.peakRssMiB} MiB`,
      figure: mib(r.ours.peakRssBytes),
      verdict: pass(r.ours.peakRssBytes < TARGETS.peakRssMiB * 1024 * 1024),
    },
    {
      name: `RSS growth over ${r.settings.soakSeconds} s at concurrency ${r.soak.load.concurrency}`,
      target: `< ${(TARGETS.rssGrowth * 100).toFixed(0)} %`,
      figure: `${(r.soak.growth * 100).toFixed(1)} %`,
      verdict: pass(r.soak.growth < TARGETS.rssGrowth),
    },
    ...(r.hostile
      ? [
          {
            name: `peak RSS with ${r.hostile.connections} mTLS connections stalling ${r.hostile.requests} uploads (${mib(r.hostile.offeredBytes)} offered)`,
            target: `< ${mib(r.hostile.limitBytes)} (the image's memory limit)`,
            figure: `${mib(r.hostile.peakRssBytes)} (${mib(r.hostile.rssBeforeBytes)} before, ${mib(r.hostile.rssDuringBytes)} while stalled)`,
            verdict: pass(r.hostile.peakRssBytes < r.hostile.limitBytes),
          },
        ]
      : []),
  ];
}

/** One row of the load table: a server at one concurrency, and how ours compares (blank for ours). */
function loadRow(label: string, l: Results['ours']['load'][number], versusOurs: string): string[] {
  return [
    label,
    String(l.concurrency),
    ms(l.latency.p50),
    ms(l.latency.p90),
    ms(l.latency.p99),
    int(l.requestsPerSecond),
    l.serverCores.toFixed(2),
    int(l.requestsPerCoreSecond),
    versusOurs,
    String(l.errors),
  ];
}

function grpcSection(r: Results): string {
  const rows = [['server', 'conc.', 'p50 ms', 'p90 ms', 'p99 ms', 'req/s', 'server cores', 'req/s per core', 'ours / this', 'errors']];
  for (const c of r.ours.load.map((l) => l.concurrency)) {
    const ours = at(r.ours.load, c);
    for (const name of SERVERS) {
      const l = at(r[name].load, c);
      rows.push(loadRow(SERVER_LABELS[name], l, name === 'ours' ? '' : ratio(ours.requestsPerSecond / l.requestsPerSecond)));
    }
    const again = r.oursRepeated.load.find((l) => l.concurrency === c);
    if (again !== undefined) rows.push(loadRow('ours, repeated request (informational)', again, ''));
  }
  const w = r.wire;
  return [
    `1. gRPC on loopback, insecure, one process per server, one client sending pre-encoded requests with ${Number(r.settings.clientWindowBytes) / 1048576} MiB HTTP/2`,
    `   windows (as Crossplane's grpc-go client grows them), ${r.settings.seconds} s per row and server in ${r.settings.turns} turns,`,
    `   the servers alternating turn by turn (${r.settings.warmupSeconds} s warm-up, ${r.settings.rewarmSeconds} s before each later turn): production.yaml with ${w.observedResources} observed resources, ${w.composedResources} composed (request ${kib(w.requestBytes)};`,
    `   patch-and-transform's request also carries its Composition as input: ${kib(w.peerRequestBytes)}). Responses: ours ${kib(w.responseBytes.ours)},`,
    `   patch-and-transform ${kib(w.responseBytes.peer)}, the no-ops ${kib(w.responseBytes.floor)} / ${kib(w.responseBytes.goNoop)}. "ours / this" is the ratio of req/s.`,
    "   Every request differs (its meta.tag, the XR's and one observed resource's resourceVersion: bench/varying.ts), so no cache of a whole",
    '   request can answer it; these rows give the verdicts. "repeated request" sends one request over and over: informational only.',
    table(rows),
  ].join('\n');
}

function growthSection(r: Results): string {
  const rows = [
    ['AZs', 'node groups', 'observed', 'composed', 'request', 'ours in-process', 'ours wire', 'Go no-op wire', 'p&t wire', 'ours - Go no-op', 'p&t / ours'],
  ];
  for (const g of r.growth) {
    const s = g.scenario;
    rows.push([
      String(s.zones),
      String(s.nodeGroups),
      s.observed === 'full' ? String(s.observedResources) : '0',
      String(g.inProcess.resources),
      kib(g.requestBytes),
      `${ms(g.inProcess.p50)} ms`,
      `${ms(g.wire.ours.p50)} ms`,
      `${ms(g.wire.goNoop.p50)} ms`,
      `${ms(g.wire.peer.p50)} ms`,
      `${ms(g.wire.ours.p50 - g.wire.goNoop.p50)} ms`,
      ratio(g.wire.peer.p50 / g.wire.ours.p50),
    ]);
  }
  return [
    '2. How cost grows: median per request, by zones, node groups and observed state (none, or everything composed observed Ready).',
    '   In-process: our handler on a decoded request. Wire: one request at a time over gRPC (decode, handler, encode, transport), per server.',
    table(rows),
  ].join('\n');
}

function processSection(r: Results): string {
  const cold = (f: ServerFigures) => `${ms(f.coldStart!.medianMs)} ms (runs: ${f.coldStart!.samplesMs.map((x) => x.toFixed(0)).join(', ')})`;
  const s = r.soak;
  return [
    `3. Cold start, spawn to first successful RunFunction, median of ${r.settings.coldStarts}, with the image's node flags (${r.settings.nodeFlags || 'none'}) and environment (${r.settings.runtimeEnv || 'none'})`,
    `   ours  ${cold(r.ours)}`,
    `   floor ${cold(r.floor)}`,
    '',
    '4. Memory (server process, /proc/<pid>/status), peak RSS (VmHWM) after all load:',
    ...SERVERS.map((n) => `   ${SERVER_LABELS[n].padEnd(40)} ${mib(r[n].peakRssBytes)}`),
    `   soak (ours): ${r.settings.soakSeconds} s at concurrency ${s.load.concurrency}, ${int(s.load.requests)} requests, ${int(s.load.requestsPerSecond)} req/s, p99 ${ms(s.load.latency.p99)} ms, ${s.load.errors} errors`,
    `   RSS ${mib(s.startRssBytes)} -> ${mib(s.endRssBytes)} (max ${mib(Math.max(...s.rssSamples))}): growth ${(s.growth * 100).toFixed(1)} %`,
    '',
    '5. Sizes (no target)',
    `   dist/main.cjs ${kib(r.ours.bundleBytes!)}, dist/noop.cjs ${kib(r.floor.bundleBytes!)}, go-noop ${mib(r.goNoop.binaryBytes!)}, function-patch-and-transform ${mib(r.peer.binaryBytes!)}`,
  ].join('\n');
}

export function render(r: Results): string {
  const m = r.machine;
  const checks = targetChecks(r);
  const summary = table([['target', 'wanted', 'figure', 'verdict'], ...checks.map((c) => [c.name, c.target, c.figure, c.verdict])]);
  const t = r.production.timing;
  return [
    `function-eks-cluster benchmark, ${r.date}`,
    `machine: ${m.cpus} CPUs (nproc), ${m.cpuModel}, Linux ${m.kernel}; the client runs on node ${m.node}, the Node servers on node ${r.settings.serverNode}`,
    `in-process, production.yaml, full observed, every request differs: median ${ms(t.p50)} ms, p99 ${ms(t.p99)} ms (${int(t.count)} runs)`,
    ...(r.production.repeated
      ? [`in-process, the same request over and over (informational): median ${ms(r.production.repeated.p50)} ms, p99 ${ms(r.production.repeated.p99)} ms`]
      : []),
    '',
    grpcSection(r),
    '',
    growthSection(r),
    '',
    processSection(r),
    '',
    'Targets',
    summary,
    '',
  ].join('\n');
}
