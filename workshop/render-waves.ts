/**
 * Replays an EKSCluster's life over RunFunction or the real crossplane CLI with
 * the workshop's one reconcile loop (reconcile.ts): the composer is either our
 * own gRPC client (`npm start`) or `crossplane composition render` (configuration/test).
 */
import { Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { requestFor } from './function-process.js';
import type { Wave } from './plan-text.js';
import { reconcileAsync, type Composed } from './reconcile.js';

const MAX_WAVES = 12;

export type Settled<A> = { ok: true; waves: Wave[]; final: A; observed: Record<string, JsonObject> } | { ok: false; fatal: string };

/**
 * Runs `compose` on the observed state until no new resource appears. `read`
 * says what an answer composed. Every new resource is observed Ready at once;
 * callers that want a failure inject it into the returned observed state.
 */
export async function settle<A>(
  compose: (observed: Record<string, JsonObject>, round: number) => Promise<A>,
  read: (answer: A) => Composed,
  start: Record<string, JsonObject> = {},
): Promise<Settled<A>> {
  const { last, fatal, waves, observed } = await reconcileAsync(({ observed, round }) => compose(observed, round), read, start, MAX_WAVES);
  if (fatal !== undefined) return { ok: false, fatal };
  return { ok: true, waves: waves.map((keys) => ({ keys })), final: last, observed };
}

/** What a RunFunctionResponse composed. */
export function composedBy(rsp: RunFunctionResponse): Composed {
  const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
  const desired = Object.fromEntries(Object.entries(rsp.desired?.resources ?? {}).map(([k, r]) => [k, r!.resource as JsonObject]));
  return fatal ? { fatal: fatal.message, desired } : { desired };
}

/** The XR status a RunFunctionResponse asks for. */
export function desiredStatus(rsp: RunFunctionResponse): JsonObject | undefined {
  return (rsp.desired?.composite?.resource as JsonObject | undefined)?.status as JsonObject | undefined;
}

/**
 * The loop over RunFunction: `run` is the function in-process or a gRPC client.
 * `live`: what already exists (a change to a live XR), observed from the start.
 */
export function renderWaves(
  xr: JsonObject,
  run: (req: RunFunctionRequest) => Promise<RunFunctionResponse>,
  live: Record<string, JsonObject> = {},
): Promise<Settled<RunFunctionResponse>> {
  return settle((observed, round) => run(requestFor(xr, observed, `render-${round}`)), composedBy, live);
}
