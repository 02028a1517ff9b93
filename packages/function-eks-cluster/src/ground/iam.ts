/**
 * IAM roles as every part of the topology composes them: one AWS name per
 * role for life, a service trust, the permissions boundary, and one
 * attachment per managed policy.
 */
import { createHash } from 'node:crypto';
import { derivedRoleName, IAM_ROLE_NAME_MAX, type ComposeContext, type DesiredResource } from './context.js';
import { awsTags, managed, ref } from './managed.js';
import { IAM } from './composed-kinds.js';

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
  const readable =
    name
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40)
      .replace(/-+$/, '') || 'policy';
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
      group: 'controlPlane',
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
        group: 'controlPlane',
        key: attachmentKey(key, policy),
        apiVersion: IAM,
        kind: 'RolePolicyAttachment',
        forProvider: { roleRef: ref(ctx, key), policyArn: policy.startsWith('arn:') ? policy : `arn:${ctx.partition}:iam::aws:policy/${policy}` },
      }),
    ),
  ];
}
