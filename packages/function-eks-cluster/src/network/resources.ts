/** The VPC and everything in it, as managed resources, from a subnet plan and a NAT plan. */
import type { JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { awsTags, managed, ref, type ManagedOptions } from '../ground/managed.js';
import { EC2 } from '../ground/composed-kinds.js';
import { formatCidr, type Cidr } from './cidr.js';
import type { NatPlan } from './nat.js';
import type { PlannedSubnet, Tier } from './subnet-plan.js';

export const VPC_KEY = 'vpc';
export const IGW_KEY = 'igw';
export const PUBLIC_ROUTE_TABLE_KEY = 'rt-public';
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
      tags: awsTags(ctx, VPC_KEY),
    },
  });
}

/** A subnet of the VPC in one zone: a tier's, or (network/pod-network.ts) a pod subnet, which waits for and needs its block. */
export function zoneSubnet(
  ctx: ComposeContext,
  s: { readonly key: string; readonly tier: string; readonly zone: PlannedSubnet['zone']; readonly cidr: Cidr },
  tags: Record<string, string>,
  block: Pick<ManagedOptions, 'waitsFor' | 'needs'> = {},
): DesiredResource {
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
      tags: awsTags(ctx, s.key, tags),
    },
    ...block,
  });
}

function subnet(ctx: ComposeContext, s: PlannedSubnet): DesiredResource {
  return zoneSubnet(ctx, s, subnetTags(ctx, s));
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

function defaultRoute(ctx: ComposeContext, tableKey: string, target: JsonObject): DesiredResource {
  return managed(ctx, {
    group: 'network',
    key: `route-${tableKey.replace(/^rt-/, '')}-default`,
    apiVersion: EC2,
    kind: 'Route',
    forProvider: {
      region: ctx.spec.region,
      routeTableIdRef: ref(ctx, tableKey),
      destinationCidrBlock: '0.0.0.0/0',
      ...target,
    },
  });
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
  if (tiers.has('isolated')) resources.push(routeTable(ctx, ISOLATED_ROUTE_TABLE_KEY));
  resources.push(...subnets.map((s) => association(ctx, s)));
  return resources;
}
