/** The server's request decoder gives what the SDK's decoder gives for every field the function reads. */
import fc from 'fast-check';
import { Capability, Ready, RunFunctionRequest, type Resource, type State } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { decodeRequest, OBSERVED_READS, type Reads } from 'function-eks-cluster/src/server/request-codec.js';
import { encodeResponse } from 'function-eks-cluster/src/server/response-codec.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mustCompose, reconcileToReady, REPO_ROOT, requestFor, type JsonObject } from 'workshop';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';
import { encodeRequest, productionScenario, scenarioGrid } from 'bench/scenarios.js';
import { BAD_INPUTS } from './support/bad-inputs.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

/** A JSON value cut down to `reads`, as the description of Reads says (written apart from the decoder). */
function project(value: unknown, reads: Reads | undefined): unknown {
  if (reads === undefined || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => project(item, reads));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const rule = Object.hasOwn(reads, key) ? reads[key] : reads['*'];
    if (rule === undefined || rule === false) continue;
    out[key] = project(item, rule === true ? undefined : rule);
  }
  return out;
}

/** The SDK's decoding, with what decodeRequest skips left out. */
function sdkDecoded(bytes: Buffer): RunFunctionRequest {
  const req = RunFunctionRequest.decode(bytes);
  const withoutDetails = (s: State | undefined): State | undefined =>
    s && {
      composite: s.composite && { ...s.composite, connectionDetails: {} },
      resources: Object.fromEntries(
        Object.entries(s.resources).map(([k, r]) => [
          k,
          { ...r, connectionDetails: {}, resource: r.resource && (project(r.resource, OBSERVED_READS) as Record<string, unknown>) },
        ]),
      ),
    };
  return {
    ...req,
    meta: req.meta && { tag: req.meta.tag, capabilities: [] },
    observed: withoutDetails(req.observed),
    input: undefined,
    extraResources: {},
    credentials: {},
    requiredResources: {},
    requiredSchemas: {},
  };
}

function expectSameDecoding(bytes: Buffer): void {
  const ours = decodeRequest(bytes);
  expect(ours).toEqual(sdkDecoded(bytes));
  // What matters in the end: the same answer, byte for byte.
  expect(encodeResponse(runFunction(ours)).equals(encodeResponse(runFunction(RunFunctionRequest.decode(bytes))))).toBe(true);
}

const jsonObject = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 5 }), { maxKeys: 6 });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const bytesArb = fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b));

/** Objects shaped like managed resources, so that OBSERVED_READS has something to keep and to skip. */
const tags = fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 });
const providerFields = fc
  .tuple(jsonObject, optional(tags), optional(tags))
  .map(([o, t, ta]) => ({ ...o, ...(t ? { tags: t } : {}), ...(ta ? { tagsAll: ta } : {}) }));
