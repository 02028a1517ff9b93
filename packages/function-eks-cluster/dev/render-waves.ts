/**
 * Replays an EKSCluster's life, the one reconcile loop of the workshop: compose,
 * let the simulated AWS make every new resource Ready, send the observed state
 * back, until nothing new appears. The composer is either our own gRPC client
 * (`npm start`) or the real `crossplane composition render` (configuration/test).
 */
import { Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from '../src/api/schema-builder.js';
import { requestFor } from './function-process.js';
import type { Wave } from './plan-text.js';
import { observeReady } from './simulated-aws.js';

const MAX_WAVES = 12;

/** What one composition pass returned: the desired composed resources by name, or the fatal message. */
export interface Composed {
  fatal?: string;
  desired: Record<string, JsonObject>;
}

export type Settled<A> =
  | { ok: true; waves: Wave[]; final: A; observed: Record<string, JsonObject> }
  | { ok: false; fatal: string };

/**
 * Runs `compose` on the observed state until no new resource appears. `read`
 * says what an answer composed. Every new resource is observed Ready at once;
 * callers that want a failure inject it into the returned observed state.
 */
export async function settle<A>(
  compose: (observed: Record<string, JsonObject>, round: number) => Promise<A>,
  read: (answer: A) => Composed,
): Promise<Settled<A>> {
  const waves: Wave[] = [];
  const observed: Record<string, JsonObject> = {};
  let answer: A | undefined;
  for (let round = 0; round < MAX_WAVES; round++) {
    answer = await compose({ ...observed }, round);
    const { fatal, desired } = read(answer);
    if (fatal !== undefined) return { ok: false, fatal };
    const fresh = Object.keys(desired).filter((k) => !(k in observed));
    if (fresh.length === 0) break;
    waves.push({ keys: fresh });
    for (const key of fresh) observed[key] = observeReady(key, desired[key]!);
  }
  return { ok: true, waves, final: answer!, observed };
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

/** The loop over RunFunction: `run` is the function in-process or a gRPC client. */
export function renderWaves(xr: JsonObject, run: (req: RunFunctionRequest) => Promise<RunFunctionResponse>): Promise<Settled<RunFunctionResponse>> {
  return settle((observed, round) => run(requestFor(xr, observed, `render-${round}`)), composedBy);
}
