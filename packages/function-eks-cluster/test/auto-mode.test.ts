/**
 * spec.autoMode: the cluster runs compute, block storage and load balancing
 * itself; the cluster role gets what that needs, an Auto Mode node role is
 * composed, and no node group or built-in add-on is.
 */
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose, type Composition } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { validXr } from './support/bad-inputs.js';
import { mustCompose, reconcileToReady } from 'workshop';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';
import { AUTO_NODE_ROLE_KEY } from 'function-eks-cluster/src/eks/auto-mode.js';
import { CLUSTER_ROLE_KEY, NODE_ROLE_KEY } from 'function-eks-cluster/src/eks/iam.js';

function autoXr(autoMode: JsonObject = { enabled: true }): JsonObject {
  const xr = validXr();
  Object.assign(xr.spec as JsonObject, { autoMode, nodeGroups: [], addons: [{ name: 'aws-ebs-csi-driver' }] });
  return xr;
}

const fp = (c: Composition, key: string, ...path: (string | number)[]): Json | undefined =>
  dig(c.resources.find((r) => r.key === key)?.body, 'spec', 'forProvider', ...path);

describe('EKS Auto Mode', () => {
  it('switches on compute with the built-in node pools and its node role, block storage and load balancing', () => {
    const { result, observed } = reconcileToReady(autoXr());
    const c = mustCompose(result);
    expect(fp(c, CLUSTER_KEY, 'computeConfig')).toEqual({
      enabled: true,
      nodePools: ['general-purpose', 'system'],
      nodeRoleArn: dig(observed[AUTO_NODE_ROLE_KEY], 'status', 'atProvider', 'arn'),
    });
    expect(fp(c, CLUSTER_KEY, 'storageConfig')).toEqual({ blockStorage: { enabled: true } });
    expect(fp(c, CLUSTER_KEY, 'kubernetesNetworkConfig')).toEqual({ elasticLoadBalancing: { enabled: true } });
    expect(fp(c, CLUSTER_KEY, 'bootstrapSelfManagedAddons')).toBe(false);
  });

  it('gives the cluster role the Auto Mode policies, trusted with sts:TagSession, and the node role the minimal ones', () => {
    const c = mustCompose(reconcileToReady(autoXr()).result);
    const policies = (role: string) =>
      c.resources
        .filter((r) => r.body.kind === 'RolePolicyAttachment' && dig(r.body, 'spec', 'forProvider', 'roleRef', 'name') === `team-a-${role}`)
        .map((r) =>
          String(fp(c, r.key, 'policyArn'))
            .split('/')
            .pop(),
        )
        .sort();
    expect(policies(CLUSTER_ROLE_KEY)).toEqual([
      'AmazonEKSBlockStoragePolicy',
      'AmazonEKSClusterPolicy',
      'AmazonEKSComputePolicy',
      'AmazonEKSLoadBalancingPolicy',
      'AmazonEKSNetworkingPolicy',
    ]);
    expect(policies(AUTO_NODE_ROLE_KEY)).toEqual(['AmazonEC2ContainerRegistryPullOnly', 'AmazonEKSWorkerNodeMinimalPolicy']);
    expect(JSON.parse(String(fp(c, CLUSTER_ROLE_KEY, 'assumeRolePolicy'))).Statement[0].Action).toContain('sts:TagSession');
  });

  it('composes no node group, no node role and none of the add-ons Auto Mode runs itself', () => {
    const c = mustCompose(reconcileToReady(autoXr()).result);
    expect(c.resources.filter((r) => r.body.kind === 'NodeGroup')).toEqual([]);
    expect(c.resources.map((r) => r.key)).not.toContain(NODE_ROLE_KEY);
    expect(c.resources.filter((r) => r.body.kind === 'Addon').map((r) => fp(c, r.key, 'addonName'))).toEqual(['metrics-server']);
  });

  it('the cluster waits for its node role and the policies Auto Mode needs', () => {
    const { waves } = reconcileToReady(autoXr());
    const waveOf = (key: string) => waves.findIndex((w) => w.includes(key));
    for (const key of [AUTO_NODE_ROLE_KEY, 'role-auto-node-amazoneksworkernodeminimalpolicy', 'role-cluster-amazonekscomputepolicy'])
      expect(waveOf(CLUSTER_KEY), key).toBeGreaterThan(waveOf(key));
  });

  it('switched off on a running Auto Mode cluster, the three capabilities are switched off together', () => {
    const { observed } = reconcileToReady(autoXr());
    const off = mustCompose(compose({ composite: autoXr({ enabled: false }), observed }));
    expect(fp(off, CLUSTER_KEY, 'computeConfig')).toEqual({ enabled: false });
    expect(fp(off, CLUSTER_KEY, 'storageConfig')).toEqual({ blockStorage: { enabled: false } });
    expect(fp(off, CLUSTER_KEY, 'kubernetesNetworkConfig')).toEqual({ elasticLoadBalancing: { enabled: false } });
  });
});
