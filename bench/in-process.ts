/**
 * Time to compute the desired state in the process, without gRPC or protobuf:
 * the handler exactly as the server calls it, on an already decoded request.
 */
import type { RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { summarize, type Summary } from './stats.js';

export interface Bounds {
  readonly warmup: number;
  readonly maxIterations: number;
  /** Stop sampling after this long even if maxIterations is not reached. */
  readonly maxMs: number;
}

const DEFAULT_BOUNDS: Bounds = { warmup: 300, maxIterations: 5000, maxMs: 1500 };

export interface InProcessTiming extends Summary {
  /** Composed resources in the response. */
  readonly resources: number;
}

/** The same request every time, or the next of a set of requests (bench/varying.ts). */
export function timeHandler(
  requests: RunFunctionRequest | (() => RunFunctionRequest),
  bounds: Bounds = DEFAULT_BOUNDS,
  handler: (req: RunFunctionRequest) => RunFunctionResponse = runFunction,
): InProcessTiming {
  const next = typeof requests === 'function' ? requests : () => requests;
  const first = handler(next());
  for (let i = 0; i < bounds.warmup; i++) handler(next());
  const samples: number[] = [];
  const deadline = performance.now() + bounds.maxMs;
  while (samples.length < bounds.maxIterations && performance.now() < deadline) {
    const request = next();
    const started = process.hrtime.bigint();
    handler(request);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { ...summarize(samples), resources: Object.keys(first.desired?.resources ?? {}).length };
}
