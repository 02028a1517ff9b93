/**
 * spec.network.existing: the cluster runs in a VPC and subnets someone else
 * owns. Nothing of the network is composed, so nothing of it is ever deleted.
 * Switching between a composed and an existing network on a live EKSCluster
 * would delete the composed VPC (or leave the cluster in subnets it can never
 * leave: EKS fixes them at creation), so it is refused either way.
 */
import type { EKSClusterSpec } from '../api/eks-cluster.js';
import type { FieldError } from '../api/validate.js';
import type { ObservedState } from '../compose/observed.js';
import { CLUSTER_KEY } from '../eks/cluster.js';
import type { NatPlan } from './nat.js';
import { VPC_KEY } from './resources.js';

export const NO_NAT: NatPlan = { gateways: [], routeTarget: new Map() };

export function checkNetworkOwnership(spec: EKSClusterSpec, observed: ObservedState): FieldError[] {
  const existing = spec.network.existing;
  if (existing && observed.has(VPC_KEY)) {
    return [
      {
        path: 'spec.network.existing',
        message: `is set on an EKSCluster whose VPC ${observed.atProvider(VPC_KEY, 'id') ?? ''} was composed by it; switching would delete that VPC and replace the cluster. Remove spec.network.existing, or create a new EKSCluster in ${existing.vpcId}`.replace('VPC  was', 'VPC was'),
      },
    ];
  }
  const clusterSubnetIds = observed.forProvider(CLUSTER_KEY, 'vpcConfig', 'subnetIds');
  const clusterSubnetRefs = observed.forProvider(CLUSTER_KEY, 'vpcConfig', 'subnetIdRefs');
  if (!existing && Array.isArray(clusterSubnetIds) && clusterSubnetIds.length > 0 && !(Array.isArray(clusterSubnetRefs) && clusterSubnetRefs.length > 0)) {
    return [
      {
        path: 'spec.network.existing',
        message: `was removed, but the EKS cluster runs in existing subnets (${clusterSubnetIds.join(', ')}) that EKS cannot move it out of; put spec.network.existing back`,
      },
    ];
  }
  return [];
}
