/**
 * Plays the teardown of an XR's composed resources, pass by pass, as the
 * management cluster does it: every composed object is deleted at once (the
 * garbage collector, once the XR is gone) and, when the namespace goes too (a
 * cluster's folder removed from Git), every object in it, Secrets included.
 * - Crossplane's Usage webhook refuses to delete an object while a Usage of it
 *   exists; a composed Usage stays until the object using it is gone.
 * - A managed resource then goes unless AWS refuses (workshop/simulated-aws.ts).
 * - The Secret a ClusterAuth writes is owned by it (crossplane-runtime's
 *   connection publisher sets the controller reference; the provider never
 *   deletes it): the garbage collector deletes it once ClusterAuth is gone.
 * Refusals are retried next pass, as the controllers retry. Pure.
 */
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { atProviderFor, refusesDelete, type Managed } from './simulated-aws.js';

export interface Teardown {
  /** What went in each pass, as `Kind/name`. */
  passes: string[][];
  /** Deletions AWS refused although no Usage held them back: each is a DependencyViolation a real teardown would hit. */
  refusals: string[];
  /** What could never go (a cycle of Usages, or AWS refusing for good). */
  left: string[];
}

interface Held {
  readonly body: JsonObject;
  /** For a Usage: the object it waits for. */
  readonly usedBy?: string;
  /** For a Usage: the object it protects. */
  readonly protects?: string;
  /** For a connection Secret: the ClusterAuth that owns it. */
  readonly owner?: string;
}

const READY = [{ type: 'Ready', status: 'True' }];
const idOf = (kind: unknown, name: unknown) => `${String(kind)}/${String(name)}`;
const endId = (end: unknown) => idOf(dig(end as JsonObject, 'kind'), dig(end as JsonObject, 'resourceRef', 'name'));

/** Every object the teardown deals with: the composed ones, as existing and Ready, and the Secrets ClusterAuths write. */
function worldOf(composed: readonly { key: string; body: JsonObject }[]): Map<string, Held> {
  const world = new Map<string, Held>();
  for (const { key, body } of composed) {
    const id = idOf(body.kind, dig(body, 'metadata', 'name'));
    if (body.kind === 'Usage') {
      world.set(id, { body, usedBy: endId(dig(body, 'spec', 'by')), protects: endId(dig(body, 'spec', 'of')) });
      continue;
    }
    // As created by the simulated AWS (observeReady's status, without copying the spec: nothing here changes it).
    world.set(id, { body: { ...body, status: { atProvider: atProviderFor(String(body.kind), key, body), conditions: READY } } });
    const secret = dig(body, 'spec', 'writeConnectionSecretToRef', 'name');
    if (typeof secret === 'string') {
      world.set(idOf('Secret', secret), {
        body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: secret, namespace: dig(body, 'metadata', 'namespace') ?? null } },
        owner: id,
      });
    }
  }
  return world;
}

export function simulateTeardown(composed: readonly { key: string; body: JsonObject }[], options: { namespaceDeleted: boolean }): Teardown {
  const world = worldOf(composed);
  const passes: string[][] = [];
  const refusals: string[] = [];
  for (;;) {
    const present = new Set(world.keys());
    const protectedIds = new Set([...world.values()].flatMap((o) => (o.protects ? [o.protects] : [])));
    const managed = new Map<string, Managed>(
      [...world.values()].filter((o) => !o.usedBy && !o.owner).map((o) => [String(dig(o.body, 'metadata', 'name')), o.body]),
    );
    const gone: string[] = [];
    for (const [id, o] of world) {
      if (o.usedBy !== undefined) {
        if (!present.has(o.usedBy)) gone.push(id);
        continue;
      }
      const deletionRequested = o.owner === undefined || options.namespaceDeleted || !present.has(o.owner);
      if (!deletionRequested || protectedIds.has(id)) continue;
      const refusal = o.owner === undefined ? refusesDelete(o.body, managed) : undefined;
      if (refusal) refusals.push(`${id}: ${refusal}`);
      else gone.push(id);
    }
    if (gone.length === 0) break;
    for (const id of gone) world.delete(id);
    passes.push(gone.sort());
  }
  return { passes, refusals, left: [...world.keys()].sort() };
}

/** The pass in which `id` went; -1 when it never did. */
export function passOf(teardown: Teardown, id: string): number {
  return teardown.passes.findIndex((pass) => pass.includes(id));
}
