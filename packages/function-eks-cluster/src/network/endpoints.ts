/**
 * VPC endpoints: how nodes reach the AWS APIs they need without a route to the
 * internet. Without them a private-only cluster (nat: None) never starts:
 * nodes cannot pull images (ECR, and S3 where ECR keeps layers), get
 * credentials (STS, EKS Auth for Pod Identity), let the CNI manage network
 * interfaces (EC2), ship logs (CloudWatch Logs) or call the EKS API.
 *
 * - S3: a gateway endpoint, associated with each zone's private route table.
 * - The others: interface endpoints with private DNS, so the usual AWS host
 *   names resolve to addresses inside the VPC, behind one security group that
 *   lets HTTPS in from the VPC CIDR.
 *
 * provider-aws v2.7.0's namespaced VPCEndpoint has no subnetIds,
 * securityGroupIds or routeTableIds: subnets, the security group and route
 * tables are attached by association resources, one per subnet or route table.
 * That is also what keeps a new zone harmless: it only adds associations and
 * never rewrites an existing endpoint.
 */
import type { JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource, Notice } from '../ground/context.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { EC2 } from '../ground/composed-kinds.js';
import { formatCidr, type Cidr } from './cidr.js';
import { privateRouteTableKey, VPC_KEY } from './resources.js';
import type { PlannedSubnet } from './subnet-plan.js';

export const ENDPOINT_SECURITY_GROUP_KEY = 'vpce-sg';
export const ENDPOINT_HTTPS_RULE_KEY = 'vpce-sg-https';
const S3_ENDPOINT_KEY = 'vpce-s3';

export interface InterfaceService {
  /** The part after com.amazonaws.<region>. */
  readonly service: string;
  /**
   * In the China partition some services are named cn.com.amazonaws.<region>.<service>
   * (documented for ECR and EC2); the others keep com.amazonaws.
   */
  readonly chinaPrefix?: boolean;
}

/** What EKS nodes need to join and run the default add-ons. */
const INTERFACE_SERVICES: readonly InterfaceService[] = [
  { service: 'ec2', chinaPrefix: true },
  { service: 'ecr.api', chinaPrefix: true },
  { service: 'ecr.dkr', chinaPrefix: true },
  { service: 'eks' },
  { service: 'eks-auth' },
  { service: 'logs' },
  { service: 'sts' },
];

/** Every composed endpoint resource's key starts with this. */
const ENDPOINT_KEY_PREFIX = 'vpce-';

function interfaceEndpointKey(service: string): string {
  return `${ENDPOINT_KEY_PREFIX}${service.replace(/\./g, '-')}`;
}

export function serviceName(ctx: Pick<ComposeContext, 'spec' | 'partition'>, service: InterfaceService): string {
  const china = ctx.partition === 'aws-cn' && service.chinaPrefix === true;
  return `${china ? 'cn.' : ''}com.amazonaws.${ctx.spec.region}.${service.service}`;
}

/**
 * Auto: on when there is no NAT (nodes could not join otherwise), and kept
 * once any endpoint exists, so that moving from nat: None to a NAT gateway
 * never deletes them under running nodes; Disabled removes them.
 */
function endpointsWanted(ctx: ComposeContext): boolean {
  const mode = ctx.spec.network.vpcEndpoints;
  if (mode !== 'Auto') return mode === 'Enabled';
  if (ctx.spec.network.nat === 'None') return true;
  return Object.keys(ctx.observed.resources).some((key) => key.startsWith(ENDPOINT_KEY_PREFIX));
}

function securityGroup(ctx: ComposeContext, vpcCidr: Cidr): DesiredResource[] {
  return [
    managed(ctx, {
      group: 'network',
      key: ENDPOINT_SECURITY_GROUP_KEY,
      apiVersion: EC2,
      kind: 'SecurityGroup',
      forProvider: {
        region: ctx.spec.region,
        vpcIdRef: ref(ctx, VPC_KEY),
        name: `${ctx.clusterName}-vpce`,
        // AWS cannot change a description in place: it holds nothing that could change.
        description: `HTTPS from the VPC to the interface endpoints of EKS cluster ${ctx.clusterName}`,
        tags: awsTags(ctx, ENDPOINT_SECURITY_GROUP_KEY),
      },
    }),
    endpointHttpsRule(ctx, ENDPOINT_HTTPS_RULE_KEY, vpcCidr, 'HTTPS from the VPC'),
  ];
}

