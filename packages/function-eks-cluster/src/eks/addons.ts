/**
 * EKS add-ons and their order: networking add-ons (vpc-cni, kube-proxy, the
 * pod identity agent) as soon as the control plane is up, because nodes
 * cannot become Ready without a CNI; everything else (coredns, metrics-server)
 * only once nodes exist, because a Deployment without nodes leaves the add-on DEGRADED.
 */
import { DEFAULT_ADDONS, type AddonSpec } from '../api/eks-cluster.js';
import type { JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../compose/context.js';
import { awsTags, EKS, managed, ref } from '../compose/managed.js';
import { CLUSTER_KEY } from './cluster.js';
import { OIDC_PROVIDER_KEY } from './oidc.js';

/** Add-ons that nodes need to become Ready: installed as soon as the control plane is. */
export const BEFORE_NODES: ReadonlySet<string> = new Set(['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']);

export function addonKey(name: string): string {
  return `addon-${name}`;
}

/** Defaults first, then the user's entries; a user entry with a default's name overrides it. */
export function effectiveAddons(userAddons: readonly AddonSpec[]): AddonSpec[] {
  const byName = new Map<string, AddonSpec>(DEFAULT_ADDONS.map((name) => [name, { name, enabled: true }]));
  for (const addon of userAddons) byName.set(addon.name, addon);
  return [...byName.values()].filter((a) => a.enabled).sort((a, b) => a.name.localeCompare(b.name));
}

export function addonResources(ctx: ComposeContext, nodeGroupKeys: readonly string[]): DesiredResource[] {
  return effectiveAddons(ctx.spec.addons).map((addon) => {
    const forProvider: JsonObject = {
      region: ctx.spec.region,
      clusterNameRef: ref(ctx, CLUSTER_KEY),
      addonName: addon.name,
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      tags: awsTags(ctx, addonKey(addon.name)),
    };
    if (addon.version) forProvider.addonVersion = addon.version;
    if (addon.configurationValues) forProvider.configurationValues = addon.configurationValues;
    if (addon.serviceAccountRoleArn) forProvider.serviceAccountRoleArn = addon.serviceAccountRoleArn;
    // A service account role can only be assumed once the cluster's OIDC provider is registered (eks/oidc.ts).
    const irsa = addon.serviceAccountRoleArn ? [OIDC_PROVIDER_KEY] : [];
    const gate =
      BEFORE_NODES.has(addon.name) || nodeGroupKeys.length === 0
        ? { waitsFor: [CLUSTER_KEY, ...irsa] }
        : { waitsFor: irsa, waitsForAny: nodeGroupKeys };
    return managed(ctx, { key: addonKey(addon.name), apiVersion: EKS, kind: 'Addon', forProvider, ...gate });
  });
}
