/**
 * What AWS allows once per scope, by kind: the slots a resource takes (for an
 * Addon with podIdentityAssociation, one per association) and the error AWS
 * answers a second taker with. Error codes and HTTP statuses are AWS's (each
 * `source`); the sentence is quoted where a source shows AWS's own wording
 * (`quoted`), ours otherwise. Kinds whose create is an upsert (PutRolePolicy,
 * AttachRolePolicy, CreateTags, PutRule, PutTargets, AssociateAccessPolicy,
 * SetQueueAttributes) take no slot: a second writer overwrites the first.
 */
import type { Json, JsonObject } from '../../src/api/schema-builder.js';
import { dig } from '../../src/ground/observed.js';

export interface Slot {
  /** Equal keys clash. */
  readonly key: string;
  /** AWS's answer to the second resource taking it; `existing` is the first one's AWS id. */
  readonly refusal: (existing: string) => string;
}

export interface UniquenessRule {
  /** What is unique, in words. */
  readonly scope: string;
  readonly slots: (forProvider: JsonObject, name: string) => Slot[];
  readonly source: string;
  /** Whether the message is AWS's own wording (from the source), not only its code. */
  readonly quoted: boolean;
}

const s = (v: Json | undefined) => (v === undefined || v === null ? '' : String(v));

/** The message an AWS SDK v2 error carries through the provider: operation, status, code and AWS's text. */
const awsError = (service: string, operation: string, status: number, code: string, text: string) =>
  `operation error ${service}: ${operation}, https response error StatusCode: ${status}, ${code}: ${text}`;

/** A Pod Identity association's slot: one per cluster, namespace and service account. */
const association = (cluster: Json | undefined, namespace: Json | undefined, serviceAccount: Json | undefined, operation: string): Slot => ({
  key: `pod-identity/${s(cluster)}/${s(namespace)}/${s(serviceAccount)}`,
  refusal: (existing) => awsError('EKS', operation, 409, 'ResourceInUseException', `Association already exists: ${existing}`),
});

/**
 * The namespace EKS installs an add-on's service account in. Every add-on the
 * function gives a Pod Identity role runs in kube-system (src/eks/addon-set.ts).
 */
const ADDON_NAMESPACE = 'kube-system';

