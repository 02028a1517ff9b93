/**
 * The IAM OIDC provider of the cluster's service account issuer, without which
 * no IAM role for a service account (IRSA, spec.addons[].serviceAccountRoleArn)
 * can be assumed. The issuer exists only once EKS created the cluster, so the
 * provider is composed from the observed issuer; once it exists it keeps its
 * URL, as a cluster's issuer never changes.
 */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { digString } from '../ground/observed.js';
import { awsTags, managed } from '../ground/managed.js';
import { IAM } from '../ground/composed-kinds.js';
import { CLUSTER_KEY } from './cluster.js';

export const OIDC_PROVIDER_KEY = 'oidc-provider';

function clusterIssuer(ctx: ComposeContext): string | undefined {
  return digString(ctx.observed.get(CLUSTER_KEY), 'status', 'atProvider', 'identity', 0, 'oidc', 0, 'issuer');
}

export function oidcProviderResources(ctx: ComposeContext): DesiredResource[] {
  const existing = ctx.observed.forProvider(OIDC_PROVIDER_KEY, 'url');
  const url = typeof existing === 'string' && existing !== '' ? existing : clusterIssuer(ctx);
  if (url === undefined) return [];
  return [
    managed(ctx, {
      group: 'access',
      key: OIDC_PROVIDER_KEY,
      apiVersion: IAM,
      kind: 'OpenIDConnectProvider',
      forProvider: { url, clientIdList: ['sts.amazonaws.com'], tags: awsTags(ctx, OIDC_PROVIDER_KEY) },
      waitsFor: [CLUSTER_KEY],
    }),
  ];
}
