/**
 * The metrics of the built bundle, as Prometheus reads them: the function runs
 * as its own process, answers RunFunction over real gRPC, and is scraped over
 * real HTTP. The alert rules of docs/monitoring/ name only metrics it serves.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, Severity } from '@crossplane-org/function-sdk-typescript';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, freePort, type FunctionProcess, REPO_ROOT, requestFor, startFunction } from 'workshop';
import { FATAL_REASONS, LATENCY_BUCKETS } from 'function-eks-cluster/src/server/metrics.js';
import { validXr } from './support/bad-inputs.js';
import { families, sample, scrape } from './support/scrape.js';

const RPC = { grpc_type: 'unary', grpc_service: 'apiextensions.fn.proto.v1.FunctionRunnerService', grpc_method: 'RunFunction' };

/** Starts the bundle with /metrics on a free loopback port. */
async function withMetrics(extraArgs: string[] = []): Promise<{ fn: FunctionProcess; port: number }> {
  const port = await freePort();
  const fn = await startFunction({ args: ['--insecure', '--metrics-address', `127.0.0.1:${port}`, ...extraArgs] });
  return { fn, port };
}

/** Bytes that are no RunFunctionRequest: the server answers them with a gRPC error. */
function sendGarbage(address: string): Promise<grpc.ServiceError | null> {
  const raw = new grpc.Client(address, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    raw.makeUnaryRequest(
      FunctionRunnerServiceService.runFunction.path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]),
      (error) => {
        raw.close();
        resolve(error);
      },
    );
  });
}

describe('GET /metrics of the running function', () => {
  let fn: FunctionProcess;
  let port: number;
  let before: string;
  let after: string;

  beforeAll(async () => {
    ({ fn, port } = await withMetrics());
    before = await scrape(port);
    const client = connect(fn.address);
    // The same XR three times: a first sighting, a plan kept, then a plan reused (src/compose/memo.ts).
    for (const tag of ['first', 'second', 'third'])
      expect((await client.run(requestFor(validXr(), {}, tag))).results.map((r) => r.severity)).not.toContain(Severity.SEVERITY_FATAL);
    const invalid = validXr();
    (invalid.spec as { network: { vpcCidr: string } }).network.vpcCidr = '10.10.0.0/33';
    const fatal = await client.run(requestFor(invalid, {}, 'invalid'));
    expect(fatal.results.find((r) => r.severity === Severity.SEVERITY_FATAL)?.reason).toBe('InvalidSpec');
    client.close();
    expect((await sendGarbage(fn.address))?.code).toBe(grpc.status.INTERNAL);
    after = await scrape(port);
  });
  afterAll(async () => {
    await fn.stop();
  });

  it('starts every counter at zero, fatal reasons included, so that the first of each is a rise', () => {
    expect(sample(before, 'grpc_server_started_total', RPC)).toBe(0);
    for (const code of ['OK', 'Internal']) expect(sample(before, 'grpc_server_handled_total', { ...RPC, grpc_code: code })).toBe(0);
    for (const reason of FATAL_REASONS) expect(sample(before, 'function_eks_cluster_fatal_results_total', { reason })).toBe(0);
    expect(sample(before, 'grpc_server_handling_seconds_count', RPC)).toBe(0);
  });

  it('counts every request as the Go SDK does: started, handled by gRPC code, messages in and out', () => {
    expect(sample(after, 'grpc_server_started_total', RPC)).toBe(5);
    expect(sample(after, 'grpc_server_msg_received_total', RPC)).toBe(5);
    expect(sample(after, 'grpc_server_handled_total', { ...RPC, grpc_code: 'OK' })).toBe(4);
    expect(sample(after, 'grpc_server_handled_total', { ...RPC, grpc_code: 'Internal' })).toBe(1);
    expect(sample(after, 'grpc_server_msg_sent_total', RPC)).toBe(4);
  });

  it('times every request in a histogram whose buckets add up', () => {
    expect(sample(after, 'grpc_server_handling_seconds_count', RPC)).toBe(5);
    expect(sample(after, 'grpc_server_handling_seconds_sum', RPC)).toBeGreaterThan(0);
    const buckets = [...LATENCY_BUCKETS.map(String), '+Inf'].map((le) => sample(after, 'grpc_server_handling_seconds_bucket', { ...RPC, le }));
    expect(buckets).toEqual([...buckets].sort((a, b) => a - b));
    expect(buckets.at(-1)).toBe(5);
  });

  it('counts fatal results by reason', () => {
    expect(sample(after, 'function_eks_cluster_fatal_results_total', { reason: 'InvalidSpec' })).toBe(1);
    expect(sample(after, 'function_eks_cluster_fatal_results_total', { reason: 'InternalError' })).toBe(0);
  });

  it('counts plan-memo hits and misses, and the XRs it holds', () => {
    // Requests 1-2 of team-a/team-a plan (the second records what it read), 3 reuses; the invalid spec is a new plan.
    expect(sample(after, 'function_eks_cluster_plan_memo_lookups_total', { result: 'hit' })).toBe(1);
    expect(sample(after, 'function_eks_cluster_plan_memo_lookups_total', { result: 'miss' })).toBe(3);
    expect(sample(after, 'function_eks_cluster_plan_memo_xrs')).toBe(1);
  });

  it("serves the process's own figures", () => {
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('answers other paths and methods with 404, and HEAD without a body', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
    const head = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await head.text()).toBe('');
  });
});

