/**
 * Which wanted resources are composed now, and which are ready.
 *
 * A resource waits for its gates (e.g. node groups for the CNI add-on) only
 * until it exists: once observed it is always composed again, so a gate that
 * later flaps can never delete it.
 */
import type { DesiredResource, StatusGroup } from '../ground/context.js';
import type { Json } from '../api/schema-builder.js';
import { dig, type ObservedState } from '../ground/observed.js';

export interface Gated {
  readonly emitted: DesiredResource[];
  /** Not composed yet, with the keys each still waits for. */
  readonly held: { key: string; group: StatusGroup; waitsFor: string[] }[];
}

export function applyGates(wanted: readonly DesiredResource[], observed: ObservedState): Gated {
  const emitted: DesiredResource[] = [];
  const held: Gated['held'] = [];
  for (const resource of wanted) {
    // What exists is composed whatever its gates say; in a running cluster that is everything, checked first.
    if (observed.has(resource.key)) {
      emitted.push(resource);
      continue;
    }
    const missing = (resource.waitsFor ?? []).filter((k) => !observed.isReady(k));
    const anyOf = resource.waitsForAny ?? [];
    const anySatisfied = anyOf.length === 0 || anyOf.some((k) => observed.isReady(k));
    if (missing.length === 0 && anySatisfied) {
      emitted.push(resource);
    } else {
      held.push({ key: resource.key, group: resource.group, waitsFor: anySatisfied ? missing : [...missing, `one of ${anyOf.join(', ')}`] });
    }
  }
  return holdReferrers(emitted, held, wanted, observed);
}

const nameOf = (resource: DesiredResource) => String(dig(resource.body, 'metadata', 'name'));

/** The names every `*Ref` and `*Refs` under `value` points at. */
function referenceNames(value: Json | undefined): string[] {
  if (Array.isArray(value)) return value.flatMap(referenceNames);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([field, v]) => {
    if (/Ref$/.test(field)) return typeof dig(v, 'name') === 'string' ? [String(dig(v, 'name'))] : [];
    if (/Refs$/.test(field) && Array.isArray(v)) return v.map((r) => dig(r, 'name')).filter((n): n is string => typeof n === 'string');
    return referenceNames(v);
  });
}

/**
 * A new resource that refers to a held one is held too: its reference could
 * never resolve, and every reference names a resource composed with it (the
 * subnets of an IPv6 network wait for the VPC's /56, network/resources.ts, and
 * their route table associations wait with them). What exists is never held.
 */
function holdReferrers(emitted: readonly DesiredResource[], held: Gated['held'], wanted: readonly DesiredResource[], observed: ObservedState): Gated {
  if (held.length === 0) return { emitted: [...emitted], held };
  const heldKeys = new Set(held.map((h) => h.key));
  const heldNames = new Set(wanted.filter((r) => heldKeys.has(r.key)).map(nameOf));
  const byName = new Map(wanted.map((r) => [nameOf(r), r.key]));
  let pending = [...emitted];
  for (let moved = true; moved;) {
    moved = false;
    const next: DesiredResource[] = [];
    for (const resource of pending) {
      const waiting = observed.has(resource.key) ? [] : referenceNames(dig(resource.body, 'spec', 'forProvider')).filter((n) => heldNames.has(n));
      if (waiting.length === 0) {
        next.push(resource);
        continue;
      }
      held.push({ key: resource.key, group: resource.group, waitsFor: waiting.map((n) => byName.get(n) ?? n) });
      heldNames.add(nameOf(resource));
      moved = true;
    }
    pending = next;
  }
  return { emitted: pending, held };
}

/**
 * A ConfigMap has no external state: it is ready once it exists. Everything
 * else reports Ready itself, a Usage included: Crossplane marks it Available
 * only once the protected object carries the in-use label its deletion webhook
 * selects on. Until then nothing holds the deletion order, and a commit that
 * switches a feature off at once would delete a role before its policies.
 */
export function isResourceReady(resource: DesiredResource, observed: ObservedState): boolean {
  if (resource.body.apiVersion === 'v1' && resource.body.kind === 'ConfigMap') return observed.has(resource.key);
  return observed.isReady(resource.key);
}

/** Why a composed resource is not ready, in a few words. */
export function notReadyReason(key: string, observed: ObservedState): string {
  if (!observed.has(key)) return 'being created';
  const failure = failedOperation(key, observed);
  if (failure !== undefined) return `AWS operation failed: ${failure}`;
  const ready = observed.condition(key, 'Ready');
  const synced = observed.condition(key, 'Synced');
  if (synced?.status === 'False') return `not synced: ${synced.message ?? synced.reason ?? 'unknown error'}`;
  if (ready?.status === 'False') return `${ready.reason ?? 'not ready'}${ready.message ? `: ${ready.message}` : ''}`;
  return 'waiting for the provider';
}

/**
 * AWS's answer to the provider's last create, update or delete, when it was a
 * failure: upjet providers report it as LastAsyncOperation=False (for example a
 * node group whose instances never join). Unlike waiting for a reference or
 * for AWS to finish, this needs a person or a retry that succeeds.
 */
export function failedOperation(key: string, observed: ObservedState): string | undefined {
  const last = observed.condition(key, 'LastAsyncOperation');
  return last?.status === 'False' ? (last.message ?? last.reason ?? 'the last AWS operation failed') : undefined;
}
