/** The VPC and everything in it, as managed resources, from a subnet plan and a NAT plan. */
import type { JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { awsTags, managed, ref, type ManagedOptions } from '../ground/managed.js';
import { EC2 } from '../ground/composed-kinds.js';
import { formatCidr, type Cidr } from './cidr.js';
import { parseCidr6 } from './cidr6.js';
import { subnetIpv6Block } from './ipv6-plan.js';
import type { NatPlan } from './nat.js';
import type { PlannedSubnet, Tier } from './subnet-plan.js';

export const VPC_KEY = 'vpc';
export const IGW_KEY = 'igw';
export const PUBLIC_ROUTE_TABLE_KEY = 'rt-public';
export const EGRESS_ONLY_IGW_KEY = 'eigw';
const ISOLATED_ROUTE_TABLE_KEY = 'rt-isolated';

export function privateRouteTableKey(zoneKey: string): string {
  return `rt-private-${zoneKey}`;
}

/** Route table of a subnet: one per zone for private (its own NAT), one shared per other tier. */
function routeTableKeyFor(subnet: PlannedSubnet): string {
  if (subnet.tier === 'private') return privateRouteTableKey(subnet.zone.key);
  return subnet.tier === 'public' ? PUBLIC_ROUTE_TABLE_KEY : ISOLATED_ROUTE_TABLE_KEY;
}

function subnetTags(ctx: ComposeContext, subnet: PlannedSubnet): Record<string, string> {
  const byTier: Record<Tier, Record<string, string>> = {
    public: { 'kubernetes.io/role/elb': '1' },
    private: { 'kubernetes.io/role/internal-elb': '1', 'karpenter.sh/discovery': ctx.clusterName },
    isolated: {},
  };
  return {
    [`kubernetes.io/cluster/${ctx.clusterName}`]: 'shared',
    'eks.gitops.dev/tier': subnet.tier,
    ...byTier[subnet.tier],
  };
}

/** Whether the composed network gets IPv6 (spec.network.ipFamily DualStack or IPv6); an existing network is never touched. */
export function ipv6Network(ctx: ComposeContext): boolean {
  return ctx.spec.network.existing === undefined && ctx.spec.network.ipFamily !== 'IPv4';
}

/**
 * A subnet's IPv6 block: the one it has (never moved, network/ipv6-plan.ts),
 * else its /64 of the VPC's Amazon-provided /56 once the VPC reports it.
 */
function subnetIpv6Cidr(ctx: ComposeContext, s: PlannedSubnet): string | undefined {
  const own = ctx.observed.atProvider(s.key, 'ipv6CidrBlock') ?? ctx.observed.forProvider(s.key, 'ipv6CidrBlock');
  if (typeof own === 'string' && own !== '') return own;
  const vpcBlock = parseCidr6(ctx.observed.atProvider(VPC_KEY, 'ipv6CidrBlock') ?? '');
  return vpcBlock ? subnetIpv6Block(vpcBlock, s.tier, s.zone) : undefined;
}

function vpc(ctx: ComposeContext, cidr: Cidr): DesiredResource {
  return managed(ctx, {
    group: 'network',
    key: VPC_KEY,
    apiVersion: EC2,
    kind: 'VPC',
    forProvider: {
      region: ctx.spec.region,
      cidrBlock: formatCidr(cidr),
      enableDnsSupport: true,
      enableDnsHostnames: true,
      ...(ipv6Network(ctx) ? { assignGeneratedIpv6CidrBlock: true } : {}),
      tags: awsTags(ctx, VPC_KEY),
    },
  });
}

/**
 * A subnet of the VPC in one zone: a tier's, or (network/pod-network.ts) a pod
 * subnet, which waits for and needs its block.
 * @param options.ipv6 the subnet's IPv6 fields, in an IPv6 network (a pod subnet has none: pods on IPv4)
 */
export function zoneSubnet(
  ctx: ComposeContext,
  s: { readonly key: string; readonly tier: string; readonly zone: PlannedSubnet['zone']; readonly cidr: Cidr },
  tags: Record<string, string>,
  options: Pick<ManagedOptions, 'waitsFor' | 'needs'> & { readonly ipv6?: JsonObject } = {},
): DesiredResource {
  const { ipv6, ...gates } = options;
  const placement: JsonObject = s.zone.id ? { availabilityZoneId: s.zone.id } : { availabilityZone: s.zone.name ?? s.zone.key };
  return managed(ctx, {
    group: 'network',
    key: s.key,
    apiVersion: EC2,
    kind: 'Subnet',
    labels: { 'eks.gitops.dev/tier': s.tier, 'eks.gitops.dev/zone': s.zone.key },
    forProvider: {
      region: ctx.spec.region,
      vpcIdRef: ref(ctx, VPC_KEY),
      cidrBlock: formatCidr(s.cidr),
      ...placement,
      mapPublicIpOnLaunch: false,
      ...ipv6,
      tags: awsTags(ctx, s.key, tags),
    },
    ...gates,
  });
}

function subnet(ctx: ComposeContext, s: PlannedSubnet): DesiredResource {
  const ipv6 = ipv6Network(ctx) ? subnetIpv6Cidr(ctx, s) : undefined;
  return zoneSubnet(ctx, s, subnetTags(ctx, s), {
    // EKS starts IPv6 nodes only in subnets that assign IPv6 addresses on creation; the block and the flag come together.
    ...(ipv6 ? { ipv6: { ipv6CidrBlock: ipv6, assignIpv6AddressOnCreation: true } } : {}),
    // A new subnet of an IPv6 network waits for the VPC's /56, of which it takes a /64.
    ...(ipv6Network(ctx) && !ipv6 ? { waitsFor: [VPC_KEY] } : {}),
  });
}

function routeTable(ctx: ComposeContext, key: string): DesiredResource {
  return managed(ctx, {
    group: 'network',
    key,
    apiVersion: EC2,
    kind: 'RouteTable',
    forProvider: { region: ctx.spec.region, vpcIdRef: ref(ctx, VPC_KEY), tags: awsTags(ctx, key) },
  });
}

function defaultRoute(ctx: ComposeContext, tableKey: string, target: JsonObject, family: 'ipv4' | 'ipv6' = 'ipv4'): DesiredResource {
  const table = tableKey.replace(/^rt-/, '');
  return managed(ctx, {
    group: 'network',
    key: family === 'ipv4' ? `route-${table}-default` : `route-${table}-ipv6-default`,
    apiVersion: EC2,
    kind: 'Route',
    forProvider: {
      region: ctx.spec.region,
      routeTableIdRef: ref(ctx, tableKey),
      ...(family === 'ipv4' ? { destinationCidrBlock: '0.0.0.0/0' } : { destinationIpv6CidrBlock: '::/0' }),
      ...target,
    },
  });
}

/** IPv6 egress: private subnets through the egress-only internet gateway (outbound only), public ones through the internet gateway. */
function ipv6Egress(ctx: ComposeContext, privateTables: readonly string[]): DesiredResource[] {
  if (!ipv6Network(ctx)) return [];
  return [
    managed(ctx, {
      group: 'network',
      key: EGRESS_ONLY_IGW_KEY,
      apiVersion: EC2,
      kind: 'EgressOnlyInternetGateway',
      forProvider: { region: ctx.spec.region, vpcIdRef: ref(ctx, VPC_KEY), tags: awsTags(ctx, EGRESS_ONLY_IGW_KEY) },
    }),
    defaultRoute(ctx, PUBLIC_ROUTE_TABLE_KEY, { gatewayIdRef: ref(ctx, IGW_KEY) }, 'ipv6'),
    ...privateTables.map((table) => defaultRoute(ctx, table, { egressOnlyGatewayIdRef: ref(ctx, EGRESS_ONLY_IGW_KEY) }, 'ipv6')),
  ];
}

/** The association of a subnet with its route table, keyed by tier and zone. */
export function routeTableAssociation(
  ctx: ComposeContext,
  s: { readonly key: string; readonly tier: string; readonly zone: PlannedSubnet['zone'] },
  tableKey: string,
  gate: Pick<ManagedOptions, 'waitsFor'> = {},
): DesiredResource {
  return managed(ctx, {
    ...gate,
    group: 'network',
    key: `rta-${s.tier}-${s.zone.key}`,
    apiVersion: EC2,
    kind: 'RouteTableAssociation',
    forProvider: {
      region: ctx.spec.region,
      routeTableIdRef: ref(ctx, tableKey),
      subnetIdRef: ref(ctx, s.key),
    },
  });
}

function association(ctx: ComposeContext, s: PlannedSubnet): DesiredResource {
  return routeTableAssociation(ctx, s, routeTableKeyFor(s));
}

function natGateway(ctx: ComposeContext, key: string, placement: JsonObject): DesiredResource {
  return managed(ctx, {
    group: 'network',
    key,
    apiVersion: EC2,
    kind: 'NATGateway',
    forProvider: { region: ctx.spec.region, connectivityType: 'public', ...placement, tags: awsTags(ctx, key) },
    // An internet gateway cannot be detached while NAT gateways map public addresses.
    needs: [IGW_KEY],
  });
}

function natResources(ctx: ComposeContext, nat: NatPlan): DesiredResource[] {
  return nat.gateways.flatMap((gateway) => {
    if (gateway.mode === 'regional') {
      return [natGateway(ctx, gateway.key, { availabilityMode: 'regional', vpcIdRef: ref(ctx, VPC_KEY) })];
    }
    return [
      managed(ctx, {
        group: 'network',
        key: gateway.eipKey,
        apiVersion: EC2,
        kind: 'EIP',
        forProvider: { region: ctx.spec.region, domain: 'vpc', tags: awsTags(ctx, gateway.eipKey) },
      }),
      natGateway(ctx, gateway.key, { allocationIdRef: ref(ctx, gateway.eipKey), subnetIdRef: ref(ctx, gateway.publicSubnetKey) }),
    ];
  });
}

export function networkResources(ctx: ComposeContext, vpcCidr: Cidr, subnets: readonly PlannedSubnet[], nat: NatPlan): DesiredResource[] {
  const tiers = new Set(subnets.map((s) => s.tier));
  const zoneKeys = [...new Set(subnets.filter((s) => s.tier === 'private').map((s) => s.zone.key))];
  const resources: DesiredResource[] = [
    vpc(ctx, vpcCidr),
    managed(ctx, {
      group: 'network',
      key: IGW_KEY,
      apiVersion: EC2,
      kind: 'InternetGateway',
      forProvider: { region: ctx.spec.region, vpcIdRef: ref(ctx, VPC_KEY), tags: awsTags(ctx, IGW_KEY) },
    }),
    ...subnets.map((s) => subnet(ctx, s)),
    routeTable(ctx, PUBLIC_ROUTE_TABLE_KEY),
    defaultRoute(ctx, PUBLIC_ROUTE_TABLE_KEY, { gatewayIdRef: ref(ctx, IGW_KEY) }),
    ...natResources(ctx, nat),
  ];
  for (const zoneKey of zoneKeys) {
    const table = privateRouteTableKey(zoneKey);
    resources.push(routeTable(ctx, table));
    const natKey = nat.routeTarget.get(zoneKey);
    if (natKey) resources.push(defaultRoute(ctx, table, { natGatewayIdRef: ref(ctx, natKey) }));
  }
  resources.push(...ipv6Egress(ctx, zoneKeys.map(privateRouteTableKey)));
  if (tiers.has('isolated')) resources.push(routeTable(ctx, ISOLATED_ROUTE_TABLE_KEY));
  resources.push(...subnets.map((s) => association(ctx, s)));
  return resources;
}
