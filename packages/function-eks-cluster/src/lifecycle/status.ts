/** The XR's status and conditions, from the plan and what was observed. */
import type { EKSClusterStatus } from '../api/eks-cluster.js';
import type { ComposeContext, StatusGroup } from '../ground/context.js';
import { dig, digString, type ObservedState } from '../ground/observed.js';
import { formatCidr } from '../network/cidr.js';
import type { NatPlan } from '../network/nat.js';
import type { PlannedSubnet } from '../network/subnet-plan.js';
import { VPC_KEY } from '../network/resources.js';
import { OIDC_PROVIDER_KEY } from '../eks/oidc.js';
import { CLUSTER_KEY } from '../eks/cluster.js';
import { karpenterStatus } from '../eks/karpenter.js';
import { KUBECONFIG_SECRET_KEY, kubeconfigSecretName } from '../eks/kubeconfig.js';
import { awsIdentityDelivery, kubeconfigConfigMapName, kubeconfigSecretWanted } from '../eks/flux-access.js';
import { failedOperation, isResourceReady, notReadyReason, type Gated } from './readiness.js';

/**
 * The reason of a condition whose resources AWS refuses, rather than is still
 * creating: a gate (flux/workload-clusters/<cluster>/delivery.yaml) fails on it
 * at once instead of waiting out its timeout.
 */
export const FAILED_REASON = 'AWSOperationFailed';

export interface XrCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** One condition per group the builders put their resources in (DesiredResource.group). */
const GROUPS: { type: string; label: string; group: StatusGroup }[] = [
  { type: 'NetworkReady', label: 'network', group: 'network' },
  { type: 'ControlPlaneReady', label: 'control plane', group: 'controlPlane' },
  { type: 'NodesReady', label: 'node group', group: 'nodes' },
  { type: 'AddonsReady', label: 'add-on', group: 'addons' },
  { type: 'AccessReady', label: 'access', group: 'access' },
];

export interface StatusReport {
  status: EKSClusterStatus;
  conditions: XrCondition[];
  allReady: boolean;
  /** Keys of composed resources that are not ready yet. */
  notReady: ReadonlySet<string>;
}

