/**
 * The functional core: an observed EKSCluster and its observed composed
 * resources in, the complete desired state out, or errors and nothing else.
 * No I/O happens here.
 */
import { readClaim, type Claim } from '../api/claim.js';
import type { EKSClusterStatus } from '../api/eks-cluster.js';
import type { JsonObject } from '../api/schema-builder.js';
import type { FieldError } from '../api/validate.js';
import { accessResources } from '../eks/access.js';
import { autoModeClusterNeeds, autoModeResources } from '../eks/auto-mode.js';
import { karpenterEdges, karpenterResources } from '../eks/karpenter.js';
import { podIdentityEdges, podIdentityResources } from '../eks/pod-identity.js';
import { addonResources, addonVersionNotices } from '../eks/addons.js';
import { CLUSTER_KEY, clusterResource } from '../eks/cluster.js';
import { encryptionResources, KMS_KEY } from '../eks/encryption.js';
import { clusterRoleAttachmentKeys, iamResources, nodeRoleAttachmentKeys } from '../eks/iam.js';
import { kubeconfigEdges, kubeconfigResource, kubeconfigSecret } from '../eks/kubeconfig.js';
import { OIDC_PROVIDER_KEY, oidcProviderResources } from '../eks/oidc.js';
import { fluxAccessEdges, fluxAccessResources, kubeconfigSecretWanted } from '../eks/flux-access.js';
import { planVersions } from '../eks/versions.js';
import { nodeGroupKey, nodeGroupResources } from '../eks/node-groups.js';
import { applyGates } from '../lifecycle/readiness.js';
import { buildStatus, type XrCondition } from '../lifecycle/status.js';
import { usageResources, type Edge } from '../lifecycle/usages.js';
import { mustParseCidr, parseCidr, type Cidr } from '../network/cidr.js';
import { endpointResources, reachabilityNotices } from '../network/endpoints.js';
import { checkNetworkOwnership, NO_NAT } from '../network/existing.js';
import { flowLogResources } from '../network/flow-logs.js';
import { planNat, SINGLE_NAT_KEY, type NatPlan } from '../network/nat.js';
import { IGW_KEY, networkResources, VPC_KEY } from '../network/resources.js';
import { defaultPrefixLength, planSubnets, TIERS, type PlannedSubnet, type TierRequest } from '../network/subnet-plan.js';
import { defaultClusterName, EKS_CLUSTER_NAME_MAX, partitionOf, type ComposeContext, type DesiredResource, type Notice } from './context.js';
import { dig, digString, ObservedState } from './observed.js';
import { resourceName } from './managed.js';

export const TTL_PENDING_SECONDS = 20;
export const TTL_READY_SECONDS = 60;

export interface ComposedResource {
  readonly key: string;
  readonly body: JsonObject;
  readonly ready: boolean;
}

export interface Composition {
  readonly ok: true;
  readonly resources: ComposedResource[];
  readonly status: EKSClusterStatus;
  readonly conditions: XrCondition[];
  /** Where the desired state differs from the spec for safety, and how to get the change. */
  readonly warnings: string[];
  /** Warnings about what the function cannot check (reaching the cluster, a route to AWS), each with its own reason. */
  readonly notices: Notice[];
  readonly allReady: boolean;
  readonly ttlSeconds: number;
  readonly subnets: readonly PlannedSubnet[];
}

export type ComposeResult = Composition | { readonly ok: false; readonly errors: FieldError[] };

export interface ComposeInput {
  readonly composite: unknown;
  readonly observed: Readonly<Record<string, JsonObject>>;
}

const SUBNET_KEY = /^subnet-(private|public|isolated)-(.+)$/;

