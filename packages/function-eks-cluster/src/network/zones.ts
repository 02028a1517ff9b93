/**
 * Availability zones as users write them: a suffix (a), a full name
 * (us-west-2a) or a zone ID (usw2-az1). Zone IDs name the same physical zone
 * in every account; names are shuffled per account, so the two cannot be mixed.
 */
import type { FieldError } from '../api/validate.js';

export interface Zone {
  /** Stable key used in resource names: the suffix letter or the zone ID. */
  readonly key: string;
  /** What the user wrote. */
  readonly input: string;
  /** Set for name-style zones: us-west-2a. */
  readonly name?: string;
  /** Set for ID-style zones: usw2-az1. */
  readonly id?: string;
}

const SUFFIX = /^[a-z]$/;
const ZONE_ID = /^[a-z]{2,4}[0-9]-az[0-9]{1,2}$/;

function resolveOne(region: string, input: string): Zone | string {
  if (SUFFIX.test(input)) return { key: input, input, name: `${region}${input}` };
  if (input.startsWith(region) && SUFFIX.test(input.slice(region.length))) {
    const suffix = input.slice(region.length);
    return { key: suffix, input, name: input };
  }
  if (ZONE_ID.test(input)) return { key: input, input, id: input };
  if (/^[a-z]{2}(-gov)?-[a-z]+-[0-9][a-z]$/.test(input)) {
    return `${JSON.stringify(input)} is a zone of another region than spec.region ${region}; use ${region}${input.slice(-1)} or just ${input.slice(-1)}`;
  }
  return `${JSON.stringify(input)} is not a zone; write a suffix (a), a full name (${region}a) or a zone ID (e.g. usw2-az1)`;
}

/** Resolves and orders zones canonically (by key), so list order never matters. */
export function resolveZones(region: string, inputs: readonly string[], path = 'spec.network.availabilityZones'): { zones: Zone[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const byKey = new Map<string, { zone: Zone; index: number }>();
  inputs.forEach((input, index) => {
    const resolved = resolveOne(region, input);
    if (typeof resolved === 'string') {
      errors.push({ path: `${path}[${index}]`, message: resolved });
      return;
    }
    const earlier = byKey.get(resolved.key);
    if (earlier) {
      errors.push({
        path: `${path}[${index}]`,
        message: `${JSON.stringify(input)} is the same zone as ${path}[${earlier.index}] (${JSON.stringify(earlier.zone.input)}); list each zone once`,
      });
      return;
    }
    byKey.set(resolved.key, { zone: resolved, index });
  });
  const zones = [...byKey.values()].map((v) => v.zone).sort((a, b) => compareKeys(a.key, b.key));
  const kinds = new Set(zones.map((z) => (z.id ? 'id' : 'name')));
  if (kinds.size > 1) {
    errors.push({
      path,
      message: 'mixes zone names and zone IDs, which cannot be matched to each other; write all as names (a, b) or all as IDs (usw2-az1, usw2-az2)',
    });
  }
  return { zones, errors };
}

/** What a.localeCompare(b, 'en', { numeric: true }) does, without building a collator per call. */
const KEY_ORDER = new Intl.Collator('en', { numeric: true });

/** Orders keys so that usw2-az2 sorts before usw2-az10. */
/** Whether the user's text names this zone: by what they wrote, its key, its name or its ID. */
export function namesZone(zone: Zone, text: string): boolean {
  return text === zone.input || text === zone.key || text === zone.name || text === zone.id;
}

export function compareKeys(a: string, b: string): number {
  return KEY_ORDER.compare(a, b);
}
