/**
 * Validates a value against a SchemaNode and applies defaults the way the
 * Kubernetes API server does for an XRD, so the function sees the same object
 * whether it runs under Crossplane (already defaulted) or `render` (raw file).
 */
import type { Json, JsonObject, SchemaNode } from './schema-builder.js';

export interface FieldError {
  /** The field, as a user writes it: spec.nodeGroups[1].minSize */
  path: string;
  /** What is wrong, naming the value, and how to fix it. */
  message: string;
}

export function formatFieldError(error: FieldError): string {
  return `${error.path}: ${error.message}`;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeMismatch(node: SchemaNode, value: unknown): string | undefined {
  switch (node.type) {
    case 'object':
      return isPlainObject(value) ? undefined : 'an object';
    case 'array':
      return Array.isArray(value) ? undefined : 'a list';
    case 'string':
      return typeof value === 'string' ? undefined : 'a string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? undefined : 'a whole number';
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'true or false';
  }
}

function typeFix(node: SchemaNode, value: unknown): string {
  if (node.type === 'integer' && typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    return `; write ${value.trim()} without quotes`;
  }
  if (node.type === 'boolean' && (value === 'true' || value === 'false')) return `; write ${value} without quotes`;
  if (node.type === 'array' && typeof value === 'string') return `; write it as a list: [${JSON.stringify(value)}]`;
  if (node.type === 'string' && typeof value === 'number') return `; quote it: "${value}"`;
  return '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function suggestion(unknown: string, known: string[]): string {
  const lower = unknown.toLowerCase();
  const contained = known.find((k) => lower.startsWith(k.toLowerCase()) || k.toLowerCase().startsWith(lower));
  if (contained) return `did you mean ${contained}?`;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(unknown.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(unknown.length / 3))) return `did you mean ${best}?`;
  return `known fields: ${known.join(', ')}`;
}

function checkString(node: SchemaNode, value: string, path: string, errors: FieldError[]): void {
  if (node.enum && !node.enum.includes(value)) {
    errors.push({ path, message: `${describeValue(value)} is not allowed; use one of ${node.enum.join(', ')}` });
    return;
  }
  if (node.maxLength !== undefined && value.length > node.maxLength) {
    errors.push({ path, message: `${describeValue(value)} is ${value.length} characters long; the limit is ${node.maxLength}` });
  } else if (node.minLength !== undefined && value.length < node.minLength) {
    errors.push({ path, message: `${describeValue(value)} is shorter than ${node.minLength} characters` });
  } else if (node.pattern !== undefined && !new RegExp(node.pattern).test(value)) {
    errors.push({ path, message: `${describeValue(value)} is not valid here; expected: ${node.description ?? node.pattern}` });
  }
}

function checkInteger(node: SchemaNode, value: number, path: string, errors: FieldError[]): void {
  if (node.minimum !== undefined && value < node.minimum) {
    errors.push({ path, message: `${value} is below the minimum ${node.minimum}; use ${node.minimum} or more` });
  } else if (node.maximum !== undefined && value > node.maximum) {
    errors.push({ path, message: `${value} is above the maximum ${node.maximum}; use ${node.maximum} or less` });
  }
}

function conformArray(node: SchemaNode, value: unknown[], path: string, errors: FieldError[]): Json[] {
  if (node.minItems !== undefined && value.length < node.minItems) {
    errors.push({ path, message: `has ${value.length} entries; at least ${node.minItems} are needed` });
  }
  if (node.maxItems !== undefined && value.length > node.maxItems) {
    errors.push({ path, message: `has ${value.length} entries; at most ${node.maxItems} are allowed` });
  }
  const items = node.items;
  const result = value.map((item, i) => (items ? conform(item, items, `${path}[${i}]`, errors) : (item as Json)));
  const listType = node['x-kubernetes-list-type'];
  if (listType === 'set' || listType === 'map') {
    const mapKeys = node['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Map<string, number>();
    result.forEach((item, i) => {
      const identity = listType === 'map' && isPlainObject(item) ? JSON.stringify(mapKeys.map((k) => item[k])) : JSON.stringify(item);
      const first = seen.get(identity);
      if (first === undefined) {
        seen.set(identity, i);
        return;
      }
      const what = listType === 'map' ? `${mapKeys.join(', ')} ${identity.slice(1, -1)}` : identity;
      errors.push({ path: `${path}[${i}]`, message: `duplicates ${path}[${first}] (${what}); each entry must be unique` });
    });
  }
  return result;
}

function conformObject(node: SchemaNode, value: Record<string, unknown>, path: string, errors: FieldError[]): JsonObject {
  const result: JsonObject = {};
  const properties = node.properties;
  if (properties) {
    const known = Object.keys(properties);
    for (const key of Object.keys(value)) {
      if (!(key in properties)) errors.push({ path: `${path}.${key}`, message: `is not a field here; ${suggestion(key, known)}` });
    }
    for (const [key, child] of Object.entries(properties)) {
      const childPath = `${path}.${key}`;
      const present = value[key];
      if (present === undefined || present === null) {
        if (child.default !== undefined) {
          result[key] = conform(structuredClone(child.default), child, childPath, errors);
        } else if (node.required?.includes(key)) {
          errors.push({ path: childPath, message: `is required: ${child.description ?? key}` });
        }
        continue;
      }
      result[key] = conform(present, child, childPath, errors);
    }
  }
  const additional = node.additionalProperties;
  if (additional) {
    for (const [key, child] of Object.entries(value)) result[key] = conform(child, additional, `${path}.${key}`, errors);
  }
  return result;
}

/**
 * Returns the defaulted copy of `value`; problems are appended to `errors`.
 * The input is never modified.
 */
export function conform(value: unknown, node: SchemaNode, path: string, errors: FieldError[]): Json {
  const mismatch = typeMismatch(node, value);
  if (mismatch) {
    errors.push({ path, message: `expected ${mismatch}, got ${describeValue(value)}${typeFix(node, value)}` });
    return null;
  }
  switch (node.type) {
    case 'string':
      checkString(node, value as string, path, errors);
      return value as string;
    case 'integer':
      checkInteger(node, value as number, path, errors);
      return value as number;
    case 'boolean':
      return value as boolean;
    case 'array':
      return conformArray(node, value as unknown[], path, errors);
    case 'object':
      return conformObject(node, value as Record<string, unknown>, path, errors);
  }
}
