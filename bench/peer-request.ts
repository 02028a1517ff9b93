/** A benchmark request as function-patch-and-transform gets it: the same request, with its Composition's input. */
import type { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { peerInput } from './peer-composition.js';

/** The resources this function composes for the request, by composition resource name. */
function composedBodies(request: RunFunctionRequest): Record<string, JsonObject> {
  const rsp = runFunction(request);
  return Object.fromEntries(Object.entries(rsp.desired?.resources ?? {}).map(([key, r]) => [key, r.resource as JsonObject]));
}

export function peerRequest(request: RunFunctionRequest): RunFunctionRequest {
  const xr = request.observed?.composite?.resource as JsonObject;
  return { ...request, input: peerInput(xr, composedBodies(request)) };
}
