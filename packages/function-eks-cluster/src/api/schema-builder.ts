/**
 * A small OpenAPI v3 schema builder whose values carry their TypeScript type.
 *
 * The EKSCluster API is written once with it: the XRD's openAPIV3Schema is
 * generated from the same value the function validates and defaults with, and
 * the TypeScript types are inferred from it, so the three cannot drift.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A JSON object: not null, not an array. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One node of a Kubernetes structural schema (the subset we emit). */
export interface SchemaNode {
  type: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: SchemaNode;
  items?: SchemaNode;
  enum?: string[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: Json;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: CelRule[];
}

export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
}

/**
 * A schema with a phantom TypeScript type T. `Present` says whether the
 * value is always there after defaulting (required or defaulted).
 */
export interface Schema<T, Present extends boolean = false> {
  readonly node: SchemaNode;
  readonly isRequired: boolean;
  /** Type-level only; never set at runtime. */
  readonly __type?: T;
  readonly __present?: Present;
}

export type TypeOf<S> = S extends Schema<infer T, boolean> ? T : never;

type Shape = Record<string, Schema<unknown, boolean>>;
type PresentKeys<P extends Shape> = {
  [K in keyof P]: P[K] extends Schema<unknown, true> ? K : never;
}[keyof P];
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<P extends Shape> = Simplify<
  { [K in PresentKeys<P>]: TypeOf<P[K]> } & {
    [K in Exclude<keyof P, PresentKeys<P>>]?: TypeOf<P[K]>;
  }
>;

interface Common {
  description: string;
}

function make<T, Present extends boolean>(node: SchemaNode, isRequired = false): Schema<T, Present> {
  return { node, isRequired };
}

/** Marks a property as required: the API server rejects objects without it. */
export function required<T>(schema: Schema<T, boolean>): Schema<T, true> {
  return make<T, true>(schema.node, true);
}

/**
 * Gives a property a default: after admission it is always present. The value
 * is the input form (nested defaults apply to it too); a test checks that
 * every default passes the schema.
 */
export function withDefault<T>(schema: Schema<T, boolean>, value: Json): Schema<T, true> {
  return make<T, true>({ ...schema.node, default: value }, schema.isRequired);
}

export function string(opts: Common & Pick<SchemaNode, 'pattern' | 'format' | 'minLength' | 'maxLength' | 'x-kubernetes-validations'>): Schema<string> {
  return make({ type: 'string', ...opts });
}

export function oneOf<const V extends readonly string[]>(values: V, opts: Common): Schema<V[number]> {
  return make({ type: 'string', ...opts, enum: [...values] });
}

export function integer(opts: Common & Pick<SchemaNode, 'minimum' | 'maximum'>): Schema<number> {
  return make({ type: 'integer', ...opts });
}

export function boolean(opts: Common): Schema<boolean> {
  return make({ type: 'boolean', ...opts });
}

export function array<T>(
  items: Schema<T, boolean>,
  opts: Common & Pick<SchemaNode, 'minItems' | 'maxItems' | 'x-kubernetes-list-type' | 'x-kubernetes-list-map-keys' | 'x-kubernetes-validations'>,
): Schema<T[]> {
  return make({ type: 'array', ...opts, items: items.node });
}

export function stringMap(opts: Common & Pick<SchemaNode, 'maxLength'>): Schema<Record<string, string>> {
  const { maxLength, ...rest } = opts;
  const values: SchemaNode = maxLength === undefined ? { type: 'string' } : { type: 'string', maxLength };
  return make({ type: 'object', ...rest, additionalProperties: values });
}

export function object<P extends Shape>(properties: P, opts: Common & Pick<SchemaNode, 'x-kubernetes-validations'>): Schema<ObjectOf<P>> {
  const nodes: Record<string, SchemaNode> = {};
  const requiredKeys: string[] = [];
  for (const [key, schema] of Object.entries(properties)) {
    nodes[key] = schema.node;
    if (schema.isRequired) requiredKeys.push(key);
  }
  const node: SchemaNode = { type: 'object', description: opts.description, properties: nodes };
  if (requiredKeys.length > 0) node.required = requiredKeys;
  if (opts['x-kubernetes-validations']) node['x-kubernetes-validations'] = opts['x-kubernetes-validations'];
  return make(node);
}
