/**
 * The plan memo (src/compose/memo.ts) never changes an answer: the same
 * request stream through a warm Composer, which reuses plans, and through a
 * fresh Composer per request, which never does, gives the same response
 * bytes, also when the observed state or the spec changes between requests.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { createComposer, type Composer } from 'function-eks-cluster/src/compose/memo.js';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { encodeResponse } from 'function-eks-cluster/src/server/response-codec.js';
import { BAD_INPUTS } from './support/bad-inputs.js';
import { exampleShape, mustCompose, observedFrom, REPO_ROOT, requestFor, xrArb, xrDocument } from 'workshop';
import { compose } from 'function-eks-cluster/src/compose/compose.js';

const RUNS = Math.min(Number(process.env.PROPERTY_RUNS ?? 1000), 40);
const EXAMPLES = join(REPO_ROOT, 'configuration', 'package', 'examples');

interface Step {
  readonly reason: string;
  readonly xr: JsonObject | undefined;
  readonly observed: Record<string, JsonObject>;
  /** Whether a warm Composer must answer it from a kept plan: nothing it read has changed since the step before. */
  readonly reuses?: boolean;
}

function request(step: Step, tag: string): RunFunctionRequest {
  const req = requestFor((step.xr ?? {}) as JsonObject, step.observed, tag);
  if (step.xr === undefined) req.observed!.composite = undefined;
  return req;
}

/** Response bytes per step from the warm Composer, and from a fresh one for each step. */
function replay(steps: readonly Step[], warm: Composer = createComposer()) {
  return steps.map((step, i) => {
    const hits = warm.stats.hits;
    const cached = encodeResponse(runFunction(request(step, `step-${i}`), warm));
    const fresh = encodeResponse(runFunction(request(step, `step-${i}`), createComposer()));
    return { step, cached, fresh, hit: warm.stats.hits > hits };
  });
}

function expectIdentical(steps: readonly Step[], warm?: Composer): void {
  for (const { step, cached, fresh, hit } of replay(steps, warm)) {
    expect(cached.equals(fresh), step.reason).toBe(true);
    if (step.reuses !== undefined) expect(hit, `${step.reason}: plan reused`).toBe(step.reuses);
  }
}

/** The rollout of an XR: nothing observed, then each wave observed Ready, until nothing new appears. */
function rollout(xr: JsonObject, label: string): { steps: Step[]; observed: Record<string, JsonObject> } {
  const steps: Step[] = [];
  let observed: Record<string, JsonObject> = {};
  for (let round = 0; round < 10; round++) {
    steps.push({ reason: `${label}: rollout round ${round}`, xr, observed });
    const result = compose({ composite: xr, observed });
    if (!result.ok) break;
    const fresh = result.resources.filter((r) => !(r.key in observed)).map((r) => r.key);
    if (fresh.length === 0) break;
    observed = { ...observed, ...observedFrom(result, fresh) };
  }
  return { steps, observed };
}

function edited(observed: Record<string, JsonObject>, edit: (copy: Record<string, JsonObject>) => void): Record<string, JsonObject> {
  const copy = structuredClone(observed);
  edit(copy);
  return copy;
}

/** The same content, every object's keys in reverse order (arrays as they are). */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

function withSpec(xr: JsonObject, edit: (spec: JsonObject) => void): JsonObject {
  const copy = structuredClone(xr);
  edit(copy.spec as JsonObject);
  return copy;
}

