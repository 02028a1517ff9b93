/**
 * The benchmark's verdict rows send requests that all differ (bench/varying.ts):
 * each one decodes, differs from the others in its tag and resourceVersions
 * only, and is composed to the same resources as the plain request.
 */
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { createComposer } from 'function-eks-cluster/src/compose/memo.js';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { decodeRequest } from 'function-eks-cluster/src/server/request-codec.js';
import { encodeResponse } from 'function-eks-cluster/src/server/response-codec.js';
import { encodeRequest, productionScenario } from '../scenarios.js';
import { varyingBodies, varyingRequests } from '../varying.js';

/** The request without what bench/varying.ts changes. */
function unmarked(req: RunFunctionRequest): RunFunctionRequest {
  const copy = structuredClone(req);
  copy.meta = { ...copy.meta!, tag: '' };
  const strip = (o: JsonObject) => delete (o.metadata as JsonObject | undefined)?.resourceVersion;
  strip(copy.observed!.composite!.resource as JsonObject);
  for (const r of Object.values(copy.observed!.resources)) strip(r.resource as JsonObject);
  return copy;
}

const { request } = productionScenario('full');

const CASES = [
  {
    reason: 'encoded bodies, as the load driver sends them',
    sample: () => {
      const next = varyingBodies(request);
      return [next(), next(), next()].map((b) => RunFunctionRequest.decode(b));
    },
    plain: () => request,
  },
  {
    reason: "decoded requests, as the in-process timing uses them (cut down by the server's decoder)",
    sample: () => {
      const next = varyingRequests(request);
      return [next(), next(), next()];
    },
    plain: () => decodeRequest(encodeRequest(request)),
  },
];

describe('varying benchmark requests', () => {
  it.each(CASES.map((c) => [c.reason, c] as const))('%s: all differ, in the marks only', (_, { sample, plain }) => {
    const requests = sample();
    expect(new Set(requests.map((r) => r.meta!.tag)).size).toBe(requests.length);
    expect(new Set(requests.map((r) => (r.observed!.composite!.resource!.metadata as JsonObject).resourceVersion)).size).toBe(requests.length);
    for (const r of requests) expect(unmarked(r)).toEqual(unmarked(plain()));
  });

  it('a varied request is composed to the same resources, status and results as the plain one, warm or fresh', () => {
    const next = varyingBodies(request);
    const warm = createComposer();
    const plain = runFunction(request, createComposer());
    for (let i = 0; i < 3; i++) {
      const rsp = runFunction(decodeRequest(next()), warm);
      expect(encodeResponse({ ...rsp, meta: plain.meta }).equals(encodeResponse(plain))).toBe(true);
    }
  });
});
