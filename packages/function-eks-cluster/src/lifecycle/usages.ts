/**
 * Deletion order through Crossplane Usages: a resource cannot be deleted while
 * another resource that needs it still exists. Every reference (*Ref, *Refs)
 * is such a need; a few needs AWS enforces without a reference are added.
 * Without these, tearing down an EKSCluster races into DependencyViolation
 * errors (a VPC with subnets, an IGW with mapped addresses, a cluster with
 * node groups) and leaves resources behind.
 */
import type { Json, JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { dig, type ObservedState } from '../ground/observed.js';
import { resourceName } from '../ground/managed.js';
import { USAGE_API_VERSION, usageKey, type Edge, type UncomposedObject } from '../ground/deletion-order.js';

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
 * Whether a resource's references need no protection. A Route goes with its
 * route table, and a route to a deleted gateway is only a blackhole. A
 * resource kept by what it refers to (keptBy: the kubeconfig's ClusterAuth,
 * the Flux ConfigMap and access entries, all kept by the Cluster) needs
 * nothing kept itself, and a Usage both ways would keep both forever.
 */
function needsNothingKept(resource: DesiredResource): boolean {
  return resource.body.kind === 'Route' || (resource.keptBy?.length ?? 0) > 0;
}

/** Every reference between the given resources, as edges between their keys. */
function referenceEdges(ctx: ComposeContext, resources: readonly DesiredResource[]): Edge[] {
  const keyByName = new Map(resources.map((r) => [resourceName(ctx, r.key), r.key]));
  const edges: Edge[] = [];
  for (const resource of resources) {
    if (needsNothingKept(resource)) continue;
    const names = new Set<string>();
    referencedNames(dig(resource.body, 'spec', 'forProvider'), names);
    for (const name of [...names].sort()) {
      const of = keyByName.get(name);
      if (of !== undefined && of !== resource.key) edges.push({ of, by: resource.key });
    }
  }
  return edges;
}

/** One end of a Usage: what it names, and the key whose composing composes it. */
interface End {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly composedWith: string;
}

function endsOf(ctx: ComposeContext, wanted: readonly DesiredResource[], uncomposed: readonly UncomposedObject[]): Map<string, End> {
  const ends = new Map<string, End>();
  // The body's own name: a plain Kubernetes object (the Flux ConfigMap) is named for its readers, not by its key.
  for (const r of wanted)
    ends.set(r.key, {
      apiVersion: String(r.body.apiVersion),
      kind: String(r.body.kind),
      name: String(dig(r.body, 'metadata', 'name') ?? resourceName(ctx, r.key)),
      composedWith: r.key,
    });
  for (const o of uncomposed) ends.set(o.key, { apiVersion: o.apiVersion, kind: o.kind, name: o.name, composedWith: o.writtenBy });
  return ends;
}

function usageEnd(end: End): JsonObject {
  return { apiVersion: end.apiVersion, kind: end.kind, resourceRef: { name: end.name } };
}

/** The needs AWS enforces without a reference, as each resource declares them (DesiredResource.needs, .keptBy). */
function declaredEdges(wanted: readonly DesiredResource[], uncomposed: readonly UncomposedObject[] = []): Edge[] {
  return [
    ...wanted.flatMap((r) => [...(r.needs ?? []).map((of) => ({ of, by: r.key })), ...(r.keptBy ?? []).map((by) => ({ of: r.key, by }))]),
    ...uncomposed.flatMap((o) => (o.keptBy ?? []).map((by) => ({ of: o.key, by }))),
  ];
}

/** Every deletion-order edge: the references found in the bodies, then what the builders declare. */
function deletionEdges(ctx: ComposeContext, wanted: readonly DesiredResource[], uncomposed: readonly UncomposedObject[] = []): Edge[] {
  return [...referenceEdges(ctx, wanted), ...declaredEdges(wanted, uncomposed)];
}

/**
 * A Usage the plan may compose, one per edge whose two ends it knows: its
 * body, the same on every request, and the keys whose composing composes
 * each end (an uncomposed object's: the resource that writes it).
 */
export interface PlannedUsage {
  readonly usage: DesiredResource;
  readonly ofComposedWith: string;
  readonly byComposedWith: string;
}

/** The Usages of every deletion-order edge, built once per plan (compose/memo.ts keeps them with it). */
export function planUsages(ctx: ComposeContext, wanted: readonly DesiredResource[], uncomposed: readonly UncomposedObject[] = []): PlannedUsage[] {
  const ends = endsOf(ctx, wanted, uncomposed);
  const planned = new Map<string, PlannedUsage>();
  for (const edge of deletionEdges(ctx, wanted, uncomposed)) {
    const of = ends.get(edge.of);
    const by = ends.get(edge.by);
    const key = usageKey(edge);
    if (!of || !by || planned.has(key)) continue;
    planned.set(key, {
      usage: {
        key,
        group: 'deletionOrder',
        body: {
          apiVersion: USAGE_API_VERSION,
          kind: 'Usage',
          metadata: { name: resourceName(ctx, key), namespace: ctx.namespace },
          spec: { of: usageEnd(of), by: usageEnd(by), replayDeletion: true },
        },
      },
      ofComposedWith: of.composedWith,
      byComposedWith: by.composedWith,
    });
  }
  return [...planned.values()];
}

/**
 * The Usages to compose now: one per planned Usage whose two ends are both
 * composed now; a Usage that exists already stays as long as both ends are
 * still wanted.
 */
export function usageResources(observed: ObservedState, planned: readonly PlannedUsage[], emittedKeys: ReadonlySet<string>): DesiredResource[] {
  return planned.filter((p) => (emittedKeys.has(p.ofComposedWith) && emittedKeys.has(p.byComposedWith)) || observed.has(p.usage.key)).map((p) => p.usage);
}