export function buildStatus(ctx: ComposeContext, subnets: readonly PlannedSubnet[], nat: NatPlan, gated: Gated): StatusReport {
  const { observed } = ctx;
  const notReady = gated.emitted.filter((r) => !isResourceReady(r, observed));
  // Usages only order deletion; one line for all of them keeps the list readable.
  const pendingUsages = notReady.filter((r) => r.body.kind === 'Usage').length;
  const pending = [
    ...notReady
      .filter((r) => r.body.kind !== 'Usage' && r.leaving === undefined)
      .map((r) => ({ key: r.key, group: r.group, why: notReadyReason(r.key, observed), failed: failedOperation(r.key, observed) !== undefined })),
    ...gated.held.map((h) => ({ key: h.key, group: h.group, why: `waits for ${h.waitsFor.join(', ')}`, failed: false })),
    // A resource on its way out: replaced (make before break) or still used by one leaving with it.
    ...gated.emitted.flatMap((r) => (r.leaving ? [{ key: r.key, group: r.group, why: r.leaving, failed: false }] : [])),
    ...(pendingUsages > 0
      ? [
          {
            key: 'usages',
            group: 'deletionOrder' as const,
            why: `${pendingUsages} deletion-order ${pendingUsages === 1 ? 'Usage' : 'Usages'} not yet in force (not Available)`,
            failed: false,
          },
        ]
      : []),
  ];
  const waitingFor = pending.map((p) => `${p.key}: ${p.why}`);
  const total = gated.emitted.length + gated.held.length;
  const ready = gated.emitted.length - notReady.length;
  const allReady = waitingFor.length === 0;
  const existing = ctx.spec.network.existing;
  const secret = kubeconfigSecretWanted(ctx);
  const configMap = awsIdentityDelivery(ctx);
  const readyNote = configMap
    ? `Flux reaches the cluster with its AWS identity through ConfigMap ${kubeconfigConfigMapName(ctx.xrName)}`
    : `kubeconfig in Secret ${kubeconfigSecretName(ctx.xrName)}`;

  const status: EKSClusterStatus = {
    network: { mode: existing ? 'Existing' : 'Composed' },
    subnets: existing
      ? [
          ...existing.privateSubnetIds.map((id) => ({ name: id, tier: 'private', id })),
          ...(existing.publicSubnetIds ?? []).map((id) => ({ name: id, tier: 'public', id })),
        ]
      : subnets.map((s) => ({
          name: s.key,
          tier: s.tier,
          zone: s.zone.name ?? s.zone.id ?? s.zone.key,
          cidr: formatCidr(s.cidr),
          ...(observed.atProvider(s.key, 'id') ? { id: observed.atProvider(s.key, 'id') } : {}),
        })),
    natGatewayIds: nat.gateways.flatMap((g) => observed.atProvider(g.key, 'id') ?? []),
    ...vpcEndpointStatus(gated, observed),
    cluster: {
      name: ctx.clusterName,
      version: ctx.observed.atProvider(CLUSTER_KEY, 'version') ?? ctx.versions.controlPlane,
      ...optional('endpoint', observed.atProvider(CLUSTER_KEY, 'endpoint')),
      ...optional('arn', observed.atProvider(CLUSTER_KEY, 'arn')),
      ...optional('oidcIssuer', digString(observed.get(CLUSTER_KEY), 'status', 'atProvider', 'identity', 0, 'oidc', 0, 'issuer')),
      ...optional('oidcProviderArn', observed.atProvider(OIDC_PROVIDER_KEY, 'arn')),
    },
    ...(secret ? { kubeconfigSecret: { name: kubeconfigSecretName(ctx.xrName), key: KUBECONFIG_SECRET_KEY } } : {}),
    ...(configMap ? { kubeconfigConfigMap: { name: kubeconfigConfigMapName(ctx.xrName) } } : {}),
    ...(karpenterStatus(ctx) ? { karpenter: karpenterStatus(ctx) } : {}),
    resources: { ready, total },
    waitingFor,
    summary: allReady
      ? `Ready: all ${total} resources are ready; ${readyNote}${existing ? ` (network: existing VPC ${existing.vpcId}, not composed)` : ''}`
      : `Creating: ${ready}/${total} resources ready; waiting for ${waitingFor[0]}${waitingFor.length > 1 ? ` and ${waitingFor.length - 1} more` : ''}`,
    ...optional('vpcId', existing?.vpcId ?? observed.atProvider(VPC_KEY, 'id')),
  };

  // Counted in one pass: this runs on every request, over every composed resource and Usage.
  const groupSizes = new Map<StatusGroup, number>();
  for (const r of gated.emitted) groupSizes.set(r.group, (groupSizes.get(r.group) ?? 0) + 1);
  for (const h of gated.held) groupSizes.set(h.group, (groupSizes.get(h.group) ?? 0) + 1);
  const conditions = GROUPS.map(({ type, label, group }) => {
    const members = groupSizes.get(group) ?? 0;
    const waiting = pending.filter((p) => p.group === group);
    if (waiting.length === 0 && type === 'NetworkReady' && existing) {
      const publicCount = existing.publicSubnetIds?.length ?? 0;
      return {
        type,
        status: 'True' as const,
        reason: 'External',
        message: `the network is external (spec.network.existing): VPC ${existing.vpcId}, ${existing.privateSubnetIds.length} private and ${publicCount} public subnets, none composed or deleted by this EKSCluster${members > 0 ? `; ${members} flow log resources ready` : ''}`,
      };
    }
    if (waiting.length === 0) {
      return { type, status: 'True' as const, reason: 'Available', message: `${members} ${label} resources ready` };
    }
    const failed = waiting.find((p) => p.failed);
    const first = failed ?? waiting[0]!;
    return {
      type,
      status: 'False' as const,
      reason: failed ? FAILED_REASON : 'Creating',
      message: `${members - waiting.length}/${members} ${label} resources ready; ${first.key}: ${first.why}`,
    };
  });
  return { status, conditions, allReady, notReady: new Set(notReady.map((r) => r.key)) };
}

/** Each composed VPC endpoint, its service and, once created, its ID; nothing when there are none. */
function vpcEndpointStatus(gated: Gated, observed: ObservedState): Pick<EKSClusterStatus, 'vpcEndpoints'> {
  const endpoints = gated.emitted
    .filter((r) => r.body.kind === 'VPCEndpoint')
    .map((r) => ({
      service: String(dig(r.body, 'spec', 'forProvider', 'serviceName')),
      type: String(dig(r.body, 'spec', 'forProvider', 'vpcEndpointType')),
      ...optional('id', observed.atProvider(r.key, 'id')),
    }));
  return endpoints.length > 0 ? { vpcEndpoints: endpoints } : {};
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: string });
}
