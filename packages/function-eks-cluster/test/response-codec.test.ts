/** The server's response encoder writes exactly the bytes the SDK's encoder writes. */
import fc from 'fast-check';
import { Ready, RunFunctionResponse, Severity, Status, Target } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { runFunction } from '../src/function.js';
import { encodeResponse } from '../src/server/response-codec.js';
import { requestFor } from 'function-eks-cluster/testing';
import { noopHandler } from '../bench/noop-handler.js';
import { productionScenario, scenarioGrid } from '../bench/scenarios.js';
import { BAD_INPUTS } from './support/bad-inputs.js';

function sdkBytes(rsp: RunFunctionResponse): Buffer {
  return Buffer.from(RunFunctionResponse.encode(rsp).finish());
}

function expectSameBytes(rsp: RunFunctionResponse): void {
  expect(encodeResponse(rsp).equals(sdkBytes(rsp))).toBe(true);
}

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

const jsonObject = fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 5 }), { maxKeys: 6 });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

const resourceArb = fc.record({
  resource: optional(jsonObject),
  connectionDetails: fc.dictionary(fc.string(), fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b)), { maxKeys: 3 }),
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
    fc.assert(fc.property(responseArb, (rsp) => encodeResponse(rsp).equals(sdkBytes(rsp))), { numRuns: RUNS });
  });

  it('grows past its first buffer', () => {
    const big = { data: 'x'.repeat(200_000), list: Array.from({ length: 5000 }, (_, i) => ({ i, s: `é${i}` })) };
    expectSameBytes({ ...noopHandler(requestFor({})), context: big });
  });

  it('leaves responses with requirements to the SDK', () => {
    const rsp: RunFunctionResponse = { ...noopHandler(requestFor({})), requirements: { extraResources: {}, resources: {}, schemas: {} } };
    expectSameBytes(rsp);
  });
});
