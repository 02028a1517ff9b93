/** IAM roles for the control plane and the nodes, with the AWS-managed policies EKS documents. */
import { createHash } from 'node:crypto';
import { derivedRoleName, IAM_ROLE_NAME_MAX, type ComposeContext, type DesiredResource } from '../compose/context.js';
import { awsTags, IAM, managed, ref } from '../compose/managed.js';
import { usesPodIdentity } from './addon-set.js';

export const CLUSTER_ROLE_KEY = 'role-cluster';
export const NODE_ROLE_KEY = 'role-node';

const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy'];
/** What EKS Auto Mode does with the cluster role: run nodes, volumes, load balancers and their network interfaces. */
const AUTO_MODE_CLUSTER_POLICIES = ['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'];
export const CNI_POLICY = 'AmazonEKS_CNI_Policy';
const NODE_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  CNI_POLICY,
  'AmazonEC2ContainerRegistryPullOnly',
  'AmazonSSMManagedInstanceCore',
];

/**
 * The node role carries the CNI policy only while vpc-cni cannot get it
 * through Pod Identity (no agent, an IRSA role, or the user's own CNI). On a
 * node role that has it already it stays: aws-node pods started with the
 * node's credentials keep using them until they restart, and would stop
 * assigning pod addresses. New clusters never get it; their node groups wait
 * for vpc-cni, whose role is in place before any node starts.
 */
export function nodeRolePolicies(ctx: ComposeContext): string[] {
  const keep = !usesPodIdentity(ctx.spec, 'vpc-cni') || ctx.observed.has(attachmentKey(NODE_ROLE_KEY, CNI_POLICY));
  return NODE_POLICIES.filter((p) => p !== CNI_POLICY || keep);
}

function clusterPolicies(ctx: ComposeContext): string[] {
  return ctx.spec.autoMode.enabled ? [...CLUSTER_POLICIES, ...AUTO_MODE_CLUSTER_POLICIES] : CLUSTER_POLICIES;
}

/** The role's AWS name: the one it has if it exists (names never move), else a new unique one. */
export function roleName(ctx: ComposeContext, key: string, purpose: string): string {
  const existing = ctx.observed.externalName(key);
  if (existing && existing.length <= IAM_ROLE_NAME_MAX) return existing;
  return derivedRoleName(ctx.namespace, ctx.xrName, ctx.spec.clusterName, purpose);
}

export function trustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
  });
}

/**
 * A policy's attachment key: the role's key and the policy name (the part
 * after its last '/'). A full ARN (any account's policy) is cut and gets a
 * hash of the whole ARN, so two policies of one name stay apart.
 */
export function attachmentKey(roleKey: string, policy: string): string {
  const name = (policy.split('/').pop() ?? policy).toLowerCase();
  if (!policy.startsWith('arn:')) return `${roleKey}-${name.replace(/_/g, '-')}`;
  const readable = name.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '') || 'policy';
  return `${roleKey}-${readable}-${createHash('sha256').update(policy).digest('hex').slice(0, 6)}`;
}

export function roleAttachmentKeys(roleKey: string, policies: readonly string[]): string[] {
  return policies.map((p) => attachmentKey(roleKey, p));
}

/** spec.permissionsBoundaryArn, set on every IAM role composed: a team's AWS role may only create bounded roles. */
export function permissionsBoundary(ctx: ComposeContext): { permissionsBoundary?: string } {
  return ctx.spec.permissionsBoundaryArn ? { permissionsBoundary: ctx.spec.permissionsBoundaryArn } : {};
}

/** An IAM role trusted by `service` (sts:AssumeRole and sts:TagSession) with AWS managed policies, by path after policy/. */
export function role(ctx: ComposeContext, key: string, purpose: string, service: string, policies: readonly string[]): DesiredResource[] {
  return [
    managed(ctx, {
      key,
      apiVersion: IAM,
      kind: 'Role',
      externalName: roleName(ctx, key, purpose),
      forProvider: {
        assumeRolePolicy: trustPolicy(service),
        description: `EKS ${purpose} role of ${ctx.clusterName}, managed by eks-gitops`,
        tags: awsTags(ctx, key),
        ...permissionsBoundary(ctx),
      },
    }),
    ...policies.map((policy) =>
      managed(ctx, {
        key: attachmentKey(key, policy),
        apiVersion: IAM,
        kind: 'RolePolicyAttachment',
        forProvider: { roleRef: ref(ctx, key), policyArn: policy.startsWith('arn:') ? policy : `arn:${ctx.partition}:iam::aws:policy/${policy}` },
      }),
    ),
  ];
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
