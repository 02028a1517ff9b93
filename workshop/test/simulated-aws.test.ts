/**
 * The simulated AWS's rules (workshop/simulated-aws.ts), which the end-to-end run's
 * provider controllers apply: references resolve as upjet's resolvers do, and
 * what AWS refuses on create and on delete is refused with AWS's message.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import {
  atProviderFor,
  type Managed,
  refusesClusterUpgradeOverNodeGroups,
  refusesCreate,
  refusesDelete,
  refusesNodeGroupVersion,
  resolveReferences,
} from 'workshop';

const READY = [{ type: 'Ready', status: 'True' }];

/** A managed resource as the API server holds it, created by "AWS" unless `pending`. */
function mr(kind: string, name: string, forProvider: JsonObject, pending = false): Managed {
  const body: Managed = { apiVersion: 'x/v1beta1', kind, metadata: { name, namespace: 'ns' }, spec: { forProvider } };
  if (!pending) body.status = { atProvider: atProviderFor(kind, `ns/${name}`, body), conditions: READY };
  return body;
}

const worldOf = (...objects: Managed[]) => new Map(objects.map((o) => [String((o.metadata as JsonObject).name), o]));
const id = (o: Managed) => ((o.status as JsonObject).atProvider as JsonObject).id;

const vpc = mr('VPC', 'vpc', { cidrBlock: '10.0.0.0/16' });
const subnetA = mr('Subnet', 'subnet-a', { vpcIdRef: { name: 'vpc' }, cidrBlock: '10.0.0.0/19' });
/** A VPC with an Amazon-provided IPv6 /56, and a subnet with its first /64. */
const vpc6 = mr('VPC', 'vpc6', { cidrBlock: '10.0.0.0/16', assignGeneratedIpv6CidrBlock: true });
const vpc6Block = String(((vpc6.status as JsonObject).atProvider as JsonObject).ipv6CidrBlock);
const firstSlash64 = vpc6Block.replace(/00::\/56$/, '01::/64');
const subnet6 = mr('Subnet', 'subnet6', { vpcIdRef: { name: 'vpc6' }, cidrBlock: '10.0.0.0/19', ipv6CidrBlock: firstSlash64 });

describe('references', () => {
  it('resolve to the target id or ARN once it is Ready; a Cluster only once ACTIVE', () => {
    const role = mr('Role', 'role', {});
    const world = worldOf(vpc, subnetA, role);
    expect(resolveReferences(mr('Subnet', 's', { vpcIdRef: { name: 'vpc' } }, true), world)).toEqual({ forProvider: { vpcId: id(vpc) }, unresolved: [] });
    expect(
      resolveReferences(mr('Cluster', 'c', { roleArnRef: { name: 'role' }, vpcConfig: { subnetIdRefs: [{ name: 'subnet-a' }] } }, true), world).forProvider,
    ).toEqual({
      roleArn: ((role.status as JsonObject).atProvider as JsonObject).arn,
      vpcConfig: { subnetIds: [id(subnetA)] },
    });
    const creating = mr('Cluster', 'cluster', {});
    ((creating.status as JsonObject).atProvider as JsonObject).status = 'CREATING';
    expect(resolveReferences(mr('NodeGroup', 'ng', { clusterNameRef: { name: 'cluster' } }, true), worldOf(creating)).unresolved).toEqual(['cluster']);
    expect(resolveReferences(mr('Subnet', 's', { vpcIdRef: { name: 'missing' } }, true), world).unresolved).toEqual(['missing']);
  });

  it("resolve a flow log's log destination to the log group's ARN, as upjet's ARN extractor does", () => {
    const group = mr('Group', 'group', {});
    (group.metadata as JsonObject).annotations = { 'crossplane.io/external-name': '/aws/vpc-flow-logs/c' };
    group.status = { atProvider: atProviderFor('Group', 'ns/group', group), conditions: READY };
    const flowLog = mr('FlowLog', 'fl', { vpcIdRef: { name: 'vpc' }, logDestinationRef: { name: 'group' } }, true);
    expect(resolveReferences(flowLog, worldOf(vpc, group)).forProvider).toEqual({
      vpcId: id(vpc),
      logDestination: 'arn:aws:logs:us-east-1:111122223333:log-group:/aws/vpc-flow-logs/c',
    });
  });
});

