/**
 * The XRD's CEL rules, evaluated by a conformant CEL implementation against
 * cases that must pass and cases that must fail. A rule added without cases
 * fails the coverage check.
 */
import { isCelError, run, type CelInput } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { specSchema, ZONE_REMOVAL_MESSAGE } from 'function-eks-cluster/src/api/eks-cluster.js';
import type { Json, SchemaNode } from 'function-eks-cluster/src/api/schema-builder.js';

interface Rule {
  path: string;
  rule: string;
  message: string;
}

function rules(node: SchemaNode, path: string): Rule[] {
  const own = (node['x-kubernetes-validations'] ?? []).map((r) => ({ path, rule: r.rule, message: r.message }));
  const children = Object.entries(node.properties ?? {}).flatMap(([k, child]) => rules(child, `${path}.${k}`));
  return [...own, ...children, ...(node.items ? rules(node.items, `${path}[]`) : [])];
}

/** Kubernetes hands CEL integers as int64. */
function toCel(value: Json): CelInput {
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map(toCel);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  return value as CelInput;
}

interface Case {
  self: Json;
  oldSelf?: Json;
  valid: boolean;
}

const CASES: Record<string, Case[]> = {
  'region is immutable': [
    { self: { region: 'us-west-2' }, oldSelf: { region: 'us-west-2' }, valid: true },
    { self: { region: 'eu-west-1' }, oldSelf: { region: 'us-west-2' }, valid: false },
  ],
  'vpcCidr is immutable: every subnet is computed from it': [
    { self: '10.0.0.0/16', oldSelf: '10.0.0.0/16', valid: true },
    { self: '10.1.0.0/16', oldSelf: '10.0.0.0/16', valid: false },
  ],
  'vpcId is immutable: the cluster lives in this VPC': [
    { self: 'vpc-0a1b2c3d4e5f60718', oldSelf: 'vpc-0a1b2c3d4e5f60718', valid: true },
    { self: 'vpc-0a1b2c3d4e5f60719', oldSelf: 'vpc-0a1b2c3d4e5f60718', valid: false },
  ],
  [ZONE_REMOVAL_MESSAGE]: [
    { self: { availabilityZones: ['a', 'b', 'c'] }, oldSelf: { availabilityZones: ['a', 'b'] }, valid: true },
    { self: { availabilityZones: ['c', 'b', 'a'] }, oldSelf: { availabilityZones: ['a', 'b', 'c'] }, valid: true },
    { self: { availabilityZones: ['a', 'b'] }, oldSelf: { availabilityZones: ['a', 'b', 'c'] }, valid: false },
    { self: { availabilityZones: ['a', 'b'], allowZoneRemoval: false }, oldSelf: { availabilityZones: ['a', 'b', 'c'] }, valid: false },
    // The one deliberate way to remove a zone: the function then deletes its subnets too.
    { self: { availabilityZones: ['a', 'b'], allowZoneRemoval: true }, oldSelf: { availabilityZones: ['a', 'b', 'c'] }, valid: true },
    // network as first stored, before its nested defaults: nothing to compare.
    { self: {}, oldSelf: {}, valid: true },
  ],
  'minSize must be less than or equal to maxSize': [
    { self: { minSize: 2, maxSize: 6 }, valid: true },
    { self: { minSize: 6, maxSize: 6 }, valid: true },
    { self: { minSize: 7, maxSize: 6 }, valid: false },
  ],
  'desiredSize must lie between minSize and maxSize': [
    { self: { minSize: 2, maxSize: 6 }, valid: true },
    { self: { minSize: 2, maxSize: 6, desiredSize: 4 }, valid: true },
    { self: { minSize: 2, maxSize: 6, desiredSize: 1 }, valid: false },
    { self: { minSize: 2, maxSize: 6, desiredSize: 7 }, valid: false },
  ],
  'set exactly one of cidr and prefixListId': [
    { self: { cidr: '10.70.0.0/16', protocol: 'tcp', fromPort: 443 }, valid: true },
    { self: { prefixListId: 'pl-0a1b2c3d', protocol: 'tcp', fromPort: 443 }, valid: true },
    { self: { cidr: '10.70.0.0/16', prefixListId: 'pl-0a1b2c3d', protocol: 'tcp', fromPort: 443 }, valid: false },
    { self: { protocol: 'all' }, valid: false },
  ],
};

const ALL = rules(specSchema.node, 'spec');

/**
 * How kube-apiserver checks a default when it accepts the CRD: the default
 * value as written (its nested defaults not applied), against the rules of its
 * node and of every node it reaches, with oldSelf = self. A rule that fails or
 * errors there ("no such key") makes the apiserver refuse the whole CRD.
 */
function defaultViolations(node: SchemaNode, value: Json, path: string): string[] {
  const found: string[] = [];
  for (const r of node['x-kubernetes-validations'] ?? []) {
    const result = run(r.rule, { self: toCel(value), oldSelf: toCel(value) });
    if (isCelError(result) || result !== true) found.push(`${path}: ${r.rule} -> ${isCelError(result) ? String(result.message) : String(result)}`);
  }
  if (Array.isArray(value) && node.items) value.forEach((v, i) => found.push(...defaultViolations(node.items!, v, `${path}[${i}]`)));
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      const child = node.properties?.[k] ?? node.additionalProperties;
      if (child) found.push(...defaultViolations(child, v, `${path}.${k}`));
    }
  }
  return found;
}

function defaultsOf(node: SchemaNode, path: string): [string, SchemaNode][] {
  const own: [string, SchemaNode][] = node.default !== undefined ? [[path, node]] : [];
  const children = Object.entries(node.properties ?? {}).flatMap(([k, child]) => defaultsOf(child, `${path}.${k}`));
  return [...own, ...children, ...(node.items ? defaultsOf(node.items, `${path}[]`) : [])];
}

describe('CEL rules of the XRD', () => {
  it('every rule has cases', () => {
    // A rule of a shape used in two places (a security-group rule of the cluster's and of the nodes') is one message.
    expect([...new Set(ALL.map((r) => r.message))].sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(defaultsOf(specSchema.node, 'spec'))('the default of %s satisfies the rules it reaches, as the apiserver checks it', (path, node) => {
    expect(defaultViolations(node, node.default!, path)).toEqual([]);
  });

  it.each(ALL.flatMap((r) => CASES[r.message]!.map((c, i) => [`${r.path} #${i + 1} (${c.valid ? 'valid' : 'invalid'})`, r, c] as const)))('%s', (_, r, c) => {
    const bindings: Record<string, CelInput> = { self: toCel(c.self) };
    if (c.oldSelf !== undefined) bindings.oldSelf = toCel(c.oldSelf);
    const result = run(r.rule, bindings);
    if (isCelError(result)) throw new Error(`${r.rule}: ${String(result.message)}`);
    expect(result).toBe(c.valid);
  });
});
