/**
 * Plays the AWS providers for local renders and tests: turns desired composed
 * resources into observed ones, Ready, with plausible deterministic IDs.
 */
import { createHash } from 'node:crypto';
import type { Json, JsonObject } from '../src/api/schema-builder.js';
import { dig } from '../src/ground/observed.js';
import { contains6, formatCidr6, parseCidr6 } from '../src/network/cidr6.js';
import { supportOn } from './eks-calendar.js';
import { INSTANCE_KIND } from './aws-rules/dependencies.js';
import { FORCE_NEW } from './aws-rules/force-new.generated.js';
import { refusesImmutableChange } from './aws-rules/immutable.js';
import { AUTO_MODE_CLUSTER_POLICIES, refusesAutoMode, type IamView } from './aws-rules/prerequisites.js';
import { UNIQUENESS } from './aws-rules/unique.js';

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

const ACCOUNT = '111122223333';

/** An Amazon-provided IPv6 /56, deterministic per resource: inside 2600:1f00::/24, one of the pools AWS gives them from. */
function amazonIpv6Block(key: string): string {
  const pool = 0x26001fn << 104n;
  return formatCidr6({ base: pool + (BigInt(`0x${hex(`${key}-ipv6`, 8)}`) << 72n), prefixLength: 56 });
}

/**
 * What a provider reports in status.atProvider once AWS has created `body`: its spec plus plausible, deterministic ids derived from `key`.
 * @param previous what it reported before an update: a launch template's update is a new version
 */
