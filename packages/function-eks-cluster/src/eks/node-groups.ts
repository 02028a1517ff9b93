/** EKS managed node groups, in the private subnets, started only once the CNI is in place. */
import type { NodeGroupSpec } from '../api/eks-cluster.js';
import type { Json, JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { canonical } from '../ground/canonical.js';
import { dig } from '../ground/observed.js';
import { awsTags, managed, ref, resourceName } from '../ground/managed.js';
import { placeReplaceable } from '../ground/replacement.js';
import { EKS } from '../ground/composed-kinds.js';
import type { PlannedSubnet } from '../network/subnet-plan.js';
import { namesZone } from '../network/zones.js';
import { addonIdentityKeys, addonRoleKey, usesPodIdentity } from './addon-set.js';
import { cniIpv6PolicyKeys } from './cni-ipv6.js';
import { addonKey } from './addons.js';
import { nodeGroupsKeptForAutoMode } from './auto-mode.js';
import { CLUSTER_KEY } from './cluster.js';
import { NODE_ROLE_KEY, nodeRoleAttachmentKeys } from './iam.js';
import { amiTypeOf, launchTemplateKey, launchTemplateRef, launchTemplateResources } from './launch-template.js';
import { DEFAULT_POD_NETWORK, POD_NETWORK_LABEL, podNetworkForNodes, podNetworkName, podNetworkOf } from './vpc-cni-config.js';

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

/**
 * What EKS fixes when a node group is created (ForceNew in Terraform's
 * aws_eks_node_group: dev/aws-rules/force-new.generated.ts), in words. The
 * provider refuses to change any of them, so a change makes a new node group.
 */
const FIXED_AT_CREATION: Readonly<Record<keyof Fixed, string>> = {
  amiType: 'AMI type',
  capacityType: 'capacity type',
  instanceTypes: 'instance types',
  diskSize: 'disk size',
  subnets: 'subnets',
  launchTemplate: 'launch template',
  podNetwork: 'pod networking',
};

/** A group's launch template, as a fixed field: EKS can neither add one to a group nor take it away (eks/launch-template.ts). */
const NO_TEMPLATE = 'none';
const TEMPLATE = 'hardened';

/** A node group's fixed fields; subnets as the names of the subnets it refers to, or their IDs in an existing network. */
interface Fixed {
  readonly amiType: Json;
  readonly capacityType: Json;
  readonly instanceTypes: Json;
  readonly diskSize: Json;
  readonly subnets: Json;
  /** NO_TEMPLATE or TEMPLATE. */
  readonly launchTemplate: Json;
  /** How the nodes' pods are addressed (eks/vpc-cni-config.ts): set when nodes start, so a change needs new nodes. */
  readonly podNetwork: Json;
}

function subnetsOf(forProvider: Json | undefined): Json | undefined {
  const refs = dig(forProvider, 'subnetIdRefs');
  if (Array.isArray(refs) && refs.length > 0) return refs.map((r) => String(dig(r, 'name')));
  const ids = dig(forProvider, 'subnetIds');
  return Array.isArray(ids) && ids.length > 0 ? ids.map(String) : undefined;
}

/**
 * What an existing node group has; a field it does not report (an XR composed
 * by an earlier release) counts as what is asked, so an upgrade never replaces one.
 */
function existingFixed(ctx: ComposeContext, key: string, wanted: Fixed): Fixed {
  const forProvider = ctx.observed.get(key)?.spec as JsonObject | undefined;
  const has = (field: string) => ctx.observed.forProvider(key, field);
  // A group of an earlier release has no template: absent, it is none (never what is asked).
  const templated = has('launchTemplate') !== undefined;
  return {
    amiType: has('amiType') ?? wanted.amiType,
    capacityType: has('capacityType') ?? wanted.capacityType,
    instanceTypes: has('instanceTypes') ?? wanted.instanceTypes,
    diskSize: templated ? null : (has('diskSize') ?? wanted.diskSize ?? null),
    subnets: subnetsOf(forProvider?.forProvider) ?? wanted.subnets,
    launchTemplate: templated ? TEMPLATE : NO_TEMPLATE,
    // Absent on every group started in the VPC CNI's default mode, those of earlier releases included.
    podNetwork: dig(has('labels'), POD_NETWORK_LABEL) ?? DEFAULT_POD_NETWORK,
  };
}

function describeField(value: Json | undefined): string {
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

/** What differs between an existing group and its replacement, in words: "instance types m7i.large -> m7i.xlarge". */
function changes(from: Fixed, to: Fixed): string {
  return (Object.keys(FIXED_AT_CREATION) as (keyof Fixed)[])
    .filter((f) => canonical(from[f]) !== canonical(to[f]))
    .map((f) => `${FIXED_AT_CREATION[f]} ${describeField(from[f])} -> ${describeField(to[f])}`)
    .join(', ');
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

/** Where a node group lives: its composition key and its AWS name. */
interface Slot {
  readonly key: string;
  readonly name: string;
}

function nodeGroup(
  ctx: ComposeContext,
  group: NodeGroupSpec,
  slot: Slot,
  fixed: Fixed,
  networkKeys: readonly string[],
  warnings: readonly string[] = [],
): DesiredResource {
  const subnets = fixed.subnets as string[];
  const templated = fixed.launchTemplate === TEMPLATE;
  const template = templated ? (launchTemplateRef(ctx, group.name) ?? ctx.observed.forProvider(slot.key, 'launchTemplate')) : undefined;
  const forProvider: JsonObject = {
    region: ctx.spec.region,
    clusterNameRef: ref(ctx, CLUSTER_KEY),
    nodeRoleArnRef: ref(ctx, NODE_ROLE_KEY),
    ...(ctx.spec.network.existing ? { subnetIds: subnets } : { subnetIdRefs: subnets.map((name) => ({ name })) }),
    // A custom AMI is its own Kubernetes version: EKS refuses a version with it (CreateNodegroup, EKS API reference).
    ...(fixed.amiType === 'CUSTOM' ? {} : { version: ctx.versions.nodes }),
    amiType: fixed.amiType,
    capacityType: fixed.capacityType,
    instanceTypes: fixed.instanceTypes,
    // With a launch template the root volume is the template's: EKS refuses diskSize beside one.
    ...(templated ? {} : { diskSize: fixed.diskSize }),
    ...(template !== undefined ? { launchTemplate: template } : {}),
    scalingConfig: scalingConfig(ctx, slot.key, group),
    updateConfig: { maxUnavailable: group.maxUnavailable },
    labels: { ...nodeLabels(group), ...(fixed.podNetwork !== DEFAULT_POD_NETWORK ? { [POD_NETWORK_LABEL]: fixed.podNetwork } : {}) },
    tags: awsTags(ctx, slot.key),
  };
  if (group.taints.length > 0) {
    forProvider.taint = group.taints.map((t) => ({ key: t.key, effect: t.effect, ...(t.value ? { value: t.value } : {}) }));
  }
  const repair = autoRepair(ctx, slot.key, group);
  if (repair !== undefined) forProvider.nodeRepairConfig = { enabled: repair };
  const vpcCni = ctx.spec.addons.find((a) => a.name === 'vpc-cni');
  const cniEnabled = vpcCni ? vpcCni.enabled : true;
  return managed(ctx, {
    group: 'nodes',
    warnings,
    key: slot.key,
    apiVersion: EKS,
    kind: 'NodeGroup',
    externalName: slot.name,
    forProvider,
    initProvider: { scalingConfig: { desiredSize: group.desiredSize ?? group.minSize } },
    managementPolicies: nodeGroupPolicies(ctx.spec.managementPolicies),
    // Nodes without a CNI never become Ready, and without their policies they cannot join;
    // a CNI on Pod Identity gets its credentials from the agent on the node.
    waitsFor: [
      cniEnabled ? addonKey('vpc-cni') : CLUSTER_KEY,
      ...(usesPodIdentity(ctx.spec, 'vpc-cni') && !ctx.spec.autoMode.enabled ? [addonKey('eks-pod-identity-agent')] : []),
      ...nodeRoleAttachmentKeys(ctx),
      ...cniIpv6PolicyKeys(ctx, NODE_ROLE_KEY),
      ...networkKeys,
      ...(templated ? [launchTemplateKey(group.name)] : []),
    ],
    // Its instances cannot be cleaned up without the node role's policies, and pods leaving still release addresses through vpc-cni's role;
    // it names its launch template by ID, not by a reference.
    needs: [
      ...nodeRoleAttachmentKeys(ctx),
      ...cniIpv6PolicyKeys(ctx, NODE_ROLE_KEY),
      ...addonIdentityKeys(ctx.spec, 'vpc-cni'),
      ...cniIpv6PolicyKeys(ctx, addonRoleKey('vpc-cni')),
      ...(templated ? [launchTemplateKey(group.name)] : []),
    ],
  });
}

/**
 * Node auto repair, as it should be sent. Terraform's node_repair_config is
 * optional and computed (internal/service/eks/node_group.go at the pinned
 * provider): left out, AWS keeps what it has. So unset composes nothing (an
 * XR from before the field composes what it did), and a group whose repair is
 * on in AWS while the spec no longer says so is sent `enabled: false`: taking
 * the field out of the spec switches repair off, as a reader expects.
 */
function autoRepair(ctx: ComposeContext, key: string, group: NodeGroupSpec): boolean | undefined {
  if (group.autoRepair !== undefined) return group.autoRepair;
  const observed = ctx.observed.get(key);
  const on = dig(observed, 'status', 'atProvider', 'nodeRepairConfig', 'enabled') ?? dig(observed, 'spec', 'forProvider', 'nodeRepairConfig', 'enabled');
  return on === true ? false : undefined;
}

/** The label every node of a group carries: which spec.nodeGroups entry it belongs to, replacements included. */
const GROUP_LABEL = 'eks.gitops.dev/node-group';

function nodeLabels(group: NodeGroupSpec): Record<string, string> {
  return { ...group.labels, [GROUP_LABEL]: group.name };
}

/** The fixed fields the spec asks of a group. */
function wantedFixed(ctx: ComposeContext, group: NodeGroupSpec, subnets: readonly PlannedSubnet[]): Fixed {
  const zones = group.availabilityZones;
  const placement = subnets
    .filter((s) => s.tier === 'private')
    .filter((s) => !zones || zones.some((z) => namesZone(s.zone, z)))
    .map((s) => resourceName(ctx, s.key));
  return {
    amiType: amiTypeOf(group),
    capacityType: group.capacityType,
    instanceTypes: [...group.instanceTypes],
    // With a launch template, the template sizes the root volume: a new size is a new template version, no new group.
    diskSize: group.launchTemplate ? null : group.diskSize,
    subnets: ctx.spec.network.existing ? [...ctx.spec.network.existing.privateSubnetIds] : placement,
    launchTemplate: group.launchTemplate ? TEMPLATE : NO_TEMPLATE,
    podNetwork: podNetworkName(podNetworkOf(ctx.spec)),
  };
}

/**
 * The pod network a group is started in: the spec's once vpc-cni runs it;
 * until then, the one its existing group has, so it is replaced only once the
 * add-on's new configuration is in place and the new nodes start with it.
 */
function startedIn(ctx: ComposeContext, base: string, belongs: (key: string) => boolean, wanted: Fixed): Fixed {
  if (podNetworkForNodes(ctx) !== undefined) return wanted;
  const existing = Object.keys(ctx.observed.resources)
    .filter((k) => (k === base || k.startsWith(`${base}-`)) && belongs(k))
    .sort((a, b) => Number(ctx.observed.isReady(b)) - Number(ctx.observed.isReady(a)) || a.localeCompare(b));
  return existing.length === 0 ? wanted : { ...wanted, podNetwork: existingFixed(ctx, existing[0]!, wanted).podNetwork };
}

/**
 * A zone added to the network is no reason to replace every node group that
 * spans all zones: a group that does not name its zones, and whose only
 * difference from what exists is that the new zones' subnets are missing,
 * keeps the subnets it has (EKS cannot add subnets to a node group). Naming
 * the zones in spec.nodeGroups[].availabilityZones moves it, by a replacement.
 */
function keptOnZonesAdded(
  ctx: ComposeContext,
  group: NodeGroupSpec,
  base: string,
  belongs: (key: string) => boolean,
  wanted: Fixed,
): { fixed: Fixed; warnings: string[] } {
  if (group.availabilityZones || ctx.spec.network.existing) return { fixed: wanted, warnings: [] };
  const wantedSubnets = wanted.subnets as string[];
  const sameElsewhere = (f: Fixed) => JSON.stringify({ ...f, subnets: null }) === JSON.stringify({ ...wanted, subnets: null });
  for (const key of Object.keys(ctx.observed.resources).sort()) {
    if (!(key === base || key.startsWith(`${base}-`)) || !belongs(key)) continue;
    const existing = existingFixed(ctx, key, wanted);
    const has = existing.subnets as string[];
    const missing = wantedSubnets.filter((s) => !has.includes(s));
    if (!sameElsewhere(existing) || missing.length === 0 || !has.every((s) => wantedSubnets.includes(s))) continue;
    return {
      fixed: { ...wanted, subnets: [...has] },
      warnings: [
        `node group ${group.name} keeps its subnets: EKS cannot add the new zones' subnets (${missing.join(', ')}) to an existing node group; to spread it, list every zone in its availabilityZones (EKS then replaces the group, the new one Ready before the old goes), or add a node group`,
      ],
    };
  }
  return { fixed: wanted, warnings: [] };
}

/**
 * A group of the spec, and while one of its fixed fields changes the group it
 * replaces (make before break, ground/replacement.ts): the new group, under a
 * new key and AWS name, is created beside the old one, which keeps its own
 * fixed fields and is deleted once the new one is Ready; EKS then drains it,
 * honouring PodDisruptionBudgets, and its pods move to the new nodes.
 */
function specGroup(
  ctx: ComposeContext,
  group: NodeGroupSpec,
  subnets: readonly PlannedSubnet[],
  networkKeys: readonly string[],
): { current: string; resources: DesiredResource[] } {
  const base = nodeGroupKey(group.name);
  const belongs = (key: string) => key === base || dig(ctx.observed.forProvider(key, 'labels'), GROUP_LABEL) === group.name;
  // Subnets are a set: their order is no change.
  const comparable = (f: Fixed): JsonObject => ({ ...f, subnets: [...(f.subnets as string[])].sort() });
  const kept = keptOnZonesAdded(ctx, group, base, belongs, startedIn(ctx, base, belongs, wantedFixed(ctx, group, subnets)));
  const fixed = kept.fixed;
  const placement = placeReplaceable(ctx.observed, base, comparable(fixed), (key) => comparable(existingFixed(ctx, key, fixed)), belongs);
  const nameOf = (key: string, fresh: string) => ctx.observed.externalName(key) ?? fresh;
  const warnings = [...kept.warnings];
  warnings.push(
    ...placement.retiring.map(
      (old) =>
        `${old} is replaced by ${placement.key} (${changes(existingFixed(ctx, old, fixed), fixed)}): EKS cannot change these on an existing node group; ${old} is deleted, and drained, once ${placement.key} is Ready`,
    ),
  );
  return {
    current: placement.key,
    resources: [
      nodeGroup(ctx, group, { key: placement.key, name: nameOf(placement.key, `${group.name}${placement.suffix}`) }, fixed, networkKeys, warnings),
      ...placement.retiring.map((old) => ({
        ...nodeGroup(ctx, group, { key: old, name: nameOf(old, group.name) }, existingFixed(ctx, old, fixed), networkKeys),
        leaving: `replaced by ${placement.key} (${changes(existingFixed(ctx, old, fixed), fixed)}); deleted, and drained by EKS, once ${placement.key} is Ready`,
      })),
    ],
  };
}

/**
 * A node group that exists but is not in the spec, kept as it is: until every
 * group of the spec is Ready, and while EKS Auto Mode is switched on, until it
 * runs nodes (eks/auto-mode.ts).
 */
function keptGroup(ctx: ComposeContext, key: string, networkKeys: readonly string[]): DesiredResource {
  const fp = (field: string) => ctx.observed.forProvider(key, field);
  const labels = { ...((fp('labels') ?? {}) as Record<string, string>) };
  const name = labels[GROUP_LABEL] ?? ctx.observed.externalName(key) ?? key.replace(/^nodegroup-/, '');
  delete labels[GROUP_LABEL];
  delete labels[POD_NETWORK_LABEL];
  const taints = Array.isArray(fp('taint')) ? (fp('taint') as NodeGroupSpec['taints']) : [];
  const group = {
    name,
    minSize: Number(dig(fp('scalingConfig'), 'minSize') ?? 0),
    maxSize: Number(dig(fp('scalingConfig'), 'maxSize') ?? 1),
    maxUnavailable: Number(dig(fp('updateConfig'), 'maxUnavailable') ?? 1),
    labels,
    taints,
  } as NodeGroupSpec;
  const unknown: Fixed = {
    amiType: null,
    capacityType: null,
    instanceTypes: null,
    diskSize: null,
    subnets: [],
    launchTemplate: NO_TEMPLATE,
    podNetwork: null,
  };
  return nodeGroup(ctx, group, { key, name: ctx.observed.externalName(key) ?? name }, existingFixed(ctx, key, unknown), networkKeys);
}

/**
 * The node groups: each of the spec under its current key (`current`), the
 * groups they replace until the replacements are Ready, those taken out of
 * the spec until the spec's are Ready, and those kept while EKS Auto Mode is
 * switched on.
 * @param networkKeys what nodes need to reach AWS besides their subnets (the VPC endpoints), waited for too
 */
export function nodeGroupResources(
  ctx: ComposeContext,
  subnets: readonly PlannedSubnet[],
  networkKeys: readonly string[] = [],
): { resources: DesiredResource[]; current: string[] } {
  const groups = ctx.spec.nodeGroups.map((group) => specGroup(ctx, group, subnets, networkKeys));
  const resources = groups.flatMap((g) => g.resources);
  const composed = new Set(resources.map((r) => r.key));
  const current = groups.map((g) => g.current);
  // A group taken out of the spec (renamed, say) goes once every group of the spec is Ready, so its pods have somewhere to go.
  const removed = current.every((k) => ctx.observed.isReady(k))
    ? []
    : Object.keys(ctx.observed.resources).filter((k) => k.startsWith('nodegroup-') && !composed.has(k));
  const kept = [...new Set([...nodeGroupsKeptForAutoMode(ctx), ...removed])].filter((k) => !composed.has(k)).sort();
  return {
    resources: [...launchTemplateResources(ctx, nodeLabels), ...resources, ...kept.map((key) => keptGroup(ctx, key, networkKeys))],
    current,
  };
}
