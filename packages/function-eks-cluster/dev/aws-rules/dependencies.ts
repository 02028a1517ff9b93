/**
 * What AWS refuses to delete while something else exists, by kind, including
 * what no managed resource stands for: the EC2 instances Karpenter and EKS Auto
 * Mode launch into the cluster's subnets. dev/simulated-aws.ts (refusesDelete)
 * applies these; the table says what each rule is and where AWS says so.
 */
import type { JsonObject } from '../../src/api/schema-builder.js';

export interface DeleteRule {
  /** What must be gone first. */
  readonly refusedWhile: string;
  /** AWS's error code. */
  readonly error: string;
  readonly source: string;
}

const EC2_API = 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference';

/** Kind -> the rules its deletion obeys; an empty list says AWS deletes it whatever exists (with why). */
export const DELETE_DEPENDENCIES: Readonly<Record<string, readonly DeleteRule[] | { readonly none: string }>> = {
  'ec2.aws.m.upbound.io/v1beta1/VPC': [
    {
      refusedWhile:
        'subnets, an attached internet gateway or egress-only internet gateway, route tables, NAT gateways, VPC endpoints or security groups are in it',
      error: 'DependencyViolation',
      source: `${EC2_API}/API_DeleteVpc.html`,
    },
  ],
  'ec2.aws.m.upbound.io/v1beta1/VPCIPv4CidrBlockAssociation': [
    {
      refusedWhile: 'a subnet of the VPC lies in the block',
      error: 'InvalidCidrBlock.InUse',
      source: `${EC2_API}/API_DisassociateVpcCidrBlock.html ("you must delete the subnets in the CIDR block first"); the message as aws/aws-k8s-tester#179 quotes it: "The vpc vpc-… currently has a subnet within CIDR block 10.2.0.0/16"`,
    },
  ],
  'ec2.aws.m.upbound.io/v1beta1/Subnet': [
    {
      refusedWhile:
        'a network interface is in it: a NAT gateway, the nodes of a node group, the cluster’s control-plane interfaces, an interface endpoint, or an instance Karpenter or EKS Auto Mode launched',
      error: 'DependencyViolation',
      source: `${EC2_API}/API_DeleteSubnet.html (terminate all running instances in the subnet first)`,
    },
    { refusedWhile: 'a route table is associated with it', error: 'DependencyViolation', source: `${EC2_API}/API_DeleteSubnet.html` },
  ],
  'ec2.aws.m.upbound.io/v1beta1/InternetGateway': [
    {
      refusedWhile: 'a public NAT gateway of the VPC maps a public address',
      error: 'DependencyViolation',
      source: `${EC2_API}/API_DetachInternetGateway.html`,
    },
  ],
  'ec2.aws.m.upbound.io/v1beta1/RouteTable': [
    { refusedWhile: 'a subnet is associated with it', error: 'DependencyViolation', source: `${EC2_API}/API_DeleteRouteTable.html` },
  ],
  'ec2.aws.m.upbound.io/v1beta1/LaunchTemplate': {
    none: 'DeleteLaunchTemplate deletes a template whatever runs on it (a node group on a deleted template launches no more nodes: the function keeps it until no node group runs on it, by Usage)',
  },
  'ec2.aws.m.upbound.io/v1beta1/SecurityGroup': [
    {
      refusedWhile: 'a network interface (an interface endpoint’s, or a node’s of a node group whose launch template names the group) uses it',
      error: 'DependencyViolation',
      source: `${EC2_API}/API_DeleteSecurityGroup.html`,
    },
  ],
  'ec2.aws.m.upbound.io/v1beta1/EIP': [
    { refusedWhile: 'a NAT gateway uses the address', error: 'InvalidIPAddress.InUse', source: `${EC2_API}/API_ReleaseAddress.html` },
  ],
  'iam.aws.m.upbound.io/v1beta1/Role': [
    {
      refusedWhile: 'inline policies, attached managed policies, or an instance profile of a running instance (Karpenter’s and Auto Mode’s nodes) hold it',
      error: 'DeleteConflict',
      source: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html',
    },
  ],
  'eks.aws.m.upbound.io/v1beta1/Cluster': [
    {
      refusedWhile: 'node groups are attached, or deletion protection is on',
      error: 'ResourceInUseException / InvalidRequestException',
      source:
        'https://docs.aws.amazon.com/eks/latest/APIReference/API_DeleteCluster.html; https://docs.aws.amazon.com/eks/latest/userguide/delete-cluster.html',
    },
  ],
  'kms.aws.m.upbound.io/v1beta1/Key': [
    {
      refusedWhile: 'an EKS cluster encrypts its secrets with it (the simulator refuses; AWS would schedule the deletion and break the cluster)',
      error: 'KMSInvalidStateException',
      source: 'https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html',
    },
  ],
  'ec2.aws.m.upbound.io/v1beta1/NATGateway': { none: 'DeleteNatGateway releases its interface itself' },
  'ec2.aws.m.upbound.io/v1beta1/EgressOnlyInternetGateway': { none: 'DeleteEgressOnlyInternetGateway: a route to it is left blackholed, not refused' },
  'ec2.aws.m.upbound.io/v1beta1/Route': { none: 'DeleteRoute: a route goes whatever its target' },
  'ec2.aws.m.upbound.io/v1beta1/RouteTableAssociation': { none: 'DisassociateRouteTable' },
  'ec2.aws.m.upbound.io/v1beta1/SecurityGroupIngressRule': { none: 'RevokeSecurityGroupIngress' },
  'ec2.aws.m.upbound.io/v1beta1/VPCEndpoint': { none: 'DeleteVpcEndpoints removes its interfaces itself' },
  'ec2.aws.m.upbound.io/v1beta1/VPCEndpointSecurityGroupAssociation': { none: 'ModifyVpcEndpoint' },
  'ec2.aws.m.upbound.io/v1beta1/VPCEndpointSubnetAssociation': { none: 'ModifyVpcEndpoint' },
  'ec2.aws.m.upbound.io/v1beta1/VPCEndpointRouteTableAssociation': { none: 'ModifyVpcEndpoint' },
  'ec2.aws.m.upbound.io/v1beta1/FlowLog': { none: 'DeleteFlowLogs' },
  'ec2.aws.m.upbound.io/v1beta1/Tag': { none: 'DeleteTags' },
  'eks.aws.m.upbound.io/v1beta1/NodeGroup': { none: 'DeleteNodegroup drains and terminates its nodes itself (honouring PodDisruptionBudgets)' },
  'eks.aws.m.upbound.io/v1beta1/Addon': { none: 'DeleteAddon' },
  'eks.aws.m.upbound.io/v1beta1/AccessEntry': { none: 'DeleteAccessEntry' },
  'eks.aws.m.upbound.io/v1beta1/AccessPolicyAssociation': { none: 'DisassociateAccessPolicy' },
  'eks.aws.m.upbound.io/v1beta1/PodIdentityAssociation': { none: 'DeletePodIdentityAssociation' },
  'eks.aws.m.upbound.io/v1beta1/ClusterAuth': { none: 'no AWS resource' },
  'iam.aws.m.upbound.io/v1beta1/RolePolicy': { none: 'DeleteRolePolicy' },
  'iam.aws.m.upbound.io/v1beta1/RolePolicyAttachment': { none: 'DetachRolePolicy' },
  'iam.aws.m.upbound.io/v1beta1/OpenIDConnectProvider': { none: 'DeleteOpenIDConnectProvider' },
  'cloudwatchlogs.aws.m.upbound.io/v1beta1/Group': { none: 'DeleteLogGroup (its records go with it)' },
  'sqs.aws.m.upbound.io/v1beta1/Queue': { none: 'DeleteQueue' },
  'sqs.aws.m.upbound.io/v1beta1/QueuePolicy': { none: 'SetQueueAttributes with an empty policy' },
  'cloudwatchevents.aws.m.upbound.io/v1beta1/Rule': {
    none: 'DeleteRule is refused while the rule has targets; the Target refers to its rule, so its Usage keeps the order',
  },
  'cloudwatchevents.aws.m.upbound.io/v1beta1/Target': { none: 'RemoveTargets' },
  'amp.aws.m.upbound.io/v1beta1/Workspace': {
    none: 'DeleteWorkspace whatever writes to it: its metrics go with it, permanently within a month (https://docs.aws.amazon.com/prometheus/latest/APIReference/API_DeleteWorkspace.html); managed scrapers writing to it stay (none is composed)',
  },
};

