/**
 * What a change to a live EKSCluster asks of AWS, for `npm start -- B.yaml
 * --from A.yaml`: from the resources A composed (`live`), what the function
 * composes on B's first request (`during`) and once B has settled (`after`).
 * A resource AWS cannot change in place is replaced under a new key (make
 * before break, src/ground/replacement.ts): the new one appears, the old one
 * stays while the new one is not Ready, then goes.
 */
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { canonical } from 'function-eks-cluster/src/ground/canonical.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';

export interface Replacement {
  readonly kind: string;
  /** The new resource's key, and the key of the one it replaces. */
  readonly key: string;
  readonly replaces: string;
  /** What differs, in words: "instanceTypes m7i.large -> m7i.xlarge". */
  readonly changes: readonly string[];
}

export interface PlanChanges {
  readonly replaced: readonly Replacement[];
  readonly created: readonly string[];
  readonly updated: readonly { readonly key: string; readonly changes: readonly string[] }[];
  readonly deleted: readonly string[];
  readonly unchanged: number;
  /** Deletion-order Usages added and removed, counted. */
  readonly usages: { readonly added: number; readonly removed: number };
}

type Resources = Readonly<Record<string, JsonObject>>;

const USAGE = 'protection.crossplane.io/v1beta1';
/** A replacement's key: its base key, '-' and six hex digits (src/ground/replacement.ts). */
const REPLACEMENT_SUFFIX = /-[0-9a-f]{6}$/;
const baseOf = (key: string) => key.replace(REPLACEMENT_SUFFIX, '');
const forProvider = (o: JsonObject | undefined) => (dig(o, 'spec', 'forProvider') ?? {}) as JsonObject;
const isUsage = (o: JsonObject | undefined) => o?.apiVersion === USAGE;

function words(value: Json | undefined): string {
  const text =
    value === undefined
      ? 'unset'
      : Array.isArray(value) && value.every((v) => typeof v !== 'object')
        ? value.join(',')
        : typeof value === 'object' && value !== null
          ? JSON.stringify(value)
          : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Each top-level forProvider field that differs, "field from -> to"; tags are left out (they name the key). */
function fieldChanges(from: JsonObject | undefined, to: JsonObject | undefined): string[] {
  const a = forProvider(from);
  const b = forProvider(to);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((f) => f !== 'tags' && canonical(a[f] ?? null) !== canonical(b[f] ?? null))
    .sort()
    .map((f) => `${f} ${words(a[f])} -> ${words(b[f])}`);
}

export function changesBetween(live: Resources, during: Resources, after: Resources): PlanChanges {
  const fresh = Object.keys(after).filter((k) => !(k in live));
  const gone = Object.keys(live).filter((k) => !(k in after));
  const replaced: Replacement[] = [];
  for (const key of fresh.filter((k) => !isUsage(after[k]))) {
    const old = gone.find((o) => o in during && o !== key && baseOf(o) === baseOf(key) && live[o]!.kind === after[key]!.kind);
    if (old) replaced.push({ kind: String(after[key]!.kind), key, replaces: old, changes: fieldChanges(live[old], after[key]) });
  }
  const replacing = new Set(replaced.flatMap((r) => [r.key, r.replaces]));
  const kept = Object.keys(after).filter((k) => k in live && !isUsage(after[k]));
  const updated = kept.map((key) => ({ key, changes: fieldChanges(live[key], after[key]) })).filter((u) => u.changes.length > 0);
  return {
    replaced,
    created: fresh.filter((k) => !replacing.has(k) && !isUsage(after[k])).sort(),
    updated,
    deleted: gone.filter((k) => !replacing.has(k) && !isUsage(live[k])).sort(),
    unchanged: kept.length - updated.length,
    usages: { added: fresh.filter((k) => isUsage(after[k])).length, removed: gone.filter((k) => isUsage(live[k])).length },
  };
}

/** The changes in the order AWS is asked for them, as `npm start` prints them after the plan. */
export function changesText(changes: PlanChanges, from: string): string {
  const out = [`Changes from ${from}, in the order AWS is asked for them:`];
  const none = changes.replaced.length + changes.created.length + changes.updated.length + changes.deleted.length === 0;
  if (none) out.push('  none: every resource stays as it is');
  for (const r of changes.replaced) {
    const drained = r.kind === 'NodeGroup' ? ' (EKS drains its nodes, honouring PodDisruptionBudgets)' : '';
    out.push(
      `  replace ${r.replaces} by ${r.key}, a new ${r.kind} (AWS cannot change ${r.changes.map((c) => c.split(' ')[0]).join(', ')} in place): ${r.changes.join('; ')}`,
      `    make before break: ${r.key} is created first; ${r.replaces} is deleted${drained} only once ${r.key} is Ready`,
    );
  }
  if (changes.created.length > 0) out.push(`  create: ${changes.created.join(', ')}`);
  for (const u of changes.updated) out.push(`  update in place: ${u.key}: ${u.changes.join('; ')}`);
  if (changes.deleted.length > 0) out.push(`  delete: ${changes.deleted.join(', ')} (each once what uses it is gone)`);
  out.push(`  ${changes.unchanged} resources unchanged; deletion-order Usages: ${changes.usages.added} added, ${changes.usages.removed} removed`);
  return out.join('\n');
}
