/** EKS managed node groups, in the private subnets, started only once the CNI is in place. */
import type { NodeGroupSpec } from '../api/eks-cluster.js';
import type { Json, JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { canonical } from '../ground/canonical.js';
import { dig } from '../ground/observed.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { EKS } from '../ground/composed-kinds.js';
import type { PlannedSubnet } from '../network/subnet-plan.js';
import { namesZone } from '../network/zones.js';
import { addonIdentityKeys, usesPodIdentity } from './addon-set.js';
import { addonKey } from './addons.js';
import { CLUSTER_KEY } from './cluster.js';
import { NODE_ROLE_KEY, nodeRoleAttachmentKeys } from './iam.js';

export function nodeGroupKey(name: string): string {
  return `nodegroup-${name}`;
}

/**
 * Late initialization would copy the live desiredSize into spec, after which
 * the provider would undo every scaling decision of an autoscaler.
 */
function nodeGroupPolicies(policies: readonly string[]): string[] {
  if (!policies.includes('*')) return policies.filter((p) => p !== 'LateInitialize');
  return ['Observe', 'Create', 'Update', 'Delete'];
}

/** What EKS fixes when a node group is created; a change would need a new node group. */
const FIXED_AT_CREATION: Record<string, string> = {
  subnetIdRefs: 'subnets',
  subnetIds: 'subnets',
  instanceTypes: 'instance types',
  capacityType: 'capacity type',
  amiType: 'AMI type',
  diskSize: 'disk size',
};

function describeField(value: Json | undefined): string {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? String(v.name) : String(v))).join(', ');
  return String(value);
}

/**
 * An existing node group keeps what EKS cannot change in place, so that adding
 * a zone or editing instance types never asks the provider for a replacement
 * it cannot make; the user is told how to get the change instead.
 */
function keepFixedFields(ctx: ComposeContext, key: string, forProvider: JsonObject): string[] {
  if (!ctx.observed.has(key)) return [];
  const warnings: string[] = [];
  for (const [field, label] of Object.entries(FIXED_AT_CREATION)) {
    const existing = ctx.observed.forProvider(key, field);
    // The provider also writes resolved subnetIds next to subnetIdRefs: only a field the function sets is kept.
    if (existing === undefined || !(field in forProvider) || canonical(existing) === canonical(forProvider[field])) continue;
    warnings.push(
      `${key} keeps its ${label} (${describeField(existing)}) because EKS cannot change them on an existing node group; for ${describeField(forProvider[field])}, add a node group with a new name and remove this one`,
    );
    forProvider[field] = existing;
  }
  return warnings;
}

/** How many nodes the group runs now, as its provider reports it (an object in v2; a one-item list before). */
function liveDesiredSize(ctx: ComposeContext, key: string): number | undefined {
  const scaling = dig(ctx.observed.get(key), 'status', 'atProvider', 'scalingConfig');
  const value = dig(Array.isArray(scaling) ? scaling[0] : scaling, 'desiredSize');
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * desiredSize belongs to the autoscaler and is set only at creation, but EKS
 * refuses a scaling update whose minSize is above (or maxSize below) the size the
 * group runs now. Only then is desiredSize moved to the nearest bound, in the same update.
 */
function scalingConfig(ctx: ComposeContext, key: string, group: NodeGroupSpec): JsonObject {
  const scaling: JsonObject = { minSize: group.minSize, maxSize: group.maxSize };
  const live = liveDesiredSize(ctx, key);
  if (live !== undefined && live < group.minSize) scaling.desiredSize = group.minSize;
  if (live !== undefined && live > group.maxSize) scaling.desiredSize = group.maxSize;
  return scaling;
}

function nodeGroup(ctx: ComposeContext, group: NodeGroupSpec, subnets: readonly PlannedSubnet[], networkKeys: readonly string[]): DesiredResource {
  const key = nodeGroupKey(group.name);
  const zones = group.availabilityZones;
  const placement = subnets
    .filter((s) => s.tier === 'private')
    .filter((s) => !zones || zones.some((z) => namesZone(s.zone, z)))
    .map((s) => ref(ctx, s.key));
  const forProvider: JsonObject = {
    region: ctx.spec.region,
    clusterNameRef: ref(ctx, CLUSTER_KEY),
    nodeRoleArnRef: ref(ctx, NODE_ROLE_KEY),
    ...(ctx.spec.network.existing ? { subnetIds: [...ctx.spec.network.existing.privateSubnetIds] } : { subnetIdRefs: placement }),
    version: ctx.versions.nodes,
    amiType: group.amiType,
    capacityType: group.capacityType,
    instanceTypes: group.instanceTypes,
    diskSize: group.diskSize,
    scalingConfig: scalingConfig(ctx, key, group),
    updateConfig: { maxUnavailable: group.maxUnavailable },
    labels: { ...group.labels, 'eks.gitops.dev/node-group': group.name },
    tags: awsTags(ctx, key),
  };
  if (group.taints.length > 0) {
    forProvider.taint = group.taints.map((t) => ({ key: t.key, effect: t.effect, ...(t.value ? { value: t.value } : {}) }));
  }
  const warnings = keepFixedFields(ctx, key, forProvider);
  const vpcCni = ctx.spec.addons.find((a) => a.name === 'vpc-cni');
  const cniEnabled = vpcCni ? vpcCni.enabled : true;
  return managed(ctx, {
    group: 'nodes',
    warnings,
    key,
    apiVersion: EKS,
    kind: 'NodeGroup',
    externalName: group.name,
    forProvider,
    initProvider: { scalingConfig: { desiredSize: group.desiredSize ?? group.minSize } },
    managementPolicies: nodeGroupPolicies(ctx.spec.managementPolicies),
    // Nodes without a CNI never become Ready, and without their policies they cannot join;
    // a CNI on Pod Identity gets its credentials from the agent on the node.
    waitsFor: [
      cniEnabled ? addonKey('vpc-cni') : CLUSTER_KEY,
      ...(usesPodIdentity(ctx.spec, 'vpc-cni') && !ctx.spec.autoMode.enabled ? [addonKey('eks-pod-identity-agent')] : []),
      ...nodeRoleAttachmentKeys(ctx),
      ...networkKeys,
    ],
    // Its instances cannot be cleaned up without the node role's policies, and pods leaving still release addresses through vpc-cni's role.
    needs: [...nodeRoleAttachmentKeys(ctx), ...addonIdentityKeys(ctx.spec, 'vpc-cni')],
  });
}

/** @param networkKeys what nodes need to reach AWS besides their subnets (the VPC endpoints), waited for too */
export function nodeGroupResources(ctx: ComposeContext, subnets: readonly PlannedSubnet[], networkKeys: readonly string[] = []): DesiredResource[] {
  return ctx.spec.nodeGroups.map((group) => nodeGroup(ctx, group, subnets, networkKeys));
}
