/**
 * EKS add-ons and their order: networking add-ons (vpc-cni, kube-proxy, the
 * pod identity agent) as soon as the control plane is up, because nodes
 * cannot become Ready without a CNI; everything else (coredns, metrics-server)
 * only once nodes exist, because a Deployment without nodes leaves the add-on DEGRADED.
 *
 * Versions: the user's, else the maintained default for the Kubernetes minor
 * the control plane runs (api/addon-versions.ts). EKS wants the control plane
 * upgraded before add-on versions of the new minor, so an add-on moves only
 * once the observed cluster reports it (ctx.versions.nodes: what nodes are
 * asked to run too), and a default never lowers the version an add-on runs.
 */
import { DEFAULT_ADDONS, type AddonSpec } from '../api/eks-cluster.js';
import type { Json, JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource, Notice } from '../ground/context.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { EKS } from '../ground/composed-kinds.js';
import { MAINTAINED_MINORS, maintainedAddonVersion } from '../api/addon-versions.js';
import { CLUSTER_KEY } from './cluster.js';
import { vpcCniConfigurationValues } from './vpc-cni-config.js';
import { OIDC_PROVIDER_KEY } from './oidc.js';
import { cniIpv6PolicyKeys } from './cni-ipv6.js';
import { addonIdentityKeys, addonRoleKey, composedAddons, effectiveAddons, POD_IDENTITY_ADDONS, usesPodIdentity } from './addon-set.js';

export { effectiveAddons };

/** Add-ons that nodes need to become Ready: installed as soon as the control plane is. */
export const BEFORE_NODES: ReadonlySet<string> = new Set(['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']);

export function addonKey(name: string): string {
  return `addon-${name}`;
}

/** v1.20.4-eksbuild.1 as [1, 20, 4, 1]; undefined when it is not of that form. */
function versionParts(version: string): number[] | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:-eksbuild\.(\d+))?$/.exec(version);
  return match ? match.slice(1).map((part) => Number(part ?? 0)) : undefined;
}

/** Whether `a` is a later version than `b`; false when either cannot be read. */
export function isNewerVersion(a: string, b: string): boolean {
  const x = versionParts(a);
  const y = versionParts(b);
  if (!x || !y) return false;
  const i = x.findIndex((part, j) => part !== y[j]);
  return i >= 0 && x[i]! > y[i]!;
}

const isDefaultAddon = (name: string) => (DEFAULT_ADDONS as readonly string[]).includes(name);

/**
 * The version to ask for: the user's; else the maintained default for the
 * minor the control plane runs, unless the add-on already runs a later one
 * (EKS does not downgrade add-ons); for a minor the table lacks, a default
 * add-on keeps what it runs; otherwise none, and EKS picks at creation.
 */
function addonVersion(ctx: ComposeContext, addon: AddonSpec): string | undefined {
  if (addon.version) return addon.version;
  if (!isDefaultAddon(addon.name)) return undefined;
  const wanted = maintainedAddonVersion(addon.name, ctx.versions.nodes);
  const key = addonKey(addon.name);
  const running = ctx.observed.atProvider(key, 'addonVersion') ?? stringOf(ctx.observed.forProvider(key, 'addonVersion'));
  if (wanted === undefined) return running;
  return running !== undefined && isNewerVersion(running, wanted) ? running : wanted;
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Default add-ons without a version of their own when the running minor is not in the table. */
export function addonVersionNotices(ctx: ComposeContext): Notice[] {
  const minor = ctx.versions.nodes;
  if (MAINTAINED_MINORS.includes(minor)) return [];
  const unpinned = composedAddons(ctx.spec).filter((a) => !a.version && isDefaultAddon(a.name));
  if (unpinned.length === 0) return [];
  return [
    {
      reason: 'AddonVersionsUnknown',
      message: `no maintained add-on versions for Kubernetes ${minor} (the function knows ${MAINTAINED_MINORS.join(', ')}): ${unpinned.map((a) => a.name).join(', ')} keep the versions they run (new ones get the EKS default) and do not follow upgrades; set spec.addons[].version for them, or use a function release that knows ${minor}`,
    },
  ];
}

/**
 * The add-on's Pod Identity association: its composed role, whose ARN (no
 * reference field exists for it) is read from the observed role; the add-on
 * waits for the role and its policies, so its pods never start without them.
 * Until the ARN is known an existing add-on keeps what it has.
 */
function podIdentity(ctx: ComposeContext, addonName: string): { association?: Json; waitsFor: string[] } {
  if (!usesPodIdentity(ctx.spec, addonName)) return { waitsFor: [] };
  const roleKey = addonRoleKey(addonName);
  const waitsFor = [...addonIdentityKeys(ctx.spec, addonName), ...cniIpv6PolicyKeys(ctx, roleKey)];
  const roleArn = ctx.observed.atProvider(roleKey, 'arn');
  if (roleArn === undefined) {
    const kept = ctx.observed.forProvider(addonKey(addonName), 'podIdentityAssociation');
    return { waitsFor, ...(kept !== undefined ? { association: kept } : {}) };
  }
  return { waitsFor, association: [{ roleArn, serviceAccount: POD_IDENTITY_ADDONS[addonName]!.serviceAccount }] };
}

export function addonResources(ctx: ComposeContext, nodeGroupKeys: readonly string[]): DesiredResource[] {
  return composedAddons(ctx.spec).map((addon) => {
    const forProvider: JsonObject = {
      region: ctx.spec.region,
      clusterNameRef: ref(ctx, CLUSTER_KEY),
      addonName: addon.name,
      // Create: take over whatever a self-managed copy left behind. Update
      // (a version bump): keep what was changed on the cluster outside
      // configurationValues, which still applies; EKS would otherwise reset it.
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'PRESERVE',
      tags: awsTags(ctx, addonKey(addon.name)),
    };
    const version = addonVersion(ctx, addon);
    if (version) forProvider.addonVersion = version;
    // vpc-cni also carries how pods are addressed (spec.network.podSubnets, prefixDelegation): eks/vpc-cni-config.ts.
    const values = addon.name === 'vpc-cni' ? vpcCniConfigurationValues(ctx, addon.configurationValues) : addon.configurationValues;
    if (values) forProvider.configurationValues = values;
    if (addon.serviceAccountRoleArn) forProvider.serviceAccountRoleArn = addon.serviceAccountRoleArn;
    // A service account role can only be assumed once the cluster's OIDC provider is registered (eks/oidc.ts).
    const irsa = addon.serviceAccountRoleArn ? [OIDC_PROVIDER_KEY] : [];
    const identity = podIdentity(ctx, addon.name);
    if (identity.association) forProvider.podIdentityAssociation = identity.association;
    const needs = [...irsa, ...identity.waitsFor];
    const gate =
      BEFORE_NODES.has(addon.name) || nodeGroupKeys.length === 0 ? { waitsFor: [CLUSTER_KEY, ...needs] } : { waitsFor: needs, waitsForAny: nodeGroupKeys };
    // It outlives neither its role and policies (the ARN is a string, no reference) nor the OIDC provider its IRSA role is assumed through.
    return managed(ctx, { group: 'addons', key: addonKey(addon.name), apiVersion: EKS, kind: 'Addon', forProvider, ...gate, needs });
  });
}