/**
 * An EC2 instance no managed resource stands for: launched by Karpenter
 * (while its controller's role, policy and Pod Identity association exist
 * and the cluster runs) or by EKS Auto Mode (while the cluster's compute is
 * on), in a private subnet, with an instance profile of its node role.
 * Karpenter terminates its instances only while it can still act: its NodePools
 * deleted, its controller credentials working, the cluster there
 * (aws/karpenter-provider-aws#1134, #1955: deleting the cluster leaves them
 * running). EKS terminates Auto Mode's when compute is switched off or the
 * cluster is deleted (https://docs.aws.amazon.com/eks/latest/userguide/auto-disable.html,
 * delete-cluster.html "Considerations for EKS Auto Mode").
 */
export type LaunchedBy = 'karpenter' | 'auto-mode';

export const INSTANCE_KIND = 'Instance';

/** The world object of a launched instance, as simulated-aws.ts's rules read it. */
export function launchedInstance(name: string, launchedBy: LaunchedBy, subnetId: string, nodeRoleName: string): JsonObject {
  return {
    apiVersion: 'ec2.amazonaws.com/instance',
    kind: INSTANCE_KIND,
    metadata: { name },
    spec: { forProvider: { subnetId, launchedBy, instanceProfileRole: nodeRoleName } },
    status: { atProvider: { id: `i-${Buffer.from(name).toString('hex').slice(-17).padStart(17, '0')}` }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}
