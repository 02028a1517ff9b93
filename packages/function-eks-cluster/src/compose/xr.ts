/**
 * Reads an observed EKSCluster into a defaulted, checked spec. Every problem
 * is reported at once, each naming the field, the value and the fix.
 */
import { composedAddons, podIdentityAgentPresent } from '../eks/addon-set.js';
import { checkAutoModeVersion, checkPodIdentityUniqueness } from './aws-constraints.js';
import { checkLaunchTemplates } from '../eks/launch-template.js';
import { checkSecurityGroupRules } from '../network/security-group-rules.js';
import { parseCidr } from '../network/cidr.js';
import { checkIpv6Zones } from '../network/ipv6-plan.js';
import { checkPodBlock } from '../network/pod-subnets.js';
import { checkPodNetworking } from '../eks/vpc-cni-config.js';
import { namesZone, resolveZones, type Zone } from '../network/zones.js';
import { API_GROUP, API_VERSION, KIND, LOG_RETENTION_DAYS, specSchema, type EKSClusterSpec } from '../api/eks-cluster.js';
import { isObject, type JsonObject } from '../api/schema-builder.js';
import { conform, describeValue, type FieldError } from '../api/validate.js';

export interface XR {
  readonly name: string;
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: EKSClusterSpec;
  /** Canonical order. */
  readonly zones: readonly Zone[];
}

export type XRRead = { ok: true; xr: XR } | { ok: false; errors: FieldError[] };

/**
 * Crossplane puts the XR's name into label values, so it is a DNS label (63
 * characters at most); composed names add at most ~150, well under 253.
 */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 63;

function readMetadata(composite: Record<string, unknown>, errors: FieldError[]) {
  const metadata = isObject(composite.metadata) ? composite.metadata : {};
  const name = metadata.name;
  const namespace = metadata.namespace;
  if (typeof name !== 'string' || name === '') {
    errors.push({ path: 'metadata.name', message: 'is missing; give the EKSCluster a name' });
  } else if (!DNS_LABEL.test(name) || name.length > MAX_NAME) {
    errors.push({
      path: 'metadata.name',
      message: `${describeValue(name)} must be a DNS label of at most ${MAX_NAME} characters (lower case, digits, '-'): it prefixes every composed resource name`,
    });
  }
  if (typeof namespace !== 'string' || namespace === '') {
    errors.push({ path: 'metadata.namespace', message: 'is missing; EKSCluster is namespaced, set metadata.namespace' });
  }
  const annotations: Record<string, string> = {};
  if (isObject(metadata.annotations)) {
    for (const [k, v] of Object.entries(metadata.annotations)) if (typeof v === 'string') annotations[k] = v;
  }
  return { name: typeof name === 'string' ? name : '', namespace: typeof namespace === 'string' ? namespace : '', annotations };
}

function checkNetwork(spec: EKSClusterSpec, errors: FieldError[]): Zone[] {
  const vpc = parseCidr(spec.network.vpcCidr);
  if (!vpc.ok) {
    errors.push({ path: 'spec.network.vpcCidr', message: `${describeValue(spec.network.vpcCidr)} ${vpc.reason}` });
  } else if (vpc.cidr.prefixLength < 16 || vpc.cidr.prefixLength > 24) {
    errors.push({
      path: 'spec.network.vpcCidr',
      message: `${spec.network.vpcCidr} has prefix /${vpc.cidr.prefixLength}; AWS VPCs are /16 to /28 and an EKS cluster needs at least a /24: use /16 to /24`,
    });
  }
  const podSubnets = spec.network.podSubnets;
  if (podSubnets) errors.push(...checkPodBlock(podSubnets.cidr, vpc.ok ? vpc.cidr : undefined));
  const { zones, errors: zoneErrors } = resolveZones(spec.region, spec.network.availabilityZones);
  errors.push(...zoneErrors);
  return zones;
}

function checkNodeGroups(spec: EKSClusterSpec, zones: readonly Zone[], errors: FieldError[]): void {
  spec.nodeGroups.forEach((group, i) => {
    const path = `spec.nodeGroups[${i}]`;
    if (group.minSize > group.maxSize) {
      errors.push({
        path: `${path}.minSize`,
        message: `${group.minSize} is larger than maxSize ${group.maxSize}; make minSize <= maxSize`,
      });
    }
    if (group.desiredSize !== undefined && (group.desiredSize < group.minSize || group.desiredSize > group.maxSize)) {
      errors.push({
        path: `${path}.desiredSize`,
        message: `${group.desiredSize} lies outside minSize ${group.minSize}..maxSize ${group.maxSize}; pick a value in that range or leave it out`,
      });
    }
    (group.availabilityZones ?? []).forEach((zone, j) => {
      const known = zones.some((z) => namesZone(z, zone));
      if (!known) {
        errors.push({
          path: `${path}.availabilityZones[${j}]`,
          message: `${describeValue(zone)} is not one of spec.network.availabilityZones (${zones.map((z) => z.input).join(', ')}); add it there first`,
        });
      }
    });
  });
}

