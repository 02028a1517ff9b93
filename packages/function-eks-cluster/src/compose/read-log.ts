/**
 * Which parts of a JSON value a computation read, and whether another value
 * answers every one of those reads the same way.
 *
 * trackReads() hands out a proxy that notes every read: a property's value
 * (a primitive, or only the kind, object or array, of a nested value, whose
 * own reads are noted in turn), whether a property exists, and the set of
 * keys. Key order is not compared: Crossplane's gRPC client writes the
 * fields of every google.protobuf.Struct in Go's random map order, so the
 * same object comes in another order on every poll; compose/memo.ts plans on
 * a copy with sorted keys, which makes the set all that matters. A computation that reads its input only through the proxy and does
 * nothing else that varies (no clock, no randomness, no state of its own)
 * gives the same answer on any value for which readsMatch() holds: that is
 * what lets compose/memo.ts reuse a plan.
 */
import { isObject } from '../api/schema-builder.js';

type Path = readonly string[];

export type Read =
  | { readonly path: Path; readonly value: unknown }
  | { readonly path: Path; readonly shape: 'object' | 'array' }
  | { readonly path: Path; readonly own: boolean }
  | { readonly path: Path; readonly inChain: boolean }
  | { readonly path: Path; readonly keys: readonly string[] };

export interface ReadLog {
  readonly reads: Read[];
}

const hasOwn = (target: object, key: string) => Object.prototype.hasOwnProperty.call(target, key);

function shapeOf(value: unknown): 'object' | 'array' | undefined {
  if (Array.isArray(value)) return 'array';
  return isObject(value) ? 'object' : undefined;
}

/** What enumerating a JSON object or array sees, in sorted order. */
function keyList(target: object): string[] {
  return Object.keys(target).sort();
}

function proxy<T extends object>(target: T, path: Path, log: ReadLog): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key !== 'string') return Reflect.get(t, key, receiver);
      const at = [...path, key];
      if (!hasOwn(t, key)) {
        // Inherited (an array's map, an object's toString) or missing: either way not part of the data.
        log.reads.push({ path: at, own: false });
        return Reflect.get(t, key, receiver);
      }
      const value = (t as Record<string, unknown>)[key];
      const shape = shapeOf(value);
      if (shape === undefined) {
        log.reads.push({ path: at, value });
        return value;
      }
      log.reads.push({ path: at, shape });
      return proxy(value as object, at, log);
    },
    has(t, key) {
      if (typeof key === 'string') log.reads.push({ path: [...path, key], inChain: key in t });
      return Reflect.has(t, key);
    },
    getOwnPropertyDescriptor(t, key) {
      if (typeof key === 'string') log.reads.push({ path: [...path, key], own: hasOwn(t, key) });
      return Reflect.getOwnPropertyDescriptor(t, key);
    },
    ownKeys(t) {
      log.reads.push({ path, keys: keyList(t) });
      return Reflect.ownKeys(t);
    },
    set() {
      throw new Error('a tracked input is read-only');
    },
    deleteProperty() {
      throw new Error('a tracked input is read-only');
    },
    defineProperty() {
      throw new Error('a tracked input is read-only');
    },
  });
}

/** The value behind a read-only proxy that records every read into the returned log. */
export function trackReads<T extends object>(value: T): { tracked: T; log: ReadLog } {
  const log: ReadLog = { reads: [] };
  return { tracked: proxy(value, [], log), log };
}

/**
 * The reads of a log as a tree of what must hold at each path, so that a
 * request is checked in one walk, each object visited once.
 */
interface Expect {
  own?: boolean;
  inChain?: boolean;
  shape?: 'object' | 'array';
  primitive?: { value: unknown };
  keys?: ReadonlySet<string>;
  children?: Map<string, Expect>;
}

/** A property of a checked object and what must hold of it; arrays, not maps, so that checking allocates nothing. */
interface Check {
  readonly key: string;
  readonly own: boolean | undefined;
  readonly inChain: boolean | undefined;
  /** Whether its value was read, so must be there and meet `node`. */
  readonly readsValue: boolean;
  readonly node: Node;
}

interface Node {
  readonly primitive: { value: unknown } | undefined;
  readonly shape: 'object' | 'array' | undefined;
  readonly keys: ReadonlySet<string> | undefined;
  readonly checks: readonly Check[] | undefined;
}

export interface CheckedReads {
  readonly root: Node;
  /** Distinct facts checked. */
  readonly size: number;
}

function compiled(e: Expect): Node {
  const checks = e.children
    ? [...e.children].map(([key, child]) => ({
        key,
        own: child.own,
        inChain: child.inChain,
        readsValue: child.primitive !== undefined || child.shape !== undefined || child.keys !== undefined || child.children !== undefined,
        node: compiled(child),
      }))
    : undefined;
  return { primitive: e.primitive, shape: e.shape, keys: e.keys, checks };
}

/** The log as one tree; a fact read many times is checked once. */
export function compileReads(log: ReadLog): CheckedReads {
  const root: Expect = { shape: 'object' };
  for (const read of log.reads) {
    let node = root;
    for (const step of read.path) {
      node.children ??= new Map();
      let child = node.children.get(step);
      if (child === undefined) node.children.set(step, (child = {}));
      node = child;
    }
    if ('keys' in read) node.keys = new Set(read.keys);
    else if ('inChain' in read) node.inChain = read.inChain;
    else if ('own' in read) node.own = read.own;
    else if ('shape' in read) node.shape = read.shape;
    else node.primitive = { value: read.value };
  }
  return { root: compiled(root), size: count(root) };
}

function count(node: Expect): number {
  let n = 1;
  for (const child of node.children?.values() ?? []) n += count(child);
  return n;
}

/** The same set of keys, in any order: keys of one object are distinct, so equal counts and inclusion suffice. */
function sameKeys(value: object, keys: ReadonlySet<string>): boolean {
  const now = Object.keys(value);
  if (now.length !== keys.size) return false;
  for (let i = 0; i < now.length; i++) if (!keys.has(now[i]!)) return false;
  return true;
}

/** Whether `value`, the value at this node's path, meets every expectation of the node and below. */
function meets(value: unknown, node: Node): boolean {
  if (node.primitive !== undefined) return Object.is(value, node.primitive.value);
  const shape = shapeOf(value);
  if (node.shape !== undefined && shape !== node.shape) return false;
  if (shape === undefined) return node.checks === undefined && node.keys === undefined;
  const target = value as Record<string, unknown>;
  if (node.keys !== undefined && !sameKeys(target, node.keys)) return false;
  const checks = node.checks;
  if (checks === undefined) return true;
  for (let i = 0; i < checks.length; i++) {
    const check = checks[i]!;
    const own = hasOwn(target, check.key);
    if (check.own !== undefined && own !== check.own) return false;
    if (check.inChain !== undefined && check.key in target !== check.inChain) return false;
    // A value was read: it was there (undefined included, as an own property), and must be again.
    if (check.readsValue && (!own || !meets(target[check.key], check.node))) return false;
  }
  return true;
}

/** True when `root` answers every read as the value the log was recorded on did. */
export function readsMatch(root: unknown, reads: CheckedReads): boolean {
  return meets(root, reads.root);
}

/**
 * A copy with every object's keys in sorted order, arrays as they are: the
 * same content in any key order gives the same copy.
 */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isObject(value)) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    // A key "__proto__" is data here, never the prototype.
    Object.defineProperty(copy, key, { value: sortedKeys(value[key]), enumerable: true, writable: true, configurable: true });
  }
  return copy;
}
