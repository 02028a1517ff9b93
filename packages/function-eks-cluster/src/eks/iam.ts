/** IAM roles for the control plane and the nodes, with the AWS-managed policies EKS documents. */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { attachmentKey, role, roleAttachmentKeys } from '../ground/iam.js';
import { usesPodIdentity } from './addon-set.js';
import { autoModeIam } from './auto-mode.js';

export const CLUSTER_ROLE_KEY = 'role-cluster';
export const NODE_ROLE_KEY = 'role-node';

const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy'];
/** What EKS Auto Mode does with the cluster role: run nodes, volumes, load balancers and their network interfaces. */
const AUTO_MODE_CLUSTER_POLICIES = ['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'];
export const CNI_POLICY = 'AmazonEKS_CNI_Policy';
const NODE_POLICIES = ['AmazonEKSWorkerNodePolicy', CNI_POLICY, 'AmazonEC2ContainerRegistryPullOnly', 'AmazonSSMManagedInstanceCore'];

/**
 * The node role carries the CNI policy only while vpc-cni cannot get it
 * through Pod Identity (no agent, an IRSA role, or the user's own CNI). On a
 * node role that has it already it stays: aws-node pods started with the
 * node's credentials keep using them until they restart, and would stop
 * assigning pod addresses. New clusters never get it; their node groups wait
 * for vpc-cni, whose role is in place before any node starts.
 */
function nodeRolePolicies(ctx: ComposeContext): string[] {
  const keep = !usesPodIdentity(ctx.spec, 'vpc-cni') || ctx.observed.has(attachmentKey(NODE_ROLE_KEY, CNI_POLICY));
  return NODE_POLICIES.filter((p) => p !== CNI_POLICY || keep);
}

function clusterPolicies(ctx: ComposeContext): string[] {
  return autoModeIam(ctx) ? [...CLUSTER_POLICIES, ...AUTO_MODE_CLUSTER_POLICIES] : CLUSTER_POLICIES;
}

/** The cluster role's Auto Mode policy attachments: switching Auto Mode on waits for them (eks/auto-mode.ts). */
export function clusterRoleAutoModeKeys(): string[] {
  return roleAttachmentKeys(CLUSTER_ROLE_KEY, AUTO_MODE_CLUSTER_POLICIES);
}

/** The cluster role, and the node role of managed node groups (none in Auto Mode, which has its own: eks/auto-mode.ts). */
export function iamResources(ctx: ComposeContext): DesiredResource[] {
  return [
    ...role(ctx, CLUSTER_ROLE_KEY, 'cluster', 'eks.amazonaws.com', clusterPolicies(ctx)),
    ...(ctx.spec.autoMode.enabled ? [] : role(ctx, NODE_ROLE_KEY, 'node', 'ec2.amazonaws.com', nodeRolePolicies(ctx))),
  ];
}

export function clusterRoleAttachmentKeys(ctx: ComposeContext): string[] {
  return roleAttachmentKeys(CLUSTER_ROLE_KEY, clusterPolicies(ctx));
}

export function nodeRoleAttachmentKeys(ctx: ComposeContext): string[] {
  return roleAttachmentKeys(NODE_ROLE_KEY, nodeRolePolicies(ctx));
}