describe('AWS refuses to create', () => {
  const cases: { reason: string; object: Managed; world: Managed[]; expected: RegExp | undefined }[] = [
    {
      reason: 'a subnet outside its VPC',
      object: mr('Subnet', 'x', { vpcIdRef: { name: 'vpc' }, cidrBlock: '10.1.0.0/24' }, true),
      world: [vpc],
      expected: /^InvalidSubnet\.Range: The CIDR '10\.1\.0\.0\/24' is invalid\.$/,
    },
    {
      reason: 'a subnet overlapping another in the VPC',
      object: mr('Subnet', 'x', { vpcIdRef: { name: 'vpc' }, cidrBlock: '10.0.16.0/20' }, true),
      world: [vpc, subnetA],
      expected: /^InvalidSubnet\.Conflict: The CIDR '10\.0\.16\.0\/20' conflicts with another subnet$/,
    },
    {
      reason: 'nothing for a disjoint subnet',
      object: mr('Subnet', 'x', { vpcIdRef: { name: 'vpc' }, cidrBlock: '10.0.32.0/19' }, true),
      world: [vpc, subnetA],
      expected: undefined,
    },
    {
      reason: 'a subnet whose IPv6 block is not a /64 of its VPC’s',
      object: mr('Subnet', 'x', { vpcIdRef: { name: 'vpc6' }, cidrBlock: '10.0.32.0/19', ipv6CidrBlock: '2600:1f00:dead:be00::/64' }, true),
      world: [vpc6],
      expected: /^InvalidSubnet\.Range: The IPv6 CIDR '2600:1f00:dead:be00::\/64' is invalid/,
    },
    {
      reason: 'a subnet with an IPv6 block in a VPC without one',
      object: mr('Subnet', 'x', { vpcIdRef: { name: 'vpc' }, cidrBlock: '10.0.32.0/19', ipv6CidrBlock: '2600:1f00:dead:be01::/64' }, true),
      world: [vpc],
      expected: /^InvalidSubnet\.Range: .* \(none\)\.$/,
    },
    {
      reason: 'a subnet taking the IPv6 block of another',
      object: mr('Subnet', 'x', { vpcIdRef: { name: 'vpc6' }, cidrBlock: '10.0.32.0/19', ipv6CidrBlock: firstSlash64 }, true),
      world: [vpc6, subnet6],
      expected: /^InvalidSubnet\.Conflict: The CIDR '.*::\/64' conflicts with another subnet$/,
    },
    {
      reason: 'nothing for a subnet with a free /64 of its VPC’s block',
      object: mr('Subnet', 'x', { vpcIdRef: { name: 'vpc6' }, cidrBlock: '10.0.32.0/19', ipv6CidrBlock: vpc6Block.replace(/00::\/56$/, '02::/64') }, true),
      world: [vpc6, subnet6],
      expected: undefined,
    },
    {
      reason: 'an ipv6 EKS cluster in a subnet without an IPv6 block',
      object: mr('Cluster', 'c6', { kubernetesNetworkConfig: { ipFamily: 'ipv6' }, vpcConfig: { subnetIdRefs: [{ name: 'subnet-a' }] } }, true),
      world: [vpc, subnetA],
      expected: /^InvalidParameterException: an ipv6 cluster needs subnets with IPv6 CIDR blocks; subnet-\w+ have none$/,
    },
    {
      reason: 'nothing for an ipv6 EKS cluster in subnets with IPv6 blocks',
      object: mr('Cluster', 'c6', { kubernetesNetworkConfig: { ipFamily: 'ipv6' }, vpcConfig: { subnetIdRefs: [{ name: 'subnet6' }] } }, true),
      world: [vpc6, subnet6],
      expected: undefined,
    },
    {
      reason: 'a public NAT gateway in a subnet with no route to an internet gateway',
      object: mr('NATGateway', 'nat', { subnetIdRef: { name: 'subnet-a' }, connectivityType: 'public' }, true),
      world: [vpc, subnetA],
      expected: /no route to an internet gateway/,
    },
    {
      reason: 'a node group in a subnet of another VPC',
      object: mr('NodeGroup', 'ng', { clusterNameRef: { name: 'cluster' }, subnetIdRefs: [{ name: 'other-subnet' }] }, true),
      world: [
        vpc,
        subnetA,
        mr('VPC', 'other', { cidrBlock: '10.9.0.0/16' }),
        mr('Subnet', 'other-subnet', { vpcIdRef: { name: 'other' }, cidrBlock: '10.9.0.0/19' }),
        mr('Cluster', 'cluster', { vpcConfig: { subnetIdRefs: [{ name: 'subnet-a' }] } }),
      ],
      expected: /^InvalidParameterException: Subnets specified must be in the same VPC as the cluster/,
    },
  ];
  it.each(cases)('$reason', ({ object, world, expected }) => {
    const w = worldOf(...world);
    const refusal = refusesCreate(object, resolveReferences(object, w).forProvider, w);
    if (expected) expect(refusal).toMatch(expected);
    else expect(refusal).toBeUndefined();
  });

  it('a public NAT gateway in a subnet routed to an internet gateway', () => {
    const world = worldOf(
      vpc,
      subnetA,
      mr('InternetGateway', 'igw', { vpcIdRef: { name: 'vpc' } }),
      mr('RouteTable', 'rt', { vpcIdRef: { name: 'vpc' } }),
      mr('RouteTableAssociation', 'rta', { subnetIdRef: { name: 'subnet-a' }, routeTableIdRef: { name: 'rt' } }),
      mr('Route', 'r', { routeTableIdRef: { name: 'rt' }, destinationCidrBlock: '0.0.0.0/0', gatewayIdRef: { name: 'igw' } }),
    );
    const nat = mr('NATGateway', 'nat', { subnetIdRef: { name: 'subnet-a' }, connectivityType: 'public' }, true);
    expect(refusesCreate(nat, resolveReferences(nat, world).forProvider, world)).toBeUndefined();
  });
});