function checkEndpoint(spec: EKSClusterSpec, errors: FieldError[]): void {
  if (!spec.endpointAccess.public && !spec.endpointAccess.private) {
    errors.push({
      path: 'spec.endpointAccess',
      message: 'public and private are both false, so nothing could reach the API server; enable at least one',
    });
  }
  spec.endpointAccess.publicCidrs.forEach((cidr, i) => {
    const parsed = parseCidr(cidr);
    if (!parsed.ok) errors.push({ path: `spec.endpointAccess.publicCidrs[${i}]`, message: `${describeValue(cidr)} ${parsed.reason}` });
  });
}

/**
 * With spec.network.existing nothing of the network is composed, so settings
 * that shape a composed network would be silently ignored: each one set (the
 * API server fills in the defaults, so: set to anything but its default) is
 * refused. Node groups cannot be pinned to zones the function does not know.
 */
function checkExistingNetwork(spec: EKSClusterSpec, errors: FieldError[]): void {
  const { network } = spec;
  if (!network.existing) return;
  const defaults = specSchema.node.properties?.network?.properties ?? {};
  for (const field of ['vpcCidr', 'availabilityZones', 'nat', 'vpcEndpoints'] as const) {
    if (JSON.stringify(network[field]) === JSON.stringify(defaults[field]?.default)) continue;
    errors.push({
      path: `spec.network.${field}`,
      message: `${describeValue(network[field])} has no effect with spec.network.existing (vpc ${network.existing.vpcId}): the network is not composed; remove spec.network.${field}`,
    });
  }
  const subnets = network.subnets;
  if (subnets.private || subnets.public || subnets.isolated) {
    errors.push({ path: 'spec.network.subnets', message: 'sizes subnets, but with spec.network.existing no subnet is composed; remove spec.network.subnets' });
  }
  if (network.allowZoneRemoval !== undefined) {
    errors.push({ path: 'spec.network.allowZoneRemoval', message: 'has no effect with spec.network.existing: no zone is composed; remove it' });
  }
  const shared = (network.existing.publicSubnetIds ?? []).filter((id) => network.existing!.privateSubnetIds.includes(id));
  if (shared.length > 0) {
    errors.push({
      path: 'spec.network.existing.publicSubnetIds',
      message: `${shared.join(', ')} also listed in privateSubnetIds; a subnet is private or public, list it once`,
    });
  }
  spec.nodeGroups.forEach((group, i) => {
    if (group.availabilityZones === undefined) return;
    errors.push({
      path: `spec.nodeGroups[${i}].availabilityZones`,
      message: `${JSON.stringify(group.availabilityZones)} cannot be matched to the existing subnets of spec.network.existing; remove it (the group spans every private subnet)`,
    });
  });
}

/**
 * What AWS refuses, or what this function does not compose, with an IPv6
 * network or cluster (docs: EKS User Guide, "Learn about IPv6 addresses to
 * clusters, Pods, and services"; EKS API KubernetesNetworkConfigRequest).
 * Windows nodes, which IPv6 clusters cannot run, are no amiType of this API.
 */
