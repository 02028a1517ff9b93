/**
 * What a recorded read log accepts: exactly the values whose copy with sorted
 * keys answers every recorded read alike (compose/memo.ts plans on such copies).
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compileReads, readsMatch, sortedKeys, trackReads } from 'function-eks-cluster/src/compose/read-log.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';

const BASE: JsonObject = {
  resources: {
    vpc: { spec: { forProvider: { cidrBlock: '10.0.0.0/16', tags: { Name: 'x' } } }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    subnet: { spec: { forProvider: { cidrBlock: '10.0.1.0/24' } } },
  },
  composite: { spec: { region: 'us-west-2', optional: null } },
};

type Reader = (root: JsonObject) => unknown;

const READERS: Record<string, Reader> = {
  cidr: (r) => dig(r, 'resources', 'vpc', 'spec', 'forProvider', 'cidrBlock'),
  keys: (r) => Object.keys(r.resources as JsonObject),
  has: (r) => 'nat' in (r.resources as JsonObject),
  conditions: (r) => (dig(r, 'resources', 'vpc', 'status', 'conditions') as JsonObject[]).map((c) => c.status),
  region: (r) => dig(r, 'composite', 'spec', 'region'),
  optional: (r) => dig(r, 'composite', 'spec', 'optional'),
  whole: (r) => JSON.stringify(r.composite),
};

const CASES: { reason: string; reader: string; edit: (root: JsonObject) => void; matches: boolean }[] = [
  { reason: 'an unchanged value answers alike', reader: 'cidr', edit: () => {}, matches: true },
  {
    reason: 'a value that was read changed',
    reader: 'cidr',
    edit: (r) => ((dig(r, 'resources', 'vpc', 'spec', 'forProvider') as JsonObject).cidrBlock = '10.1.0.0/16'),
    matches: false,
  },
  {
    reason: 'a value next to the one read changed, never read',
    reader: 'cidr',
    edit: (r) => ((dig(r, 'resources', 'vpc', 'spec', 'forProvider', 'tags') as JsonObject).Name = 'y'),
    matches: true,
  },
  { reason: 'a resource beside the one read changed, never read', reader: 'cidr', edit: (r) => delete (r.resources as JsonObject).subnet, matches: true },
  { reason: 'a value on the path became a primitive', reader: 'cidr', edit: (r) => ((dig(r, 'resources', 'vpc') as JsonObject).spec = 'text'), matches: false },
  { reason: 'a key list was read and a key was added', reader: 'keys', edit: (r) => ((r.resources as JsonObject).nat = {}), matches: false },
  {
    reason: 'a key list was read and a value below changed',
    reader: 'keys',
    edit: (r) => ((dig(r, 'resources', 'subnet', 'spec', 'forProvider') as JsonObject).cidrBlock = 'x'),
    matches: true,
  },
  {
    reason: 'a key list was read and only the order changed, which the sorted copy undoes',
    reader: 'keys',
    edit: (r) => (r.resources = { subnet: dig(r, 'resources', 'subnet')!, vpc: dig(r, 'resources', 'vpc')! }),
    matches: true,
  },
  {
    reason: 'a key list was read and a key was renamed',
    reader: 'keys',
    edit: (r) => (r.resources = { subnet: dig(r, 'resources', 'subnet')!, nat: dig(r, 'resources', 'vpc')! }),
    matches: false,
  },
  { reason: 'an absence was read and the key appeared', reader: 'has', edit: (r) => ((r.resources as JsonObject).nat = {}), matches: false },
  {
    reason: 'an array was read whole and grew',
    reader: 'conditions',
    edit: (r) => (dig(r, 'resources', 'vpc', 'status', 'conditions') as JsonObject[]).push({ type: 'Synced', status: 'True' }),
    matches: false,
  },
  {
    reason: 'an array element was read and changed',
    reader: 'conditions',
    edit: (r) => ((dig(r, 'resources', 'vpc', 'status', 'conditions', 0) as JsonObject).status = 'False'),
    matches: false,
  },
  {
    reason: 'a missing property was read and appeared',
    reader: 'region',
    edit: (r) => delete (dig(r, 'composite', 'spec') as JsonObject).region,
    matches: false,
  },
  { reason: 'null read, then a value', reader: 'optional', edit: (r) => ((dig(r, 'composite', 'spec') as JsonObject).optional = 'set'), matches: false },
  {
    reason: 'a whole object serialized, and a deep value changed',
    reader: 'whole',
    edit: (r) => ((dig(r, 'composite', 'spec') as JsonObject).region = 'eu-west-1'),
    matches: false,
  },
  { reason: 'a whole object serialized, and a sibling tree changed', reader: 'whole', edit: (r) => ((r.resources as JsonObject).nat = {}), matches: true },
];

describe('read log', () => {
  it.each(CASES.map((c) => [c.reason, c] as const))('%s', (_, { reader, edit, matches }) => {
    const { tracked, log } = trackReads(sortedKeys(BASE) as JsonObject);
    const before = READERS[reader]!(tracked);
    const changed = structuredClone(BASE);
    edit(changed);
    expect(readsMatch(changed, compileReads(log))).toBe(matches);
    // The check's promise: when it says alike, the reader's answer on the sorted copy is the same.
    if (matches) expect(READERS[reader]!(sortedKeys(changed) as JsonObject)).toEqual(before);
  });

  it('a sorted copy has the same content in one key order, a "__proto__" key kept as data', () => {
    const input = JSON.parse('{"b":1,"a":{"d":[{"y":1,"x":2}],"c":null},"__proto__":{"z":1}}') as JsonObject;
    const copy = sortedKeys(input) as JsonObject;
    expect(JSON.stringify(copy)).toBe('{"__proto__":{"z":1},"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}');
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it('a tracked input refuses writes, so a planner that writes to its input is never memoised', () => {
    const { tracked } = trackReads(structuredClone(BASE));
    expect(() => ((tracked.composite as JsonObject).spec = {})).toThrow(/read-only/);
    expect(() => delete (tracked as JsonObject).resources).toThrow(/read-only/);
  });
});
