/** The server's response encoder writes exactly the bytes the SDK's encoder writes. */
import fc from 'fast-check';
import { Ready, RunFunctionResponse, Severity, Status, Target } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { encodeResponse, encodeResponseView } from 'function-eks-cluster/src/server/response-codec.js';
import { requestFor } from 'workshop';
import { noopHandler } from 'bench/noop-handler.js';
import { productionScenario, scenarioGrid } from 'bench/scenarios.js';
import { BAD_INPUTS } from './support/bad-inputs.js';

function sdkBytes(rsp: RunFunctionResponse): Buffer {
  return Buffer.from(RunFunctionResponse.encode(rsp).finish());
}

function expectSameBytes(rsp: RunFunctionResponse): void {
  expect(encodeResponse(rsp).equals(sdkBytes(rsp))).toBe(true);
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

const jsonObject = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 5 }), { maxKeys: 6 });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

const resourceArb = fc.record({
  resource: optional(jsonObject),
  connectionDetails: fc.dictionary(
    fc.string(),
    fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)),
    { maxKeys: 3 },
  ),
  ready: fc.constantFrom(Ready.READY_UNSPECIFIED, Ready.READY_TRUE, Ready.READY_FALSE, -1 as Ready),
});

const responseArb: fc.Arbitrary<RunFunctionResponse> = fc.record({
  meta: optional(
    fc.record({
      tag: fc.string({ unit: 'grapheme' }),
      ttl: optional(fc.record({ seconds: fc.oneof(fc.nat(), fc.maxSafeNat(), fc.integer({ min: -1000, max: -1 })), nanos: int32 })),
    }),
  ),
  desired: optional(fc.record({ composite: optional(resourceArb), resources: fc.dictionary(fc.string(), resourceArb, { maxKeys: 4 }) })),
  results: fc.array(
    fc.record({
      severity: fc.constantFrom(...Object.values(Severity).filter((v): v is Severity => typeof v === 'number')),
      message: fc.string({ unit: 'grapheme' }),
      reason: optional(fc.string()),
      target: optional(fc.constantFrom(Target.TARGET_COMPOSITE, Target.TARGET_COMPOSITE_AND_CLAIM)),
    }),
    { maxLength: 3 },
  ),
  context: optional(jsonObject),
  requirements: fc.constant(undefined),
  conditions: fc.array(
    fc.record({
      type: fc.string(),
      status: fc.constantFrom(Status.STATUS_CONDITION_TRUE, Status.STATUS_CONDITION_FALSE, Status.STATUS_CONDITION_UNKNOWN),
      reason: fc.string(),
      message: optional(fc.string()),
      target: optional(fc.constantFrom(Target.TARGET_COMPOSITE, Target.TARGET_COMPOSITE_AND_CLAIM)),
    }),
    { maxLength: 3 },
  ),
  output: optional(jsonObject),
});

describe('encodeResponse', () => {
  it('matches the SDK for every benchmark scenario, the production example and the floor', () => {
    for (const s of [...scenarioGrid(), productionScenario('full'), productionScenario('empty')]) {
      expectSameBytes(runFunction(s.request));
      expectSameBytes(noopHandler(s.request));
    }
  });

  it('matches the SDK for every fatal response of the bad-input corpus', () => {
    for (const bad of BAD_INPUTS) {
      const req = requestFor((bad.xr() ?? undefined) as Record<string, unknown>, bad.observed?.() ?? {});
      expectSameBytes(runFunction(req));
    }
  });

  it('matches the SDK for arbitrary responses: any JSON, Unicode, empty keys and strings, negative enums', () => {
    fc.assert(
      fc.property(responseArb, (rsp) => encodeResponse(rsp).equals(sdkBytes(rsp))),
      { numRuns: RUNS },
    );
  });

  it('gives the server the same bytes as a view of its buffer, which the next response overwrites: the server hands it to grpc-js, which copies it at once', () => {
    const production = runFunction(productionScenario('full').request);
    const view = encodeResponseView(production);
    expect(view.equals(sdkBytes(production))).toBe(true);
    const kept = Buffer.from(view);
    encodeResponseView(noopHandler(requestFor({})));
    expect(view.equals(kept)).toBe(false);
    expect(encodeResponse(production).equals(kept)).toBe(true);
  });

  it('grows past its first buffer', () => {
    const big = { data: 'x'.repeat(200_000), list: Array.from({ length: 5000 }, (_, i) => ({ i, s: `é${i}` })) };
    expectSameBytes({ ...noopHandler(requestFor({})), context: big });
  });

  it('matches the SDK for arbitrary responses whose bodies are deep-frozen, encoded twice (the second from kept bytes)', () => {
    fc.assert(
      fc.property(responseArb, (rsp) => {
        for (const r of Object.values(rsp.desired?.resources ?? {})) deepFreeze(r.resource);
        return encodeResponse(rsp).equals(sdkBytes(rsp)) && encodeResponse(rsp).equals(sdkBytes(rsp));
      }),
      { numRuns: RUNS },
    );
  });

  const BODY_CASES: { reason: string; body: () => Record<string, unknown>; change: (body: Record<string, unknown>) => void }[] = [
    {
      reason: 'a body not frozen, changed between two encodings',
      body: () => ({ spec: { a: 1 } }),
      change: (b) => ((b.spec as Record<string, unknown>).a = 2),
    },
    {
      reason: 'a body frozen only at the top, its nested object changed',
      body: () => Object.freeze({ spec: { a: 1 } }),
      change: (b) => ((b.spec as Record<string, unknown>).a = 2),
    },
    { reason: 'a deep-frozen body sent beside different neighbours', body: () => deepFreeze({ spec: { a: [1, 'x', null, { b: true }] } }), change: () => {} },
  ];

  it.each(BODY_CASES.map((c) => [c.reason, c] as const))('keeps only bytes that cannot go stale: %s', (_, { body, change }) => {
    const shared = body();
    const response = (extra: string) => {
      const rsp = noopHandler(requestFor({}));
      rsp.desired = {
        composite: undefined,
        resources: {
          [extra]: { resource: { extra }, connectionDetails: {}, ready: Ready.READY_TRUE },
          shared: { resource: shared, connectionDetails: {}, ready: Ready.READY_FALSE },
        },
      };
      return rsp;
    };
    expectSameBytes(response('first'));
    change(shared);
    expectSameBytes(response('second-neighbour'));
  });

  it('matches the SDK for the production steady state answered again and again from the kept plan', () => {
    const { request } = productionScenario('full');
    for (let i = 0; i < 3; i++) expectSameBytes(runFunction(request));
  });

  it('leaves responses with requirements to the SDK', () => {
    const rsp: RunFunctionResponse = { ...noopHandler(requestFor({})), requirements: { extraResources: {}, resources: {}, schemas: {} } };
    expectSameBytes(rsp);
  });
});
