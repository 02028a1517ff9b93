/** Generators of EKSCluster XRs, and what tests ask of an in-process compose() result. */
import fc from 'fast-check';
import type { JsonObject, SchemaNode } from '../src/api/schema-builder.js';
import { IP_FAMILIES, LOG_RETENTION_DAYS, NAT_MODES, specSchema, VPC_ENDPOINT_MODES } from '../src/api/eks-cluster.js';
import type { ComposeResult, Composition } from '../src/compose/compose.js';

export interface XRShape {
  name: string;
  namespace: string;
  region: string;
  vpcCidr: string;
  zones: string[];
  nat: (typeof NAT_MODES)[number];
  /** Left out: the API's default (Auto). */
  vpcEndpoints?: (typeof VPC_ENDPOINT_MODES)[number];
  isolated: boolean;
  privatePrefix?: number;
  nodeGroups: { name: string; minSize: number; maxSize: number; zones?: string[] }[];
  admins: string[];
  encryption: boolean;
  /** spec.network.flowLogs.enabled */
  flowLogs?: boolean;
  /** spec.delivery: AWSIdentity with a Flux role, else the default (KubeconfigSecret). */
  awsIdentity?: boolean;
  /** spec.network.existing, with one private subnet per zone; zones then only count subnets. */
  existing?: boolean;
  deletionProtection?: boolean;
  /** EKS Auto Mode (no node groups then: the list is written empty). */
  autoMode?: boolean;
  karpenter?: boolean;
  /** aws-ebs-csi-driver listed in spec.addons: its role through Pod Identity. */
  ebsCsi?: boolean;
  podIdentityRoles?: { name: string; policyArns: string[] }[];
  /** spec.monitoring: a workspace composed for the cluster, or an existing one (workspaceId); left out, off. */
  monitoring?: 'composed' | 'existing';
  /** spec.network.ipFamily; left out, the API's default (IPv4). In an existing network IPv6 states it dual-stack. */
  ipFamily?: (typeof IP_FAMILIES)[number];
  /** spec.network.podSubnets.cidr: custom networking (not with an existing network, not with IPv6 pods). */
  podSubnets?: string;
  /** spec.network.prefixDelegation */
  prefixDelegation?: boolean;
}

/** The subnet ID an existing network has for a zone and tier (17 hex digits, like AWS's). */
export function existingSubnetId(tier: 'private' | 'public', zone: string): string {
  return `subnet-${tier === 'private' ? '0' : '1'}${Buffer.from(zone).toString('hex').padStart(16, '0').slice(-16)}`;
}
export const EXISTING_VPC_ID = 'vpc-0123456789abcdef0';
export const FLUX_ROLE_ARN = 'arn:aws:iam::111122223333:role/flux-controllers';
export const EXISTING_WORKSPACE_ID = 'ws-0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d';

const octet = fc.integer({ min: 0, max: 255 });

const vpcCidrArb = fc.tuple(fc.constantFrom(10, 172, 192), octet, octet, fc.integer({ min: 16, max: 22 })).map(([a, b, c, prefix]) => {
  const address = ((a * 256 + b) * 256 + c) * 256;
  const size = 2 ** (32 - prefix);
  const base = Math.floor(address / size) * size;
  return `${[24, 16, 8, 0].map((s) => Math.floor(base / 2 ** s) % 256).join('.')}/${prefix}`;
});