/** CIDRs of subnets that exist: observed first, then what the XR's status remembers. */
function pinnedSubnets(observed: ObservedState): { pins: Map<string, Cidr>; errors: FieldError[] } {
  const pins = new Map<string, Cidr>();
  const errors: FieldError[] = [];
  const remember = (key: string, text: string | undefined, source: string) => {
    if (!text || pins.has(key) || !SUBNET_KEY.test(key)) return;
    const parsed = parseCidr(text);
    if (parsed.ok) pins.set(key, parsed.cidr);
    else errors.push({ path: source, message: `existing subnet ${key} has CIDR ${JSON.stringify(text)}, which ${parsed.reason}` });
  };
  for (const [key, resource] of Object.entries(observed.resources)) {
    if (!SUBNET_KEY.test(key)) continue;
    remember(key, digString(resource, 'spec', 'forProvider', 'cidrBlock') ?? digString(resource, 'status', 'atProvider', 'cidrBlock'), `observed ${key}`);
  }
  const remembered = dig(observed.composite, 'status', 'subnets');
  if (Array.isArray(remembered)) {
    for (const entry of remembered) remember(String(digString(entry, 'name')), digString(entry, 'cidr'), 'status.subnets');
  }
  return { pins, errors };
}

function checkAgainstObserved(claim: Claim, observed: ObservedState, pins: ReadonlyMap<string, Cidr>): FieldError[] {
  const errors: FieldError[] = [];
  const observedVpc = digString(observed.get(VPC_KEY), 'spec', 'forProvider', 'cidrBlock');
  if (observedVpc && observedVpc !== claim.spec.network.vpcCidr) {
    errors.push({
      path: 'spec.network.vpcCidr',
      message: `changed from ${observedVpc} to ${claim.spec.network.vpcCidr}, which would replace the VPC and everything in it; set it back to ${observedVpc}`,
    });
  }
  // The XRD's CEL rule lets a removal through on the same field (src/api/eks-cluster.ts).
  if (!claim.spec.network.allowZoneRemoval) {
    const zoneKeys = new Set(claim.zones.map((z) => z.key));
    const orphaned = [...pins.keys()].filter((key) => !zoneKeys.has(SUBNET_KEY.exec(key)?.[2] ?? ''));
    const removedZones = [...new Set(orphaned.map((key) => SUBNET_KEY.exec(key)?.[2] ?? key))].sort();
    if (removedZones.length > 0) {
      errors.push({
        path: 'spec.network.availabilityZones',
        message: `no longer lists zone(s) ${removedZones.join(', ')}, whose subnets exist (${orphaned.sort().join(', ')}); removing a zone deletes its subnets, NAT gateway and nodes. Add the zone back, or set spec.network.allowZoneRemoval: true to remove it on purpose`,
      });
    }
  }
  if (claim.spec.network.allowZoneRemoval) errors.push(...nodeGroupsInRemovedZones(claim, observed, pins));
  return errors;
}

/**
 * EKS cannot move a node group to other subnets, so one with nodes in a removed
 * zone would keep referring to subnets that are being deleted (and whose
 * network interfaces block the deletion): it has to be replaced first.
 */
function nodeGroupsInRemovedZones(claim: Claim, observed: ObservedState, pins: ReadonlyMap<string, Cidr>): FieldError[] {
  const zoneKeys = new Set(claim.zones.map((z) => z.key));
  const removedSubnets = new Set(
    [...pins.keys()].filter((key) => !zoneKeys.has(SUBNET_KEY.exec(key)?.[2] ?? '')).map((key) => `${claim.name}-${key}`),
  );
  const errors: FieldError[] = [];
  for (const key of Object.keys(observed.resources).filter((k) => k.startsWith('nodegroup-')).sort()) {
    const refs = observed.forProvider(key, 'subnetIdRefs');
    const names = Array.isArray(refs) ? refs.map((r) => digString(r, 'name')) : [];
    const inRemoved = names.filter((n): n is string => n !== undefined && removedSubnets.has(n));
    if (inRemoved.length === 0) continue;
    errors.push({
      path: 'spec.network.availabilityZones',
      message: `removes the zone of ${inRemoved.sort().join(', ')}, where ${key} runs nodes, and EKS cannot move a node group to other subnets; first add a node group with a new name whose availabilityZones leave the zone out and remove ${key.slice('nodegroup-'.length)}, then remove the zone`,
    });
  }
  return errors;
}

