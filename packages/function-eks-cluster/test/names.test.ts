/**
 * AWS names that must be unique per account (IAM roles) or per account and
 * region (EKS clusters): distinct EKSClusters never share one, every name fits
 * its AWS limit, and an existing XR keeps the names its resources already have.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { mustCompose, reconcileToReady } from 'workshop';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';
import { KARPENTER_QUEUE_KEY } from 'function-eks-cluster/src/eks/karpenter.js';
import { CLUSTER_ROLE_KEY, NODE_ROLE_KEY } from 'function-eks-cluster/src/eks/iam.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

/** The kinds whose external name AWS requires unique, with the limit of each. */
const LIMITS: Record<string, { max: number; pattern: RegExp }> = {
  Cluster: { max: 100, pattern: /^[0-9A-Za-z][A-Za-z0-9_-]*$/ },
  Role: { max: 64, pattern: /^[\w+=,.@-]+$/ },
  Rule: { max: 64, pattern: /^[.\-_A-Za-z0-9]+$/ },
  Queue: { max: 80, pattern: /^[A-Za-z0-9_-]+$/ },
};

/** Every feature that names AWS resources of its own: Karpenter's queue, rules and roles, a Pod Identity role with the longest name. */
const NAMED_FEATURES: JsonObject = {
  karpenter: { enabled: true },
  podIdentity: { roles: [{ name: 'x'.repeat(24), namespace: 'kube-system', serviceAccount: 'sa', policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }] },
};

function xr(namespace: string, name: string, extra: JsonObject = {}): JsonObject {
  return { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', metadata: { name, namespace }, spec: { region: 'us-west-2', ...extra } };
}

/**
 * External names of the kinds in LIMITS by key. The cluster is composed only
 * once its role is Ready, so before that its name is the one status announces.
 */
function awsNames(doc: JsonObject, observed: Record<string, JsonObject> = {}): Map<string, string> {
  const result = mustCompose(compose({ composite: doc, observed }));
  const names = new Map<string, string>([[CLUSTER_KEY, String(result.status.cluster?.name)]]);
  for (const r of result.resources) {
    if (!(String(r.body.kind) in LIMITS)) continue;
    // A queue's name is a parameter (the provider's ID is its URL).
    const name = r.body.kind === 'Queue' ? dig(r.body, 'spec', 'forProvider', 'name') : dig(r.body, 'metadata', 'annotations', 'crossplane.io/external-name');
    names.set(r.key, String(name));
  }
  return names;
}

const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
/** Pairs built to share prefixes and dashes: the shapes that collided (a-b/c vs a/b-c, long shared prefixes). */
const tricky = fc.tuple(fc.constantFrom('a', 'a-b', 'b-c', 'c', 'team', 'team-a', 'x'.repeat(60)), fc.constantFrom('', '-1', '-2', 'b', '-b'));
const identity = fc.oneof(
  fc.tuple(label, label),
  fc
    .tuple(tricky, tricky)
    .map(([[n1, s1], [n2, s2]]) => [`${n1}${s1}`.replace(/^-|-$/g, '') || 'a', `${n2}${s2}`.replace(/^-|-$/g, '') || 'b'] as [string, string]),
);

describe('AWS names', () => {
  it('distinct EKSClusters get distinct cluster and role names, each within its AWS limit', () => {
    fc.assert(
      fc.property(identity, identity, ([ns1, n1], [ns2, n2]) => {
        fc.pre(ns1 !== ns2 || n1 !== n2);
        const a = awsNames(xr(ns1, n1, NAMED_FEATURES));
        const b = awsNames(xr(ns2, n2, NAMED_FEATURES));
        // cluster; roles: cluster, node, vpc-cni, karpenter, karpenter-node, the Pod Identity role; the queue; four rules.
        expect(a.size).toBe(12);
        for (const [key, name] of [...a, ...b]) {
          const kind = key === CLUSTER_KEY ? 'Cluster' : key === KARPENTER_QUEUE_KEY ? 'Queue' : key.startsWith('karpenter-rule-') ? 'Rule' : 'Role';
          expect(name.length, name).toBeLessThanOrEqual(LIMITS[kind]!.max);
          expect(name).toMatch(LIMITS[kind]!.pattern);
        }
        const taken = new Set(a.values());
        for (const name of b.values()) expect(taken.has(name), `${ns1}/${n1} and ${ns2}/${n2} both get ${name}`).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });

  it('the ambiguous pairs of the old scheme are told apart', () => {
    expect(awsNames(xr('a-b', 'c')).get(CLUSTER_KEY)).not.toBe(awsNames(xr('a', 'b-c')).get(CLUSTER_KEY));
    const long = 'x'.repeat(55);
    expect(awsNames(xr(long, `${long}-one`)).get(NODE_ROLE_KEY)).not.toBe(awsNames(xr(long, `${long}-two`)).get(NODE_ROLE_KEY));
  });

  it('two EKSClusters with the same spec.clusterName (in different regions) get different role names', () => {
    const west = awsNames(xr('team-a', 'west', { clusterName: 'shared' }));
    const east = awsNames(xr('team-a', 'east', { clusterName: 'shared', region: 'us-east-1' }));
    expect(west.get(CLUSTER_KEY)).toBe('shared');
    expect(west.get(NODE_ROLE_KEY)).not.toBe(east.get(NODE_ROLE_KEY));
  });

  it('an existing XR keeps the names its cluster and roles were created with', () => {
    const doc = xr('team-a', 'payments');
    const { observed } = reconcileToReady(doc);
    // As an XR composed under an earlier naming scheme: every resource already named.
    const old = { [CLUSTER_KEY]: 'team-a-payments', [CLUSTER_ROLE_KEY]: 'team-a-payments-cluster', [NODE_ROLE_KEY]: 'team-a-payments-node' };
    for (const [key, name] of Object.entries(old)) {
      const body = observed[key]!;
      (body.metadata as JsonObject).annotations = { 'crossplane.io/external-name': name };
    }
    const composite = { ...doc, status: { cluster: { name: old.cluster } } };
    const names = awsNames(composite, observed);
    expect(Object.fromEntries(Object.keys(old).map((k) => [k, names.get(k)]))).toEqual(old);
    const result = mustCompose(compose({ composite, observed }));
    expect(result.status.cluster?.name).toBe(old.cluster);
    const subnetTags = dig(result.resources.find((r) => r.key === 'subnet-private-a')!.body, 'spec', 'forProvider', 'tags') as JsonObject;
    expect(subnetTags[`kubernetes.io/cluster/${old.cluster}`]).toBe('shared');
  });

  it('an XR whose status names its cluster keeps that name before the cluster is observed', () => {
    const composite = { ...xr('team-a', 'payments'), status: { cluster: { name: 'team-a-payments' } } };
    expect(awsNames(composite).get(CLUSTER_KEY)).toBe('team-a-payments');
  });

  it('is stable from one reconcile to the next for a new XR', () => {
    const doc = xr('team-a', 'payments');
    const first = awsNames(doc);
    const { observed, result } = reconcileToReady(doc);
    const composite = { ...doc, status: mustCompose(result).status as JsonObject };
    expect(awsNames(composite, observed)).toEqual(first);
  });
});
