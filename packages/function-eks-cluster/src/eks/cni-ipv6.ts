/**
 * The VPC CNI's IPv6 permissions: in an IPv6 cluster aws-node assigns IPv6
 * prefixes to nodes, which AmazonEKS_CNI_Policy does not allow. AWS publishes
 * no managed policy for it: the EKS User Guide ("Create IAM policy for IPv6
 * clusters", its AmazonEKS_CNI_IPv6_Policy) has users create one. It goes inline
 * on whichever role gives aws-node its AWS permissions here: vpc-cni's own
 * Pod Identity role, else the node role (which then carries AmazonEKS_CNI_Policy,
 * eks/iam.ts). An IRSA role of the user's (serviceAccountRoleArn) is theirs to extend.
 */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { managed, ref } from '../ground/managed.js';
import { IAM } from '../ground/composed-kinds.js';
import { addonRoleKey, usesPodIdentity } from './addon-set.js';
import { NODE_ROLE_KEY } from './iam.js';

/** The role that carries the IPv6 policy, when the cluster is IPv6 (Auto Mode, which runs its own CNI, is refused with IPv6: compose/xr.ts). */
function cniIpv6RoleKey(ctx: ComposeContext): string | undefined {
  if (ctx.spec.network.ipFamily !== 'IPv6' || ctx.spec.autoMode.enabled) return undefined;
  return usesPodIdentity(ctx.spec, 'vpc-cni') ? addonRoleKey('vpc-cni') : NODE_ROLE_KEY;
}

/** The key of the IPv6 policy when `roleKey` carries it: what vpc-cni (its role) or the node groups (the node role) wait for. */
export function cniIpv6PolicyKeys(ctx: ComposeContext, roleKey: string): string[] {
  return cniIpv6RoleKey(ctx) === roleKey ? [`${roleKey}-cni-ipv6`] : [];
}

function policyDocument(partition: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['ec2:AssignIpv6Addresses', 'ec2:DescribeInstances', 'ec2:DescribeTags', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeInstanceTypes'],
        Resource: '*',
      },
      { Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: [`arn:${partition}:ec2:*:*:network-interface/*`] },
    ],
  });
}

export function cniIpv6Resources(ctx: ComposeContext): DesiredResource[] {
  const roleKey = cniIpv6RoleKey(ctx);
  if (roleKey === undefined) return [];
  return cniIpv6PolicyKeys(ctx, roleKey).map((key) =>
    managed(ctx, {
      group: 'controlPlane',
      key,
      apiVersion: IAM,
      kind: 'RolePolicy',
      forProvider: { roleRef: ref(ctx, roleKey), policy: policyDocument(ctx.partition) },
    }),
  );
}