/** HTTPS into the interface endpoints from a block: the VPC's, or the pods' (network/pod-network.ts). */
export function endpointHttpsRule(ctx: ComposeContext, key: string, from: Cidr, description: string): DesiredResource {
  return managed(ctx, {
    group: 'network',
    key,
    apiVersion: EC2,
    kind: 'SecurityGroupIngressRule',
    forProvider: {
      region: ctx.spec.region,
      securityGroupIdRef: ref(ctx, ENDPOINT_SECURITY_GROUP_KEY),
      cidrIpv4: formatCidr(from),
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      description,
      tags: awsTags(ctx, key),
    },
  });
}

function endpoint(ctx: ComposeContext, key: string, service: string, type: 'Gateway' | 'Interface'): DesiredResource {
  const forProvider: JsonObject = {
    region: ctx.spec.region,
    vpcIdRef: ref(ctx, VPC_KEY),
    serviceName: service,
    vpcEndpointType: type,
    tags: awsTags(ctx, key),
  };
  if (type === 'Interface') forProvider.privateDnsEnabled = true;
  return managed(ctx, { group: 'network', key, apiVersion: EC2, kind: 'VPCEndpoint', forProvider });
}

function association(ctx: ComposeContext, key: string, kind: string, endpointKey: string, target: JsonObject): DesiredResource {
  return managed(ctx, {
    group: 'network',
    key,
    apiVersion: EC2,
    kind,
    forProvider: { region: ctx.spec.region, vpcEndpointIdRef: ref(ctx, endpointKey), ...target },
  });
}

function interfaceEndpoint(ctx: ComposeContext, service: InterfaceService, privateSubnets: readonly PlannedSubnet[]): DesiredResource[] {
  const key = interfaceEndpointKey(service.service);
  return [
    endpoint(ctx, key, serviceName(ctx, service), 'Interface'),
    // Replaces the VPC's default security group, which AWS attaches when none is given.
    association(ctx, `${key}-sg`, 'VPCEndpointSecurityGroupAssociation', key, {
      securityGroupIdRef: ref(ctx, ENDPOINT_SECURITY_GROUP_KEY),
      replaceDefaultAssociation: true,
    }),
    ...privateSubnets.map((s) => association(ctx, `${key}-${s.key}`, 'VPCEndpointSubnetAssociation', key, { subnetIdRef: ref(ctx, s.key) })),
  ];
}

/** The endpoints, their security group and their associations; nothing when they are not wanted. */
export function endpointResources(ctx: ComposeContext, vpcCidr: Cidr, subnets: readonly PlannedSubnet[]): DesiredResource[] {
  if (!endpointsWanted(ctx)) return [];
  const privateSubnets = subnets.filter((s) => s.tier === 'private');
  return [
    ...securityGroup(ctx, vpcCidr),
    endpoint(ctx, S3_ENDPOINT_KEY, serviceName(ctx, { service: 's3' }), 'Gateway'),
    ...privateSubnets.map((s) => {
      const table = privateRouteTableKey(s.zone.key);
      return association(ctx, `${S3_ENDPOINT_KEY}-${table}`, 'VPCEndpointRouteTableAssociation', S3_ENDPOINT_KEY, { routeTableIdRef: ref(ctx, table) });
    }),
    ...INTERFACE_SERVICES.flatMap((service) => interfaceEndpoint(ctx, service, privateSubnets)),
  ];
}

/**
 * What the function cannot tell about reaching this cluster and its nodes,
 * said once per reconcile as a warning.
 */
export function reachabilityNotices(ctx: ComposeContext, vpcCidr: Cidr): Notice[] {
  const { network, endpointAccess } = ctx.spec;
  const notices: Notice[] = [];
  if (!endpointAccess.public) {
    notices.push({
      reason: 'PrivateEndpointOnly',
      message: `the Kubernetes API is served inside VPC ${network.existing?.vpcId ?? formatCidr(vpcCidr)} only (spec.endpointAccess.public: false): Flux and anything else on the management cluster can use the kubeconfig only if the management cluster's network reaches that VPC (VPC peering, a Transit Gateway, or the management cluster in the same VPC) and resolves the endpoint's private DNS name, which the function cannot check; otherwise set spec.endpointAccess.public: true with publicCidrs limited to the management cluster's egress addresses`,
    });
  }
  if (network.nat === 'None' && network.vpcEndpoints === 'Disabled') {
    notices.push({
      reason: 'NoRouteToAws',
      message:
        'spec.network.nat is None and spec.network.vpcEndpoints is Disabled: nodes reach neither ECR, S3, STS, EC2 nor the EKS API unless you route the private subnets to them yourself, and otherwise never join; set vpcEndpoints: Auto to have the endpoints composed',
    });
  }
  return notices;
}
