/**
 * What a reviewer reads of a render: the committed expectation of
 * test/render.test.ts (test/expected/<example>.yaml). A render of the real
 * `crossplane composition render` is ~4,000 lines of YAML, most of them
 * Crossplane's bookkeeping repeated on every resource; this keeps every field
 * the function decides, one line each, and drops only what follows a
 * convention (HEADER says which), so a change of behaviour is a short,
 * readable diff and a break of a convention still shows.
 */
import { Document, isScalar as isYamlScalar, isSeq, visit } from 'yaml';
import type { JsonObject, Rendered } from 'workshop';

export const SAME = 'as in the last step';
export const NOT_SET = '(not set)';

export const HEADER = `# What crossplane composition render composes for this example, one field a line
# (test/render.test.ts renders it and validates it with crossplane resource validate).
# Each step: the XR's conditions and status, the results (Crossplane's one per
# resource not yet ready counted on one line), then each
# composed resource by its composition resource name; a step before the last
# shows of a resource only what differs from the last step (SAME: no difference,
# NOT_SET: a field the last step sets). Paths are under
# spec.forProvider unless they start with spec., metadata. or data.; a string
# holding JSON is spelled out as <field>(json).<path>. Left out as conventions:
# Crossplane's metadata (name <xr>-<key>, the XR's namespace, owner, composite
# label and resource-name annotation), providerConfigRef ClusterProviderConfig
# default, managementPolicies ["*"], the XR's region, the tags Name
# (<cluster>-<key>) and eks.gitops.dev/cluster, and a Usage's by and of when
# its name says them (usage-<by>-uses-<of>) and replayDeletion is true. A value
# that breaks one shows; a resource with nothing else is one line, its kind.
# After an intended change: npm run update-expected (in configuration/).
`;

type Json = JsonObject[string];
const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: Json) => v === null || typeof v !== 'object';

