/**
 * Whatever arrives, the function answers: a result, never an exception. Bugs
 * would surface as "internal error" fatal results, which no input may cause.
 */
import fc from 'fast-check';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { reconcileToReady, requestFor } from 'workshop';
import { validXr } from './support/bad-inputs.js';
import { VPC_KEY } from 'function-eks-cluster/src/network/resources.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const json = fc.jsonValue({ maxDepth: 4 }) as fc.Arbitrary<unknown>;

function noInternalError(rsp: ReturnType<typeof runFunction>): void {
  for (const r of rsp.results) expect(r.message).not.toMatch(/internal error/);
}

/** Replaces the value at a random path of `target` with `value`. */
function graft(target: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0 || typeof target !== 'object' || target === null) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const copy: Record<string, unknown> = Array.isArray(target) ? { ...target } : { ...(target as Record<string, unknown>) };
  copy[head] = graft(copy[head], rest, value);
  return Array.isArray(target) ? Object.values(copy) : copy;
}

const pathArb = fc.array(
  fc.constantFrom(
    'spec',
    'network',
    'nodeGroups',
    '0',
    'status',
    'conditions',
    'atProvider',
    'forProvider',
    'metadata',
    'name',
    'cidrBlock',
    'subnetIdRef',
    'identity',
    'tags',
    'addons',
    'access',
    'availabilityZones',
    'nat',
    'vpcCidr',
    'encryption',
  ),
  { maxLength: 5 },
);

describe('any input gets an answer, never an exception', () => {
  it('arbitrary JSON as the composite resource', () => {
    fc.assert(
      fc.property(json, (composite) => {
        noInternalError(runFunction(requestFor(composite as Record<string, unknown>)));
      }),
      { numRuns: RUNS },
    );
  });

  it('a valid xr with arbitrary JSON grafted anywhere into it', () => {
    fc.assert(
      fc.property(pathArb, json, (path, value) => {
        noInternalError(runFunction(requestFor(graft(validXr(), path, value) as Record<string, unknown>)));
      }),
      { numRuns: RUNS },
    );
  });

  it('observed resources with arbitrary JSON grafted anywhere into them', () => {
    const { observed } = reconcileToReady(validXr());
    const keys = Object.keys(observed);
    fc.assert(
      fc.property(fc.constantFrom(...keys), pathArb, json, (key, path, value) => {
        const mangled = { ...observed, [key]: graft(observed[key], path, value) as JsonObject };
        noInternalError(runFunction(requestFor(validXr(), mangled)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('a pipeline step of its own', () => {
  it('keeps what earlier steps desired, and its own resources win on a name clash', () => {
    const req = requestFor(validXr());
    const earlier = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'from-an-earlier-step' } };
    req.desired!.resources = {
      'earlier-step': { resource: earlier, connectionDetails: {}, ready: 0 },
      vpc: { resource: earlier, connectionDetails: {}, ready: 0 },
    };
    const rsp = runFunction(req);
    expect(rsp.results.some((r) => r.severity === Severity.SEVERITY_FATAL)).toBe(false);
    expect(rsp.desired!.resources['earlier-step']!.resource).toEqual(earlier);
    expect((rsp.desired!.resources[VPC_KEY]!.resource as JsonObject).kind).toBe('VPC');
  });
});
