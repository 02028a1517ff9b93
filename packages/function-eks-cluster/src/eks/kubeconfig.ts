/**
 * The kubeconfig of the new cluster, for Flux: ClusterAuth writes it to the
 * Secret <xr-name>-kubeconfig, key "kubeconfig", in the EKSCluster's namespace,
 * where a Flux Kustomization's spec.kubeConfig.secretRef can read it.
 */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { managed, ref } from '../ground/managed.js';
import { EKS } from '../ground/composed-kinds.js';
import { usageKey, type UncomposedObject } from '../ground/deletion-order.js';
import { CLUSTER_KEY } from './cluster.js';

export const KUBECONFIG_KEY = 'kubeconfig';
export const KUBECONFIG_SECRET_KEY = 'kubeconfig';
/** Stands for the kubeconfig Secret in deletion-order edges: ClusterAuth writes it, the function does not compose it. */
const KUBECONFIG_SECRET_END = 'kubeconfig-secret';

export function kubeconfigSecretName(xrName: string): string {
  return `${xrName}-kubeconfig`;
}

/**
 * The kubeconfig Secret exists as long as the EKS Cluster does. When a cluster
 * is removed from Git, Flux deletes its app Kustomizations, the EKSCluster and
 * the namespace at once, and prunes the apps from the cluster only while this
 * Secret exists (kustomize-controller skips garbage collection without it);
 * apps must go while the cluster can be reached (a LoadBalancer Service left
 * behind leaks a load balancer that blocks the VPC's deletion). So:
 * - the Cluster keeps the Secret: Crossplane's Usage webhook refuses the
 *   namespace controller's deletion of it;
 * - the Cluster keeps ClusterAuth: the token in the Secret expires within 15
 *   minutes unless the provider refreshes it, and the Secret is owned by
 *   ClusterAuth, so the garbage collector deletes it once ClusterAuth is gone.
 * ClusterAuth keeps nothing (lifecycle/usages.ts), so this makes no cycle.
 *
 * An XR composed by an earlier version keeps its Usage of the Cluster by
 * ClusterAuth: a composed Usage the function stops returning stays,
 * Terminating, until the resource using it is gone (Crossplane's Usage
 * controller), so with the reverse Usage neither could ever be deleted. Its
 * Secret still outlives the Cluster, but the token in it is no longer
 * refreshed once ClusterAuth is gone.
 */
export function kubeconfigResource(ctx: ComposeContext): DesiredResource {
  const legacy = ctx.observed.has(usageKey({ of: CLUSTER_KEY, by: KUBECONFIG_KEY }));
  return managed(ctx, {
    group: 'access',
    key: KUBECONFIG_KEY,
    apiVersion: EKS,
    kind: 'ClusterAuth',
    forProvider: { region: ctx.spec.region, clusterNameRef: ref(ctx, CLUSTER_KEY) },
    connectionSecretName: kubeconfigSecretName(ctx.xrName),
    waitsFor: [CLUSTER_KEY],
    ...(legacy ? { needs: [CLUSTER_KEY] } : { keptBy: [CLUSTER_KEY] }),
  });
}

export function kubeconfigSecret(ctx: ComposeContext): UncomposedObject {
  return {
    key: KUBECONFIG_SECRET_END,
    apiVersion: 'v1',
    kind: 'Secret',
    name: kubeconfigSecretName(ctx.xrName),
    writtenBy: KUBECONFIG_KEY,
    keptBy: [CLUSTER_KEY],
  };
}
