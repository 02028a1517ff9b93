/**
 * The AWS side of custom networking (spec.network.podSubnets): the secondary
 * block associated with the VPC, a pod subnet per zone in it, each routed by
 * its zone's private route table (egress through the zone's NAT, the S3
 * gateway endpoint). The pod subnets carry no load balancer or Karpenter
 * discovery tag: nodes and load balancers stay in the private subnets.
 *
 * Order AWS enforces: a subnet in the block can be created only once the
 * block is associated, and the block cannot be disassociated while a subnet
 * uses it ("InvalidCidrBlock.InUse", dev/aws-rules/dependencies.ts): each pod
 * subnet waits for the association and needs it (a deletion-order Usage).
 */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { managed, ref } from '../ground/managed.js';
import { EC2 } from '../ground/composed-kinds.js';
import { formatCidr, type Cidr } from './cidr.js';
import { ENDPOINT_HTTPS_RULE_KEY, endpointHttpsRule } from './endpoints.js';
import { POD_TIER, type PlannedPodSubnet } from './pod-subnets.js';
import { privateRouteTableKey, routeTableAssociation, VPC_KEY, zoneSubnet } from './resources.js';

export const POD_CIDR_ASSOCIATION_KEY = 'vpc-cidr-pods';

function podSubnet(ctx: ComposeContext, s: PlannedPodSubnet): DesiredResource {
  const tags = { [`kubernetes.io/cluster/${ctx.clusterName}`]: 'shared', 'eks.gitops.dev/tier': POD_TIER };
  return zoneSubnet(ctx, { ...s, tier: POD_TIER }, tags, { waitsFor: [POD_CIDR_ASSOCIATION_KEY], needs: [POD_CIDR_ASSOCIATION_KEY] });
}

/**
 * @param withEndpoints whether the VPC endpoints (network/endpoints.ts) are composed
 */
export function podNetworkResources(
  ctx: ComposeContext,
  block: Cidr | undefined,
  subnets: readonly PlannedPodSubnet[],
  withEndpoints: boolean,
): DesiredResource[] {
  if (!block) return [];
  return [
    managed(ctx, {
      group: 'network',
      key: POD_CIDR_ASSOCIATION_KEY,
      apiVersion: EC2,
      kind: 'VPCIPv4CidrBlockAssociation',
      forProvider: { region: ctx.spec.region, vpcIdRef: ref(ctx, VPC_KEY), cidrBlock: formatCidr(block) },
    }),
    ...subnets.map((s) => podSubnet(ctx, s)),
    // Composed with its subnet, which waits for the block.
    ...subnets.map((s) => routeTableAssociation(ctx, { ...s, tier: POD_TIER }, privateRouteTableKey(s.zone.key), { waitsFor: [POD_CIDR_ASSOCIATION_KEY] })),
    // Pods call AWS from their own addresses: the interface endpoints' security group lets HTTPS in from the block too.
    ...(withEndpoints ? [endpointHttpsRule(ctx, `${ENDPOINT_HTTPS_RULE_KEY}-${POD_TIER}`, block, 'HTTPS from the pod subnets')] : []),
  ];
}