const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]*$/;
const validClusterName = (name: string | undefined) => name !== undefined && name.length <= EKS_CLUSTER_NAME_MAX && CLUSTER_NAME.test(name);

/**
 * The EKS cluster's name never changes once chosen (a new name is a new
 * cluster): the existing cluster's, else the one status already announced
 * (an XR composed under an earlier naming scheme), else spec.clusterName, else
 * a new unique default.
 */
function clusterNameOf(claim: Claim, observed: ObservedState): { ok: true; clusterName: string } | { ok: false; errors: FieldError[] } {
  const existing = observed.externalName(CLUSTER_KEY);
  const wanted = claim.spec.clusterName;
  if (validClusterName(existing)) {
    if (wanted !== undefined && wanted !== existing) {
      return {
        ok: false,
        errors: [{ path: 'spec.clusterName', message: `changed to "${wanted}" on the existing EKS cluster "${existing}", which would replace the cluster; set it back to "${existing}"` }],
      };
    }
    return { ok: true, clusterName: existing! };
  }
  if (wanted !== undefined) return { ok: true, clusterName: wanted };
  const announced = digString(observed.composite, 'status', 'cluster', 'name');
  if (validClusterName(announced)) return { ok: true, clusterName: announced! };
  return { ok: true, clusterName: defaultClusterName(claim.namespace, claim.name) };
}

function tierRequests(claim: Claim, vpc: Cidr): TierRequest[] {
  const { subnets } = claim.spec.network;
  return TIERS.filter((tier) => tier !== 'isolated' || subnets.isolated?.enabled).map((tier) => ({
    tier,
    prefixLength: subnets[tier]?.prefixLength ?? defaultPrefixLength(tier, vpc.prefixLength),
  }));
}

/** Where the Single NAT lives once it exists, so that it never moves. */
function existingSingleNatZone(ctx: ComposeContext): string | undefined {
  const subnetRef = digString(ctx.observed.get(SINGLE_NAT_KEY), 'spec', 'forProvider', 'subnetIdRef', 'name');
  const prefix = resourceName(ctx, 'subnet-public-');
  return subnetRef?.startsWith(prefix) ? subnetRef.slice(prefix.length) : undefined;
}

function extraEdges(ctx: ComposeContext, resources: readonly DesiredResource[], nat: NatPlan): Edge[] {
  const keys = resources.map((r) => r.key);
  const nodeGroups = keys.filter((k) => k.startsWith('nodegroup-'));
  return [
    // An internet gateway cannot be detached while NAT gateways map public addresses.
    ...nat.gateways.map((g) => ({ of: IGW_KEY, by: g.key })),
    // Without its policies the control plane cannot clean up its network interfaces.
    ...clusterRoleAttachmentKeys(ctx).map((of) => ({ of, by: CLUSTER_KEY })),
    ...autoModeClusterNeeds(ctx).map((of) => ({ of, by: CLUSTER_KEY })),
    ...nodeGroups.flatMap((by) => nodeRoleAttachmentKeys(ctx).map((of) => ({ of, by }))),
    ...podIdentityEdges(ctx, nodeGroups),
    ...karpenterEdges(ctx),
    { of: KMS_KEY, by: CLUSTER_KEY },
    // An add-on's service account role is assumed through the OIDC provider.
    ...resources.filter((r) => r.key.startsWith('addon-') && dig(r.body, 'spec', 'forProvider', 'serviceAccountRoleArn') !== undefined).map((r) => ({ of: OIDC_PROVIDER_KEY, by: r.key })),
  ];
}

