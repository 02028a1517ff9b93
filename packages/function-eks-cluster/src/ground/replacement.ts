/**
 * Make before break for fields AWS fixes at creation. The provider refuses to
 * change such a field in place (upjet never replaces a resource; the managed
 * resource would stay Synced=False for ever), so a change of one is composed
 * as a new resource under a new key, and the old one is composed as it is,
 * with its own fixed values, until the new one is Ready; then it is left out
 * and Crossplane deletes it.
 *
 * Keys are stable: a resource keeps the key it exists under for as long as its
 * fixed values are the ones asked for (an XR of an earlier release keeps its
 * base key), a new XR starts at the base key, and a replacement's key is the
 * base key and a hash of its fixed values, so every request names it the same.
 */
import { createHash } from 'node:crypto';
import type { JsonObject } from '../api/schema-builder.js';
import { canonical } from './canonical.js';
import type { ObservedState } from './observed.js';

export interface Placement {
  /** The key the wanted resource is composed under. */
  readonly key: string;
  /** What names in AWS must add to stay apart from a resource being replaced: '' at the base key, else '-' and the hash. */
  readonly suffix: string;
  /** Existing resources of the base whose fixed values differ: composed with their own until `key` is Ready. */
  readonly retiring: readonly string[];
}

const REPLACEMENT = /^-[0-9a-f]{6}$/;

/**
 * Where the resource of `base` with `fixed` values lives.
 * @param fixedOf the fixed values an existing resource has in AWS
 * @param belongs whether an observed key of the right shape is one of this base's (a user-named base can look like another's replacement)
 */
export function placeReplaceable(
  observed: ObservedState,
  base: string,
  fixed: JsonObject,
  fixedOf: (key: string) => JsonObject,
  belongs: (key: string) => boolean = () => true,
): Placement {
  const existing = Object.keys(observed.resources)
    .filter((k) => (k === base || (k.startsWith(base) && REPLACEMENT.test(k.slice(base.length)))) && belongs(k))
    .sort();
  const wanted = canonical(fixed);
  const match = existing.find((k) => canonical(fixedOf(k)) === wanted);
  const suffix = `-${createHash('sha256').update(wanted).digest('hex').slice(0, 6)}`;
  const key = match ?? (existing.length === 0 ? base : `${base}${suffix}`);
  const retiring = observed.isReady(key) ? [] : existing.filter((k) => k !== key);
  return { key, suffix: key === base ? '' : key.slice(base.length), retiring };
}

/** The warning while a replacement is under way: what is replaced, why, and when the old one goes. */
export function replacementWarning(placement: Placement, what: string): string[] {
  return placement.retiring.map(
    (old) => `${old} is replaced by ${placement.key}: AWS cannot change ${what} of an existing one; ${old} is deleted once ${placement.key} is Ready`,
  );
}
