/**
 * The functional core: an observed EKSCluster and its observed composed
 * resources in, the complete desired state out, or errors and nothing else.
 * No I/O happens here.
 */
import { checkAgainstObserved, checkNetworkOwnership, clusterNameOf, pinnedSubnets } from './observed-checks.js';
import { readXR, type XR } from './xr.js';
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
import type { Edge } from '../ground/deletion-order.js';
import { referenceEdges, usageResources } from '../lifecycle/usages.js';
import { mustParseCidr, type Cidr } from '../network/cidr.js';
import { endpointResources, reachabilityNotices } from '../network/endpoints.js';
import { NO_NAT } from '../network/existing.js';
import { flowLogResources } from '../network/flow-logs.js';
import { planNat, SINGLE_NAT_KEY, type NatPlan } from '../network/nat.js';
import { IGW_KEY, networkResources } from '../network/resources.js';
import { defaultPrefixLength, planSubnets, TIERS, type PlannedSubnet, type TierRequest } from '../network/subnet-plan.js';
import { partitionOf, type ComposeContext, type DesiredResource, type Notice } from '../ground/context.js';
import { dig, digString, ObservedState } from '../ground/observed.js';
import { resourceName } from '../ground/managed.js';

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
  readonly planWarnings: readonly string[];
  readonly nat: NatPlan;
  readonly wanted: readonly DesiredResource[];
  readonly fluxAccess: readonly DesiredResource[];
  /** Every reference between the wanted resources (lifecycle/usages.ts). */
  readonly references: readonly Edge[];
}

export function compose(input: ComposeInput): ComposeResult {
  const planned = planComposition(input);
  return planned.ok ? finishComposition(planned, planned.ctx.observed) : planned;
}

export function planComposition(input: ComposeInput): Planned | { readonly ok: false; readonly errors: FieldError[] } {
  const read = readXR(input.composite);
  if (!read.ok) return read;
  const { xr } = read;
  const observed = new ObservedState(input.composite as JsonObject, input.observed);
  const { pins, errors: pinErrors } = pinnedSubnets(observed);
  const stateErrors = [...pinErrors, ...checkNetworkOwnership(xr.spec, observed), ...(xr.spec.network.existing ? [] : checkAgainstObserved(xr, observed, pins))];
  if (stateErrors.length > 0) return { ok: false, errors: stateErrors };

  const names = clusterNameOf(xr, observed);
  if (!names.ok) return names;
  const versions = planVersions(xr.spec.kubernetesVersion, observed, CLUSTER_KEY);
  if (!versions.ok) return versions;
  const ctx: ComposeContext = {
    versions: versions.plan,
    xrName: xr.name,
    namespace: xr.namespace,
    spec: xr.spec,
    clusterName: names.clusterName,
    partition: partitionOf(xr.spec.region),
    observed,
  };
  const vpc = mustParseCidr(xr.spec.network.vpcCidr);
  // An existing network: no subnet is planned, no NAT, nothing of the network composed (network/existing.ts).
  const external = xr.spec.network.existing !== undefined;
  const plan = external ? { ok: true as const, subnets: [], warnings: [] } : planSubnets({ vpc, zones: xr.zones, tiers: tierRequests(xr, vpc), pinned: pins });
  if (!plan.ok) return plan;
  const nat = external ? NO_NAT : planNat(xr.spec.network.nat, xr.zones, existingSingleNatZone(ctx));

  const nodeGroupKeys = xr.spec.nodeGroups.map((g) => nodeGroupKey(g.name));
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
  return { ok: true, ctx, vpc, subnets: plan.subnets, planWarnings: plan.warnings, nat, wanted, fluxAccess, references: referenceEdges(ctx, wanted) };
}

/** The steps that read the observed state on every request: gates, Usages, status, notices. */
export function finishComposition(planned: Planned, observed: ObservedState): Composition {
  const { vpc, nat, wanted, fluxAccess } = planned;
  const ctx: ComposeContext = { ...planned.ctx, observed };
  const plan = { subnets: planned.subnets, warnings: planned.planWarnings };
  const versions = { plan: ctx.versions };
  const gated = applyGates(wanted, observed);
  const emittedKeys = new Set(gated.emitted.map((r) => r.key));
  const usages = usageResources(ctx, wanted, emittedKeys, [...extraEdges(ctx, wanted, nat), ...kubeconfigEdges(observed), ...fluxAccessEdges(fluxAccess)], [kubeconfigSecret(ctx)], planned.references);
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
