/** Read-only views of what Crossplane observed: the XR and the composed resources. */
import { isObject, type Json, type JsonObject } from '../api/schema-builder.js';

export interface ObservedCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Follows a path of keys and indexes; undefined as soon as one step is missing. */
export function dig(value: Json | undefined, ...path: (string | number)[]): Json | undefined {
  let current = value;
  for (const step of path) {
    if (typeof step === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[step];
    } else {
      if (!isObject(current)) return undefined;
      current = current[step];
    }
  }
  return current;
}

export function digString(value: Json | undefined, ...path: (string | number)[]): string | undefined {
  const found = dig(value, ...path);
  return typeof found === 'string' && found !== '' ? found : undefined;
}

export function conditions(resource: Json | undefined): ObservedCondition[] {
  const list = dig(resource, 'status', 'conditions');
  if (!Array.isArray(list)) return [];
  // A plain loop: readiness asks this of every composed resource on every request.
  const found: ObservedCondition[] = [];
  for (const c of list) {
    if (!isObject(c) || typeof c.type !== 'string' || typeof c.status !== 'string') continue;
    const condition: ObservedCondition = { type: c.type, status: c.status };
    if (typeof c.reason === 'string') condition.reason = c.reason;
    if (typeof c.message === 'string') condition.message = c.message;
    found.push(condition);
  }
  return found;
}

export class ObservedState {
  /** Conditions by key, read once: readiness is asked about the same resource many times per compose. */
  private readonly conditionsByKey = new Map<string, ObservedCondition[]>();

  constructor(
    readonly composite: JsonObject,
    readonly resources: Readonly<Record<string, JsonObject>>,
  ) {}

  has(key: string): boolean {
    return key in this.resources;
  }

  get(key: string): JsonObject | undefined {
    return this.resources[key];
  }

  condition(key: string, type: string): ObservedCondition | undefined {
    let list = this.conditionsByKey.get(key);
    if (list === undefined) {
      list = conditions(this.resources[key]);
      this.conditionsByKey.set(key, list);
    }
    return list.find((c) => c.type === type);
  }

  isReady(key: string): boolean {
    const known = this.conditionsByKey.get(key);
    if (known !== undefined) return known.find((c) => c.type === 'Ready')?.status === 'True';
    // Asked of every composed resource on every request: the first valid Ready condition, found without building the list.
    const status = this.resources[key]?.status;
    const list = isObject(status) ? status.conditions : undefined;
    if (!Array.isArray(list)) return false;
    for (const c of list) {
      if (isObject(c) && c.type === 'Ready' && typeof c.status === 'string') return c.status === 'True';
    }
    return false;
  }

  /** The AWS name of an existing resource, as Crossplane records it. */
  externalName(key: string): string | undefined {
    return digString(this.resources[key], 'metadata', 'annotations', 'crossplane.io/external-name');
  }

  atProvider(key: string, ...path: (string | number)[]): string | undefined {
    return digString(this.resources[key], 'status', 'atProvider', ...path);
  }

  forProvider(key: string, ...path: (string | number)[]): Json | undefined {
    return dig(this.resources[key], 'spec', 'forProvider', ...path);
  }
}
