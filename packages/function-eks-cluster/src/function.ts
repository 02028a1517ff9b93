/**
 * The adapter between Crossplane's RunFunction protocol and the pure core:
 * unpack the request, call compose(), pack the response. Never throws.
 */
import {
  Ready,
  Severity,
  Status,
  Target,
  type Resource,
  type Result,
  type RunFunctionRequest,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';
import { API_GROUP, API_VERSION, KIND } from './api/eks-cluster.js';
import type { JsonObject } from './api/schema-builder.js';
import { formatFieldError, type FieldError } from './api/validate.js';
import { TTL_PENDING_SECONDS, type Composition } from './compose/compose.js';
import { createComposer, type Composer } from './compose/memo.js';

function observedResources(req: RunFunctionRequest): Record<string, JsonObject> {
  const observed: Record<string, JsonObject> = {};
  const resources = req.observed?.resources ?? {};
  for (const key of Object.keys(resources)) {
    const value = resources[key];
    if (value?.resource) observed[key] = value.resource as JsonObject;
  }
  return observed;
}

function baseResponse(req: RunFunctionRequest, ttlSeconds: number): RunFunctionResponse {
  return {
    meta: { tag: req.meta?.tag ?? '', ttl: { seconds: ttlSeconds, nanos: 0 } },
    desired: req.desired ?? { composite: undefined, resources: {} },
    results: [],
    context: req.context,
    requirements: undefined,
    conditions: [],
    output: undefined,
  };
}

/** One line a person can act on: every problem, each naming field, value and fix. */
function fatalMessage(errors: readonly FieldError[]): string {
  const lines = errors.map(formatFieldError);
  return `invalid EKSCluster (${errors.length} problem${errors.length === 1 ? '' : 's'}): ${lines.join('; ')}`;
}

function fatalResponse(req: RunFunctionRequest, message: string, reason: string): RunFunctionResponse {
  // The desired state is returned untouched: a fatal result must never shrink
  // what exists, and Crossplane applies nothing from a fatal response.
  const rsp = baseResponse(req, TTL_PENDING_SECONDS);
  rsp.results = [{ severity: Severity.SEVERITY_FATAL, message, reason, target: Target.TARGET_COMPOSITE }];
  return rsp;
}

function successResponse(req: RunFunctionRequest, composition: Composition): RunFunctionResponse {
  const rsp = baseResponse(req, composition.ttlSeconds);
  const resources: Record<string, Resource> = { ...(req.desired?.resources ?? {}) };
  for (const r of composition.resources) {
    resources[r.key] = {
      resource: r.body,
      connectionDetails: {},
      ready: r.ready ? Ready.READY_TRUE : Ready.READY_FALSE,
    };
  }
  const composite: Resource = {
    resource: { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: KIND, status: composition.status },
    connectionDetails: req.desired?.composite?.connectionDetails ?? {},
    ready: Ready.READY_UNSPECIFIED,
  };
  rsp.desired = { composite, resources };
  const results: Result[] = composition.warnings.map((message) => ({
    severity: Severity.SEVERITY_WARNING,
    message,
    reason: 'AdjustedForSafety',
    target: Target.TARGET_COMPOSITE,
  }));
  for (const notice of composition.notices) {
    results.push({ severity: Severity.SEVERITY_WARNING, message: notice.message, reason: notice.reason, target: Target.TARGET_COMPOSITE });
  }
  results.push({
    severity: Severity.SEVERITY_NORMAL,
    message: composition.status.summary ?? '',
    reason: composition.allReady ? 'Available' : 'Creating',
    target: Target.TARGET_COMPOSITE,
  });
  rsp.results = results;
  rsp.conditions = composition.conditions.map((c) => ({
    type: c.type,
    status: c.status === 'True' ? Status.STATUS_CONDITION_TRUE : Status.STATUS_CONDITION_FALSE,
    reason: c.reason,
    message: c.message,
    target: Target.TARGET_COMPOSITE,
  }));
  return rsp;
}

/** One per process: the plans of the XRs this instance serves (compose/memo.ts). */
const SHARED_COMPOSER = createComposer();

/** How the plan memo of runFunction's default Composer is doing, for the metrics (server/metrics.ts). */
export interface PlanMemoStats {
  readonly hits: number;
  readonly misses: number;
  /** XRs with a kept plan or a first sighting. */
  readonly size: number;
}

export function planMemoStats(): PlanMemoStats {
  return { hits: SHARED_COMPOSER.stats.hits, misses: SHARED_COMPOSER.stats.misses, size: SHARED_COMPOSER.size };
}

export function runFunction(req: RunFunctionRequest, composer: Composer = SHARED_COMPOSER): RunFunctionResponse {
  try {
    const result = composer.compose({ composite: req.observed?.composite?.resource, observed: observedResources(req) });
    if (!result.ok) return fatalResponse(req, fatalMessage(result.errors), 'InvalidSpec');
    return successResponse(req, result);
  } catch (error) {
    // A bug, not a user error: still answer, and say where to report it.
    const detail = error instanceof Error ? error.message : String(error);
    return fatalResponse(req, `internal error in function-eks-cluster: ${detail}; please report it with the EKSCluster spec`, 'InternalError');
  }
}