function checkIpFamily(spec: EKSClusterSpec, zones: readonly Zone[], errors: FieldError[]): void {
  const { ipFamily, existing } = spec.network;
  const path = 'spec.network.ipFamily';
  if (existing) {
    if (ipFamily === 'DualStack') {
      errors.push({
        path,
        message: `DualStack shapes a composed network, and with spec.network.existing (vpc ${existing.vpcId}) none is composed; give that VPC IPv6 in its owner's tooling, then use IPv4 or IPv6`,
      });
    }
    if (ipFamily === 'IPv6' && existing.dualStack !== true) {
      errors.push({
        path: 'spec.network.existing.dualStack',
        message: `is not true, and ipFamily IPv6 needs the existing VPC ${existing.vpcId} and subnets ${existing.privateSubnetIds.join(', ')} to have IPv6 CIDR blocks, the private subnets to assign IPv6 addresses on creation and to route ::/0 out, which the function cannot see; make them so, then set spec.network.existing.dualStack: true (or use ipFamily IPv4)`,
      });
    }
    if (ipFamily !== 'IPv6' && existing.dualStack !== undefined) {
      errors.push({
        path: 'spec.network.existing.dualStack',
        message: `is read only with spec.network.ipFamily IPv6 (here ${ipFamily}); remove it or set ipFamily: IPv6`,
      });
    }
  } else if (ipFamily !== 'IPv4') {
    errors.push(...checkIpv6Zones(zones, 'spec.network.availabilityZones'));
  }
  if (ipFamily !== 'IPv6') return;
  if (spec.region.startsWith('cn-')) {
    errors.push({ path, message: `IPv6 is refused by EKS in the China regions (spec.region ${spec.region}); use IPv4 or DualStack` });
  }
  if (spec.autoMode.enabled) {
    errors.push({ path, message: 'IPv6 is not composed with spec.autoMode.enabled: true by this function; use IPv4 or DualStack, or turn autoMode off' });
  }
  if (spec.karpenter.enabled) {
    errors.push({
      path,
      message:
        "IPv6 is not composed with spec.karpenter.enabled: true by this function (apps/karpenter's node class is IPv4 only); use IPv4 or DualStack, or turn karpenter off",
    });
  }
}

function checkFlowLogs(spec: EKSClusterSpec, errors: FieldError[]): void {
  const days = spec.network.flowLogs?.retentionDays;
  if (days === undefined || (LOG_RETENTION_DAYS as readonly number[]).includes(days)) return;
  const nearest = [...LOG_RETENTION_DAYS].sort((a, b) => Math.abs(a - days) - Math.abs(b - days))[0];
  errors.push({
    path: 'spec.network.flowLogs.retentionDays',
    message: `${days} is not a retention CloudWatch Logs accepts; use ${nearest} (or one of ${LOG_RETENTION_DAYS.join(', ')})`,
  });
}

function checkDelivery(spec: EKSClusterSpec, errors: FieldError[]): void {
  const { mode, fluxRoleArn } = spec.delivery;
  if (mode === 'AWSIdentity' && fluxRoleArn === undefined) {
    errors.push({
      path: 'spec.delivery.fluxRoleArn',
      message: 'is missing; delivery mode AWSIdentity needs the IAM role ARN of the Flux controllers (see flux/README.md), or set mode: KubeconfigSecret',
    });
  }
  if (mode === 'KubeconfigSecret' && fluxRoleArn !== undefined) {
    errors.push({
      path: 'spec.delivery.fluxRoleArn',
      message: `${describeValue(fluxRoleArn)} is used only with mode AWSIdentity; set spec.delivery.mode: AWSIdentity or remove fluxRoleArn`,
    });
  }
  if (fluxRoleArn !== undefined && spec.access.clusterAdmins.includes(fluxRoleArn)) {
    errors.push({
      path: 'spec.delivery.fluxRoleArn',
      message: `${describeValue(fluxRoleArn)} is also in spec.access.clusterAdmins, and EKS allows one access entry per principal; remove it from clusterAdmins`,
    });
  }
}

/** A workspace of one's own only makes sense with monitoring on; off, nothing would read it. */
function checkMonitoring(spec: EKSClusterSpec, errors: FieldError[]): void {
  const { enabled, workspaceId } = spec.monitoring;
  if (!enabled && workspaceId !== undefined) {
    errors.push({
      path: 'spec.monitoring.workspaceId',
      message: `${describeValue(workspaceId)} is used only with spec.monitoring.enabled: true; set enabled: true to write to it, or remove workspaceId`,
    });
  }
}

function checkManagementPolicies(spec: EKSClusterSpec, errors: FieldError[]): void {
  if (spec.managementPolicies.includes('*') && spec.managementPolicies.length > 1) {
    errors.push({
      path: 'spec.managementPolicies',
      message: `${JSON.stringify(spec.managementPolicies)} mixes "*" with single policies; use ["*"] alone or list the policies you want`,
    });
  }
}

/**
 * An EKSCluster on a namespaced ProviderConfig acts as a team: in a tenant
 * namespace the admission policy tenant-aws-identity makes every EKSCluster
 * one, and tenant-eks-cluster checks this same rule (flux/infrastructure/provider-config).
 * Its EKS cluster name must carry its namespace, so that it can only ever name
 * its own team's clusters: the provider finds an EKS cluster by that name and
 * would adopt, change and delete another team's. The default name always
 * does. XRs on the platform's ClusterProviderConfig keep any name.
 */