describe('the metrics address', () => {
  it('is off unless asked for', async () => {
    const fn = await startFunction();
    await fn.stop();
    expect(fn.output()).not.toContain('metricsPort');
  });

  it('is read from METRICS_ADDRESS', async () => {
    const port = await freePort();
    const fn = await startFunction({ env: { INSECURE: 'true', METRICS_ADDRESS: `127.0.0.1:${port}` }, args: [] });
    try {
      expect(fn.output()).toContain(`"metricsPort":${port}`);
      expect(sample(await scrape(port), 'grpc_server_started_total', RPC)).toBe(0);
    } finally {
      await fn.stop();
    }
  });

  it('stops the process at startup when its port is taken', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      await expect(startFunction({ args: ['--insecure', '--metrics-address', `127.0.0.1:${port}`] })).rejects.toThrow(
        new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${port}`),
      );
    } finally {
      blocker.close();
    }
  });
});

/** PromQL's own words: functions, aggregations and keywords, which are not metric names. */
const PROMQL_WORDS = new Set([
  'sum',
  'max',
  'min',
  'avg',
  'count',
  'rate',
  'increase',
  'absent',
  'histogram_quantile',
  'or',
  'and',
  'unless',
  'bool',
  'on',
  'ignoring',
]);

/** The metric names an expression reads: its identifiers, without strings, label matchers, groupings, ranges and PromQL's words. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...new Set(bare.match(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g) ?? [])].filter((word) => !PROMQL_WORDS.has(word));
}

describe('the alert rules of docs/monitoring', () => {
  // Crossplane core's own metrics: its function client's view of every call (Crossplane's internal/xfn).
  const CROSSPLANE_METRICS = new Set(['function_run_function_response_total', 'function_run_function_seconds']);
  const documents = parseAllDocuments(readFileSync(join(REPO_ROOT, 'docs', 'monitoring', 'prometheus-rule.yaml'), 'utf8')).map((d) => d.toJS() as unknown);
  const rules = documents.flatMap((d) => (d as { spec: { groups: { rules: { alert: string; expr: string }[] }[] } }).spec.groups.flatMap((g) => g.rules));
  let served: Map<string, string>;
  beforeAll(async () => {
    const { fn, port } = await withMetrics();
    served = families(await scrape(port));
    await fn.stop();
  });

  it.each([
    { reason: 'labels, ranges and groupings are not names', expr: 'sum by (le) (rate(x_bucket{job="a"}[5m]))', names: ['x_bucket'] },
    { reason: 'both sides of an or', expr: 'sum(up{job="a"}) < 1 or absent(up{job="a"})', names: ['up'] },
    { reason: 'a quantile over a histogram', expr: 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) > 0.5', names: ['h_bucket'] },
  ])('reads metric names out of PromQL: $reason', ({ expr, names }) => {
    expect(metricNames(expr)).toEqual(names);
  });

  it.each(rules)('$alert names only metrics the function or Crossplane serves', ({ expr }) => {
    const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');
    const names = metricNames(expr);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => n !== 'up' && !CROSSPLANE_METRICS.has(family(n)) && !served.has(family(n)) && !served.has(n))).toEqual([]);
  });
});
