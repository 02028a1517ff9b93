/** The floor's handler: the SDK's own "no change" response, desired state, context and tag as they came. */
import { to, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';

export function noopHandler(req: RunFunctionRequest): RunFunctionResponse {
  return to(req);
}
