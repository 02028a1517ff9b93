/**
 * The peer's side of the comparison: a Composition for
 * function-patch-and-transform that lays out the same composed resources as
 * this function, written as a user of patch-and-transform would write it. One
 * resource template per composed resource: the base holds what is fixed,
 * patches carry every value that comes from the XR (region, version, names,
 * tags, instance types, the cluster name inside other strings).
 *
 * The templates are derived from this function's own output for the XR,
 * so that both sides compose exactly the same resources, kinds and fields.
 * What patch-and-transform cannot compute stays literal in the bases, as a
 * user would have to write it: the subnet CIDRs (carved out of the VPC CIDR
 * by this function), the number of zones and node groups (one template per
 * subnet, route table, NAT gateway and node group) and the name suffix.
 *
 * `npm run bench` writes the one for configuration/package/examples/production.yaml
 * to dist/bench/peer-composition.yaml.
 */
import { stringify } from 'yaml';
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';

const PEER_INPUT_API_VERSION = 'pt.fn.crossplane.io/v1beta1';

interface FromComposite {
  readonly type: 'FromCompositeFieldPath';
  readonly fromFieldPath: string;
  readonly toFieldPath: string;
}
interface Combine {
  readonly type: 'CombineFromComposite';
  readonly combine: { readonly variables: { readonly fromFieldPath: string }[]; readonly strategy: 'string'; readonly string: { readonly fmt: string } };
  readonly toFieldPath: string;
}
export type Patch = FromComposite | Combine;

export interface ResourceTemplate {
  readonly name: string;
  readonly base: JsonObject;
  readonly patches: Patch[];
}

/** The function input patch-and-transform reads: what a Composition's pipeline step carries as `input`. */
export interface PeerInput extends JsonObject {
  readonly apiVersion: string;
  readonly kind: 'Resources';
  readonly resources: ResourceTemplate[] & Json;
}

/** Shorter values (zone letters, "true") would match by accident; a user writes them in the base. */
const MIN_PATCHED_LENGTH = 3;
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A crossplane-runtime field path: dots between plain keys, brackets for other keys and for indexes. */
export function fieldPath(path: readonly (string | number)[]): string {
  return path.map((step, i) => (typeof step === 'number' ? `[${step}]` : IDENTIFIER.test(step) ? (i === 0 ? step : `.${step}`) : `[${step}]`)).join('');
}

interface XrValue {
  readonly path: string;
  readonly key: string;
  readonly value: string;
}

/** Every string leaf of the XR a patch may read: metadata.name, metadata.namespace and all of spec. */
function xrValues(xr: JsonObject): XrValue[] {
  const out: XrValue[] = [];
  const walk = (value: Json | undefined, path: (string | number)[]) => {
    if (typeof value === 'string') {
      if (value.length >= MIN_PATCHED_LENGTH && !CIDR.test(value)) out.push({ path: fieldPath(path), key: String(path.at(-1)), value });
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i]));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  const metadata = xr.metadata as JsonObject;
  walk(metadata.name, ['metadata', 'name']);
  walk(metadata.namespace, ['metadata', 'namespace']);
  walk(xr.spec, ['spec']);
  return out;
}

/** XR arrays of strings a patch may copy whole (instance types, log types). */
function xrArrays(xr: JsonObject): { path: string; value: string }[] {
  const out: { path: string; value: string }[] = [];
  const walk = (value: Json | undefined, path: (string | number)[]) => {
    if (Array.isArray(value)) {
      if (value.length > 0 && value.every((v) => typeof v === 'string' && !CIDR.test(v))) out.push({ path: fieldPath(path), value: JSON.stringify(value) });
      else value.forEach((v, i) => walk(v, [...path, i]));
    } else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
  };
  walk(xr.spec, ['spec']);
  return out;
}

