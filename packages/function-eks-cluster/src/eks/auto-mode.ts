/**
 * EKS Auto Mode: EKS launches and runs the nodes (compute), their volumes
 * (block storage) and load balancers; the three are switched on and off
 * together, as EKS requires. The nodes of its built-in node pools run as the
 * Auto Mode node role, which EKS also gives its access entry; no managed node
 * group or built-in add-on is composed (api/XR.ts refuses node groups,
 * eks/addon-set.ts leaves the add-ons out).
 *
 * On a live cluster the switch is a sequence (AWS's migration guides:
 * auto-enable-existing.html, auto-migrate-mng.html, auto-disable.html):
 * - on: the node role and the cluster role's Auto Mode policies first; then
 *   compute, with its node role in the same request (it cannot be set once
 *   compute is on); the managed node groups and the add-ons their nodes need
 *   stay until Auto Mode runs, then the node groups go (EKS drains them and
 *   Auto Mode takes their pods), then the add-ons;
 * - off: the node groups of the spec first, with their add-ons; compute is
 *   switched off (EKS terminates every Auto Mode instance) only once they are
 *   Ready; the Auto Mode node role and policies go after that.
 */
import type { EKSClusterSpec } from '../api/eks-cluster.js';
import type { Json, JsonObject } from '../api/schema-builder.js';
import type { AutoModePhase, ComposeContext, DesiredResource } from '../ground/context.js';
import { dig, type ObservedState } from '../ground/observed.js';
import { role, roleAttachmentKeys } from '../ground/iam.js';

export const AUTO_NODE_ROLE_KEY = 'role-auto-node';
const AUTO_NODE_POLICIES = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'];
/** The Kubernetes minor Auto Mode starts at (compose/aws-constraints.ts refuses a spec below it). */
const AUTO_MODE_MIN_MINOR = 29;
const NODE_GROUP_KEY = /^nodegroup-/;

/** The cluster's Auto Mode as AWS runs it: compute on (read from what the provider observed). */
function running(observed: ObservedState, clusterKey: string): boolean {
  const compute = dig(observed.get(clusterKey), 'status', 'atProvider', 'computeConfig');
  return dig(Array.isArray(compute) ? compute[0] : compute, 'enabled') === true;
}

/** Where a cluster stands between the Auto Mode its spec asks for and the one AWS runs. */
export function autoModePhase(spec: EKSClusterSpec, observed: ObservedState, clusterKey: string): AutoModePhase {
  const live = observed.atProvider(clusterKey, 'arn') !== undefined;
  const on = running(observed, clusterKey);
  if (!spec.autoMode.enabled) return on ? 'switching-off' : 'off';
  if (!live) return 'on';
  if (!on) return 'switching-on';
  return Object.keys(observed.resources).some((k) => NODE_GROUP_KEY.test(k)) ? 'draining' : 'on';
}

/**
 * The spec as it applies to the nodes now: while Auto Mode is switched on and
 * the managed node groups still run, they keep the node role and the add-ons
 * their nodes need, as a cluster without Auto Mode has them.
 */
export function specForPhase(spec: EKSClusterSpec, phase: AutoModePhase): EKSClusterSpec {
  if (phase !== 'switching-on' && phase !== 'draining') return spec;
  return { ...spec, autoMode: { ...spec.autoMode, enabled: false }, nodeGroups: [] };
}

/**
 * Whether Auto Mode's node role and the cluster role's Auto Mode policies are
 * composed: while Auto Mode is on or switching, and once they exist, for the
 * cluster's life. The cluster's deletion order holds them (a Usage composed
 * with the cluster waits for the cluster to go), and they are reused if Auto
 * Mode comes back; an IAM role and its attachments cost nothing.
 */
export function autoModeIam(ctx: Pick<ComposeContext, 'autoMode' | 'observed'>): boolean {
  return ctx.autoMode !== 'off' || ctx.observed.has(AUTO_NODE_ROLE_KEY);
}

/** The managed node groups kept while Auto Mode is switched on, until it runs: every one that exists. */
export function nodeGroupsKeptForAutoMode(ctx: ComposeContext): string[] {
  return ctx.autoMode === 'switching-on' ? Object.keys(ctx.observed.resources).filter((k) => NODE_GROUP_KEY.test(k)) : [];
}

export function autoModeResources(ctx: ComposeContext): DesiredResource[] {
  if (!autoModeIam(ctx)) return [];
  return role(ctx, AUTO_NODE_ROLE_KEY, 'auto-node', 'ec2.amazonaws.com', AUTO_NODE_POLICIES);
}