export const xrArb: fc.Arbitrary<XRShape> = fc
  .record({
    name: fc.constantFrom('team-a', 'payments', 'x'),
    namespace: fc.constantFrom('team-a', 'platform'),
    region: fc.constantFrom('us-west-2', 'eu-central-1', 'cn-north-1', 'us-gov-west-1'),
    vpcCidr: vpcCidrArb,
    zones: fc.shuffledSubarray(['a', 'b', 'c', 'd', 'e', 'f'], { minLength: 2, maxLength: 6 }),
    nat: fc.constantFrom(...NAT_MODES),
    vpcEndpoints: fc.constantFrom(...VPC_ENDPOINT_MODES),
    isolated: fc.boolean(),
    privateOffset: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
    nodeGroups: fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/),
        minSize: fc.integer({ min: 0, max: 5 }),
        extra: fc.integer({ min: 1, max: 10 }),
        restrict: fc.boolean(),
      }),
      { selector: (g) => g.name, minLength: 0, maxLength: 5 },
    ),
    admins: fc.uniqueArray(
      fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/).map((r) => `arn:aws:iam::111122223333:role/${r}`),
      { maxLength: 3 },
    ),
    encryption: fc.boolean(),
    flowLogs: fc.boolean(),
    awsIdentity: fc.boolean(),
    autoMode: fc.constantFrom(false, false, false, true),
    // A third each: Karpenter adds about 60 resources per XR, and the properties replay many XRs.
    karpenter: fc.constantFrom(false, false, true),
    ebsCsi: fc.constantFrom(false, false, true),
    podIdentityRoles: fc.uniqueArray(
      fc.record({
        name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
        policyArns: fc.uniqueArray(
          fc.constantFrom(
            'arn:aws:iam::aws:policy/ReadOnlyAccess',
            'arn:aws:iam::111122223333:policy/AWSLoadBalancerControllerIAMPolicy',
            'arn:aws:iam::444455556666:policy/AWSLoadBalancerControllerIAMPolicy',
          ),
          { minLength: 1, maxLength: 3 },
        ),
      }),
      { selector: (r) => r.name, maxLength: 2 },
    ),
    // Last, so the fields above draw the values they drew before it was added.
    monitoring: fc.constantFrom(undefined, undefined, 'composed' as const, 'existing' as const),
    ipFamily: fc.constantFrom(undefined, undefined, 'DualStack' as const, 'IPv6' as const),
    podSubnets: fc.constantFrom(undefined, undefined, '100.64.0.0/16', '100.65.0.0/20'),
    prefixDelegation: fc.constantFrom(false, false, true),
  })
  .map(({ privateOffset, monitoring, ipFamily, podSubnets, prefixDelegation, ...c }) => {
    // IPv6 pods: not in China regions, not with Auto Mode or Karpenter (the API refuses them: compose/xr.ts).
    const family = ipFamily === 'DualStack' || (ipFamily === 'IPv6' && !c.autoMode && !c.karpenter && !c.region.startsWith('cn-')) ? ipFamily : undefined;
    // Auto Mode runs pod networking itself, and IPv6 pods take no secondary block: the function refuses either with them.
    const podNetworking = !c.autoMode && family !== 'IPv6';
    return {
      ...(monitoring ? { monitoring } : {}),
      ...(family ? { ipFamily: family } : {}),
      ...(podSubnets && podNetworking ? { podSubnets } : {}),
      ...(prefixDelegation && podNetworking ? { prefixDelegation } : {}),
      ...c,
      // Auto Mode runs its own Karpenter and nodes: the API refuses either with it.
      karpenter: c.karpenter && !c.autoMode,
      ...(privateOffset ? { privatePrefix: Math.min(Number(c.vpcCidr.split('/')[1]) + privateOffset, 28) } : {}),
      nodeGroups: (c.autoMode ? [] : c.nodeGroups).map((g) => ({
        name: g.name,
        minSize: g.minSize,
        maxSize: g.minSize + g.extra,
        ...(g.restrict ? { zones: c.zones.slice(0, 2) } : {}),
      })),
    };
  });

/** The schema node of spec at `path` (a list's items are "[]"). */
function specNode(...path: string[]): SchemaNode {
  return path.reduce<SchemaNode>((node, step) => (step === '[]' ? node.items! : node.properties![step]!), specSchema.node);
}

