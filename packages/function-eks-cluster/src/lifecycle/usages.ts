/**
 * Deletion order through Crossplane Usages: a resource cannot be deleted while
 * another resource that needs it still exists. Every reference (*Ref, *Refs)
 * is such a need; a few needs AWS enforces without a reference are added.
 * Without these, tearing down an EKSCluster races into DependencyViolation
 * errors (a VPC with subnets, an IGW with mapped addresses, a cluster with
 * node groups) and leaves resources behind.
 */
import type { Json, JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../compose/context.js';
import { dig } from '../compose/observed.js';
import { resourceName } from '../compose/managed.js';

export const USAGE_API_VERSION = 'protection.crossplane.io/v1beta1';

export interface Edge {
  /** The resource that is needed, and must be deleted last. */
  readonly of: string;
  /** The resource that needs it. */
  readonly by: string;
}

function referencedNames(value: Json | undefined, out: Set<string>): void {
  if (Array.isArray(value)) {
    value.forEach((v) => referencedNames(v, out));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [field, child] of Object.entries(value)) {
    if (field.endsWith('Ref') && typeof child === 'object' && child !== null && !Array.isArray(child)) {
      const name = child.name;
      if (typeof name === 'string') out.add(name);
    } else if (field.endsWith('Refs') && Array.isArray(child)) {
      for (const item of child) {
        const name = dig(item, 'name');
        if (typeof name === 'string') out.add(name);
      }
    } else {
      referencedNames(child, out);
    }
  }
}

/**
 * Kinds whose references need no protection: a Route goes with its route
 * table, and a route to a deleted gateway is only a blackhole.
 */
const NEEDS_NOTHING_KEPT = new Set(['Route']);

/** Every reference between the given resources, as edges between their keys. */
export function referenceEdges(ctx: ComposeContext, resources: readonly DesiredResource[]): Edge[] {
  const keyByName = new Map(resources.map((r) => [resourceName(ctx, r.key), r.key]));
  const edges: Edge[] = [];
  for (const resource of resources) {
    if (NEEDS_NOTHING_KEPT.has(String(resource.body.kind))) continue;
    const names = new Set<string>();
    referencedNames(dig(resource.body, 'spec', 'forProvider'), names);
    for (const name of [...names].sort()) {
      const of = keyByName.get(name);
      if (of !== undefined && of !== resource.key) edges.push({ of, by: resource.key });
    }
  }
  return edges;
}

function kindOf(body: JsonObject): { apiVersion: string; kind: string } {
  return { apiVersion: String(body.apiVersion), kind: String(body.kind) };
}

export function usageKey(edge: Edge): string {
  return `usage-${edge.by}-uses-${edge.of}`;
}

/**
 * One Usage per edge whose two ends are both composed now; a Usage that
 * exists already stays as long as both ends are still wanted.
 */
export function usageResources(
  ctx: ComposeContext,
  wanted: readonly DesiredResource[],
  emittedKeys: ReadonlySet<string>,
  extraEdges: readonly Edge[],
): DesiredResource[] {
  const byKey = new Map(wanted.map((r) => [r.key, r]));
  const seen = new Set<string>();
  const usages: DesiredResource[] = [];
  for (const edge of [...referenceEdges(ctx, wanted), ...extraEdges]) {
    const of = byKey.get(edge.of);
    const by = byKey.get(edge.by);
    const key = usageKey(edge);
    if (!of || !by || seen.has(key)) continue;
    const bothComposed = emittedKeys.has(edge.of) && emittedKeys.has(edge.by);
    if (!bothComposed && !ctx.observed.has(key)) continue;
    seen.add(key);
    usages.push({
      key,
      body: {
        apiVersion: USAGE_API_VERSION,
        kind: 'Usage',
        metadata: { name: resourceName(ctx, key), namespace: ctx.namespace },
        spec: {
          of: { ...kindOf(of.body), resourceRef: { name: resourceName(ctx, edge.of) } },
          by: { ...kindOf(by.body), resourceRef: { name: resourceName(ctx, edge.by) } },
          replayDeletion: true,
        },
      },
    });
  }
  return usages;
}
