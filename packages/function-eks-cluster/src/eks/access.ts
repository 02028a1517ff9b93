/** Cluster-admin access for IAM principals through EKS access entries. */
import { createHash } from 'node:crypto';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { EKS } from '../ground/composed-kinds.js';
import { CLUSTER_KEY } from './cluster.js';

/** A stable, readable key per principal: the last ARN segment plus a short hash for uniqueness. */
export function accessKey(principalArn: string): string {
  const last = principalArn.split('/').pop() ?? principalArn;
  const readable =
    last
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 30) || 'principal';
  const hash = createHash('sha256').update(principalArn).digest('hex').slice(0, 6);
  return `access-${readable}-${hash}`;
}

export function accessResources(ctx: ComposeContext): DesiredResource[] {
  return [...ctx.spec.access.clusterAdmins].sort().flatMap((principalArn) => clusterAdminAccess(ctx, accessKey(principalArn), principalArn));
}

/** An access entry for `principalArn` under `key`, and its cluster-admin policy association (`<key>-admin`). */
export function clusterAdminAccess(ctx: ComposeContext, key: string, principalArn: string): DesiredResource[] {
  return [
    managed(ctx, {
      group: 'access',
      key,
      apiVersion: EKS,
      kind: 'AccessEntry',
      forProvider: {
        region: ctx.spec.region,
        clusterNameRef: ref(ctx, CLUSTER_KEY),
        principalArn,
        type: 'STANDARD',
        tags: awsTags(ctx, key),
      },
      waitsFor: [CLUSTER_KEY],
    }),
    managed(ctx, {
      group: 'access',
      key: `${key}-admin`,
      apiVersion: EKS,
      kind: 'AccessPolicyAssociation',
      forProvider: {
        region: ctx.spec.region,
        clusterNameRef: ref(ctx, CLUSTER_KEY),
        principalArn,
        // Cluster-wide: an admin, or Flux, applies whatever Git holds, CRDs and namespaces included.
        policyArn: `arn:${ctx.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: 'cluster' },
      },
      waitsFor: [key],
    }),
  ];
}
