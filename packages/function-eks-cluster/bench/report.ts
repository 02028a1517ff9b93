/** The targets of issue 5, the printed table and dist/bench/results.json. */
import type { ColdStart } from './cold-start.js';
import type { LoadResult, SoakResult } from './grpc-load.js';
import type { InProcessTiming } from './in-process.js';
import type { machine } from './process-metrics.js';
import type { Scenario } from './scenarios.js';

export const PEER_BLOCKED = 'blocked: function-patch-and-transform not available from this Go module proxy';

export const TARGETS = {
  throughputVsPeer: 1.0,
  p99VsFloorAt64: 2,
  inProcessMedianMs: 0.5,
  coldStartMs: 300,
  peakRssMiB: 120,
  rssGrowth: 0.1,
} as const;

export interface InProcessRow {
  readonly scenario: Omit<Scenario, 'request'>;
  readonly timing: InProcessTiming;
}

export interface ServerFigures {
  readonly load: LoadResult[];
  readonly coldStart: ColdStart;
  readonly peakRssBytes: number;
  readonly bundleBytes: number;
}

export interface Results {
  readonly date: string;
  readonly machine: ReturnType<typeof machine>;
  readonly settings: Readonly<Record<string, number>>;
  readonly inProcess: InProcessRow[];
  readonly production: InProcessRow;
  readonly wire: { readonly observedResources: number; readonly requestBytes: number; readonly responseBytes: number; readonly floorResponseBytes: number };
  readonly ours: ServerFigures;
  readonly floor: ServerFigures;
  readonly soak: SoakResult;
  readonly peer: string;
}

export type Verdict = 'PASS' | 'MISS' | 'blocked';

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
export function table(rows: readonly (readonly string[])[]): string {
  const columns = rows[0]!.map((_, c) => rows.map((r) => r[c] ?? ''));
  const widths = columns.map((cells) => Math.max(...cells.map((cell) => cell.length)));
  const numeric = columns.map((cells) => cells.slice(1).every((cell) => cell === '' || NUMERIC.test(cell)));
  return rows
    .map((r) => r.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd())
    .join('\n');
}

function at(load: readonly LoadResult[], concurrency: number): LoadResult {
  const found = load.find((l) => l.concurrency === concurrency);
  if (!found) throw new Error(`no load result at concurrency ${concurrency}`);
  return found;
}

export function targetChecks(r: Results): TargetCheck[] {
  const ours64 = at(r.ours.load, 64);
  const floor64 = at(r.floor.load, 64);
  const p99Ratio = ours64.latency.p99 / floor64.latency.p99;
  return [
    ...[8, 64].map((c) => ({ name: `throughput at concurrency ${c} vs Go peer`, target: `>= ${TARGETS.throughputVsPeer.toFixed(1)}x`, figure: r.peer, verdict: 'blocked' as const })),
    {
      name: 'p99 at concurrency 64 vs no-op floor',
      target: `<= ${TARGETS.p99VsFloorAt64}x`,
      figure: `${ratio(p99Ratio)} (${ms(ours64.latency.p99)} / ${ms(floor64.latency.p99)} ms)`,
      verdict: pass(p99Ratio <= TARGETS.p99VsFloorAt64),
    },
    {
      name: 'in-process median, production.yaml, full observed',
      target: `< ${TARGETS.inProcessMedianMs} ms`,
      figure: `${ms(r.production.timing.p50)} ms`,
      verdict: pass(r.production.timing.p50 < TARGETS.inProcessMedianMs),
    },
    {
      name: 'cold start, spawn to first RunFunction (median)',
      target: `< ${TARGETS.coldStartMs} ms`,
      figure: `${ms(r.ours.coldStart.medianMs)} ms`,
      verdict: pass(r.ours.coldStart.medianMs < TARGETS.coldStartMs),
    },
    { name: 'peak RSS under load (VmHWM)', target: `< ${TARGETS.peakRssMiB} MiB`, figure: mib(r.ours.peakRssBytes), verdict: pass(r.ours.peakRssBytes < TARGETS.peakRssMiB * 1024 * 1024) },
    {
      name: `RSS growth over ${r.settings.soakSeconds} s at concurrency ${r.soak.load.concurrency}`,
      target: `< ${(TARGETS.rssGrowth * 100).toFixed(0)} %`,
      figure: `${(r.soak.growth * 100).toFixed(1)} %`,
      verdict: pass(r.soak.growth < TARGETS.rssGrowth),
    },
  ];
}

function inProcessSection(r: Results): string {
  const rows = [['AZs', 'node groups', 'observed', 'observed res.', 'composed', 'median ms', 'p99 ms', 'runs']];
  for (const { scenario: s, timing: t } of [...r.inProcess, r.production]) {
    const label = s.name === 'production.yaml' ? 'production.yaml' : String(s.zones);
    rows.push([label, String(s.nodeGroups), s.observed, String(s.observedResources), String(t.resources), ms(t.p50), ms(t.p99), int(t.count)]);
  }
  const t = r.production.timing;
  return [
    '1. In-process: the RunFunction handler on a decoded request (validate, compose, build the response); no gRPC, no protobuf',
    table(rows),
    `   production.yaml, full observed: median ${ms(t.p50)} ms   target < ${TARGETS.inProcessMedianMs} ms   ${pass(t.p50 < TARGETS.inProcessMedianMs)}`,
  ].join('\n');
}

