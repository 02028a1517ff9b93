/**
 * The XRs and requests the benchmark sends: the production-like example,
 * and a grid of its variants by number of zones and node groups, each with
 * nothing observed yet or with every composed resource observed Ready.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { reconcileToReady, REPO_ROOT, requestFor } from 'workshop';

const PRODUCTION_EXAMPLE = join(REPO_ROOT, 'configuration', 'package', 'examples', 'production.yaml');
export const ZONE_COUNTS = [2, 3, 6] as const;
export const NODE_GROUP_COUNTS = [1, 5, 20] as const;
export type ObservedKind = 'empty' | 'full';

export interface Scenario {
  readonly name: string;
  readonly zones: number;
  readonly nodeGroups: number;
  readonly observed: ObservedKind;
  /** Composed resources observed in the request. */
  readonly observedResources: number;
  readonly request: RunFunctionRequest;
}

function productionXR(): JsonObject {
  return parse(readFileSync(PRODUCTION_EXAMPLE, 'utf8')) as JsonObject;
}

/** The production XR with `zones` zones (a, b, ...) and `nodeGroups` groups cycling through its own. */
function shapedXR(base: JsonObject, zones: number, nodeGroups: number): JsonObject {
  const xr = structuredClone(base);
  const spec = xr.spec as JsonObject;
  const network = spec.network as JsonObject;
  network.availabilityZones = 'abcdef'.slice(0, zones).split('');
  const templates = spec.nodeGroups as JsonObject[];
  spec.nodeGroups = Array.from({ length: nodeGroups }, (_, i) => ({ ...templates[i % templates.length]!, name: `group-${i + 1}` }));
  return xr;
}

/** Every resource the function composes for the XR, observed Ready, as after a completed rollout. */
function fullyObserved(xr: JsonObject): Record<string, JsonObject> {
  const { result, observed } = reconcileToReady(xr);
  if (!result.ok) throw new Error(`benchmark xr is invalid: ${JSON.stringify(result.errors)}`);
  return observed;
}

function scenario(name: string, xr: JsonObject, zones: number, nodeGroups: number, observed: ObservedKind): Scenario {
  const resources = observed === 'full' ? fullyObserved(xr) : {};
  return {
    name,
    zones,
    nodeGroups,
    observed,
    observedResources: Object.keys(resources).length,
    request: requestFor(xr, resources, 'bench'),
  };
}

/** The production example as it is, with everything it composes observed Ready: what the gRPC phases send. */
export function productionScenario(observed: ObservedKind = 'full'): Scenario {
  const xr = productionXR();
  const spec = xr.spec as { network: { availabilityZones: string[] }; nodeGroups: unknown[] };
  return scenario('production.yaml', xr, spec.network.availabilityZones.length, spec.nodeGroups.length, observed);
}

export function scenarioGrid(): Scenario[] {
  const base = productionXR();
  return ZONE_COUNTS.flatMap((zones) =>
    NODE_GROUP_COUNTS.flatMap((groups) =>
      (['empty', 'full'] as const).map((observed) => scenario(`${zones} AZs, ${groups} node groups`, shapedXR(base, zones, groups), zones, groups, observed)),
    ),
  );
}

/** The request as bytes on the wire: sent as it is by the load driver. */
export function encodeRequest(request: RunFunctionRequest): Buffer {
  return Buffer.from(RunFunctionRequest.encode(request).finish());
}
