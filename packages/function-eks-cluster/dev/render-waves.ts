/** Replays an EKSCluster's life: each answer is made Ready by the simulated AWS and sent back, until nothing new appears. */
import { Severity, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from '../src/api/schema-builder.js';
import { requestFor } from './function-process.js';
import type { Wave } from './plan-text.js';
import { observeReady } from './simulated-aws.js';

const MAX_WAVES = 12;

export type WavesResult = { ok: true; waves: Wave[]; final: RunFunctionResponse } | { ok: false; fatal: string };

export async function renderWaves(xr: JsonObject, run: (req: RunFunctionRequest) => Promise<RunFunctionResponse>): Promise<WavesResult> {
  const waves: Wave[] = [];
  const observed: Record<string, JsonObject> = {};
  let rsp: RunFunctionResponse | undefined;
  for (let round = 0; round < MAX_WAVES; round++) {
    rsp = await run(requestFor(xr, observed, `render-${round}`));
    const fatal = rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL);
    if (fatal) return { ok: false, fatal: fatal.message };
    const fresh = Object.keys(rsp.desired?.resources ?? {}).filter((k) => !(k in observed));
    if (fresh.length === 0) break;
    waves.push({ keys: fresh });
    for (const key of fresh) observed[key] = observeReady(key, rsp.desired!.resources[key]!.resource as JsonObject);
  }
  return { ok: true, waves, final: rsp! };
}
