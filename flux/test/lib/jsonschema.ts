// Converts Kubernetes OpenAPI v3 documents and CRD openAPIV3Schemas into
// standalone JSON schemas in the layout kubeconform reads from local files:
//   <root>/<group or "v1" for the core group>/<kind lowercased>_<version>.json
// (kubeconform's {{ .Group }} is the part of apiVersion before "/", so for the
// core group "v1" it is "v1" itself.)
//
// kubeconform's -strict only rejects duplicate keys; unknown fields are caught
// only when the schema says additionalProperties: false. So every object
// schema that lists properties (and does not preserve unknown fields) is
// closed here.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isObject, type Json, type JsonObject } from 'workshop';

export type Scope = 'Namespaced' | 'Cluster';

export interface KindSchema {
  group: string;
  version: string;
  kind: string;
  scope: Scope;
  schema: JsonObject;
}

/** apiVersion string for a group and version ("" group is the core group). */
const apiVersionOf = (group: string, version: string): string => (group === '' ? version : `${group}/${version}`);

/** The file kubeconform resolves for this kind under a schema root. */
function schemaFile(root: string, apiVersion: string, kind: string): string {
  const [first, second] = apiVersion.split('/');
  return join(root, first ?? '', `${kind.toLowerCase()}_${second ?? first}.json`);
}

/**
 * Rewrites one OpenAPI v3 / CRD structural schema node into JSON schema:
 * nullable, int-or-string, preserve-unknown-fields, embedded resources,
 * closed objects; vendor extensions and formats are dropped.
 */
function toJsonSchema(node: Json, refPrefix = '#/components/schemas/'): Json {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refPrefix));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('x-kubernetes-') || key === 'format' || key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = value.startsWith(refPrefix) ? `#/definitions/${value.slice(refPrefix.length)}` : value;
    } else if (key === 'properties' && isObject(value)) {
      out.properties = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toJsonSchema(sub, refPrefix)]));
    } else if (key === 'default' || key === 'example' || key === 'enum' || key === 'const') {
      out[key] = value;
    } else {
      out[key] = toJsonSchema(value, refPrefix);
    }
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
  if (node['x-kubernetes-embedded-resource'] === true) {
    const props = isObject(out.properties) ? out.properties : {};
    out.properties = {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object' },
      ...props,
    };
  }
  if (isObject(out.properties) && out.additionalProperties === undefined && !preserve) {
    out.additionalProperties = false;
  }
  return out;
}

function collectRefs(node: Json, prefix: string, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectRefs(n, prefix, into));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(prefix)) into.add(v.slice(prefix.length));
      else collectRefs(v, prefix, into);
    }
  }
}

/**
 * Every kind of one Kubernetes OpenAPI v3 document (api/openapi-spec/v3/*.json
 * of k8s.io/kubernetes), as a standalone schema with its referenced
 * definitions inlined under "definitions". Scope comes from the paths: a kind
 * is namespaced when some path for it contains "/namespaces/{namespace}/".
 */
export function kindsFromOpenApi(doc: JsonObject): KindSchema[] {
  const prefix = '#/components/schemas/';
  const components = isObject(doc.components) && isObject(doc.components.schemas) ? doc.components.schemas : {};
  const namespaced = new Set<string>();
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!path.includes('/namespaces/{namespace}/') || !isObject(item)) continue;
    for (const op of Object.values(item)) {
      const gvk = isObject(op) ? op['x-kubernetes-group-version-kind'] : undefined;
      if (isObject(gvk)) namespaced.add(`${String(gvk.group)}/${String(gvk.version)}/${String(gvk.kind)}`);
    }
  }
  const result: KindSchema[] = [];
  for (const [name, def] of Object.entries(components)) {
    if (!isObject(def)) continue;
    const gvks = def['x-kubernetes-group-version-kind'];
    if (!Array.isArray(gvks) || gvks.length !== 1 || !isObject(gvks[0])) continue;
    const { group, version, kind } = gvks[0];
    if (typeof group !== 'string' || typeof version !== 'string' || typeof kind !== 'string') continue;
    const reachable = new Set<string>();
    const queue = [name];
    while (queue.length > 0) {
      const next = queue.pop() as string;
      if (reachable.has(next)) continue;
      reachable.add(next);
      const refs = new Set<string>();
      collectRefs(components[next] ?? null, prefix, refs);
      queue.push(...refs);
    }
    reachable.delete(name);
    const schema = toJsonSchema(def, prefix) as JsonObject;
    if (reachable.size > 0) {
      schema.definitions = Object.fromEntries([...reachable].sort().map((ref) => [ref, toJsonSchema(components[ref] ?? {}, prefix)]));
    }
    const scope: Scope = namespaced.has(`${group}/${version}/${kind}`) ? 'Namespaced' : 'Cluster';
    result.push({ group, version, kind, scope, schema });
  }
  return result;
}

/** Every served version of a CustomResourceDefinition (apiextensions.k8s.io/v1). */
export function kindsFromCrd(crd: JsonObject): KindSchema[] {
  const spec = isObject(crd.spec) ? crd.spec : {};
  const names = isObject(spec.names) ? spec.names : {};
  const group = String(spec.group);
  const kind = String(names.kind);
  const scope: Scope = spec.scope === 'Cluster' ? 'Cluster' : 'Namespaced';
  const versions = Array.isArray(spec.versions) ? spec.versions.filter((v): v is JsonObject => isObject(v)) : [];
  return versions
    .filter((v) => v.served !== false && isObject(v.schema) && isObject(v.schema.openAPIV3Schema))
    .map((v) => {
      const version = String(v.name);
      return { group, version, kind, scope, schema: rootSchema((v.schema as JsonObject).openAPIV3Schema as JsonObject, group, version, kind) };
    });
}

function rootSchema(raw: JsonObject, group: string, version: string, kind: string): JsonObject {
  const schema = toJsonSchema(raw) as JsonObject;
  const props = isObject(schema.properties) ? schema.properties : {};
  schema.properties = {
    ...props,
    apiVersion: { type: 'string', enum: [apiVersionOf(group, version)] },
    kind: { type: 'string', enum: [kind] },
  };
  return schema;
}

/** Writes schemas in kubeconform's layout and returns the scope index entries. */
export function writeSchemas(root: string, kinds: KindSchema[]): Record<string, Scope> {
  const scopes: Record<string, Scope> = {};
  for (const k of kinds) {
    const apiVersion = apiVersionOf(k.group, k.version);
    const file = schemaFile(root, apiVersion, k.kind);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(k.schema));
    scopes[`${apiVersion}/${k.kind}`] = k.scope;
  }
  return scopes;
}
