/**
 * The kubeconfig of the new cluster, for Flux: ClusterAuth writes it to the
 * Secret <xr-name>-kubeconfig, key "kubeconfig", in the EKSCluster's namespace,
 * where a Flux Kustomization's spec.kubeConfig.secretRef can read it.
 */
import type { ComposeContext, DesiredResource } from '../compose/context.js';
import { EKS, managed, ref } from '../compose/managed.js';
import { CLUSTER_KEY } from './cluster.js';

export const KUBECONFIG_KEY = 'kubeconfig';
export const KUBECONFIG_SECRET_KEY = 'kubeconfig';

export function kubeconfigSecretName(xrName: string): string {
  return `${xrName}-kubeconfig`;
}

export function kubeconfigResource(ctx: ComposeContext): DesiredResource {
  return managed(ctx, {
    key: KUBECONFIG_KEY,
    apiVersion: EKS,
    kind: 'ClusterAuth',
    forProvider: { region: ctx.spec.region, clusterNameRef: ref(ctx, CLUSTER_KEY) },
    connectionSecretName: kubeconfigSecretName(ctx.xrName),
    waitsFor: [CLUSTER_KEY],
  });
}
