/**
 * The CustomResourceDefinition Crossplane v2 creates from a modern
 * (Namespaced or Cluster scope) CompositeResourceDefinition, so a plain
 * kube-apiserver can serve our XRD without Crossplane core. Written from what
 * Crossplane's xcrd package (crossplane-runtime v2.3, ForCompositeResource)
 * does to an XRD:
 *
 * - name, group, names and scope come from the XRD; the category "composite"
 *   is appended to names.categories;
 * - each version keeps name, served, deprecated and deprecationWarning;
 *   storage = referenceable; a status subresource (and the XRD's scale one);
 * - printer columns: the XRD's, then SYNCED, READY, COMPOSITION,
 *   COMPOSITIONREVISION (priority 1), AGE;
 * - the schema is rebuilt: type object, required [spec], the XRD schema's
 *   description and top-level x-kubernetes-validations, apiVersion/kind
 *   strings, metadata.name a string of at most 63 characters (less if the XRD
 *   says so); of spec it keeps required, x-kubernetes-preserve-unknown-fields,
 *   x-kubernetes-validations, oneOf, description and properties, then adds
 *   spec.crossplane; of status it keeps required, x-kubernetes-validations,
 *   description, oneOf and properties, then adds status.conditions. Anything
 *   else on spec or status (e.g. a default) is dropped.
 *
 * Crossplane also sets an owner reference to the XRD; there is no XRD object
 * here to own it, so that is left out.
 */
import { isObject, type Json, type JsonObject } from 'workshop';

const str = { type: 'string' };
const labelSelector = {
  type: 'object',
  required: ['matchLabels'],
  properties: { matchLabels: { type: 'object', additionalProperties: { type: 'string' } } },
};
const nameRef = { type: 'object', required: ['name'], properties: { name: str } };

/** spec.crossplane: Crossplane's machinery fields of a modern XR. */
function crossplaneSpec(scope: string, defaultUpdatePolicy: Json | undefined): JsonObject {
  const refProps: JsonObject = scope === 'Namespaced' ? { apiVersion: str, name: str, kind: str } : { apiVersion: str, name: str, namespace: str, kind: str };
  const updatePolicy: JsonObject = { type: 'string', enum: ['Automatic', 'Manual'] };
  if (defaultUpdatePolicy !== undefined && defaultUpdatePolicy !== null) updatePolicy.default = defaultUpdatePolicy;
  return {
    type: 'object',
    description: 'Configures how Crossplane will reconcile this composite resource',
    properties: {
      compositionRef: nameRef,
      compositionSelector: labelSelector,
      compositionRevisionRef: nameRef,
      compositionRevisionSelector: labelSelector,
      compositionUpdatePolicy: updatePolicy,
      resourceRefs: {
        type: 'array',
        'x-kubernetes-list-type': 'atomic',
        items: { type: 'object', required: ['apiVersion', 'kind'], properties: refProps },
      },
    },
  };
}

/** status.conditions: the condition list every XR carries. */
const conditions: JsonObject = {
  description: 'Conditions of the resource.',
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['type'],
  items: {
    type: 'object',
    required: ['lastTransitionTime', 'reason', 'status', 'type'],
    properties: {
      lastTransitionTime: { type: 'string', format: 'date-time' },
      message: str,
      reason: str,
      status: str,
      type: str,
      observedGeneration: { type: 'integer', format: 'int64' },
    },
  },
};

const columns: JsonObject[] = [
  { name: 'SYNCED', type: 'string', jsonPath: ".status.conditions[?(@.type=='Synced')].status" },
  { name: 'READY', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
  { name: 'COMPOSITION', type: 'string', jsonPath: '.spec.crossplane.compositionRef.name' },
  { name: 'COMPOSITIONREVISION', type: 'string', jsonPath: '.spec.crossplane.compositionRevisionRef.name', priority: 1 },
  { name: 'AGE', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

function obj(value: Json | undefined): JsonObject {
  return isObject(value) ? value : {};
}

/** Copies only the listed keys that are set. */
function pick(from: JsonObject, keys: string[]): JsonObject {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]!]));
}

function version(v: JsonObject, scope: string, defaultUpdatePolicy: Json | undefined): JsonObject {
  const schema = obj(obj(v.schema).openAPIV3Schema);
  const props = obj(schema.properties);
  const xSpec = obj(props.spec);
  const xStatus = obj(props.status);
  const nameMax = obj(obj(obj(props.metadata).properties).name).maxLength;
  const openAPIV3Schema: JsonObject = {
    type: 'object',
    required: ['spec'],
    ...pick(schema, ['description', 'x-kubernetes-validations']),
    properties: {
      apiVersion: str,
      kind: str,
      metadata: {
        type: 'object',
        properties: { name: { type: 'string', maxLength: typeof nameMax === 'number' && nameMax < 63 ? nameMax : 63 } },
      },
      spec: {
        type: 'object',
        ...pick(xSpec, ['required', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations', 'oneOf', 'description']),
        properties: { ...obj(xSpec.properties), crossplane: crossplaneSpec(scope, defaultUpdatePolicy) },
      },
      status: {
        type: 'object',
        ...pick(xStatus, ['required', 'x-kubernetes-validations', 'description', 'oneOf']),
        properties: { ...obj(xStatus.properties), conditions },
      },
    },
  };
  const subresources: JsonObject = { status: {} };
  const scale = obj(v.subresources).scale;
  if (scale !== undefined) subresources.scale = scale;
  return {
    name: v.name ?? null,
    served: v.served ?? false,
    storage: v.referenceable ?? false,
    // Crossplane's deprecated is a Go bool with omitempty: only true is written.
    ...(v.deprecated === true ? { deprecated: true } : {}),
    ...pick(v, ['deprecationWarning']),
    additionalPrinterColumns: [...((v.additionalPrinterColumns as JsonObject[] | undefined) ?? []), ...columns],
    schema: { openAPIV3Schema },
    subresources,
  };
}

export function compositeCrd(xrd: JsonObject): JsonObject {
  if (xrd.apiVersion !== 'apiextensions.crossplane.io/v2' || xrd.kind !== 'CompositeResourceDefinition') {
    throw new Error(`not a v2 CompositeResourceDefinition: ${String(xrd.apiVersion)} ${String(xrd.kind)}`);
  }
  const metadata = obj(xrd.metadata);
  const spec = obj(xrd.spec);
  const scope = typeof spec.scope === 'string' ? spec.scope : 'LegacyCluster';
  if (scope !== 'Namespaced' && scope !== 'Cluster') throw new Error(`scope ${scope}: only modern XRs are emulated`);
  const names = obj(spec.names);
  const extra = obj(spec.metadata);
  const labels = { ...obj(metadata.labels), ...obj(extra.labels) };
  const crdMetadata: JsonObject = { name: metadata.name ?? null };
  if (Object.keys(labels).length > 0) crdMetadata.labels = labels;
  if (extra.annotations !== undefined) crdMetadata.annotations = extra.annotations;
  const crdSpec: JsonObject = {
    group: spec.group ?? null,
    names: { ...names, categories: [...((names.categories as Json[] | undefined) ?? []), 'composite'] },
    scope: scope === 'Namespaced' ? 'Namespaced' : 'Cluster',
    versions: ((spec.versions as JsonObject[] | undefined) ?? []).map((v) => version(v, scope, spec.defaultCompositionUpdatePolicy)),
  };
  if (spec.conversion !== undefined) crdSpec.conversion = spec.conversion;
  return { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: crdMetadata, spec: crdSpec };
}