const managedResource = fc.record(
  {
    apiVersion: fc.string(),
    kind: fc.string(),
    metadata: fc.record({ name: fc.string(), annotations: fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), labels: tags }, { requiredKeys: [] }),
    spec: fc.tuple(jsonObject, optional(providerFields)).map(([o, fp]) => ({ ...o, ...(fp ? { forProvider: fp } : {}) })),
    status: fc.record(
      { atProvider: providerFields, conditions: fc.array(jsonObject, { maxLength: 2 }), other: fc.jsonValue({ maxDepth: 2 }) },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

const resourceArb: fc.Arbitrary<Resource> = fc.record({
  resource: optional(fc.oneof(jsonObject, managedResource as fc.Arbitrary<Record<string, unknown>>)),
  connectionDetails: fc.dictionary(fc.string(), bytesArb, { maxKeys: 3 }),
  ready: fc.constantFrom(Ready.READY_UNSPECIFIED, Ready.READY_TRUE, Ready.READY_FALSE, -1 as Ready),
});
const stateArb: fc.Arbitrary<State> = fc.record({ composite: optional(resourceArb), resources: fc.dictionary(fc.string(), resourceArb, { maxKeys: 4 }) });

const requestArb: fc.Arbitrary<RunFunctionRequest> = fc.record({
  meta: optional(
    fc.record({
      tag: fc.string({ unit: 'grapheme' }),
      capabilities: fc.array(fc.constantFrom(Capability.CAPABILITY_CAPABILITIES, Capability.CAPABILITY_CONDITIONS, 7 as Capability), { maxLength: 3 }),
    }),
  ),
  observed: optional(stateArb),
  desired: optional(stateArb),
  input: optional(jsonObject),
  context: optional(jsonObject),
  extraResources: fc.dictionary(fc.string(), fc.record({ items: fc.array(resourceArb, { maxLength: 2 }) }), { maxKeys: 2 }),
  credentials: fc.dictionary(fc.string(), fc.record({ credentialData: optional(fc.record({ data: fc.dictionary(fc.string(), bytesArb, { maxKeys: 2 }) })) }), {
    maxKeys: 2,
  }),
  requiredResources: fc.dictionary(fc.string(), fc.record({ items: fc.array(resourceArb, { maxLength: 2 }) }), { maxKeys: 2 }),
  requiredSchemas: fc.dictionary(fc.string(), fc.record({ openapiV3: optional(jsonObject) }), { maxKeys: 2 }),
});

/** Every request of the test corpus: the benchmark's scenarios and the bad-input corpus. */
/** An AWS-identity cluster whose Cluster shows no ARN for a poll: its ConfigMap keeps the one it has (src/eks/flux-access.ts). */
function clusterWithoutArn(): RunFunctionRequest {
  const xr = parse(readFileSync(join(REPO_ROOT, 'configuration', 'package', 'examples', 'existing-network.yaml'), 'utf8')) as JsonObject;
  const { observed } = reconcileToReady(xr);
  const cluster = structuredClone(observed[CLUSTER_KEY]!) as { status: { atProvider: Record<string, unknown> } };
  delete cluster.status.atProvider.arn;
  return requestFor(xr, { ...observed, [CLUSTER_KEY]: cluster as unknown as JsonObject });
}

/** Flow logs switched off on a live cluster: the role and the log group are composed again from what was observed (lifecycle/leaving.ts). */
function flowLogsSwitchedOff(): RunFunctionRequest {
  const xr = parse(readFileSync(join(REPO_ROOT, 'configuration', 'package', 'examples', 'production.yaml'), 'utf8')) as JsonObject;
  const { observed } = reconcileToReady(xr);
  const off = structuredClone(xr) as { spec: { network: { flowLogs: unknown } } };
  off.spec.network.flowLogs = { enabled: false };
  const leaving = mustCompose(compose({ composite: off as unknown as JsonObject, observed })).resources.filter((r) => r.key === 'vpc-flow-log-role');
  expect(leaving.length, 'the corpus holds a leaving resource').toBe(1);
  return requestFor(off as unknown as JsonObject, observed);
}

function corpus(): RunFunctionRequest[] {
  return [
    ...[...scenarioGrid(), productionScenario('full'), productionScenario('empty')].map((s) => s.request),
    clusterWithoutArn(),
    flowLogsSwitchedOff(),
    ...BAD_INPUTS.map((bad) => requestFor((bad.xr() ?? undefined) as Record<string, unknown>, bad.observed?.() ?? {})),
  ];
}

describe('decodeRequest', () => {
  it('matches the SDK on the corpus: every benchmark scenario, empty and fully observed, and every bad input', () => {
    for (const req of corpus()) expectSameDecoding(encodeRequest(req));
  });

  it('matches the SDK for arbitrary requests: any JSON, Unicode, empty keys, every field set or not', () => {
    fc.assert(
      fc.property(requestArb, (req) => {
        expectSameDecoding(encodeRequest(req));
      }),
      { numRuns: RUNS },
    );
  });

  const cases = [
    {
      reason: 'a Value with two kinds set is read in the SDK order: the string wins over the number',
      bytes: [0x2a, 0x13, 0x0a, 0x11, 0x0a, 0x01, 0x6b, 0x12, 0x0c, 0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x1a, 0x01, 0x78],
    },
    {
      reason: 'a repeated key: the last value wins',
      bytes: [0x2a, 0x12, 0x0a, 0x07, 0x0a, 0x01, 0x6b, 0x12, 0x02, 0x20, 0x01, 0x0a, 0x07, 0x0a, 0x01, 0x6b, 0x12, 0x02, 0x08, 0x00],
    },
    { reason: 'an entry whose Value has no kind is dropped', bytes: [0x2a, 0x05, 0x0a, 0x03, 0x0a, 0x01, 0x6b] },
    { reason: 'an unknown field of any wire type is skipped', bytes: [0x78, 0x05, 0x2a, 0x00, 0x7d, 1, 2, 3, 4] },
    { reason: 'an end-group tag ends the message', bytes: [0x2a, 0x00, 0x0c, 0x0a, 0x02, 0x0a, 0x00] },
    { reason: 'the key "__proto__" is dropped', bytes: [0x2a, 0x11, 0x0a, 0x0f, 0x0a, 0x09, ...Buffer.from('__proto__'), 0x12, 0x02, 0x2a, 0x00] },
  ];
  it.each(cases)('matches the SDK on hand-made bytes: $reason', ({ bytes }) => {
    expectSameDecoding(Buffer.from(bytes));
  });

  it('keeps everything the function reads of observed resources, on every request of the corpus', () => {
    const read = new Set<string>();
    const watch = (value: unknown, path: string[]): unknown =>
      value === null || typeof value !== 'object'
        ? value
        : new Proxy(value, {
            get(target, key, receiver) {
              const item = Reflect.get(target, key, receiver) as unknown;
              if (typeof key !== 'string' || (Array.isArray(target) && !/^\d+$/.test(key))) return item;
              const step = Array.isArray(target) ? '[]' : key;
              read.add([...path, step].join('.'));
              return watch(item, [...path, step]);
            },
          });
    for (const req of corpus()) {
      const resources = Object.fromEntries(
        Object.entries(req.observed?.resources ?? {}).map(([k, r]) => [k, { ...r, resource: watch(r.resource, []) as Record<string, unknown> }]),
      );
      // The core itself: a Composer copies the whole request when it plans (compose/memo.ts), which says nothing of what composing reads.
      runFunction({ ...req, observed: { composite: req.observed?.composite, resources } }, { compose, stats: { hits: 0, misses: 0 }, size: 0 });
    }
    const kept = (path: string[]): boolean => {
      let reads: Reads | undefined = OBSERVED_READS;
      for (const step of path) {
        if (reads === undefined || step === '[]') continue;
        const rule: Reads | boolean | undefined = Object.hasOwn(reads, step) ? reads[step] : reads['*'];
        if (rule === undefined || rule === false) return false;
        reads = rule === true ? undefined : rule;
      }
      return true;
    };
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((path) => !kept(path.split('.')))).toEqual([]);
  });

  it('throws where the SDK throws: truncated bytes and nesting past its limit', () => {
    const full = encodeRequest(productionScenario('full').request);
    for (const cut of [1, 7, 100, full.length - 1]) {
      const truncated = full.subarray(0, cut);
      expect(() => RunFunctionRequest.decode(truncated)).toThrow();
      expect(() => decodeRequest(truncated)).toThrow();
    }
    let deep: unknown = 'leaf';
    for (let i = 0; i < 60; i++) deep = { d: deep };
    const tooDeep = encodeRequest({ ...requestFor({}), context: deep as Record<string, unknown> });
    expect(() => RunFunctionRequest.decode(tooDeep)).toThrow(/recursion limit/);
    expect(() => decodeRequest(tooDeep)).toThrow(/recursion limit/);
  });
});