export function atProviderFor(kind: string, key: string, body: JsonObject, previous?: JsonObject): JsonObject {
  const region = String(dig(body, 'spec', 'forProvider', 'region') ?? 'us-east-1');
  const name = String(dig(body, 'metadata', 'annotations', 'crossplane.io/external-name') ?? dig(body, 'metadata', 'name'));
  const forProvider = (dig(body, 'spec', 'forProvider') ?? {}) as JsonObject;
  const ids: Record<string, () => JsonObject> = {
    VPC: () => ({
      id: `vpc-${hex(key, 17)}`,
      ...(forProvider.assignGeneratedIpv6CidrBlock === true
        ? { ipv6CidrBlock: amazonIpv6Block(key), ipv6AssociationId: `vpc-cidr-assoc-${hex(`${key}-ipv6`, 17)}` }
        : {}),
    }),
    VPCIPv4CidrBlockAssociation: () => ({ id: `vpc-cidr-assoc-${hex(key, 17)}` }),
    Subnet: () => ({ id: `subnet-${hex(key, 17)}`, arn: `arn:aws:ec2:${region}:${ACCOUNT}:subnet/subnet-${hex(key, 17)}` }),
    InternetGateway: () => ({ id: `igw-${hex(key, 17)}` }),
    EgressOnlyInternetGateway: () => ({ id: `eigw-${hex(key, 17)}` }),
    NATGateway: () => ({ id: `nat-${hex(key, 17)}` }),
    EIP: () => ({ id: `eipalloc-${hex(key, 17)}`, allocationId: `eipalloc-${hex(key, 17)}` }),
    RouteTable: () => ({ id: `rtb-${hex(key, 17)}` }),
    Route: () => ({ id: `r-rtb-${hex(key, 17)}` }),
    RouteTableAssociation: () => ({ id: `rtbassoc-${hex(key, 17)}` }),
    SecurityGroup: () => ({ id: `sg-${hex(key, 17)}`, arn: `arn:aws:ec2:${region}:${ACCOUNT}:security-group/sg-${hex(key, 17)}` }),
    SecurityGroupIngressRule: () => ({ id: `sgr-${hex(key, 17)}`, securityGroupRuleId: `sgr-${hex(key, 17)}` }),
    VPCEndpoint: () => ({
      id: `vpce-${hex(key, 17)}`,
      arn: `arn:aws:ec2:${region}:${ACCOUNT}:vpc-endpoint/vpce-${hex(key, 17)}`,
      state: 'available',
      ...(forProvider.vpcEndpointType === 'Gateway' ? { prefixListId: `pl-${hex(key, 8)}` } : {}),
    }),
    Role: () => ({ id: name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` }),
    // cloudwatchlogs: a log group is named by its external name.
    Group: () => ({ id: name, arn: `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}` }),
    FlowLog: () => ({ id: `fl-${hex(key, 17)}`, arn: `arn:aws:ec2:${region}:${ACCOUNT}:vpc-flow-log/fl-${hex(key, 17)}` }),
    RolePolicyAttachment: () => ({ id: `${name}-${hex(key, 8)}` }),
    Key: () => ({ id: hex(key, 32), arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${hex(key, 32)}` }),
    Cluster: () => ({
      id: name,
      arn: `arn:aws:eks:${region}:${ACCOUNT}:cluster/${name}`,
      endpoint: `https://${hex(key, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
      identity: [{ oidc: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${hex(key, 32).toUpperCase()}` }] }],
      vpcConfig: { ...((forProvider.vpcConfig ?? {}) as JsonObject), clusterSecurityGroupId: `sg-${hex(`${key}-cluster-sg`, 17)}` },
      certificateAuthority: [{ data: Buffer.from(`certificate of ${key}`).toString('base64') }],
      // EKS picks the service range when none is asked (10.100.0.0/16 or 172.20.0.0/16).
      kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16', ...((forProvider.kubernetesNetworkConfig ?? {}) as JsonObject) },
      status: 'ACTIVE',
    }),
    NodeGroup: () => ({ id: name, status: 'ACTIVE' }),
    // Each update of a launch template is a new version (Terraform's aws_launch_template: CreateLaunchTemplateVersion), the default one with updateDefaultVersion.
    LaunchTemplate: () => {
      const latest = typeof previous?.latestVersion === 'number' ? previous.latestVersion + 1 : 1;
      return {
        id: `lt-${hex(key, 17)}`,
        arn: `arn:aws:ec2:${region}:${ACCOUNT}:launch-template/lt-${hex(key, 17)}`,
        latestVersion: latest,
        defaultVersion: forProvider.updateDefaultVersion === true ? latest : 1,
      };
    },
    RolePolicy: () => ({ id: `${String(dig(body, 'spec', 'forProvider', 'roleRef', 'name'))}:${name}` }),
    PodIdentityAssociation: () => ({
      id: `a-${hex(key, 17)}`,
      associationId: `a-${hex(key, 17)}`,
      associationArn: `arn:aws:eks:${region}:${ACCOUNT}:podidentityassociation/${hex(key, 8)}/a-${hex(key, 17)}`,
    }),
    AccessEntry: () => ({
      id: `${hex(key, 8)}:${String(forProvider.principalArn ?? 'role')}`,
      accessEntryArn: `arn:aws:eks:${region}:${ACCOUNT}:access-entry/${hex(key, 8)}`,
    }),
    // SQS: the queue URL is the provider's ID.
    Queue: () => ({
      id: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${String(forProvider.name ?? key)}`,
      url: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${String(forProvider.name ?? key)}`,
      arn: `arn:aws:sqs:${region}:${ACCOUNT}:${String(forProvider.name ?? key)}`,
    }),
    Rule: () => ({ id: name, arn: `arn:aws:events:${region}:${ACCOUNT}:rule/${name}` }),
    // AMP: AWS names a workspace ws-<uuid>; its Prometheus endpoint ends with a slash.
    Workspace: () => {
      const h = hex(key, 32);
      const id = `ws-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
      return {
        id,
        arn: `arn:aws:aps:${region}:${ACCOUNT}:workspace/${id}`,
        prometheusEndpoint: `https://aps-workspaces.${region}.amazonaws.com/workspaces/${id}/`,
      };
    },
    Target: () => ({ id: `default/${hex(key, 8)}/${String(forProvider.targetId ?? key)}` }),
    OpenIDConnectProvider: () => {
      const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(forProvider.url ?? key).replace(/^https:\/\//, '')}`;
      return { id: arn, arn };
    },
    // The version asked for, else one EKS picks.
    Addon: () => ({ id: String(forProvider.addonName ?? key), addonVersion: String(forProvider.addonVersion ?? 'v1.0.0-eksbuild.1') }),
  };
  return { ...forProvider, ...(ids[kind]?.() ?? { id: `${key}-${hex(key, 8)}` }) };
}

