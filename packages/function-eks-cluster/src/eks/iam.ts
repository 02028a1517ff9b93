/** IAM roles for the control plane and the nodes, with the AWS-managed policies EKS documents. */
import { derivedRoleName, IAM_ROLE_NAME_MAX, type ComposeContext, type DesiredResource } from '../compose/context.js';
import { awsTags, IAM, managed, ref } from '../compose/managed.js';

export const CLUSTER_ROLE_KEY = 'role-cluster';
export const NODE_ROLE_KEY = 'role-node';

const CLUSTER_POLICIES = ['AmazonEKSClusterPolicy'];
const NODE_POLICIES = [
  'AmazonEKSWorkerNodePolicy',
  'AmazonEKS_CNI_Policy',
  'AmazonEC2ContainerRegistryPullOnly',
  'AmazonSSMManagedInstanceCore',
];

/** The role's AWS name: the one it has if it exists (names never move), else a new unique one. */
export function roleName(ctx: ComposeContext, key: string, purpose: string): string {
  const existing = ctx.observed.externalName(key);
  if (existing && existing.length <= IAM_ROLE_NAME_MAX) return existing;
  return derivedRoleName(ctx.namespace, ctx.xrName, ctx.spec.clusterName, purpose);
}

function trustPolicy(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
  });
}

export function attachmentKey(roleKey: string, policy: string): string {
  return `${roleKey}-${policy.toLowerCase().replace(/_/g, '-')}`;
}

function role(ctx: ComposeContext, key: string, purpose: string, service: string, policies: string[]): DesiredResource[] {
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
        ...(ctx.spec.permissionsBoundaryArn ? { permissionsBoundary: ctx.spec.permissionsBoundaryArn } : {}),
      },
    }),
    ...policies.map((policy) =>
      managed(ctx, {
        key: attachmentKey(key, policy),
        apiVersion: IAM,
        kind: 'RolePolicyAttachment',
        forProvider: { roleRef: ref(ctx, key), policyArn: `arn:${ctx.partition}:iam::aws:policy/${policy}` },
      }),
    ),
  ];
}

export function iamResources(ctx: ComposeContext): DesiredResource[] {
  return [
    ...role(ctx, CLUSTER_ROLE_KEY, 'cluster', 'eks.amazonaws.com', CLUSTER_POLICIES),
    ...role(ctx, NODE_ROLE_KEY, 'node', 'ec2.amazonaws.com', NODE_POLICIES),
  ];
}

export function clusterRoleAttachmentKeys(): string[] {
  return CLUSTER_POLICIES.map((p) => attachmentKey(CLUSTER_ROLE_KEY, p));
}

export function nodeRoleAttachmentKeys(): string[] {
  return NODE_POLICIES.map((p) => attachmentKey(NODE_ROLE_KEY, p));
}
