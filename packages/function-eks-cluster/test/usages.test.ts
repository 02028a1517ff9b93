/**
 * The kubeconfig Secret exists as long as the EKS Cluster does, so Flux can
 * remove the apps from the cluster during a teardown: which Usages say so,
 * when they are composed, and a teardown played with them.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { exampleShape, mustCompose, observeReady, passOf, reconcileToReady, simulateTeardown, xrDocument, type XRShape } from 'workshop';
import { KUBECONFIG_KEY } from 'function-eks-cluster/src/eks/kubeconfig.js';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';

const SHAPE: XRShape = exampleShape({ encryption: true });

const { result, waves, observed } = reconcileToReady(xrDocument(SHAPE));
const composition = mustCompose(result);
const usageSpec = (key: string) => composition.resources.find((r) => r.key === key)?.body.spec as JsonObject | undefined;

const CLUSTER = { apiVersion: 'eks.aws.m.upbound.io/v1beta1', kind: 'Cluster', resourceRef: { name: 'team-a-cluster' } };
const CLUSTER_AUTH = { apiVersion: 'eks.aws.m.upbound.io/v1beta1', kind: 'ClusterAuth', resourceRef: { name: 'team-a-kubeconfig' } };
const SECRET = { apiVersion: 'v1', kind: 'Secret', resourceRef: { name: 'team-a-kubeconfig' } };

describe('the deletion-order edges of the kubeconfig', () => {
  const cases: { reason: string; usage: string; of?: JsonObject; by?: JsonObject }[] = [
    {
      reason: 'the Cluster keeps the kubeconfig Secret: the Usage webhook refuses the namespace controller its deletion while the cluster exists',
      usage: 'usage-cluster-uses-kubeconfig-secret',
      of: SECRET,
      by: CLUSTER,
    },
    {
      reason: 'the Cluster keeps ClusterAuth: it refreshes the token in the Secret and owns the Secret',
      usage: 'usage-cluster-uses-kubeconfig',
      of: CLUSTER_AUTH,
      by: CLUSTER,
    },
    {
      reason: 'ClusterAuth keeps nothing: it only reads the cluster to mint a token, and needs nothing to be deleted',
      usage: 'usage-kubeconfig-uses-cluster',
    },
  ];
  it.each(cases)('$reason', ({ usage, of, by }) => {
    if (of && by) expect(usageSpec(usage)).toEqual({ of, by, replayDeletion: true });
    else expect(usageSpec(usage)).toBeUndefined();
  });

  it('the Secret Usage comes with ClusterAuth, never before it', () => {
    const waveOf = (key: string) => waves.findIndex((w) => w.includes(key));
    expect(waveOf(KUBECONFIG_KEY)).toBeGreaterThan(waveOf(CLUSTER_KEY));
    expect(waveOf('usage-cluster-uses-kubeconfig-secret')).toBe(waveOf(KUBECONFIG_KEY));
    expect(waveOf('usage-cluster-uses-kubeconfig')).toBe(waveOf(KUBECONFIG_KEY));
  });
});

describe('a teardown', () => {
  const cases = [
    { reason: 'Flux removes the cluster folder: the EKSCluster and its namespace go at once', namespaceDeleted: true },
    { reason: 'the EKSCluster alone is deleted', namespaceDeleted: false },
  ];
  it.each(cases)('$reason: the kubeconfig Secret exists until the Cluster is deleted, and ClusterAuth too', ({ namespaceDeleted }) => {
    const teardown = simulateTeardown(composition.resources, { namespaceDeleted });
    expect(teardown.refusals).toEqual([]);
    expect(teardown.left).toEqual([]);
    const cluster = passOf(teardown, 'Cluster/team-a-cluster');
    expect(cluster).toBeGreaterThan(passOf(teardown, 'NodeGroup/team-a-nodegroup-general'));
    expect(passOf(teardown, 'Secret/team-a-kubeconfig')).toBeGreaterThan(cluster);
    expect(passOf(teardown, 'ClusterAuth/team-a-kubeconfig')).toBeGreaterThan(cluster);
  });

  it('an XR composed by an earlier version keeps its Usage of the Cluster by ClusterAuth (dropped, it would stay Terminating and make a cycle); the Secret still outlives the Cluster', () => {
    const legacy = {
      apiVersion: 'protection.crossplane.io/v1beta1',
      kind: 'Usage',
      metadata: { name: 'team-a-usage-kubeconfig-uses-cluster', namespace: 'team-a' },
      spec: { of: CLUSTER, by: CLUSTER_AUTH, replayDeletion: true },
    };
    const before: Record<string, JsonObject> = { ...observed, 'usage-kubeconfig-uses-cluster': observeReady('usage-kubeconfig-uses-cluster', legacy) };
    delete before['usage-cluster-uses-kubeconfig'];
    const next = mustCompose(compose({ composite: xrDocument(SHAPE), observed: before }));
    const keys = next.resources.map((r) => r.key);
    expect(next.resources.find((r) => r.key === 'usage-kubeconfig-uses-cluster')?.body.spec).toEqual(legacy.spec);
    expect(keys).not.toContain('usage-cluster-uses-kubeconfig');
    expect(keys).toContain('usage-cluster-uses-kubeconfig-secret');
    for (const namespaceDeleted of [true, false]) {
      const teardown = simulateTeardown(next.resources, { namespaceDeleted });
      expect(teardown.refusals).toEqual([]);
      expect(teardown.left).toEqual([]);
      expect(passOf(teardown, 'Secret/team-a-kubeconfig')).toBeGreaterThan(passOf(teardown, 'Cluster/team-a-cluster'));
    }
    // The old Usage, Terminating, beside the new one: neither end can ever go.
    const reverse = composition.resources.find((r) => r.key === 'usage-cluster-uses-kubeconfig')!;
    expect(simulateTeardown([...next.resources, reverse], { namespaceDeleted: true }).left).toEqual(
      expect.arrayContaining(['Cluster/team-a-cluster', 'ClusterAuth/team-a-kubeconfig']),
    );
  });

  it('without the Usages, the namespace controller deletes the Secret first (what the simulation catches)', () => {
    const withoutUsages = composition.resources.filter((r) => dig(r.body, 'kind') !== 'Usage');
    const teardown = simulateTeardown(withoutUsages, { namespaceDeleted: true });
    expect(passOf(teardown, 'Secret/team-a-kubeconfig')).toBe(0);
    expect(teardown.refusals.length).toBeGreaterThan(0);
  });
});
