/**
 * The functional core: an observed EKSCluster and its observed composed
 * resources in, the complete desired state out, or errors and nothing else.
 * No I/O happens here.
 */
import { checkAgainstObserved, checkIpFamilyAgainstObserved, checkNetworkOwnership, clusterNameOf, pinnedSubnets } from './observed-checks.js';
import { readXR, type XR } from './xr.js';
import { planPodNetwork, type PodNetworkPlan } from './pod-network-plan.js';
import type { EKSClusterStatus } from '../api/eks-cluster.js';
import type { JsonObject } from '../api/schema-builder.js';
import type { FieldError } from '../api/validate.js';
import { accessResources } from '../eks/access.js';
import { autoModePhase, autoModeResources, specForPhase } from '../eks/auto-mode.js';
import { karpenterResources } from '../eks/karpenter.js';
import { monitoringResources } from '../eks/monitoring.js';
import { podIdentityResources } from '../eks/pod-identity.js';
import { addonResources, addonVersionNotices } from '../eks/addons.js';
import { CLUSTER_KEY, clusterResource } from '../eks/cluster.js';
import { cniIpv6Resources } from '../eks/cni-ipv6.js';
import { encryptionResources } from '../eks/encryption.js';
import { iamResources } from '../eks/iam.js';
import { kubeconfigResource, kubeconfigSecret } from '../eks/kubeconfig.js';
import { oidcProviderResources } from '../eks/oidc.js';
import { fluxAccessResources, kubeconfigSecretWanted } from '../eks/flux-access.js';
import { planVersions } from '../eks/versions.js';
import { nodeGroupResources } from '../eks/node-groups.js';
import { NODE_SECURITY_GROUP_KEY } from '../eks/launch-template.js';
import { securityGroupRuleResources } from '../network/security-group-rules.js';
import { applyGates } from '../lifecycle/readiness.js';
import { buildStatus, type XrCondition } from '../lifecycle/status.js';
import { clusterFactsResource } from '../lifecycle/cluster-facts.js';
import { leavingResources } from '../lifecycle/leaving.js';
import { planUsages, usageResources, type PlannedUsage } from '../lifecycle/usages.js';
import { mustParseCidr, type Cidr } from '../network/cidr.js';
import { endpointResources, reachabilityNotices } from '../network/endpoints.js';
import { NO_NAT } from '../network/existing.js';
import { flowLogResources } from '../network/flow-logs.js';
import { planNat, SINGLE_NAT_KEY, type NatPlan } from '../network/nat.js';
import { networkResources } from '../network/resources.js';
import { podNetworkResources } from '../network/pod-network.js';
import { defaultPrefixLength, planSubnets, TIERS, type PlannedSubnet, type TierRequest } from '../network/subnet-plan.js';
import { partitionOf, type ComposeContext, type DesiredResource, type Notice } from '../ground/context.js';
import { digString, ObservedState } from '../ground/observed.js';
import { resourceName } from '../ground/managed.js';

export const TTL_PENDING_SECONDS = 20;
const TTL_READY_SECONDS = 60;

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
  readonly warnings: readonly string[];
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

