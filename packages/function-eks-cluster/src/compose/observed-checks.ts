/**
 * What the observed state allows the XR to ask for: AWS cannot move a VPC, a
 * subnet, a node group or a cluster name once they exist, so a spec that
 * would need that is refused with the way back, before anything is composed.
 */
import type { EKSClusterSpec } from '../api/eks-cluster.js';
import type { FieldError } from '../api/validate.js';
import { CLUSTER_KEY } from '../eks/cluster.js';
import { defaultClusterName, EKS_CLUSTER_NAME_MAX } from '../ground/context.js';
import { dig, digString, type ObservedState } from '../ground/observed.js';
import { parseCidr, type Cidr } from '../network/cidr.js';
import { VPC_KEY } from '../network/resources.js';
import type { XR } from './xr.js';

const SUBNET_KEY = /^subnet-(private|public|isolated)-(.+)$/;

/** CIDRs of subnets that exist: observed first, then what the XR's status remembers. */
export function pinnedSubnets(observed: ObservedState): { pins: Map<string, Cidr>; errors: FieldError[] } {
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

export function checkAgainstObserved(xr: XR, observed: ObservedState, pins: ReadonlyMap<string, Cidr>): FieldError[] {
  const errors: FieldError[] = [];
  const observedVpc = digString(observed.get(VPC_KEY), 'spec', 'forProvider', 'cidrBlock');
  if (observedVpc && observedVpc !== xr.spec.network.vpcCidr) {
    errors.push({
      path: 'spec.network.vpcCidr',
      message: `changed from ${observedVpc} to ${xr.spec.network.vpcCidr}, which would replace the VPC and everything in it; set it back to ${observedVpc}`,
    });
  }
  // The XRD's CEL rule lets a removal through on the same field (src/api/eks-cluster.ts).
  if (!xr.spec.network.allowZoneRemoval) {
    const zoneKeys = new Set(xr.zones.map((z) => z.key));
    const orphaned = [...pins.keys()].filter((key) => !zoneKeys.has(SUBNET_KEY.exec(key)?.[2] ?? ''));
    const removedZones = [...new Set(orphaned.map((key) => SUBNET_KEY.exec(key)?.[2] ?? key))].sort();
    if (removedZones.length > 0) {
      errors.push({
        path: 'spec.network.availabilityZones',
        message: `no longer lists zone(s) ${removedZones.join(', ')}, whose subnets exist (${orphaned.sort().join(', ')}); removing a zone deletes its subnets, NAT gateway and nodes. Add the zone back, or set spec.network.allowZoneRemoval: true to remove it on purpose`,
      });
    }
  }
  if (xr.spec.network.allowZoneRemoval) errors.push(...controlPlaneInRemovedZones(xr, observed, pins), ...nodeGroupsInRemovedZones(xr, observed, pins));
  return errors;
}

/** The names of the subnets of removed zones that exist. */
function removedSubnetNames(xr: XR, pins: ReadonlyMap<string, Cidr>): Set<string> {
  const zoneKeys = new Set(xr.zones.map((z) => z.key));
  return new Set([...pins.keys()].filter((key) => !zoneKeys.has(SUBNET_KEY.exec(key)?.[2] ?? '')).map((key) => `${xr.name}-${key}`));
}

/**
 * The control plane keeps the subnets it was created in (eks/cluster.ts): its
 * network interfaces are there, and the deletion-order Usage of each by the
 * cluster (lifecycle/usages.ts) holds them for the cluster's life. A zone it
 * is in cannot be removed; a zone added later can.
 */
function controlPlaneInRemovedZones(xr: XR, observed: ObservedState, pins: ReadonlyMap<string, Cidr>): FieldError[] {
  const removed = removedSubnetNames(xr, pins);
  const refs = observed.forProvider(CLUSTER_KEY, 'vpcConfig', 'subnetIdRefs');
  const used = (Array.isArray(refs) ? refs.map((r) => digString(r, 'name')) : []).filter((n): n is string => n !== undefined && removed.has(n)).sort();
  if (used.length === 0) return [];
  return [
    {
      path: 'spec.network.availabilityZones',
      message: `removes the zone of ${used.join(', ')}, where the EKS control plane has its network interfaces: the cluster keeps the subnets it was created in for its life, so they could never be deleted; put the zone back (zones added after the cluster was created can be removed)`,
    },
  ];
}

/**
 * EKS cannot move a node group to other subnets, so one with nodes in a removed
 * zone would keep referring to subnets that are being deleted (and whose
 * network interfaces block the deletion): it has to be replaced first.
 */
function nodeGroupsInRemovedZones(xr: XR, observed: ObservedState, pins: ReadonlyMap<string, Cidr>): FieldError[] {
  const removedSubnets = removedSubnetNames(xr, pins);
  const errors: FieldError[] = [];
  for (const key of Object.keys(observed.resources)
    .filter((k) => k.startsWith('nodegroup-'))
    .sort()) {
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
export function clusterNameOf(xr: XR, observed: ObservedState): { ok: true; clusterName: string } | { ok: false; errors: FieldError[] } {
  const existing = observed.externalName(CLUSTER_KEY);
  const wanted = xr.spec.clusterName;
  if (validClusterName(existing)) {
    if (wanted !== undefined && wanted !== existing) {
      return {
        ok: false,
        errors: [
          {
            path: 'spec.clusterName',
            message: `changed to "${wanted}" on the existing EKS cluster "${existing}", which would replace the cluster; set it back to "${existing}"`,
          },
        ],
      };
    }
    return { ok: true, clusterName: existing! };
  }
  if (wanted !== undefined) return { ok: true, clusterName: wanted };
  const announced = digString(observed.composite, 'status', 'cluster', 'name');
  if (validClusterName(announced)) return { ok: true, clusterName: announced! };
  return { ok: true, clusterName: defaultClusterName(xr.namespace, xr.name) };
}

/**
 * spec.network.existing cannot be switched on a live EKSCluster either way
 * (network/existing.ts says why).
 */
export function checkNetworkOwnership(spec: EKSClusterSpec, observed: ObservedState): FieldError[] {
  const existing = spec.network.existing;
  if (existing && observed.has(VPC_KEY)) {
    return [
      {
        path: 'spec.network.existing',
        message:
          `is set on an EKSCluster whose VPC ${observed.atProvider(VPC_KEY, 'id') ?? ''} was composed by it; switching would delete that VPC and replace the cluster. Remove spec.network.existing, or create a new EKSCluster in ${existing.vpcId}`.replace(
            'VPC  was',
            'VPC was',
          ),
      },
    ];
  }
  const clusterSubnetIds = observed.forProvider(CLUSTER_KEY, 'vpcConfig', 'subnetIds');
  const clusterSubnetRefs = observed.forProvider(CLUSTER_KEY, 'vpcConfig', 'subnetIdRefs');
  if (!existing && Array.isArray(clusterSubnetIds) && clusterSubnetIds.length > 0 && !(Array.isArray(clusterSubnetRefs) && clusterSubnetRefs.length > 0)) {
    return [
      {
        path: 'spec.network.existing',
        message: `was removed, but the EKS cluster runs in existing subnets (${clusterSubnetIds.join(', ')}) that EKS cannot move it out of; put spec.network.existing back`,
      },
    ];
  }
  return [];
}

/**
 * EKS fixes a cluster's IP family at creation (the provider would refuse the
 * change for ever: kubernetes_network_config.ip_family is ForceNew, see
 * workshop/aws-rules/force-new.generated.ts), and IPv6 is not taken off a live
 * network (its addresses may be in use): each is refused with the way back.
 * A cluster created without a family has EKS's default, ipv4.
 */
export function checkIpFamilyAgainstObserved(spec: EKSClusterSpec, observed: ObservedState): FieldError[] {
  const errors: FieldError[] = [];
  const wanted = spec.network.ipFamily;
  const created = observed.atProvider(CLUSTER_KEY, 'id') !== undefined;
  const running =
    observed.atProvider(CLUSTER_KEY, 'kubernetesNetworkConfig', 'ipFamily') ??
    digString(observed.forProvider(CLUSTER_KEY, 'kubernetesNetworkConfig'), 'ipFamily') ??
    (created ? 'ipv4' : undefined);
  if (running !== undefined && running !== (wanted === 'IPv6' ? 'ipv6' : 'ipv4')) {
    const back = running === 'ipv6' ? 'IPv6' : 'IPv4 (or DualStack, which gives the network IPv6 in place and keeps pods on IPv4)';
    errors.push({
      path: 'spec.network.ipFamily',
      message: `${wanted} would change the IP family of the live EKS cluster ${observed.externalName(CLUSTER_KEY) ?? ''}, which runs ${running} and which EKS fixes at creation; set it back to ${back}, or create a new EKSCluster with the family you want and move the workloads`,
    });
  }
  const vpcHasIpv6 = observed.forProvider(VPC_KEY, 'assignGeneratedIpv6CidrBlock') === true || observed.atProvider(VPC_KEY, 'ipv6CidrBlock') !== undefined;
  if (wanted === 'IPv4' && vpcHasIpv6 && errors.length === 0) {
    errors.push({
      path: 'spec.network.ipFamily',
      message: `IPv4 would take IPv6 off the live VPC and subnets, whose addresses nodes and load balancers may use (AWS refuses to disassociate a block in use); set it back to DualStack${running === 'ipv6' ? ' or IPv6' : ''}`,
    });
  }
  return errors;
}