describe('AWS refuses to delete', () => {
  const nat = mr('NATGateway', 'nat', { subnetIdRef: { name: 'subnet-a' }, connectivityType: 'public' });
  const role = mr('Role', 'role', {});
  const cases: { reason: string; object: Managed; world: Managed[]; expected: RegExp | undefined }[] = [
    {
      reason: 'a VPC with subnets',
      object: vpc,
      world: [vpc, subnetA],
      expected: /^DependencyViolation: The vpc 'vpc-\w+' has dependencies and cannot be deleted\.$/,
    },
    {
      reason: 'a subnet with a NAT gateway',
      object: subnetA,
      world: [vpc, subnetA, nat],
      expected: /^DependencyViolation: The subnet 'subnet-\w+' has dependencies/,
    },
    {
      reason: 'an internet gateway while public NAT gateways map addresses',
      object: mr('InternetGateway', 'igw', { vpcIdRef: { name: 'vpc' } }),
      world: [vpc, subnetA, nat],
      expected: /has some mapped public address\(es\)/,
    },
    {
      reason: 'an IAM role with attached policies',
      object: role,
      world: [role, mr('RolePolicyAttachment', 'rpa', { roleRef: { name: 'role' }, policyArn: 'arn:aws:iam::aws:policy/X' })],
      expected: /^DeleteConflict: Cannot delete entity, must detach all policies first\.$/,
    },
    {
      reason: 'a cluster with node groups',
      object: mr('Cluster', 'cluster', {}),
      world: [mr('Cluster', 'cluster', {}), mr('NodeGroup', 'ng', { clusterNameRef: { name: 'cluster' } })],
      expected: /^ResourceInUseException/,
    },
    {
      reason: 'a VPC with a VPC endpoint in it',
      object: vpc,
      world: [vpc, mr('VPCEndpoint', 'vpce', { vpcIdRef: { name: 'vpc' }, vpcEndpointType: 'Interface' })],
      expected: /^DependencyViolation: The vpc 'vpc-\w+' has dependencies/,
    },
    {
      reason: 'a VPC with a security group in it',
      object: vpc,
      world: [vpc, mr('SecurityGroup', 'sg', { vpcIdRef: { name: 'vpc' } })],
      expected: /^DependencyViolation: The vpc 'vpc-\w+' has dependencies/,
    },
    {
      reason: 'a subnet an interface endpoint has a network interface in',
      object: subnetA,
      world: [
        vpc,
        subnetA,
        mr('VPCEndpoint', 'vpce', { vpcIdRef: { name: 'vpc' } }),
        mr('VPCEndpointSubnetAssociation', 'assoc', { vpcEndpointIdRef: { name: 'vpce' }, subnetIdRef: { name: 'subnet-a' } }),
      ],
      expected: /^DependencyViolation: The subnet 'subnet-\w+' has dependencies/,
    },
    {
      reason: 'a security group still associated with an endpoint',
      object: mr('SecurityGroup', 'sg', { vpcIdRef: { name: 'vpc' } }),
      world: [
        vpc,
        mr('SecurityGroup', 'sg', { vpcIdRef: { name: 'vpc' } }),
        mr('VPCEndpoint', 'vpce', { vpcIdRef: { name: 'vpc' } }),
        mr('VPCEndpointSecurityGroupAssociation', 'assoc', { vpcEndpointIdRef: { name: 'vpce' }, securityGroupIdRef: { name: 'sg' } }),
      ],
      expected: /^DependencyViolation: resource sg-\w+ has a dependent object$/,
    },
    {
      reason: 'a cluster with deletion protection on',
      object: mr('Cluster', 'cluster', { deletionProtection: true }),
      world: [mr('Cluster', 'cluster', { deletionProtection: true })],
      expected: /^InvalidRequestException: .*deletion protection is enabled; disable deletion protection first$/,
    },
    {
      reason: 'nothing for a cluster whose deletion protection was lifted',
      object: mr('Cluster', 'cluster', { deletionProtection: false }),
      world: [mr('Cluster', 'cluster', { deletionProtection: false })],
      expected: undefined,
    },
    { reason: 'nothing for an empty VPC', object: vpc, world: [vpc], expected: undefined },
  ];
  it.each(cases)('$reason', ({ object, world, expected }) => {
    const refusal = refusesDelete(object, worldOf(...world));
    if (expected) expect(refusal).toMatch(expected);
    else expect(refusal).toBeUndefined();
  });
});