export const UNIQUENESS: Readonly<Record<string, UniquenessRule>> = {
  'eks.aws.m.upbound.io/v1beta1/PodIdentityAssociation': {
    scope: 'one association per cluster, namespace and service account, an add-on’s own podIdentityAssociation included',
    slots: (fp) => [association(fp.clusterName, fp.namespace, fp.serviceAccount, 'CreatePodIdentityAssociation')],
    source:
      'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreatePodIdentityAssociation.html (ResourceInUseException, 409); wording: eksctl-io/eksctl#7753, aws/eks-hybrid#679',
    quoted: true,
  },
  'eks.aws.m.upbound.io/v1beta1/Addon': {
    scope: 'one add-on of a name per cluster; each podIdentityAssociation takes its service account’s association',
    slots: (fp) => [
      {
        key: `addon/${s(fp.clusterName)}/${s(fp.addonName)}`,
        refusal: () => awsError('EKS', 'CreateAddon', 409, 'ResourceInUseException', `Addon already exists.`),
      },
      ...(Array.isArray(fp.podIdentityAssociation) ? fp.podIdentityAssociation : []).map((a) =>
        association(fp.clusterName, ADDON_NAMESPACE, dig(a, 'serviceAccount'), 'CreateAddon'),
      ),
    ],
    source:
      'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAddon.html (ResourceInUseException, 409); associations: https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html',
    quoted: false,
  },
  'eks.aws.m.upbound.io/v1beta1/AccessEntry': {
    scope: 'one access entry per cluster and principal',
    slots: (fp) => [
      {
        key: `access-entry/${s(fp.clusterName)}/${s(fp.principalArn ?? fp.principalArnFromRole)}`,
        refusal: () =>
          awsError('EKS', 'CreateAccessEntry', 409, 'ResourceInUseException', 'The specified access entry resource is already in use on this cluster.'),
      },
    ],
    source: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateAccessEntry.html (ResourceInUseException, 409)',
    quoted: false,
  },
  'eks.aws.m.upbound.io/v1beta1/NodeGroup': {
    scope: 'one node group of a name per cluster',
    slots: (fp, name) => [
      {
        key: `nodegroup/${s(fp.clusterName)}/${name}`,
        refusal: () =>
          awsError('EKS', 'CreateNodegroup', 409, 'ResourceInUseException', `NodeGroup already exists with name ${name} and cluster name ${s(fp.clusterName)}`),
      },
    ],
    source: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateNodegroup.html (ResourceInUseException, 409)',
    quoted: false,
  },
  'eks.aws.m.upbound.io/v1beta1/Cluster': {
    scope: 'one cluster of a name per account and region',
    slots: (fp, name) => [
      {
        key: `cluster/${s(fp.region)}/${name}`,
        refusal: () => awsError('EKS', 'CreateCluster', 409, 'ResourceInUseException', `Cluster already exists with name: ${name}`),
      },
    ],
    source: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html (ResourceInUseException, 409)',
    quoted: false,
  },
  'iam.aws.m.upbound.io/v1beta1/Role': {
    scope: 'one role of a name per account (IAM is global)',
    slots: (_, name) => [
      { key: `role/${name}`, refusal: () => awsError('IAM', 'CreateRole', 409, 'EntityAlreadyExists', `Role with name ${name} already exists.`) },
    ],
    source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (EntityAlreadyExists, 409)',
    quoted: false,
  },
  'iam.aws.m.upbound.io/v1beta1/OpenIDConnectProvider': {
    scope: 'one OIDC provider per URL and account',
    slots: (fp) => [
      {
        key: `oidc/${s(fp.url)}`,
        refusal: () => awsError('IAM', 'CreateOpenIDConnectProvider', 409, 'EntityAlreadyExists', `Provider with url ${s(fp.url)} already exists.`),
      },
    ],
    source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html (EntityAlreadyExists, 409)',
    quoted: false,
  },
  'cloudwatchlogs.aws.m.upbound.io/v1beta1/Group': {
    scope: 'one log group of a name per account and region',
    slots: (fp, name) => [
      {
        key: `log-group/${s(fp.region)}/${name}`,
        refusal: () => awsError('CloudWatch Logs', 'CreateLogGroup', 400, 'ResourceAlreadyExistsException', 'The specified log group already exists'),
      },
    ],
    source: 'https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html (ResourceAlreadyExistsException, 400)',
    quoted: false,
  },
  'ec2.aws.m.upbound.io/v1beta1/FlowLog': {
    scope: 'one flow log per resource, traffic type and destination',
    slots: (fp) => [
      {
        key: `flow-log/${s(fp.vpcId ?? fp.subnetId)}/${s(fp.trafficType)}/${s(fp.logDestination)}`,
        refusal: () =>
          awsError(
            'EC2',
            'CreateFlowLogs',
            400,
            'FlowLogAlreadyExists',
            'Error. There is an existing Flow Log with the same configuration and log destination.',
          ),
      },
    ],
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (FlowLogAlreadyExists)',
    quoted: false,
  },
  'ec2.aws.m.upbound.io/v1beta1/RouteTableAssociation': {
    scope: 'one route table per subnet',
    slots: (fp) =>
      fp.subnetId === undefined
        ? []
        : [
            {
              key: `subnet-route-table/${s(fp.subnetId)}`,
              refusal: (existing) =>
                awsError(
                  'EC2',
                  'AssociateRouteTable',
                  400,
                  'Resource.AlreadyAssociated',
                  `the specified association for route table ${existing} conflicts with an existing association`,
                ),
            },
          ],
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (Resource.AlreadyAssociated)',
    quoted: false,
  },
  'ec2.aws.m.upbound.io/v1beta1/Route': {
    scope: 'one route per route table and destination',
    slots: (fp) => [
      {
        key: `route/${s(fp.routeTableId)}/${s(fp.destinationCidrBlock ?? fp.destinationIpv6CidrBlock ?? fp.destinationPrefixListId)}`,
        refusal: () =>
          awsError(
            'EC2',
            'CreateRoute',
            400,
            'RouteAlreadyExists',
            `The route identified by ${s(fp.destinationCidrBlock ?? fp.destinationIpv6CidrBlock ?? fp.destinationPrefixListId)} already exists.`,
          ),
      },
    ],
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (RouteAlreadyExists)',
    quoted: false,
  },
  'ec2.aws.m.upbound.io/v1beta1/SecurityGroup': {
    scope: 'one security group of a name per VPC',
    slots: (fp) => [
      {
        key: `security-group/${s(fp.vpcId)}/${s(fp.name)}`,
        refusal: () =>
          awsError('EC2', 'CreateSecurityGroup', 400, 'InvalidGroup.Duplicate', `The security group '${s(fp.name)}' already exists for VPC '${s(fp.vpcId)}'`),
      },
    ],
    source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (InvalidGroup.Duplicate)',
    quoted: false,
  },
  'ec2.aws.m.upbound.io/v1beta1/SecurityGroupIngressRule': {
    scope: 'one rule per security group, protocol, port range and source (CIDR, prefix list or security group)',
    slots: (fp) => {
      const all = s(fp.ipProtocol) === '-1' || s(fp.ipProtocol) === 'all';
      const ports = all ? '' : `${s(fp.fromPort)}-${s(fp.toPort)}`;
      const source = s(fp.cidrIpv4 ?? fp.cidrIpv6 ?? fp.prefixListId ?? fp.referencedSecurityGroupId);
      const protocol = all ? '-1' : s(fp.ipProtocol).toLowerCase();
      return [
        {
          key: `sg-rule/${s(fp.securityGroupId)}/${protocol}/${ports}/${source}`,
          refusal: () =>
            awsError(
              'EC2',
              'AuthorizeSecurityGroupIngress',
              400,
              'InvalidPermission.Duplicate',
              `the specified rule "peer: ${source}, ${all ? 'ALL' : protocol.toUpperCase()}${all ? '' : `, from port: ${s(fp.fromPort)}, to port: ${s(fp.toPort)}`}, ALLOW" already exists`,
            ),
        },
      ];
    },
    source:
      'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html (InvalidPermission.Duplicate, 400); https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AuthorizeSecurityGroupIngress.html (CIDRs canonicalized, so a non-canonical form of an existing rule is a duplicate too); wording: galaxyproject/cloudlaunch#56',
    quoted: true,
  },
  'ec2.aws.m.upbound.io/v1beta1/VPCEndpoint': {
    scope: 'one interface endpoint with private DNS per service and VPC',
    slots: (fp) =>
      fp.vpcEndpointType === 'Interface' && fp.privateDnsEnabled !== false
        ? [
            {
              key: `private-dns/${s(fp.vpcId)}/${s(fp.serviceName)}`,
              refusal: () =>
                awsError(
                  'EC2',
                  'CreateVpcEndpoint',
                  400,
                  'InvalidParameter',
                  `private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${s(fp.serviceName)} in the VPC ${s(fp.vpcId)}`,
                ),
            },
          ]
        : [],
    source: 'https://docs.aws.amazon.com/vpc/latest/privatelink/manage-dns-names.html (one private hosted zone per service name and VPC)',
    quoted: false,
  },
  'sqs.aws.m.upbound.io/v1beta1/Queue': {
    scope: 'one queue of a name per account and region (the same name with other attributes is refused)',
    slots: (fp) => [
      {
        key: `queue/${s(fp.region)}/${s(fp.name)}`,
        refusal: () =>
          awsError('SQS', 'CreateQueue', 400, 'QueueAlreadyExists', `A queue already exists with the same name and a different value for attribute(s)`),
      },
    ],
    source: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html (QueueAlreadyExists, 400)',
    quoted: false,
  },
};

