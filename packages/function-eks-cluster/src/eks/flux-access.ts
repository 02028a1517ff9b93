/**
 * Delivery mode AWSIdentity: Flux on the management cluster reaches the new
 * cluster with its own AWS identity, and no Secret holds a credential.
 * - The ConfigMap <xr-name>-kubeconfig in the EKSCluster's namespace, for a
 *   Flux spec.kubeConfig.configMapRef: `provider: aws` and the cluster's ARN
 *   (Flux looks up the endpoint and CA with eks:DescribeCluster).
 * - An access entry with cluster-admin for the Flux controllers' IAM role.
 *
 * Like the kubeconfig Secret (eks/kubeconfig.ts), the ConfigMap and the access
 * entry are kept by the Cluster: Flux prunes the apps from the cluster only
 * while it can still reach it. They need nothing kept themselves: EKS deletes
 * a cluster's access entries with it.
 */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { dig } from '../ground/observed.js';
import { accessKey, clusterAdminAccess } from './access.js';
import { CLUSTER_KEY } from './cluster.js';
import { KUBECONFIG_KEY, kubeconfigSecretName } from './kubeconfig.js';

const FLUX_CONFIGMAP_KEY = 'kubeconfig-configmap';

/** Same name as the Secret of the other mode: whichever the mode, Flux reads <xr-name>-kubeconfig. */
export const kubeconfigConfigMapName = kubeconfigSecretName;

function fluxAccessKey(fluxRoleArn: string): string {
  return accessKey(fluxRoleArn).replace(/^access-/, 'access-flux-');
}

export function awsIdentityDelivery(ctx: ComposeContext): boolean {
  return ctx.spec.delivery.mode === 'AWSIdentity' && ctx.spec.delivery.fluxRoleArn !== undefined;
}

/** ClusterAuth and its Secret: in mode KubeconfigSecret, and kept once they exist so switching mode never strands them. */
export function kubeconfigSecretWanted(ctx: ComposeContext): boolean {
  return !awsIdentityDelivery(ctx) || ctx.observed.has(KUBECONFIG_KEY);
}

function configMap(ctx: ComposeContext): DesiredResource {
  const previous = dig(ctx.observed.get(FLUX_CONFIGMAP_KEY), 'data', 'cluster');
  const arn = ctx.observed.atProvider(CLUSTER_KEY, 'arn') ?? (typeof previous === 'string' ? previous : '');
  return {
    key: FLUX_CONFIGMAP_KEY,
    body: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: kubeconfigConfigMapName(ctx.xrName), namespace: ctx.namespace, labels: { 'eks.gitops.dev/cluster': ctx.clusterName } },
      data: { provider: 'aws', cluster: arn },
    },
    // The ARN is known once the cluster exists.
    group: 'access',
    waitsFor: [CLUSTER_KEY],
    keptBy: [CLUSTER_KEY],
  };
}

/** The principals of Flux access entries that exist: an earlier spec.delivery.fluxRoleArn among them. */
function existingFluxPrincipals(ctx: ComposeContext): string[] {
  return Object.keys(ctx.observed.resources)
    .filter((k) => k.startsWith('access-flux-') && !k.endsWith('-admin'))
    .map((k) => ctx.observed.forProvider(k, 'principalArn'))
    .filter((arn): arn is string => typeof arn === 'string');
}

/**
 * The ConfigMap and the access entry of the Flux role. Once they exist they
 * stay, as the kubeconfig Secret does in the other mode, until the cluster is
 * deleted, also when the mode or the role changes: the cluster's deletion order
 * holds them (a Usage composed with the cluster waits for it to go), so a left
 * out one could only hang in deletion.
 */
export function fluxAccessResources(ctx: ComposeContext): DesiredResource[] {
  const current = awsIdentityDelivery(ctx) ? ctx.spec.delivery.fluxRoleArn! : undefined;
  const earlier = existingFluxPrincipals(ctx).filter((arn) => arn !== current);
  if (current === undefined && earlier.length === 0 && !ctx.observed.has(FLUX_CONFIGMAP_KEY)) return [];
  const kept = (arn: string) =>
    clusterAdminAccess(ctx, fluxAccessKey(arn), arn).map((r, i) => ({
      ...r,
      keptBy: [CLUSTER_KEY],
      ...(i === 0 && arn !== current
        ? {
            warnings: [
              `${r.key} gives ${arn}, no longer spec.delivery.fluxRoleArn, cluster-admin until the cluster is deleted: the cluster's deletion order holds it (Flux prunes the apps through it at teardown); to revoke it sooner, revoke it in IAM, where the role is defined`,
            ],
          }
        : {}),
    }));
  return [configMap(ctx), ...[...(current ? [current] : []), ...earlier].sort().flatMap(kept)];
}
