/**
 * Which wanted resources are composed now, and which are ready.
 *
 * A resource waits for its gates (e.g. node groups for the CNI add-on) only
 * until it exists: once observed it is always composed again, so a gate that
 * later flaps can never delete it.
 */
import type { DesiredResource, StatusGroup } from '../ground/context.js';
import type { ObservedState } from '../ground/observed.js';

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
  return { emitted, held };
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