/** After a rollout: the steady state polled again, then the changes a live cluster goes through, each compared. */
function lifeOf(xr: JsonObject, label: string): Step[] {
  const { steps, observed } = rollout(xr, label);
  const keys = Object.keys(observed);
  const someKey = keys.find((k) => k.startsWith('subnet-')) ?? keys[0]!;
  const cluster = observed.cluster;
  const bumped = (version: string) => ({ ...xr, metadata: { ...(xr.metadata as JsonObject), resourceVersion: version } });
  return [
    ...steps,
    { reason: `${label}: steady state, polled again`, xr, observed, reuses: true },
    {
      reason: `${label}: steady state, a new resourceVersion of the XR (nothing read changed)`,
      xr: bumped('2'),
      observed: structuredClone(observed),
      reuses: true,
    },
    {
      reason: `${label}: steady state with every object's keys in reverse order, as Crossplane's Go client may send them`,
      xr: reversedKeys(xr) as JsonObject,
      observed: reversedKeys(observed) as Record<string, JsonObject>,
      reuses: true,
    },
    {
      reason: `${label}: a composed resource turns not Ready (read per request, the plan stays)`,
      xr,
      observed: edited(observed, (o) => ((o[someKey]!.status as JsonObject).conditions = [{ type: 'Ready', status: 'False', reason: 'Creating' }])),
    },
    {
      reason: `${label}: an observed ID changes`,
      xr,
      observed: edited(observed, (o) => (((o[someKey]!.status as JsonObject).atProvider as JsonObject).id = 'changed-id')),
    },
    ...(cluster
      ? [
          {
            reason: `${label}: the cluster runs another version`,
            xr,
            observed: edited(observed, (o) => (((o.cluster!.status as JsonObject).atProvider as JsonObject).version = '1.29')),
          },
          {
            reason: `${label}: the cluster's external name is another`,
            xr,
            observed: edited(
              observed,
              (o) => (((o.cluster!.metadata ??= {}) as JsonObject).annotations = { 'crossplane.io/external-name': 'renamed-cluster' }),
            ),
          },
        ]
      : []),
    { reason: `${label}: a composed resource disappears`, xr, observed: edited(observed, (o) => delete o[someKey]) },
    { reason: `${label}: an unknown resource appears`, xr, observed: { ...observed, 'subnet-private-zz': structuredClone(observed[someKey]!) } },
    {
      reason: `${label}: the spec adds a node group`,
      xr: withSpec(xr, (s) => (s.nodeGroups = [...((s.nodeGroups as JsonObject[] | undefined) ?? []), { name: 'extra', minSize: 1, maxSize: 2 }])),
      observed,
    },
    {
      reason: `${label}: the spec changes the VPC CIDR (refused)`,
      xr: withSpec(xr, (s) => (((s.network ??= {}) as JsonObject).vpcCidr = '10.250.0.0/16')),
      observed,
    },
    {
      reason: `${label}: the XR status remembers other subnets`,
      xr: { ...xr, status: { subnets: [{ name: 'subnet-private-q', cidr: '10.99.0.0/24' }] } },
      observed,
    },
    { reason: `${label}: back to the steady state`, xr, observed },
    { reason: `${label}: and polled again`, xr, observed, reuses: true },
  ];
}

function examples(): { name: string; xr: JsonObject }[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f, xr: parse(readFileSync(join(EXAMPLES, f), 'utf8')) as JsonObject }));
}

describe('plan memo', () => {
  it.each(examples().map((e) => [e.name, e] as const))('%s: rollout, steady state and changes answer alike warm and fresh', (name, { xr }) => {
    expectIdentical(lifeOf(xr, name));
  });

  it('all examples through one warm Composer, interleaved, answer as fresh ones', () => {
    const lives = examples().map((e) => lifeOf(e.xr, e.name));
    const longest = Math.max(...lives.map((l) => l.length));
    const interleaved = Array.from({ length: longest }, (_, i) => lives.flatMap((l) => (l[i] ? [{ ...l[i]!, reuses: undefined }] : []))).flat();
    expectIdentical(interleaved);
  });

  it('a Composer that keeps one plan evicts the least recently used, and still answers alike', () => {
    const [a, b] = examples();
    const stream = [...lifeOf(a!.xr, a!.name), ...lifeOf(b!.xr, b!.name), ...lifeOf(a!.xr, `${a!.name} again`)].map((s) => ({ ...s, reuses: undefined }));
    expectIdentical(stream, createComposer(1));
  });

  it('the bad-input corpus, each case twice and between valid XRs of the same name, answers alike', () => {
    const valid = xrDocument(exampleShape());
    const steps = BAD_INPUTS.flatMap((bad) => {
      const step = { reason: `bad input: ${bad.name}`, xr: bad.xr() ?? undefined, observed: bad.observed?.() ?? {} } as Step;
      return [step, { ...step, reason: `${step.reason} (again)` }, { reason: `valid XR after ${bad.name}`, xr: valid, observed: {} }];
    });
    expectIdentical(steps);
  });

  it('generated XRs: rollout, steady state and changes answer alike warm and fresh', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const xr = xrDocument(shape);
        if (!compose({ composite: xr, observed: {} }).ok) return;
        expectIdentical(lifeOf(xr, `generated ${JSON.stringify(shape)}`));
      }),
      { numRuns: RUNS },
    );
  });

  it('the steady state of the production example is answered from the kept plan from the third request on, and the output is whole', () => {
    const xr = examples().find((e) => e.name === 'production.yaml')!.xr;
    const { observed } = rollout(xr, 'production');
    const warm = createComposer();
    const results = [0, 1, 2, 3].map(() => warm.compose({ composite: xr, observed }));
    // The first request of an XR is only planned; the second is planned, recorded and kept; the rest reuse it.
    expect(warm.stats).toEqual({ hits: 2, misses: 2 });
    expect(mustCompose(results[3]!).resources.length).toBe(Object.keys(observed).length);
  });
});