/** The cluster names the node role by ARN (computeConfig has no reference field): it waits for the role and its policies. */
export function autoModeClusterNeeds(ctx: ComposeContext): string[] {
  return autoModeIam(ctx) ? [AUTO_NODE_ROLE_KEY, ...roleAttachmentKeys(AUTO_NODE_ROLE_KEY, AUTO_NODE_POLICIES)] : [];
}

const switched = (enabled: boolean): JsonObject => ({
  storageConfig: { blockStorage: { enabled } },
  kubernetesNetworkConfig: { elasticLoadBalancing: { enabled } },
});

/** Compute on, with the node role: the one AWS runs, else the composed role's ARN once known. */
function switchedOn(ctx: ComposeContext, nodePools: readonly Json[]): JsonObject {
  const compute = dig(ctx.observed.get('cluster'), 'status', 'atProvider', 'computeConfig');
  const runningArn = dig(Array.isArray(compute) ? compute[0] : compute, 'nodeRoleArn');
  const observedArn = dig(ctx.observed.get('cluster'), 'spec', 'forProvider', 'computeConfig', 'nodeRoleArn');
  const nodeRoleArn = [runningArn, ctx.observed.atProvider(AUTO_NODE_ROLE_KEY, 'arn'), observedArn].find((a) => typeof a === 'string');
  return { computeConfig: { enabled: true, nodePools: [...nodePools].sort(), ...(nodeRoleArn ? { nodeRoleArn } : {}) }, ...switched(true) };
}

/** What switching Auto Mode on needs to exist first, each Ready: the node role, its policies, the cluster role's Auto Mode policies. */
function readyToSwitchOn(ctx: ComposeContext, clusterRoleAutoModeKeys: readonly string[]): boolean {
  const version = ctx.observed.atProvider('cluster', 'version');
  const versionOk = version === undefined || Number(version.split('.')[1]) >= AUTO_MODE_MIN_MINOR;
  return versionOk && [...autoModeClusterNeeds(ctx), ...clusterRoleAutoModeKeys].every((k) => ctx.observed.isReady(k));
}

/**
 * The Cluster fields of Auto Mode, by phase. Off, nothing is said. Switched
 * on, nothing is said until what it needs is Ready. Switched off, compute stays
 * on, as it runs, until every node group of the spec is Ready.
 * @param nodeGroupKeys the spec's node groups, as composed
 */
export function autoModeClusterConfig(ctx: ComposeContext, clusterRoleAutoModeKeys: readonly string[], nodeGroupKeys: readonly string[]): JsonObject {
  switch (ctx.autoMode) {
    case 'off':
      return {};
    case 'on':
    case 'draining':
      return switchedOn(ctx, ctx.spec.autoMode.nodePools);
    case 'switching-on':
      return readyToSwitchOn(ctx, clusterRoleAutoModeKeys) ? switchedOn(ctx, ctx.spec.autoMode.nodePools) : {};
    case 'switching-off': {
      if (nodeGroupKeys.every((k) => ctx.observed.isReady(k))) return { computeConfig: { enabled: false }, ...switched(false) };
      const pools = dig(ctx.observed.get('cluster'), 'status', 'atProvider', 'computeConfig', 'nodePools');
      return switchedOn(ctx, Array.isArray(pools) ? pools : ctx.spec.autoMode.nodePools);
    }
  }
}

/** Told while a switch waits: what for, and what happens next. */
export function autoModeWarnings(ctx: ComposeContext, nodeGroupKeys: readonly string[]): string[] {
  switch (ctx.autoMode) {
    case 'switching-on':
      return [
        `EKS Auto Mode is being switched on: the node role and the cluster role's Auto Mode policies first, then compute; ${nodeGroupsKeptForAutoMode(ctx).join(', ') || 'no node group'} kept until Auto Mode runs nodes`,
      ];
    case 'draining':
      return ['EKS Auto Mode runs: the managed node groups are deleted (EKS drains them and Auto Mode takes their pods), then the add-ons their nodes needed'];
    case 'switching-off':
      return [
        nodeGroupKeys.length === 0
          ? 'EKS Auto Mode is switched off with no node group in spec.nodeGroups: EKS terminates every Auto Mode instance, and pods have no node to run on'
          : `EKS Auto Mode stays on until ${nodeGroupKeys.join(', ')} ${nodeGroupKeys.length === 1 ? 'is' : 'are'} Ready; then EKS terminates its instances and their pods move to the node groups`,
      ];
    default:
      return [];
  }
}