describe('Kubernetes versions of node groups (EKS API reference: CreateNodegroup, UpdateNodegroupVersion, UpdateClusterVersion)', () => {
  it.each([
    { reason: 'created at the cluster version', cluster: '1.35', from: undefined, wanted: '1.35', refused: undefined },
    {
      reason: 'created newer than the cluster',
      cluster: '1.35',
      from: undefined,
      wanted: '1.36',
      refused: /must be the cluster's version 1.35: upgrade the cluster first/,
    },
    { reason: 'created older than the cluster', cluster: '1.35', from: undefined, wanted: '1.34', refused: /must be the cluster's version 1.35/ },
    { reason: 'updated to the cluster version', cluster: '1.36', from: '1.35', wanted: '1.36', refused: undefined },
    { reason: 'updated past the cluster', cluster: '1.35', from: '1.35', wanted: '1.36', refused: /upgrade the cluster first/ },
    { reason: 'rolled back', cluster: '1.35', from: '1.35', wanted: '1.34', refused: /cannot be rolled back from Kubernetes 1.35 to 1.34/ },
    { reason: 'no version asked: the cluster version', cluster: '1.35', from: '1.35', wanted: undefined, refused: undefined },
  ])('$reason', ({ cluster, from, wanted, refused }) => {
    const refusal = refusesNodeGroupVersion(cluster, from, wanted);
    if (refused) expect(refusal).toMatch(refused);
    else expect(refusal).toBeUndefined();
  });

  const cluster = mr('Cluster', 'cluster', { version: '1.35' });
  const group = (version: string) => mr('NodeGroup', `group-${version}`, { clusterNameRef: { name: 'cluster' }, version });
  const atProviderOf = (g: Managed) => ({
    ...g,
    status: { ...(g.status as JsonObject), atProvider: { ...((g.status as JsonObject).atProvider as JsonObject), clusterName: String(id(cluster)) } },
  });
  it.each([
    { reason: 'every node group at the running version: the cluster may move on', groups: ['1.35'], refused: undefined },
    {
      reason: 'a node group one minor behind: the cluster waits for it',
      groups: ['1.35', '1.34'],
      refused: /must match the cluster's Kubernetes version 1.35 before it is updated to 1.36: group-1.34 runs 1.34/,
    },
  ])('$reason', ({ groups, refused }) => {
    const world = worldOf(cluster, ...groups.map((v) => atProviderOf(group(v))));
    const refusal = refusesClusterUpgradeOverNodeGroups(cluster, { version: '1.35' }, { version: '1.36' }, world);
    if (refused) expect(refusal).toMatch(refused);
    else expect(refusal).toBeUndefined();
  });
});