/** The API's limit on a string's length or a list's entries, read from the schema. */
function most(...path: string[]): number {
  const node = specNode(...path);
  const limit = node.maxLength ?? node.maxItems;
  if (limit === undefined) throw new Error(`spec.${path.join('.')} has no maxLength or maxItems`);
  return limit;
}

/** A count up to `max`, most often `max` itself. */
function upTo(max: number, min = 1): fc.Arbitrary<number> {
  return fc.oneof({ arbitrary: fc.constant(max), weight: 3 }, { arbitrary: fc.integer({ min, max }), weight: 1 });
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const LONGEST_RETENTION = Math.max(...LOG_RETENTION_DAYS);
const DIGITS = '0123456789';

/** `length` characters of `alphabet` between a first and a last of `ends`, like a DNS label. */
function word(length: number, alphabet: string, ends = LOWER + DIGITS): fc.Arbitrary<string> {
  const of = (chars: string, n: number) => fc.string({ unit: fc.constantFrom(...chars), minLength: n, maxLength: n });
  if (length <= 2) return of(ends, length);
  return fc.tuple(of(ends, 1), of(alphabet, length - 2), of(ends, 1)).map((parts) => parts.join(''));
}

const label = (length: number) => word(length, `${LOWER}${DIGITS}-`);

/** A region of the pattern's longest form, xx-iso<letters>-<letters>-<digit>, as long as the schema allows. */
const longRegion = fc
  .tuple(word(2, LOWER, LOWER), fc.integer({ min: 1, max: most('region') - 10 }), fc.integer({ min: 0, max: 9 }))
  .chain(([prefix, first, digit]) =>
    fc.tuple(word(first, LOWER, LOWER), word(most('region') - 9 - first, LOWER, LOWER)).map(([a, b]) => `${prefix}-iso${a}-${b}-${digit}`),
  );

/** A public /32 with three digits in every octet: the longest CIDR text there is. */
const longCidr = fc
  .tuple(fc.integer({ min: 100, max: 255 }), fc.integer({ min: 100, max: 255 }), fc.integer({ min: 100, max: 255 }))
  .map(([a, b, c]) => `203.${a}.${b}.${c}/32`);

/**
 * EKSClusters at the limits of the API (src/api/eks-cluster.ts): names, zones,
 * node groups, instance types, taints, add-ons and public CIDRs as long and as
 * many as the schema allows (most often exactly so), in a composed network
 * (zone names or the longest zone IDs) or an existing one with the most subnets.
 * What the plan and the diagram must lay out without cutting anything.
 */
export const xrAtLimitsArb: fc.Arbitrary<JsonObject> = fc
  .record({
    // Kubernetes namespaces and the function's XR names (src/compose/xr.ts) are DNS labels.
    name: label(63),
    namespace: label(63),
    clusterName: fc.option(word(most('clusterName'), `${LOWER}${LOWER.toUpperCase()}${DIGITS}-_`, LOWER), { nil: undefined }),
    region: longRegion,
    zoneIds: fc.boolean(),
    zoneCount: upTo(most('network', 'availabilityZones'), 2),
    nat: fc.constantFrom(...NAT_MODES),
    isolated: fc.boolean(),
    publicCidrs: fc.uniqueArray(longCidr, { minLength: most('endpointAccess', 'publicCidrs'), maxLength: most('endpointAccess', 'publicCidrs') }),
    nodeGroups: upTo(most('nodeGroups')).chain((n) =>
      fc.uniqueArray(
        fc.record({
          name: label(most('nodeGroups', '[]', 'name')),
          instanceTypes: upTo(most('nodeGroups', '[]', 'instanceTypes')).chain((k) =>
            fc.uniqueArray(word(most('nodeGroups', '[]', 'instanceTypes', '[]'), `${LOWER}${DIGITS}.`), { minLength: k, maxLength: k }),
          ),
          capacityType: fc.constantFrom('ON_DEMAND', 'SPOT'),
          taints: upTo(most('nodeGroups', '[]', 'taints'), 0).chain((k) =>
            fc.array(
              fc.record({
                key: label(most('nodeGroups', '[]', 'taints', '[]', 'key')),
                value: label(most('nodeGroups', '[]', 'taints', '[]', 'value')),
                effect: fc.constant('PREFER_NO_SCHEDULE'),
              }),
              { minLength: k, maxLength: k },
            ),
          ),
          oneZone: fc.boolean(),
        }),
        { selector: (g) => g.name, minLength: n, maxLength: n },
      ),
    ),
    addons: fc.uniqueArray(label(most('addons', '[]', 'name')), { minLength: most('addons'), maxLength: most('addons') }),
    existing: fc.constantFrom(false, false, true),
    awsIdentity: fc.boolean(),
  })
  .map((x) => {
    // Zone IDs of the longest form (src/network/zones.ts), or suffixes, which the function writes as full
    // names one longer than the region (a full name given is held to 32 characters, so never longer).
    const zones = Array.from({ length: x.zoneCount }, (_, i) => (x.zoneIds ? `usgw1-az${10 + i}` : LOWER[i]!));
    const network: JsonObject = x.existing
      ? {
          existing: {
            vpcId: EXISTING_VPC_ID,
            privateSubnetIds: Array.from({ length: most('network', 'existing', 'privateSubnetIds') }, (_, i) => `subnet-0${String(i).padStart(16, '0')}`),
            publicSubnetIds: Array.from({ length: most('network', 'existing', 'publicSubnetIds') }, (_, i) => `subnet-1${String(i).padStart(16, '0')}`),
          },
          flowLogs: { enabled: true, retentionDays: LONGEST_RETENTION, trafficType: 'REJECT' },
        }
      : {
          vpcCidr: '10.0.0.0/16',
          availabilityZones: zones,
          nat: x.nat,
          subnets: x.isolated ? { isolated: { enabled: true } } : {},
          flowLogs: { enabled: true, retentionDays: LONGEST_RETENTION },
        };
    return {
      apiVersion: 'eks.gitops.dev/v1alpha1',
      kind: 'EKSCluster',
      metadata: { name: x.name, namespace: x.namespace },
      spec: {
        region: x.region,
        ...(x.clusterName ? { clusterName: x.clusterName } : {}),
        network,
        endpointAccess: { publicCidrs: x.publicCidrs },
        nodeGroups: x.nodeGroups.map((g) => ({
          name: g.name,
          instanceTypes: g.instanceTypes,
          minSize: specNode('nodeGroups', '[]', 'minSize').maximum!,
          maxSize: specNode('nodeGroups', '[]', 'maxSize').maximum!,
          capacityType: g.capacityType,
          taints: g.taints,
          ...(g.oneZone && !x.existing ? { availabilityZones: [zones[zones.length - 1]!] } : {}),
        })),
        addons: x.addons.map((name) => ({ name })),
        ...(x.awsIdentity ? { delivery: { mode: 'AWSIdentity', fluxRoleArn: FLUX_ROLE_ARN } } : {}),
      },
    };
  });

/** A small valid XR for example-based tests: two zones, one NAT, one node group; override what a test is about. */
export function exampleShape(overrides: Partial<XRShape> = {}): XRShape {
  const base: Omit<XRShape, 'nodeGroups'> = {
    name: 'team-a',
    namespace: 'team-a',
    region: 'us-west-2',
    vpcCidr: '10.10.0.0/16',
    zones: ['a', 'b'],
    nat: 'Single',
    isolated: false,
    admins: [],
    encryption: false,
  };
  return { ...base, nodeGroups: [{ name: 'general', minSize: 2, maxSize: 4 }], ...overrides };
}

export function xrDocument(shape: XRShape): JsonObject {
  if (shape.existing) return existingNetworkDocument(shape);
  const spec: JsonObject = {
    region: shape.region,
    network: {
      vpcCidr: shape.vpcCidr,
      availabilityZones: shape.zones,
      nat: shape.nat,
      ...(shape.ipFamily ? { ipFamily: shape.ipFamily } : {}),
      ...(shape.vpcEndpoints ? { vpcEndpoints: shape.vpcEndpoints } : {}),
      subnets: {
        ...(shape.privatePrefix ? { private: { prefixLength: shape.privatePrefix } } : {}),
        ...(shape.isolated ? { isolated: { enabled: true } } : {}),
      },
    },
    access: { clusterAdmins: shape.admins },
    encryption: { enabled: shape.encryption },
  };
  addFeatures(shape, spec);
  if (shape.nodeGroups.length > 0) {
    spec.nodeGroups = shape.nodeGroups.map((g) => ({
      name: g.name,
      minSize: g.minSize,
      maxSize: g.maxSize,
      ...(g.zones ? { availabilityZones: g.zones } : {}),
    }));
  }
  return { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', metadata: { name: shape.name, namespace: shape.namespace }, spec };
}

function addFeatures(shape: XRShape, spec: JsonObject): void {
  if (shape.flowLogs) (spec.network as JsonObject).flowLogs = { enabled: true };
  if (shape.podSubnets && !shape.existing) (spec.network as JsonObject).podSubnets = { cidr: shape.podSubnets };
  if (shape.prefixDelegation) (spec.network as JsonObject).prefixDelegation = true;
  if (shape.awsIdentity) spec.delivery = { mode: 'AWSIdentity', fluxRoleArn: FLUX_ROLE_ARN };
  if (shape.deletionProtection) spec.controlPlane = { deletionProtection: true };
  if (shape.autoMode) {
    spec.autoMode = { enabled: true };
    spec.nodeGroups = [];
  }
  if (shape.karpenter) spec.karpenter = { enabled: true };
  if (shape.ebsCsi) spec.addons = [{ name: 'aws-ebs-csi-driver' }];
  if (shape.monitoring) spec.monitoring = shape.monitoring === 'existing' ? { enabled: true, workspaceId: EXISTING_WORKSPACE_ID } : { enabled: true };
  if (shape.podIdentityRoles && shape.podIdentityRoles.length > 0) {
    spec.podIdentity = {
      roles: shape.podIdentityRoles.map((r) => ({ name: r.name, namespace: 'kube-system', serviceAccount: `sa-${r.name}`, policyArns: r.policyArns })),
    };
  }
}

/** The same XR in an existing network: its zones become given subnet IDs, node groups span them all. */
function existingNetworkDocument(shape: XRShape): JsonObject {
  const spec: JsonObject = {
    region: shape.region,
    network: {
      existing: {
        vpcId: EXISTING_VPC_ID,
        privateSubnetIds: shape.zones.map((z) => existingSubnetId('private', z)),
        publicSubnetIds: shape.zones.map((z) => existingSubnetId('public', z)),
        ...(shape.ipFamily === 'IPv6' ? { dualStack: true } : {}),
      },
      ...(shape.ipFamily === 'IPv6' ? { ipFamily: 'IPv6' } : {}),
    },
    access: { clusterAdmins: shape.admins },
    encryption: { enabled: shape.encryption },
  };
  addFeatures(shape, spec);
  if (shape.nodeGroups.length > 0) spec.nodeGroups = shape.nodeGroups.map((g) => ({ name: g.name, minSize: g.minSize, maxSize: g.maxSize }));
  return { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', metadata: { name: shape.name, namespace: shape.namespace }, spec };
}

export function mustCompose(result: ComposeResult): Composition {
  if (!result.ok) throw new Error(`unexpected errors: ${JSON.stringify(result.errors)}`);
  return result;
}

/** A XR fits unless the only problem is the VPC being too small for what was asked. */
export function isTooSmall(result: ComposeResult): boolean {
  return !result.ok && result.errors.every((e) => e.path === 'spec.network.vpcCidr' && e.message.includes('cannot hold'));
}
