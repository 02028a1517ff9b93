/**
 * The benchmark's requests stay valid as the function changes: every scenario
 * is accepted, and "full observed state" really is every composed resource,
 * Ready, so that `npm run bench` cannot silently measure something smaller.
 */
import { RunFunctionRequest, Severity, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { noopHandler } from '../noop-handler.js';
import { encodeRequest, NODE_GROUP_COUNTS, productionScenario, scenarioGrid, ZONE_COUNTS, type Scenario } from '../scenarios.js';

function fatal(rsp: RunFunctionResponse): string | undefined {
  return rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL)?.message;
}

function desiredKeys(rsp: RunFunctionResponse): string[] {
  return Object.keys(rsp.desired?.resources ?? {}).sort();
}

function expectValid(s: Scenario): void {
  const rsp = runFunction(s.request);
  expect(fatal(rsp), s.name).toBeUndefined();
  const observed = Object.keys(s.request.observed?.resources ?? {}).sort();
  if (s.observed === 'full') {
    expect(observed, `${s.name}: full observed state is every composed resource`).toEqual(desiredKeys(rsp));
    expect(rsp.results.at(-1)?.reason, `${s.name}: everything observed is Ready`).toBe('Available');
  } else {
    expect(observed).toEqual([]);
    expect(desiredKeys(rsp).length).toBeGreaterThan(0);
  }
}

describe('benchmark scenarios', () => {
  it('the production example with full observed state survives the wire and is complete', () => {
    const s = productionScenario('full');
    const decoded = RunFunctionRequest.decode(encodeRequest(s.request));
    expect(decoded.observed?.resources).toEqual(s.request.observed?.resources);
    expectValid({ ...s, request: decoded });
    expect(s.observedResources).toBeGreaterThan(100);
  });

  it('the grid covers every zone and node-group count, empty and full, each valid', () => {
    const grid = scenarioGrid();
    expect(grid).toHaveLength(ZONE_COUNTS.length * NODE_GROUP_COUNTS.length * 2);
    for (const s of grid) expectValid(s);
  });

  it('the floor answers the desired state untouched', () => {
    const { request } = productionScenario('full');
    const rsp = noopHandler(request);
    expect(rsp.desired).toEqual(request.desired);
    expect(rsp.results).toEqual([]);
  });
});