function checkTeamClusterName(spec: EKSClusterSpec, namespace: string, errors: FieldError[]): void {
  const { clusterName, providerConfigKind } = spec;
  if (providerConfigKind !== 'ProviderConfig' || clusterName === undefined || namespace === '' || clusterName.startsWith(`${namespace}-`)) return;
  errors.push({
    path: 'spec.clusterName',
    message: `${describeValue(clusterName)} does not start with "${namespace}-", and an EKSCluster on the team's ProviderConfig (spec.providerConfigKind: ProviderConfig) may only name EKS clusters of its own namespace; name it "${namespace}-<something>" or leave spec.clusterName out (the default name carries the namespace)`,
  });
}

/** Auto Mode runs the nodes and its own Karpenter; Pod Identity needs its agent. */
function checkCompute(spec: EKSClusterSpec, errors: FieldError[]): void {
  if (spec.autoMode.enabled && spec.nodeGroups.length > 0) {
    errors.push({
      path: 'spec.nodeGroups',
      message: `lists ${spec.nodeGroups.map((g) => g.name).join(', ')} while spec.autoMode.enabled is true, and EKS Auto Mode runs the nodes itself; set spec.nodeGroups: [] (left out, it means one default node group), or turn autoMode off`,
    });
  }
  if (spec.autoMode.enabled && spec.karpenter.enabled) {
    errors.push({
      path: 'spec.karpenter.enabled',
      message: 'is true while spec.autoMode.enabled is true, and Auto Mode runs its own Karpenter; turn one of them off',
    });
  }
  if (!podIdentityAgentPresent(spec)) {
    const needs = [
      ...(spec.podIdentity.roles.length > 0 ? ['spec.podIdentity.roles'] : []),
      ...(spec.karpenter.enabled ? ['spec.karpenter'] : []),
      ...composedAddons(spec)
        .filter((a) => a.name === 'aws-ebs-csi-driver' && !a.serviceAccountRoleArn)
        .map(() => 'aws-ebs-csi-driver'),
    ];
    if (needs.length > 0) {
      errors.push({
        path: 'spec.addons',
        message: `leaves out eks-pod-identity-agent, but ${needs.join(', ')} get their AWS permissions through EKS Pod Identity, which needs it; remove enabled: false from eks-pod-identity-agent`,
      });
    }
  }
}

export function readXR(composite: unknown): XRRead {
  if (!isObject(composite)) {
    return { ok: false, errors: [{ path: 'observed.composite', message: 'the request carries no EKSCluster; Crossplane must send the composite resource' }] };
  }
  const errors: FieldError[] = [];
  const expected = `${API_GROUP}/${API_VERSION}`;
  if (composite.apiVersion !== expected || composite.kind !== KIND) {
    errors.push({
      path: 'apiVersion',
      message: `${describeValue(composite.apiVersion)} ${describeValue(composite.kind)} is not an ${expected} ${KIND}; this function composes EKSClusters only`,
    });
    return { ok: false, errors };
  }
  const metadata = readMetadata(composite, errors);
  const rawSpec = composite.spec;
  if (!isObject(rawSpec)) {
    errors.push({ path: 'spec', message: `expected an object, got ${describeValue(rawSpec)}; at least spec.region is required` });
    return { ok: false, errors };
  }
  // spec.crossplane holds Crossplane's own machinery (composition references), not our API.
  const { crossplane: _machinery, ...ours } = rawSpec;
  const spec = conform(ours, specSchema.node, 'spec', errors) as JsonObject as unknown as EKSClusterSpec;
  if (errors.length > 0) return { ok: false, errors };
  const zones = checkNetwork(spec, errors);
  checkNodeGroups(spec, zones, errors);
  checkEndpoint(spec, errors);
  checkManagementPolicies(spec, errors);
  checkExistingNetwork(spec, errors);
  checkIpFamily(spec, zones, errors);
  checkFlowLogs(spec, errors);
  checkDelivery(spec, errors);
  checkMonitoring(spec, errors);
  checkCompute(spec, errors);
  checkPodNetworking(spec, errors);
  checkAutoModeVersion(spec, errors);
  checkPodIdentityUniqueness(spec, errors);
  checkLaunchTemplates(spec.nodeGroups, errors);
  checkSecurityGroupRules(spec, errors);
  checkTeamClusterName(spec, metadata.namespace, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, xr: { ...metadata, spec, zones } };
}
