/**
 * Golden files: what the function answers for each example, and for the
 * production example at every step of its life (nothing exists; the network is
 * ready; the control plane is ready; everything is ready; a node group fails).
 * Regenerate after an intended change with: UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Ready, Severity, Status, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/api/schema-builder.js';
import { runFunction } from '../src/function.js';
import { requestFor } from '../dev/function-process.js';
import { REPO_ROOT } from '../dev/api-files.js';
import { renderWaves } from '../dev/render-waves.js';
import { observeNotReady, observeReady } from '../dev/simulated-aws.js';

const GOLDEN_DIR = join(dirname(new URL(import.meta.url).pathname), 'golden');
const EXAMPLES_DIR = join(REPO_ROOT, 'configuration', 'examples');

function readable(rsp: RunFunctionResponse): string {
  const resources = Object.entries(rsp.desired?.resources ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const doc = {
    results: rsp.results.map((r) => ({ severity: Severity[r.severity], reason: r.reason, message: r.message })),
    conditions: rsp.conditions.map((c) => ({ type: c.type, status: Status[c.status], reason: c.reason, message: c.message })),
    ttlSeconds: rsp.meta?.ttl?.seconds,
    status: (rsp.desired?.composite?.resource as JsonObject | undefined)?.status,
    resources: Object.fromEntries(resources.map(([key, r]) => [key, { ready: Ready[r!.ready], ...(r!.resource as JsonObject) }])),
  };
  return stringify(doc, { lineWidth: 0 });
}

function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  // A missing golden file fails, rather than being written and passing.
  expect(existsSync(path), `${name} is missing; create it with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual, `${name} differs; if intended, regenerate with UPDATE_GOLDEN=1`).toBe(readFileSync(path, 'utf8'));
}

function example(file: string): JsonObject {
  return parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as JsonObject;
}

/** Observes everything the last answer composed as Ready, except what `failing` names. */
function advance(observed: Record<string, JsonObject>, rsp: RunFunctionResponse, keep: (key: string) => boolean): Record<string, JsonObject> {
  const next = { ...observed };
  for (const [key, r] of Object.entries(rsp.desired?.resources ?? {})) {
    if (!(key in next) && keep(key)) next[key] = observeReady(key, r!.resource as JsonObject);
  }
  return next;
}

describe('golden answers for every example', () => {
  const files = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort();
  it.each(files)('%s: first answer and the answer once all is ready', async (file) => {
    const xr = example(file);
    expectGolden(`${file.replace('.yaml', '')}/1-nothing-observed.yaml`, readable(runFunction(requestFor(xr))));
    const rendered = await renderWaves(xr, async (req) => runFunction(req));
    if (!rendered.ok) throw new Error(rendered.fatal);
    expectGolden(`${file.replace('.yaml', '')}/9-all-ready.yaml`, readable(rendered.final));
  });
});

describe('the production example, step by step', () => {
  const xr = example('production.yaml');
  const isNetwork = (k: string) => /^(vpc|igw|subnet-|rt-|rta-|route-|nat|eip|role-|kms-key|usage-)/.test(k);

  it('network ready, cluster being created; cluster ready; a node group failing', () => {
    const first = runFunction(requestFor(xr));
    const networkReady = advance({}, first, isNetwork);
    const second = runFunction(requestFor(xr, networkReady));
    expectGolden('production/2-network-ready.yaml', readable(second));

    const clusterReady = advance(networkReady, second, (k) => k === 'cluster' || k.startsWith('usage-'));
    const third = runFunction(requestFor(xr, clusterReady));
    expectGolden('production/3-cluster-ready.yaml', readable(third));

    let observed = clusterReady;
    let rsp = third;
    for (let round = 0; round < 5; round++) {
      observed = advance(observed, rsp, () => true);
      rsp = runFunction(requestFor(xr, observed));
    }
    const failing = { ...observed };
    failing['nodegroup-batch'] = observeNotReady(
      rsp.desired!.resources['nodegroup-batch']!.resource as JsonObject,
      'ReconcileError',
      'create failed: InsufficientInstanceCapacity: no spot capacity for c7i.2xlarge in us-west-2b',
    );
    expectGolden('production/5-node-group-failing.yaml', readable(runFunction(requestFor(xr, failing))));
  });
});
