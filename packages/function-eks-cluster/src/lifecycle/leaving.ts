/**
 * Deletion order when a change takes resources away (a feature switched off,
 * a zone removed), kept by the function itself rather than left to Usages
 * alone.
 *
 * A Usage protects only once Crossplane has labelled what it protects, and it
 * is deleted with the feature it orders: when both ends of an edge leave in one
 * change, the needed resource (a role) can be deleted while its user (the
 * role's inline policy) is still being deleted, and AWS refuses. So a resource
 * no longer wanted is composed again, as observed, while an observed Usage
 * names it as needed by a resource that still exists and is leaving too;
 * Crossplane deletes it once its users are gone, a round later, whatever the
 * state of their Usages. A user that stays wanted holds nothing here: its
 * reference moved elsewhere, and Crossplane's own Usage handles it.
 */
import { isObject, type JsonObject } from '../api/schema-builder.js';
import type { DesiredResource } from '../ground/context.js';
import { edgeOfUsageKey } from '../ground/deletion-order.js';
import { digString, type ObservedState } from '../ground/observed.js';

/**
 * The observed object as a desired one: its identity, the labels and
 * external name the function set, and its spec (or a plain object's data) as
 * it stands, so that applying it changes nothing (server/request-codec.ts
 * keeps all of these).
 */
function asObserved(key: string, body: JsonObject, namespace: string, users: readonly string[]): DesiredResource {
  const observedMetadata = isObject(body.metadata) ? body.metadata : {};
  const metadata: JsonObject = { name: String(observedMetadata.name), namespace: digString(body, 'metadata', 'namespace') ?? namespace };
  if (isObject(observedMetadata.labels)) metadata.labels = observedMetadata.labels;
  const externalName = digString(body, 'metadata', 'annotations', 'crossplane.io/external-name');
  if (externalName !== undefined) metadata.annotations = { 'crossplane.io/external-name': externalName };
  const kept: JsonObject = { apiVersion: String(body.apiVersion), kind: String(body.kind), metadata };
  for (const field of ['spec', 'data'] as const) if (body[field] !== undefined) kept[field] = body[field];
  return {
    key,
    body: kept,
    group: 'deletionOrder',
    leaving: `no longer wanted; deleted once ${users.join(', ')} ${users.length === 1 ? 'is' : 'are'} gone (deletion order)`,
  };
}

/**
 * The resources to compose again although no longer wanted: each observed
 * resource outside `wantedKeys` that an observed Usage names as needed by
 * another observed resource also outside it.
 */
export function leavingResources(observed: ObservedState, wantedKeys: ReadonlySet<string>): DesiredResource[] {
  const usersByKey = new Map<string, string[]>();
  for (const key of Object.keys(observed.resources)) {
    const edge = edgeOfUsageKey(key, observed);
    if (edge === undefined || wantedKeys.has(edge.of) || wantedKeys.has(edge.by)) continue;
    usersByKey.set(edge.of, [...(usersByKey.get(edge.of) ?? []), edge.by]);
  }
  const namespace = digString(observed.composite, 'metadata', 'namespace') ?? '';
  return [...usersByKey.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, users]) => asObserved(key, observed.get(key)!, namespace, [...new Set(users)].sort()));
}