/** `value` as `path: scalar` pairs; arrays of scalars stay one value, JSON in a string is spelled out. */
function flatten(value: Json, path: string, into: Record<string, Json>): void {
  if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      return flatten(JSON.parse(value) as Json, `${path}(json)`, into);
    } catch {
      // Not JSON after all: kept as the string it is.
    }
  }
  if (Array.isArray(value) && value.every(isScalar)) into[path] = value;
  else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${path}.${i}`, into));
  else if (isObject(value)) {
    if (Object.keys(value).length === 0) into[path] = {};
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, into);
  } else into[path] = value;
}

interface Conventions {
  xrName: string;
  namespace: string | undefined;
  region: unknown;
  cluster: string | undefined;
  /** `<kind> <apiVersion>` of each composed resource, by its metadata.name. */
  kinds: Map<string, string>;
}

/** A Usage's `by` or `of` end as composed: its resource `<xr>-<key>` with that resource's kind, or undefined. */
function usageEnd(usage: JsonObject, end: 'by' | 'of', c: Conventions): string | undefined {
  const ref = ((usage.spec as JsonObject | undefined)?.[end] ?? {}) as JsonObject;
  const name = String((ref.resourceRef as JsonObject | undefined)?.name);
  if (c.kinds.get(name) !== `${String(ref.kind)} ${String(ref.apiVersion)}` || !name.startsWith(`${c.xrName}-`)) return undefined;
  return name.slice(c.xrName.length + 1);
}

/** True when `path` of the resource `o`, named `key`, holds what the conventions above say it holds. */
function conventional(path: string, value: Json, key: string, o: JsonObject, c: Conventions): boolean {
  if (o.kind === 'Usage' && /^spec\.(by|of)\./.test(path)) return key === `usage-${usageEnd(o, 'by', c)}-uses-${usageEnd(o, 'of', c)}`;
  switch (path) {
    case 'metadata.name':
      return value === `${c.xrName}-${key}`;
    case 'metadata.namespace':
      return value === c.namespace;
    case `metadata.annotations.crossplane.io/composition-resource-name`:
      return value === key;
    case 'metadata.labels.crossplane.io/composite':
      return value === c.xrName;
    case 'spec.providerConfigRef.kind':
      return value === 'ClusterProviderConfig';
    case 'spec.providerConfigRef.name':
      return value === 'default';
    case 'spec.managementPolicies':
      return Array.isArray(value) && value.length === 1 && value[0] === '*';
    case 'spec.forProvider.region':
      return value === c.region;
    case 'spec.forProvider.tags.Name':
      return value === `${c.cluster}-${key}`;
    case 'spec.forProvider.tags.eks.gitops.dev/cluster':
      return value === c.cluster;
    case 'spec.replayDeletion':
      return o.kind === 'Usage' && value === true;
    default:
      return path.startsWith('metadata.ownerReferences.');
  }
}

const resourceKey = (o: JsonObject) => String(((o.metadata as JsonObject).annotations as JsonObject)['crossplane.io/composition-resource-name']);

/** The cluster name every resource is tagged with: the most common eks.gitops.dev/cluster tag. */
function clusterTag(composed: JsonObject[]): string | undefined {
  const counts = new Map<string, number>();
  for (const o of composed) {
    const tag = (((o.spec as JsonObject | undefined)?.forProvider as JsonObject | undefined)?.tags as JsonObject | undefined)?.['eks.gitops.dev/cluster'];
    if (typeof tag === 'string') counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The fields of `o` that are not conventions, or only its kind when that is all. */
function composedSummary(o: JsonObject, c: Conventions): Json {
  const key = resourceKey(o);
  const { apiVersion, kind, ...rest } = o;
  const fields: Record<string, Json> = {};
  flatten(rest, '', fields);
  const out: Record<string, Json> = { kind: `${String(kind)} ${String(apiVersion)}` };
  for (const [path, value] of Object.entries(fields)) {
    if (conventional(path, value, key, o, c)) continue;
    out[path.startsWith('spec.forProvider.') ? path.slice('spec.forProvider.'.length) : path] = value;
  }
  return Object.keys(out).length === 1 ? out.kind! : out;
}

/** The function's results and Crossplane's, its one line per resource not yet ready counted on one line. */
function results(all: JsonObject[]): string[] {
  const line = (x: JsonObject) => `${String(x.severity)} ${String(x.reason)}: ${String(x.message)}`;
  const notReady = all.filter((x) => x.reason === 'ComposeResources' && /^Composed resource ".*" is not yet ready$/.test(String(x.message)));
  const rest = all.filter((x) => !notReady.includes(x)).map(line);
  if (notReady.length > 0) rest.push(`Normal ComposeResources: ${notReady.length} composed resources are not yet ready (one result each)`);
  return rest.sort();
}

function stepSummary(r: Rendered, c: Conventions): JsonObject {
  const { conditions, ...status } = (r.xr.status ?? {}) as JsonObject;
  const statusFields: Record<string, Json> = {};
  flatten(status, '', statusFields);
  const byKey = Object.fromEntries(r.composed.map((o) => [resourceKey(o), composedSummary(o, c)] as const).sort(([a], [b]) => a.localeCompare(b)));
  return {
    conditions: Object.fromEntries(
      ((conditions ?? []) as JsonObject[]).map((x) => [
        String(x.type),
        [x.status, x.reason].join(' ') + (x.message === undefined ? '' : `: ${String(x.message)}`),
      ]),
    ),
    results: results(r.results),
    status: statusFields,
    composed: byKey,
  };
}

/** Of each resource in `step`, only what differs from `last`. */
function againstLast(step: JsonObject, last: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(step).map(([key, now]) => {
      const final = last[key];
      if (JSON.stringify(now) === JSON.stringify(final)) return [key, SAME];
      if (!isObject(now) || !isObject(final)) return [key, now];
      const changed: JsonObject = {};
      for (const [path, value] of Object.entries(now)) if (JSON.stringify(value) !== JSON.stringify(final[path])) changed[path] = value;
      for (const path of Object.keys(final)) if (!(path in now)) changed[path] = NOT_SET;
      return [key, { kind: now.kind, ...changed }];
    }),
  );
}

/** The expectation of an example's renders, in order of its steps (`1-nothing-observed`, ..., `9-all-ready`). */
export function renderSummary(steps: { step: string; rendered: Rendered }[]): string {
  const summaries = steps.map(({ step, rendered }) => {
    const metadata = rendered.xr.metadata as JsonObject;
    const conventions: Conventions = {
      xrName: String(metadata.name),
      namespace: metadata.namespace as string | undefined,
      region: (rendered.xr.spec as JsonObject | undefined)?.region,
      cluster: clusterTag(rendered.composed),
      kinds: new Map(rendered.composed.map((o) => [String((o.metadata as JsonObject).name), `${String(o.kind)} ${String(o.apiVersion)}`])),
    };
    return { step, summary: stepSummary(rendered, conventions) };
  });
  const last = summaries.at(-1)!.summary.composed as JsonObject;
  const docs = Object.fromEntries(
    summaries.map(({ step, summary }, i) =>
      i === summaries.length - 1 ? [step, summary] : [step, { ...summary, composed: againstLast(summary.composed as JsonObject, last) }],
    ),
  );
  const doc = new Document(docs);
  // A list of plain values reads best on one line, as in the examples.
  visit(doc, {
    Seq: (_, node) => {
      if (isSeq(node) && node.items.every(isYamlScalar) && node.items.reduce((n, i) => n + String(i.value).length + 2, 0) <= 80) node.flow = true;
    },
  });
  return HEADER + doc.toString({ lineWidth: 0 });
}