function tierRequests(xr: XR, vpc: Cidr): TierRequest[] {
  const { subnets } = xr.spec.network;
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

/** Everything the XR asks for, in dependency order, before gating: the network, identities, the cluster, what runs on it, access, the facts Flux reads. */
function wantedResources(
  ctx: ComposeContext,
  vpc: Cidr,
  subnets: readonly PlannedSubnet[],
  nat: NatPlan,
  pods: PodNetworkPlan & { ok: true },
): DesiredResource[] {
  const external = ctx.spec.network.existing !== undefined;
  const endpoints = external ? [] : endpointResources(ctx, vpc, subnets);
  // Nodes that cannot reach ECR, STS and the EKS API never join: with endpoints, they come first.
  const nodeGroups = nodeGroupResources(
    ctx,
    subnets,
    endpoints.map((r) => r.key),
  );
  return [
    ...(external ? [] : networkResources(ctx, vpc, subnets, nat)),
    ...podNetworkResources(ctx, pods.block, pods.subnets, endpoints.length > 0),
    ...endpoints,
    ...flowLogResources(ctx),
    ...iamResources(ctx),
    ...autoModeResources(ctx),
    ...podIdentityResources(ctx),
    ...cniIpv6Resources(ctx),
    ...encryptionResources(ctx),
    clusterResource(ctx, subnets, nodeGroups.current),
    ...nodeGroups.resources,
    ...oidcProviderResources(ctx),
    ...addonResources(ctx, nodeGroups.current),
    ...accessResources(ctx),
    ...securityGroupRuleResources(ctx, CLUSTER_KEY, nodeGroups.resources.some((r) => r.key === NODE_SECURITY_GROUP_KEY) ? NODE_SECURITY_GROUP_KEY : undefined),
    ...karpenterResources(ctx, nodeGroups.current),
    ...monitoringResources(ctx),
    ...(kubeconfigSecretWanted(ctx) ? [kubeconfigResource(ctx)] : []),
    ...fluxAccessResources(ctx),
    clusterFactsResource(ctx, subnets, pods.kept ? [] : pods.subnets),
  ];
}

/**
 * Everything compose() decides before gating: a function of the XR and of the
 * observed state it reads, nothing else (compose/memo.ts reuses it while
 * those reads are unchanged). `ctx.observed` is the state it was planned on.
 */
export interface Planned {
  readonly ok: true;
  readonly ctx: ComposeContext;
  readonly vpc: Cidr;
  readonly subnets: readonly PlannedSubnet[];
  /** Where the desired state differs from the spec for safety: the subnet plan's, the versions', each resource's. */
  readonly warnings: readonly string[];
  readonly nat: NatPlan;
  readonly wanted: readonly DesiredResource[];
  /** A Usage for every deletion-order edge between the wanted resources, references and declared needs (lifecycle/usages.ts); which are composed depends on the request. */
  readonly usages: readonly PlannedUsage[];
}

export function compose(input: ComposeInput): ComposeResult {
  const planned = planComposition(input);
  return planned.ok ? finishComposition(planned, planned.ctx.observed) : planned;
}

/** Read the XR, check it against what exists, name, version and lay out the network, then build every wanted resource. */
export function planComposition(input: ComposeInput): Planned | { readonly ok: false; readonly errors: FieldError[] } {
  const xrRead = readXR(input.composite);
  if (!xrRead.ok) return xrRead;
  const { xr } = xrRead;
  const observed = new ObservedState(input.composite as JsonObject, input.observed);
  const { pins, errors: pinErrors } = pinnedSubnets(observed);
  const stateErrors = [
    ...pinErrors,
    ...checkNetworkOwnership(xr.spec, observed),
    ...checkIpFamilyAgainstObserved(xr.spec, observed),
    ...(xr.spec.network.existing ? [] : checkAgainstObserved(xr, observed, pins)),
  ];
  if (stateErrors.length > 0) return { ok: false, errors: stateErrors };

  const clusterName = clusterNameOf(xr, observed);
  if (!clusterName.ok) return clusterName;
  const versions = planVersions(xr.spec.kubernetesVersion, observed, CLUSTER_KEY);
  const autoMode = autoModePhase(xr.spec, observed, CLUSTER_KEY);
  const ctx: ComposeContext = {
    versions,
    autoMode,
    xrName: xr.name,
    namespace: xr.namespace,
    spec: specForPhase(xr.spec, autoMode),
    clusterName: clusterName.clusterName,
    partition: partitionOf(xr.spec.region),
    observed,
  };
  const vpc = mustParseCidr(xr.spec.network.vpcCidr);
  // An existing network: no subnet is planned, no NAT, nothing of the network composed (network/existing.ts).
  const external = xr.spec.network.existing !== undefined;
  const subnetPlan = external
    ? { ok: true as const, subnets: [], warnings: [] }
    : planSubnets({ vpc, zones: xr.zones, tiers: tierRequests(xr, vpc), pinned: pins });
  if (!subnetPlan.ok) return subnetPlan;
  const pods = external ? { ok: true as const, subnets: [], kept: false } : planPodNetwork(xr, observed, vpc);
  if (!pods.ok) return pods;
  const nat = external ? NO_NAT : planNat(xr.spec.network.nat, xr.zones, existingSingleNatZone(ctx));
  const wanted = wantedResources(ctx, vpc, subnetPlan.subnets, nat, pods);
  return {
    ok: true,
    ctx,
    vpc,
    subnets: subnetPlan.subnets,
    warnings: [...subnetPlan.warnings, ...(versions.note ? [versions.note] : []), ...wanted.flatMap((r) => r.warnings ?? [])],
    nat,
    wanted,
    usages: planUsages(ctx, wanted, [kubeconfigSecret(ctx)]),
  };
}

/** The steps that read the observed state on every request: gates, Usages, status, notices. */
export function finishComposition(planned: Planned, observed: ObservedState): Composition {
  const { vpc, nat, wanted, subnets } = planned;
  const ctx: ComposeContext = { ...planned.ctx, observed };
  const gated = applyGates(wanted, observed);
  const usages = usageResources(observed, planned.usages, new Set(gated.emitted.map((r) => r.key)));
  const leaving = leavingResources(observed, new Set(wanted.map((r) => r.key)));
  const composed = { emitted: [...gated.emitted, ...usages, ...leaving], held: gated.held };
  const statusReport = buildStatus(ctx, subnets, nat, composed);
  return {
    ok: true,
    resources: composed.emitted.map((r) => ({ key: r.key, body: r.body, ready: !statusReport.notReady.has(r.key) })),
    status: statusReport.status,
    conditions: statusReport.conditions,
    warnings: planned.warnings,
    notices: [...reachabilityNotices(ctx, vpc), ...(ctx.versions.behind ? [ctx.versions.behind] : []), ...addonVersionNotices(ctx)],
    allReady: statusReport.allReady,
    ttlSeconds: statusReport.allReady ? TTL_READY_SECONDS : TTL_PENDING_SECONDS,
    subnets,
  };
}