const READY: Json[] = [
  { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-01-01T00:00:00Z' },
  { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2026-01-01T00:00:00Z' },
];

/** The observed form of a desired resource once its provider has created it. */
export function observeReady(key: string, desired: JsonObject): JsonObject {
  const kind = String(desired.kind);
  const observed = structuredClone(desired);
  observed.status = kind === 'Usage' ? { conditions: READY } : { atProvider: atProviderFor(kind, key, desired), conditions: READY };
  return observed;
}

/** The observed form while the provider is still creating it, or failing. */
export function observeNotReady(desired: JsonObject, reason: string, message: string): JsonObject {
  const observed = structuredClone(desired);
  observed.status = {
    atProvider: {},
    conditions: [
      { type: 'Ready', status: 'False', reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ],
  };
  return observed;
}

/*
 * What AWS itself enforces, as the end-to-end test's simulated providers need it
 * (e2e/lib/simulated-aws-controller.ts): how a provider resolves references,
 * which creations, updates (dev/aws-rules/: immutable fields, EKS Auto Mode's
 * prerequisites; Kubernetes versions below) and deletions AWS refuses, each
 * with the message AWS gives (or ours, where AWS's wording is not known).
 * Pure: the world is every managed resource of the namespace, and the
 * instances Karpenter and Auto Mode launched (dev/aws-rules/dependencies.ts).
 */

/** A managed resource as the API server holds it. */
export type Managed = JsonObject;

const nameOf = (o: Managed) => String(dig(o, 'metadata', 'name'));
const kindOf = (o: Managed) => String(o.kind);
const atProvider = (o: Managed | undefined) => (dig(o, 'status', 'atProvider') ?? {}) as JsonObject;
const isReady = (o: Managed | undefined) =>
  ((dig(o, 'status', 'conditions') as JsonObject[] | undefined) ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** The value a reference resolves to, read from the target's observed state, as upjet's resolvers do. */
function resolvedValue(field: string, target: Managed): Json | undefined {
  const at = atProvider(target);
  if (kindOf(target) === 'Cluster' && at.status !== 'ACTIVE') return undefined; // EKS: clusterNameRef waits for ACTIVE
  // A FlowLog's logDestinationRef resolves to the log group's ARN.
  if (/Arns?$/.test(field) || field === 'logDestination' || field === 'principalArnFromRole') return at.arn;
  if (field === 'allocationId') return at.allocationId ?? at.id;
  if (field === 'role') return nameOf(target);
  return at.id;
}

export interface Resolution {
  /** spec.forProvider with every *Ref / *Refs replaced by its value. */
  forProvider: JsonObject;
  /** References whose target is missing or not ready yet, by name. */
  unresolved: string[];
}

/** Resolutions remembered per world that will not change (frozenWorld). */
const frozen = new WeakMap<ReadonlyMap<string, Managed>, WeakMap<Managed, Resolution>>();

/**
 * Marks a world that no one changes any more, so that resolving the same
 * object against it again is remembered: the rules resolve every resource of
 * a kind for each deletion they judge (dev/aws-world.ts freezes each round's).
 */
export function frozenWorld(world: ReadonlyMap<string, Managed>): ReadonlyMap<string, Managed> {
  if (!frozen.has(world)) frozen.set(world, new WeakMap());
  return world;
}

/** Resolves every `xRef: {name}` and `xRefs: [{name}]` of spec.forProvider against `world`. */
export function resolveReferences(o: Managed, world: ReadonlyMap<string, Managed>): Resolution {
  const memo = frozen.get(world);
  const known = memo?.get(o);
  if (known) return known;
  const resolution = resolveIn(o, world);
  memo?.set(o, resolution);
  return resolution;
}

function resolveIn(o: Managed, world: ReadonlyMap<string, Managed>): Resolution {
  const unresolved: string[] = [];
  const walk = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== 'object') return node;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      const single = /^(.*)Ref$/.exec(key);
      const many = /^(.*)Refs$/.exec(key);
      if (single && value && typeof value === 'object' && !Array.isArray(value) && 'name' in value) {
        const target = world.get(String(value.name));
        const resolved = target && isReady(target) ? resolvedValue(single[1]!, target) : undefined;
        if (resolved === undefined) unresolved.push(String(value.name));
        else out[single[1]!] = resolved;
      } else if (many && Array.isArray(value)) {
        const values = value.map((v) => {
          const target = world.get(String(dig(v, 'name')));
          const resolved = target && isReady(target) ? resolvedValue(many[1]!, target) : undefined;
          if (resolved === undefined) unresolved.push(String(dig(v, 'name')));
          return resolved;
        });
        out[`${many[1]!}s`] = values.filter((v): v is Json => v !== undefined);
      } else {
        out[key] = walk(value);
      }
    }
    return out;
  };
  return { forProvider: walk((dig(o, 'spec', 'forProvider') ?? {}) as Json) as JsonObject, unresolved };
}

function ipv4(cidr: string): { start: number; size: number } {
  const [address, prefix] = cidr.split('/');
  const start = address!.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  return { start, size: 2 ** (32 - Number(prefix)) };
}

const overlaps = (a: string, b: string) => {
  const x = ipv4(a);
  const y = ipv4(b);
  return x.start < y.start + y.size && y.start < x.start + x.size;
};
const inside = (inner: string, outer: string) => {
  const x = ipv4(inner);
  const y = ipv4(outer);
  return x.start >= y.start && x.start + x.size <= y.start + y.size;
};

/** Every other resource of `kind` in the world whose resolved `field` equals `value`. */
function using(world: ReadonlyMap<string, Managed>, kind: string, field: string, value: Json | undefined, except?: Managed): Managed[] {
  if (value === undefined) return [];
  return [...world.values()].filter((o) => {
    if (o === except || kindOf(o) !== kind) return false;
    const fp = resolveReferences(o, world).forProvider;
    const v = dig(fp, ...field.split('.'));
    return Array.isArray(v) ? v.includes(value) : v === value;
  });
}

/** apiVersion/kind: how the rule tables of dev/aws-rules/ name a kind. */
const kindKey = (o: Managed) => `${String(o.apiVersion)}/${kindOf(o)}`;
/** The AWS name of a resource named by its external name (a role, a node group, a cluster, a log group). */
const awsName = (o: Managed) => String(dig(o, 'metadata', 'annotations', 'crossplane.io/external-name') ?? nameOf(o));

/** AWS's answer when `o` would take a slot another created resource of the world holds (dev/aws-rules/unique.ts). */
function duplicateOf(o: Managed, forProvider: JsonObject, world: ReadonlyMap<string, Managed>): string | undefined {
  const mine = UNIQUENESS[kindKey(o)]?.slots(forProvider, awsName(o)) ?? [];
  if (mine.length === 0) return undefined;
  for (const other of world.values()) {
    const rule = UNIQUENESS[kindKey(other)];
    if (!rule || nameOf(other) === nameOf(o) || atProvider(other).id === undefined) continue;
    const theirs = new Set(rule.slots(resolveReferences(other, world).forProvider, awsName(other)).map((s) => s.key));
    const clash = mine.find((s) => theirs.has(s.key));
    if (clash) return clash.refusal(String(atProvider(other).id));
  }
  return undefined;
}

/** The roles that exist and the managed policies attached to each, as an Auto Mode cluster's rules read them. */
function iamOf(world: ReadonlyMap<string, Managed>): IamView {
  const created = [...world.values()].filter((o) => atProvider(o).id !== undefined);
  const roleArns = new Set(created.filter((o) => kindOf(o) === 'Role').map((o) => String(atProvider(o).arn)));
  return {
    roleArns,
    attached: (roleName) => {
      const role = created.find((o) => kindOf(o) === 'Role' && (awsName(o) === roleName || String(atProvider(o).arn).endsWith(`/${roleName}`)));
      if (!role) return new Set();
      const names = created
        .filter((a) => kindOf(a) === 'RolePolicyAttachment' && resolveReferences(a, world).forProvider.role === nameOf(role))
        .map((a) =>
          String(dig(a, 'spec', 'forProvider', 'policyArn'))
            .split('/')
            .pop()!,
        );
      return new Set(names.filter((n) => AUTO_MODE_CLUSTER_POLICIES.includes(n)));
    },
  };
}

/**
 * What an update asks of AWS: `forProvider`, plus each Optional and Computed
 * field it leaves out that AWS has (`applied`): Terraform plans no change to
 * such a field, so AWS keeps its value (FORCE_NEW's keptWhenOmitted, generated).
 */
export function withKeptFields(o: Managed, applied: JsonObject, forProvider: JsonObject): JsonObject {
  const kept = (FORCE_NEW[kindKey(o)]?.keptWhenOmitted ?? []).filter((f) => forProvider[f] === undefined && applied[f] !== undefined);
  return kept.length === 0 ? forProvider : { ...forProvider, ...Object.fromEntries(kept.map((f) => [f, applied[f]!])) };
}

/**
 * Why the provider or AWS refuses to update `o` from what AWS has (`applied`)
 * to `forProvider` (both resolved), as the Synced condition says it; undefined
 * when the update is made in place. A field the provider cannot change
 * (dev/aws-rules/immutable.ts) is refused with upjet's message; an EKS Auto
 * Mode switch without what it needs (dev/aws-rules/prerequisites.ts) with AWS's.
 */
export function refusesUpdate(o: Managed, applied: JsonObject, forProvider: JsonObject, world: ReadonlyMap<string, Managed>): string | undefined {
  const immutable = refusesImmutableChange(FORCE_NEW, kindKey(o), applied, forProvider);
  if (immutable) return immutable;
  const refusal =
    kindOf(o) === 'Cluster'
      ? (refusesAutoMode(applied, forProvider, iamOf(world)) ?? refusesClusterUpgradeOverNodeGroups(o, applied, forProvider, world))
      : kindOf(o) === 'NodeGroup'
        ? refusesNodeGroupVersion(clusterVersionOf(forProvider, world), str(applied.version), str(forProvider.version))
        : undefined;
  return refusal ? `update failed: async update failed: ${refusal}` : undefined;
}

const str = (v: Json | undefined) => (typeof v === 'string' ? v : undefined);

/** The Kubernetes version the EKS cluster of a node group (resolved as `forProvider`) runs. */
function clusterVersionOf(forProvider: JsonObject, world: ReadonlyMap<string, Managed>): string | undefined {
  const cluster = [...world.values()].find((c) => kindOf(c) === 'Cluster' && atProvider(c).id === forProvider.clusterName);
  return str(atProvider(cluster).version);
}

/**
 * Why EKS refuses a managed node group at Kubernetes version `wanted` (coming
 * from `from`; none at creation) while its cluster runs `cluster`; undefined
 * when it accepts. The rules are the EKS API reference's (the wording of the
 * messages is ours):
 * - CreateNodegroup: "You can only create a node group for your cluster that
 *   is equal to the current Kubernetes version for the cluster"; of `version`:
 *   "By default, the Kubernetes version of the cluster is used, and this is the
 *   only accepted specified value"
 *   (https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html).
 * - UpdateNodegroupVersion: "You cannot roll back a node group to an earlier
 *   Kubernetes version or AMI version"; the version to update to is the
 *   cluster's ("You can specify the Kubernetes version of the cluster")
 *   (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupVersion.html).
 * So a node group is never newer than its control plane, and at most one minor
 * behind it (UpdateClusterVersion waits for every group: below).
 */
export function refusesNodeGroupVersion(cluster: string | undefined, from: string | undefined, wanted: string | undefined): string | undefined {
  if (wanted === undefined || cluster === undefined || wanted === from) return undefined;
  if (from !== undefined && minorOf(wanted) < minorOf(from))
    return `InvalidParameterException: a node group cannot be rolled back from Kubernetes ${from} to ${wanted}`;
  if (wanted !== cluster)
    return `InvalidParameterException: node group Kubernetes version ${wanted} must be the cluster's version ${cluster}${minorOf(wanted) > minorOf(cluster) ? ': upgrade the cluster first' : ''}`;
  return undefined;
}

/**
 * UpdateClusterVersion: "If your cluster has managed node groups attached to
 * it, all of your node groups' Kubernetes versions must match the cluster's
 * Kubernetes version in order to update the cluster to a new Kubernetes
 * version" (https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateClusterVersion.html).
 * `applied` is what the cluster runs; undefined when no group lags.
 */
export function refusesClusterUpgradeOverNodeGroups(
  o: Managed,
  applied: JsonObject,
  forProvider: JsonObject,
  world: ReadonlyMap<string, Managed>,
): string | undefined {
  const running = str(applied.version);
  const wanted = str(forProvider.version);
  if (running === undefined || wanted === undefined || minorOf(wanted) <= minorOf(running)) return undefined;
  const id = atProvider(o).id;
  const lagging = [...world.values()].filter(
    (g) =>
      kindOf(g) === 'NodeGroup' &&
      atProvider(g).id !== undefined &&
      atProvider(g).clusterName === id &&
      str(atProvider(g).version) !== undefined &&
      atProvider(g).version !== running,
  );
  return lagging.length
    ? `InvalidParameterException: all node groups must match the cluster's Kubernetes version ${running} before it is updated to ${wanted}: ${lagging.map((g) => `${awsName(g)} runs ${String(atProvider(g).version)}`).join(', ')}`
    : undefined;
}

/** The IPv4 blocks of a VPC: its primary one and those associated with it (created associations). */
function vpcBlocks(world: ReadonlyMap<string, Managed>, vpcId: Json | undefined): string[] {
  const vpc = [...world.values()].find((v) => kindOf(v) === 'VPC' && atProvider(v).id === vpcId);
  if (!vpc) return [];
  const associated = using(world, 'VPCIPv4CidrBlockAssociation', 'vpcId', vpcId).filter((a) => atProvider(a).id !== undefined);
  return [String(dig(vpc, 'spec', 'forProvider', 'cidrBlock')), ...associated.map((a) => String(dig(a, 'spec', 'forProvider', 'cidrBlock')))];
}

/** Why AWS refuses to create `o` (resolved as `forProvider`), or undefined when it accepts. */
export function refusesCreate(o: Managed, forProvider: JsonObject, world: ReadonlyMap<string, Managed>): string | undefined {
  return duplicateOf(o, forProvider, world) ?? refusesCreateOfKind(o, forProvider, world);
}

function refusesCreateOfKind(o: Managed, forProvider: JsonObject, world: ReadonlyMap<string, Managed>): string | undefined {
  switch (kindOf(o)) {
    case 'Cluster':
      return refusesAutoMode(undefined, forProvider, iamOf(world)) ?? refusesIpv6Cluster(forProvider, world);
    case 'VPCIPv4CidrBlockAssociation': {
      const cidr = String(forProvider.cidrBlock);
      const clash = vpcBlocks(world, forProvider.vpcId).find((block) => overlaps(cidr, block));
      return clash ? `InvalidVpc.Range: The CIDR '${cidr}' conflicts with the CIDR '${clash}' of the VPC` : undefined;
    }
    case 'Subnet': {
      const cidr = String(forProvider.cidrBlock);
      const vpc = [...world.values()].find((v) => kindOf(v) === 'VPC' && atProvider(v).id === forProvider.vpcId);
      // A subnet lies in the VPC's primary block or in a block associated with it since (CreateSubnet).
      if (vpc && !vpcBlocks(world, forProvider.vpcId).some((block) => inside(cidr, block))) return `InvalidSubnet.Range: The CIDR '${cidr}' is invalid.`;
      const siblings = using(world, 'Subnet', 'vpcId', forProvider.vpcId, o).filter((s) => atProvider(s).id !== undefined);
      const clash = siblings.find((s) => overlaps(cidr, String(dig(s, 'spec', 'forProvider', 'cidrBlock'))));
      if (clash) return `InvalidSubnet.Conflict: The CIDR '${cidr}' conflicts with another subnet`;
      return vpc ? refusesSubnetIpv6(str(forProvider.ipv6CidrBlock), str(atProvider(vpc).ipv6CidrBlock), siblings) : undefined;
    }
    case 'NATGateway': {
      if (forProvider.availabilityMode === 'regional' || forProvider.connectivityType === 'private') return undefined;
      // A public NAT gateway needs a subnet whose route table sends 0.0.0.0/0 to an internet gateway.
      const tables = using(world, 'RouteTableAssociation', 'subnetId', forProvider.subnetId).map((a) => resolveReferences(a, world).forProvider.routeTableId);
      const toIgw = [...world.values()].some((r) => {
        if (kindOf(r) !== 'Route') return false;
        const fp = resolveReferences(r, world).forProvider;
        return (
          tables.includes(fp.routeTableId) && fp.destinationCidrBlock === '0.0.0.0/0' && typeof fp.gatewayId === 'string' && fp.gatewayId.startsWith('igw-')
        );
      });
      return toIgw
        ? undefined
        : `InvalidSubnet: subnet ${String(forProvider.subnetId)} has no route to an internet gateway; a public NAT gateway needs a public subnet`;
    }
    case 'NodeGroup': {
      const cluster = [...world.values()].find((c) => kindOf(c) === 'Cluster' && atProvider(c).id === forProvider.clusterName);
      const clusterSubnets = (resolveReferences(cluster ?? {}, world).forProvider.vpcConfig as JsonObject | undefined)?.subnetIds as Json[] | undefined;
      const vpcOf = (subnetId: Json) => {
        const s = [...world.values()].find((x) => kindOf(x) === 'Subnet' && atProvider(x).id === subnetId);
        return s && resolveReferences(s, world).forProvider.vpcId;
      };
      const clusterVpc = clusterSubnets?.[0] !== undefined ? vpcOf(clusterSubnets[0]) : undefined;
      const stray = ((forProvider.subnetIds as Json[] | undefined) ?? []).find((id) => vpcOf(id) !== clusterVpc);
      if (stray !== undefined) return `InvalidParameterException: Subnets specified must be in the same VPC as the cluster (${String(stray)})`;
      return refusesNodeGroupVersion(str(atProvider(cluster).version), undefined, str(forProvider.version));
    }
    default:
      return undefined;
  }
}

/**
 * A subnet's IPv6 block must be a /64 of its VPC's IPv6 block, and its own
 * (VPC User Guide, "IPv6 VPC CIDR blocks" and subnet sizing; the error codes
 * are CreateSubnet's, the wording ours).
 */
function refusesSubnetIpv6(block: string | undefined, vpcBlock: string | undefined, siblings: readonly Managed[]): string | undefined {
  if (block === undefined) return undefined;
  const own = parseCidr6(block);
  const within = parseCidr6(vpcBlock ?? '');
  if (!own || !within || own.prefixLength !== 64 || !contains6(within, own)) {
    return `InvalidSubnet.Range: The IPv6 CIDR '${block}' is invalid: it must be a /64 of the VPC's IPv6 block ${vpcBlock ?? '(none)'}.`;
  }
  const taken = siblings.find((s) => str(atProvider(s).ipv6CidrBlock) === block);
  return taken ? `InvalidSubnet.Conflict: The CIDR '${block}' conflicts with another subnet` : undefined;
}

/**
 * An ipv6 cluster needs subnets with IPv6 blocks (EKS API reference,
 * KubernetesNetworkConfigRequest.ipFamily: "the VPC and subnets that you
 * specify for cluster creation must have both IPv4 and IPv6 CIDR blocks";
 * the wording of the refusal is ours).
 */
function refusesIpv6Cluster(forProvider: JsonObject, world: ReadonlyMap<string, Managed>): string | undefined {
  if (dig(forProvider, 'kubernetesNetworkConfig', 'ipFamily') !== 'ipv6') return undefined;
  const subnetIds = (dig(forProvider, 'vpcConfig', 'subnetIds') as Json[] | undefined) ?? [];
  const without = subnetIds.filter((id) => {
    const subnet = [...world.values()].find((x) => kindOf(x) === 'Subnet' && atProvider(x).id === id);
    return subnet !== undefined && str(atProvider(subnet).ipv6CidrBlock) === undefined;
  });
  return without.length > 0 ? `InvalidParameterException: an ipv6 cluster needs subnets with IPv6 CIDR blocks; ${without.join(', ')} have none` : undefined;
}

/** A Cluster's Kubernetes version as EKS keeps it: what runs, under which upgrade policy, and how it got there. */
export interface ClusterVersionState {
  readonly version: string;
  /** upgradePolicy.supportType: STANDARD or EXTENDED. */
  readonly supportType: string;
  /** The in-place upgrade that brought the cluster to `version`; none when it was created at it. */
  readonly upgrade?: { readonly from: string; readonly on: string; readonly by: 'user' | 'end-of-standard-support' | 'end-of-extended-support' };
}

const ROLLBACK_WINDOW_DAYS = 7;
const minorOf = (version: string) => Number(version.split('.')[1]);
const daysBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 86_400_000;

/**
 * Why EKS refuses UpdateClusterVersion from `state` to `wanted` on `day`
 * (YYYY-MM-DD), or undefined when it accepts. The rules are AWS's (EKS User
 * Guide: update-cluster for upgrades, rollback-cluster for going back, the
 * release calendar of kubernetes-versions for what is supported, all named
 * in docs/kubernetes-versions.md); the wording of the messages is ours.
 * - An upgrade goes to the next minor only, and to a minor EKS offers.
 * - Going back is a rollback: one minor, to the version the cluster was
 *   upgraded in place from, within 7 days of that upgrade; not after an
 *   upgrade EKS made at the end of extended support; to a version in extended
 *   support only with the upgrade policy EXTENDED (after an upgrade at the end
 *   of standard support, too).
 */
export function refusesVersionUpdate(state: ClusterVersionState, wanted: string, day: string): string | undefined {
  const from = state.version;
  if (wanted === from) return undefined;
  const support = supportOn(wanted, day);
  const offered = support === 'standard' || support === 'extended';
  const unsupported = `InvalidParameterException: Kubernetes version ${wanted} is not supported by EKS`;
  if (minorOf(wanted) > minorOf(from)) {
    if (!offered) return unsupported;
    return minorOf(wanted) === minorOf(from) + 1
      ? undefined
      : `InvalidParameterException: Unsupported Kubernetes minor version update from ${from} to ${wanted}`;
  }
  const rollback = `InvalidParameterException: cannot roll back Kubernetes ${from} to ${wanted}`;
  const upgrade = state.upgrade;
  if (!upgrade) return `${rollback}: the cluster was created at ${from}, not upgraded to it`;
  if (wanted !== upgrade.from || minorOf(from) - minorOf(wanted) !== 1) return `${rollback}: only to ${upgrade.from}, one minor version back`;
  if (upgrade.by === 'end-of-extended-support') return `${rollback}: EKS upgraded it at the end of extended support`;
  if (daysBetween(upgrade.on, day) > ROLLBACK_WINDOW_DAYS)
    return `${rollback}: the ${ROLLBACK_WINDOW_DAYS}-day rollback window after the upgrade of ${upgrade.on} has passed`;
  if (!offered) return unsupported;
  if (support === 'extended' && state.supportType !== 'EXTENDED')
    return `${rollback}: ${wanted} is in extended support; set the upgrade policy to EXTENDED first`;
  return undefined;
}

/** Why AWS refuses to delete `o`, or undefined when it accepts. */
export function refusesDelete(o: Managed, world: ReadonlyMap<string, Managed>): string | undefined {
  const id = atProvider(o).id;
  const others = (kind: string, field: string, value: Json | undefined = id) => using(world, kind, field, value, o);
  switch (kindOf(o)) {
    case 'VPC': {
      const dependants = ['Subnet', 'InternetGateway', 'EgressOnlyInternetGateway', 'RouteTable', 'NATGateway', 'VPCEndpoint', 'SecurityGroup'].flatMap(
        (kind) => others(kind, 'vpcId'),
      );
      return dependants.length ? `DependencyViolation: The vpc '${String(id)}' has dependencies and cannot be deleted.` : undefined;
    }
    case 'Subnet': {
      // An interface endpoint keeps a network interface in each subnet it is associated with.
      const dependants = [
        ...others('NATGateway', 'subnetId'),
        ...others('NodeGroup', 'subnetIds'),
        ...others('Cluster', 'vpcConfig.subnetIds'),
        ...others('RouteTableAssociation', 'subnetId'),
        ...others('VPCEndpointSubnetAssociation', 'subnetId'),
        // The instances Karpenter and EKS Auto Mode launched (dev/aws-rules/dependencies.ts).
        ...others(INSTANCE_KIND, 'subnetId'),
      ];
      return dependants.length ? `DependencyViolation: The subnet '${String(id)}' has dependencies and cannot be deleted.` : undefined;
    }
    case 'VPCIPv4CidrBlockAssociation': {
      const { vpcId, cidrBlock } = resolveReferences(o, world).forProvider;
      const inBlock = using(world, 'Subnet', 'vpcId', vpcId).some(
        (s) => atProvider(s).id !== undefined && inside(String(dig(s, 'spec', 'forProvider', 'cidrBlock')), String(cidrBlock)),
      );
      return inBlock ? `InvalidCidrBlock.InUse: The vpc '${String(vpcId)}' currently has a subnet within CIDR block ${String(cidrBlock)}` : undefined;
    }
    case 'InternetGateway': {
      const vpcId = resolveReferences(o, world).forProvider.vpcId;
      const publicNat = using(world, 'NATGateway', 'connectivityType', 'public').some((n) => {
        const fp = resolveReferences(n, world).forProvider;
        return fp.vpcId === vpcId || using(world, 'Subnet', 'vpcId', vpcId).some((s) => atProvider(s).id === fp.subnetId);
      });
      return publicNat
        ? `DependencyViolation: Network ${String(vpcId)} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`
        : undefined;
    }
    case 'RouteTable':
      return others('RouteTableAssociation', 'routeTableId').length
        ? `DependencyViolation: The routeTable '${String(id)}' has dependencies and cannot be deleted.`
        : undefined;
    case 'SecurityGroup': {
      // The endpoints' network interfaces keep it while it is associated with them, and the nodes' while their launch template names it.
      const templates = others('LaunchTemplate', 'vpcSecurityGroupIds').map((t) => atProvider(t).id);
      const nodes = templates.flatMap((t) => others('NodeGroup', 'launchTemplate.id', t));
      return others('VPCEndpointSecurityGroupAssociation', 'securityGroupId').length || nodes.length
        ? `DependencyViolation: resource ${String(id)} has a dependent object`
        : undefined;
    }
    case 'EIP':
      return others('NATGateway', 'allocationId', atProvider(o).allocationId ?? id).length
        ? `InvalidIPAddress.InUse: Address ${String(id)} is in use.`
        : undefined;
    case 'Role':
      if (others('RolePolicy', 'role', nameOf(o)).length) return 'DeleteConflict: Cannot delete entity, must delete policies first.';
      if (others('RolePolicyAttachment', 'role', nameOf(o)).length) return 'DeleteConflict: Cannot delete entity, must detach all policies first.';
      // A running instance's instance profile holds its node role.
      return others(INSTANCE_KIND, 'instanceProfileRole', nameOf(o)).length
        ? 'DeleteConflict: Cannot delete entity, must remove roles from instance profile first.'
        : undefined;
    case 'Cluster':
      if (dig(o, 'spec', 'forProvider', 'deletionProtection') === true) {
        return `InvalidRequestException: Cluster ${String(id)} cannot be deleted while deletion protection is enabled; disable deletion protection first`;
      }
      return others('NodeGroup', 'clusterName').length ? `ResourceInUseException: Cluster has nodegroups attached` : undefined;
    case 'Key':
      return others('Cluster', 'encryptionConfig.provider.keyArn', atProvider(o).arn).length
        ? `KMSInvalidStateException: key ${String(atProvider(o).arn)} is in use by an EKS cluster`
        : undefined;
    default:
      return undefined;
  }
}