/** A string built from XR values: the fmt of a CombineFromComposite and its variables, longest values first. */
function combination(text: string, values: readonly XrValue[]): { fmt: string; variables: string[] } | undefined {
  const found: { at: number; end: number; path: string }[] = [];
  // The first XR field holding a value wins (metadata.name before a tag that repeats it).
  const first = new Map<string, XrValue>();
  for (const v of values) if (!first.has(v.value)) first.set(v.value, v);
  const byLength = [...first.values()].sort((a, b) => b.value.length - a.value.length);
  for (const v of byLength) {
    for (let at = text.indexOf(v.value); at >= 0; at = text.indexOf(v.value, at + 1)) {
      const end = at + v.value.length;
      if (found.every((f) => end <= f.at || at >= f.end)) found.push({ at, end, path: v.path });
    }
  }
  if (found.length === 0) return undefined;
  found.sort((a, b) => a.at - b.at);
  let fmt = '';
  let last = 0;
  for (const f of found) {
    fmt += text.slice(last, f.at).replaceAll('%', '%%') + '%s';
    last = f.end;
  }
  fmt += text.slice(last).replaceAll('%', '%%');
  return { fmt, variables: found.map((f) => f.path) };
}

/**
 * One template: the composed body with every XR-derived value taken out of
 * the base and put back by a patch. A value equal to an XR value is copied
 * (the XR field with the same key first: tags.environment from spec.tags.environment);
 * a string that contains XR values is combined.
 */
export function template(name: string, body: JsonObject, xr: JsonObject): ResourceTemplate {
  const values = xrValues(xr);
  const arrays = xrArrays(xr);
  const patches: Patch[] = [];
  const strip = (value: Json, path: (string | number)[]): Json | undefined => {
    const to = fieldPath(path);
    if (typeof value === 'string') {
      if (CIDR.test(value) || value.length < MIN_PATCHED_LENGTH) return value;
      const exact = values.filter((v) => v.value === value);
      if (exact.length > 0) {
        const from = exact.find((v) => v.key === path.at(-1)) ?? exact[0]!;
        patches.push({ type: 'FromCompositeFieldPath', fromFieldPath: from.path, toFieldPath: to });
        return undefined;
      }
      const combined = combination(value, values);
      if (!combined) return value;
      patches.push({
        type: 'CombineFromComposite',
        combine: { variables: combined.variables.map((fromFieldPath) => ({ fromFieldPath })), strategy: 'string', string: { fmt: combined.fmt } },
        toFieldPath: to,
      });
      return undefined;
    }
    if (Array.isArray(value)) {
      const whole = arrays.find((a) => a.value === JSON.stringify(value));
      if (whole) {
        patches.push({ type: 'FromCompositeFieldPath', fromFieldPath: whole.path, toFieldPath: to });
        return undefined;
      }
      // Items patched one by one leave their place in the base: an empty object keeps the index.
      return value.map((item, i) => strip(item, [...path, i]) ?? {});
    }
    if (value !== null && typeof value === 'object') {
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) {
        const kept = strip(v, [...path, k]);
        if (kept !== undefined) out[k] = kept;
      }
      return out;
    }
    return value;
  };
  const { apiVersion, kind, ...rest } = body;
  const base: JsonObject = { apiVersion: apiVersion!, kind: kind! };
  for (const [k, v] of Object.entries(rest)) {
    const kept = strip(v, [k]);
    if (kept !== undefined) base[k] = kept;
  }
  return { name, base, patches };
}

/** The input for the composed resources `desired` (this function's output for `xr`), by composition resource name. */
export function peerInput(xr: JsonObject, desired: Readonly<Record<string, JsonObject>>): PeerInput {
  const resources = Object.entries(desired).map(([name, body]) => template(name, body, xr));
  return { apiVersion: PEER_INPUT_API_VERSION, kind: 'Resources', resources: resources as ResourceTemplate[] & Json };
}

/** The whole Composition as a user would apply it. */
function peerComposition(input: PeerInput): JsonObject {
  return {
    apiVersion: 'apiextensions.crossplane.io/v1',
    kind: 'Composition',
    metadata: { name: 'eksclusters-patch-and-transform' },
    spec: {
      compositeTypeRef: { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster' },
      mode: 'Pipeline',
      pipeline: [{ step: 'patch-and-transform', functionRef: { name: 'function-patch-and-transform' }, input }],
    },
  };
}

export function peerCompositionYaml(input: PeerInput): string {
  return stringify(peerComposition(input), { lineWidth: 0 });
}