export function compose(input: ComposeInput): ComposeResult {
  const read = readClaim(input.composite);
  if (!read.ok) return read;
  const { claim } = read;
  const observed = new ObservedState(input.composite as JsonObject, input.observed);
  const { pins, errors: pinErrors } = pinnedSubnets(observed);
  const stateErrors = [...pinErrors, ...checkNetworkOwnership(claim.spec, observed), ...(claim.spec.network.existing ? [] : checkAgainstObserved(claim, observed, pins))];
  if (stateErrors.length > 0) return { ok: false, errors: stateErrors };

  const names = clusterNameOf(claim, observed);
  if (!names.ok) return names;
  const versions = planVersions(claim.spec.kubernetesVersion, observed, CLUSTER_KEY);
  if (!versions.ok) return versions;
  const ctx: ComposeContext = {
    versions: versions.plan,
    xrName: claim.name,
    namespace: claim.namespace,
    spec: claim.spec,
    clusterName: names.clusterName,
    partition: partitionOf(claim.spec.region),
    observed,
  };
  const vpc = mustParseCidr(claim.spec.network.vpcCidr);
  // An existing network: no subnet is planned, no NAT, nothing of the network composed (network/existing.ts).
  const external = claim.spec.network.existing !== undefined;
  const plan = external ? { ok: true as const, subnets: [], warnings: [] } : planSubnets({ vpc, zones: claim.zones, tiers: tierRequests(claim, vpc), pinned: pins });
  if (!plan.ok) return plan;
  const nat = external ? NO_NAT : planNat(claim.spec.network.nat, claim.zones, existingSingleNatZone(ctx));

  const nodeGroupKeys = claim.spec.nodeGroups.map((g) => nodeGroupKey(g.name));
  const endpoints = external ? [] : endpointResources(ctx, vpc, plan.subnets);
  const fluxAccess = fluxAccessResources(ctx);
  const wanted: DesiredResource[] = [
    ...(external ? [] : networkResources(ctx, vpc, plan.subnets, nat)),
    ...endpoints,
    ...flowLogResources(ctx),
    ...iamResources(ctx),
    ...autoModeResources(ctx),
    ...podIdentityResources(ctx),
    ...encryptionResources(ctx),
    clusterResource(ctx, plan.subnets),
    // Nodes that cannot reach ECR, STS and the EKS API never join: with endpoints, they come first.
    ...nodeGroupResources(ctx, plan.subnets, endpoints.map((r) => r.key)),
    ...oidcProviderResources(ctx),
    ...addonResources(ctx, nodeGroupKeys),
    ...accessResources(ctx),
    ...karpenterResources(ctx),
    ...(kubeconfigSecretWanted(ctx) ? [kubeconfigResource(ctx)] : []),
    ...fluxAccess,
  ];
  const gated = applyGates(wanted, observed);
  const emittedKeys = new Set(gated.emitted.map((r) => r.key));
  const usages = usageResources(ctx, wanted, emittedKeys, [...extraEdges(ctx, wanted, nat), ...kubeconfigEdges(observed), ...fluxAccessEdges(fluxAccess)], [kubeconfigSecret(ctx)]);
  const all = { emitted: [...gated.emitted, ...usages], held: gated.held };
  const report = buildStatus(ctx, plan.subnets, nat, all);
  return {
    ok: true,
    resources: all.emitted.map((r) => ({ key: r.key, body: r.body, ready: !report.notReady.has(r.key) })),
    status: report.status,
    conditions: report.conditions,
    warnings: [...plan.warnings, ...(versions.plan.note ? [versions.plan.note] : []), ...wanted.flatMap((r) => r.warnings ?? [])],
    notices: [...reachabilityNotices(ctx, vpc), ...addonVersionNotices(ctx)],
    allReady: report.allReady,
    ttlSeconds: report.allReady ? TTL_READY_SECONDS : TTL_PENDING_SECONDS,
    subnets: plan.subnets,
  };
}