function grpcSection(r: Results): string {
  const rows = [['function', 'conc.', 'p50 ms', 'p90 ms', 'p99 ms', 'req/s', 'server cores', 'req/s per core', 'errors']];
  const line = (name: string, l: LoadResult) => [
    name,
    String(l.concurrency),
    ms(l.latency.p50),
    ms(l.latency.p90),
    ms(l.latency.p99),
    int(l.requestsPerSecond),
    l.serverCores.toFixed(2),
    int(l.requestsPerCoreSecond),
    String(l.errors),
  ];
  const checks: string[] = [];
  for (const ours of r.ours.load) {
    const floor = at(r.floor.load, ours.concurrency);
    rows.push(line('ours (dist/main.cjs)', ours), line('floor: no-op, same server', floor));
    rows.push([
      'ours / floor',
      String(ours.concurrency),
      ratio(ours.latency.p50 / floor.latency.p50),
      ratio(ours.latency.p90 / floor.latency.p90),
      ratio(ours.latency.p99 / floor.latency.p99),
      ratio(ours.requestsPerSecond / floor.requestsPerSecond),
      '',
      ratio(ours.requestsPerCoreSecond / floor.requestsPerCoreSecond),
      '',
    ]);
    if (ours.concurrency === 64) {
      const p99 = ours.latency.p99 / floor.latency.p99;
      checks.push(`   p99 at concurrency 64: ${ratio(p99)} the floor   target <= ${TARGETS.p99VsFloorAt64}x   ${pass(p99 <= TARGETS.p99VsFloorAt64)}`);
    }
    if (ours.concurrency === 8 || ours.concurrency === 64) {
      checks.push(`   throughput at concurrency ${ours.concurrency} vs Go peer: target >= ${TARGETS.throughputVsPeer.toFixed(1)}x   ${PEER_BLOCKED}`);
    }
  }
  const w = r.wire;
  return [
    `2. gRPC on loopback, one process per server, ${r.settings.seconds} s per row after ${r.settings.warmupSeconds} s warm-up: production.yaml with ${w.observedResources} observed resources`,
    `   (request ${kib(w.requestBytes)}, response ${kib(w.responseBytes)}; floor response ${kib(w.floorResponseBytes)}); req/s per core = requests / server CPU seconds`,
    table(rows),
    `   Go peer (function-patch-and-transform) at every concurrency: ${PEER_BLOCKED}`,
    ...checks.sort(),
  ].join('\n');
}

function processSection(r: Results): string {
  const cold = (f: ServerFigures) => `${ms(f.coldStart.medianMs)} ms (runs: ${f.coldStart.samplesMs.map((x) => x.toFixed(0)).join(', ')})`;
  const s = r.soak;
  const checks = targetChecks(r);
  const verdict = (prefix: string) => checks.find((c) => c.name.startsWith(prefix))!.verdict;
  return [
    `3. Cold start, spawn to first successful RunFunction, median of ${r.settings.coldStarts}`,
    `   ours  ${cold(r.ours)}   target < ${TARGETS.coldStartMs} ms   ${verdict('cold start')}`,
    `   floor ${cold(r.floor)}`,
    '',
    '4. Memory (server process, /proc/<pid>/status)',
    `   peak RSS (VmHWM) after all load: ours ${mib(r.ours.peakRssBytes)}   target < ${TARGETS.peakRssMiB} MiB   ${verdict('peak RSS')}`,
    `                                    floor ${mib(r.floor.peakRssBytes)}`,
    `   soak: ${r.settings.soakSeconds} s at concurrency ${s.load.concurrency}, ${int(s.load.requests)} requests, ${int(s.load.requestsPerSecond)} req/s, p99 ${ms(s.load.latency.p99)} ms, ${s.load.errors} errors`,
    `   RSS ${mib(s.startRssBytes)} -> ${mib(s.endRssBytes)} (max ${mib(Math.max(...s.rssSamples))}): growth ${(s.growth * 100).toFixed(1)} %   target < ${(TARGETS.rssGrowth * 100).toFixed(0)} %   ${verdict('RSS growth')}`,
    '',
    '5. Bundle',
    `   dist/main.cjs ${kib(r.ours.bundleBytes)}   (floor dist/noop.cjs ${kib(r.floor.bundleBytes)}; no target)`,
  ].join('\n');
}

export function render(r: Results): string {
  const m = r.machine;
  const checks = targetChecks(r);
  const summary = table([['target', 'wanted', 'figure', 'verdict'], ...checks.map((c) => [c.name, c.target, c.figure, c.verdict])]);
  return [
    `function-eks-cluster benchmark, ${r.date}`,
    `machine: ${m.cpus} CPUs (nproc), ${m.cpuModel}, node ${m.node}, Linux ${m.kernel}`,
    '',
    inProcessSection(r),
    '',
    grpcSection(r),
    '',
    processSection(r),
    '',
    'Targets (issue 5)',
    summary,
    '',
  ].join('\n');
}