/** Kinds that take no slot, and why. */
export const NOT_UNIQUE: Readonly<Record<string, string>> = {
  'ec2.aws.m.upbound.io/v1beta1/VPC': 'CreateVpc: every call makes a new VPC (CIDRs may repeat across VPCs)',
  'ec2.aws.m.upbound.io/v1beta1/VPCIPv4CidrBlockAssociation':
    'a block overlapping one the VPC has is refused instead (InvalidVpc.Range, refusesCreate); AWS allows up to five IPv4 blocks per VPC by default, the function adds one',
  'ec2.aws.m.upbound.io/v1beta1/Subnet': 'overlapping CIDRs in a VPC are refused instead (InvalidSubnet.Conflict, refusesCreate)',
  'ec2.aws.m.upbound.io/v1beta1/InternetGateway': 'CreateInternetGateway: a new gateway each call',
  'ec2.aws.m.upbound.io/v1beta1/EgressOnlyInternetGateway': 'CreateEgressOnlyInternetGateway: a new gateway each call',
  'ec2.aws.m.upbound.io/v1beta1/EIP': 'AllocateAddress: a new address each call',
  'ec2.aws.m.upbound.io/v1beta1/NATGateway': 'CreateNatGateway: a new gateway each call',
  'ec2.aws.m.upbound.io/v1beta1/RouteTable': 'CreateRouteTable: a new table each call',
  'ec2.aws.m.upbound.io/v1beta1/LaunchTemplate': 'CreateLaunchTemplate: the function sends no name, and Terraform generates a unique one',
  'ec2.aws.m.upbound.io/v1beta1/VPCEndpointSecurityGroupAssociation': 'ModifyVpcEndpoint: adding a group it has is a no-op',
  'ec2.aws.m.upbound.io/v1beta1/VPCEndpointSubnetAssociation': 'ModifyVpcEndpoint: adding a subnet it has is a no-op',
  'ec2.aws.m.upbound.io/v1beta1/VPCEndpointRouteTableAssociation': 'ModifyVpcEndpoint: adding a route table it has is a no-op',
  'ec2.aws.m.upbound.io/v1beta1/Tag': 'CreateTags overwrites the value of a key',
  'eks.aws.m.upbound.io/v1beta1/AccessPolicyAssociation': 'AssociateAccessPolicy replaces the scope of an association that exists',
  'eks.aws.m.upbound.io/v1beta1/ClusterAuth': 'no AWS resource: the provider generates a token',
  'iam.aws.m.upbound.io/v1beta1/RolePolicy': 'PutRolePolicy overwrites the inline policy of that name',
  'iam.aws.m.upbound.io/v1beta1/RolePolicyAttachment': 'AttachRolePolicy of an attached policy is a no-op',
  'kms.aws.m.upbound.io/v1beta1/Key': 'CreateKey: a new key each call',
  'sqs.aws.m.upbound.io/v1beta1/QueuePolicy': 'SetQueueAttributes overwrites the policy',
  'cloudwatchevents.aws.m.upbound.io/v1beta1/Rule': 'PutRule creates or updates the rule of that name',
  'cloudwatchevents.aws.m.upbound.io/v1beta1/Target': 'PutTargets creates or updates the target of that id',
  'amp.aws.m.upbound.io/v1beta1/Workspace': 'CreateWorkspace: a new workspace each call, named ws-<uuid> by AWS (aliases may repeat)',
};
