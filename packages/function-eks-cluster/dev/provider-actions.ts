/**
 * The AWS actions the providers' identity needs for each managed kind the
 * function composes: what the kind's Terraform resource calls to create, read,
 * update, tag and delete it. From it docs/iam/providers-role-policy.json is
 * generated (dev/provider-policy.ts); test/provider-policy.test.ts fails on a
 * composed kind without an entry here.
 *
 * How each entry was found: the upjet kind wraps the Terraform resource named in
 * `terraform` (provider-upjet-aws, config/namespaced/<group>/config.go); `source`
 * is that resource's file in hashicorp/terraform-provider-aws, read at the fork
 * provider-aws builds from (github.com/upbound/terraform-provider-aws
 * v0.0.0-20260305123303-f7691456b787). Its create, read, update and delete
 * functions, the finders, waiters and tag functions they call, and the tagging
 * interceptor (ListTags/UpdateTags of the service's tags_gen.go) make these
 * calls; an IAM action is named as its API operation. Calls made only for
 * arguments the function never sets are left out, each named in `leftOut`.
 * Actions AWS checks besides the operation's own (the "dependent actions" of
 * the Service Authorization Reference) are in `dependent`.
 */
import { AMP, CLOUDWATCH_EVENTS, CLOUDWATCH_LOGS, EC2, EKS, IAM, KMS, SQS } from '../src/ground/composed-kinds.js';

export interface KindActions {
  /** The Terraform resource the upjet kind wraps. */
  readonly terraform: string;
  /** Where its calls were read: a file of hashicorp/terraform-provider-aws (TF), or the provider's own controller. */
  readonly source: string;
  readonly actions: readonly string[];
  /** Actions AWS also checks for the calls above, with why. */
  readonly dependent?: readonly string[];
  /** The kind hands a role the function composes to an AWS service (iam:PassRole). */
  readonly passesRole?: boolean;
  /** The service-linked role AWS creates at the kind's first creation in an account (iam:AWSServiceName). */
  readonly serviceLinkedRole?: string;
  /** Calls of the Terraform resource the function never causes, and why. */
  readonly leftOut?: string;
}

export const TF = 'hashicorp/terraform-provider-aws internal/service';

/** Tagging: on create (tag specifications need the tag action too), update and read. */
const ec2Tags = ['ec2:CreateTags', 'ec2:DeleteTags', 'ec2:DescribeTags'];
const eksTags = ['eks:TagResource', 'eks:UntagResource', 'eks:ListTagsForResource'];

export const ACTIONS_BY_KIND: Readonly<Record<string, KindActions>> = {
  [`${EC2} VPC`]: {
    terraform: 'aws_vpc',
    source: `${TF}/ec2/vpc_.go`,
    // The read also looks up the main route table, default security group and default network ACL.
    actions: [
      'ec2:CreateVpc',
      'ec2:DescribeVpcs',
      'ec2:DescribeVpcAttribute',
      'ec2:ModifyVpcAttribute',
      'ec2:DeleteVpc',
      'ec2:DescribeRouteTables',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeNetworkAcls',
      // spec.network.ipFamily DualStack or IPv6 switched on for a live VPC: the Amazon-provided block is associated in place.
      'ec2:AssociateVpcCidrBlock',
      ...ec2Tags,
    ],
    leftOut:
      'disassociating an IPv6 block (the function refuses to take IPv6 off a live network), IPAM CIDR associations, tenancy changes: no IPAM pool or dedicated tenancy is set',
  },
  [`${EC2} VPCIPv4CidrBlockAssociation`]: {
    terraform: 'aws_vpc_ipv4_cidr_block_association',
    source: `${TF}/ec2/vpc_ipv4_cidr_block_association.go`,
    // Read back through DescribeVpcs filtered by the association ID (findVPCCIDRBlockAssociationByID).
    actions: ['ec2:AssociateVpcCidrBlock', 'ec2:DescribeVpcs', 'ec2:DisassociateVpcCidrBlock'],
  },
  [`${EC2} Subnet`]: {
    terraform: 'aws_subnet',
    source: `${TF}/ec2/vpc_subnet.go`,
    // Before deleting, Terraform looks for network interfaces other services leave behind.
    // AssociateSubnetCidrBlock: a live subnet's IPv6 /64, when ipFamily DualStack or IPv6 is switched on.
    actions: [
      'ec2:CreateSubnet',
      'ec2:DescribeSubnets',
      'ec2:ModifySubnetAttribute',
      'ec2:AssociateSubnetCidrBlock',
      'ec2:DeleteSubnet',
      'ec2:DescribeNetworkInterfaces',
      ...ec2Tags,
    ],
    leftOut:
      'disassociating an IPv6 block (a block is never moved or taken off); detaching and deleting lingering Lambda, RDS, DMS, Comprehend and QuickSight interfaces (none in a composed subnet)',
  },
  [`${EC2} InternetGateway`]: {
    terraform: 'aws_internet_gateway',
    source: `${TF}/ec2/vpc_internet_gateway.go`,
    actions: [
      'ec2:CreateInternetGateway',
      'ec2:AttachInternetGateway',
      'ec2:DescribeInternetGateways',
      'ec2:DetachInternetGateway',
      'ec2:DeleteInternetGateway',
      ...ec2Tags,
    ],
  },
  [`${EC2} EgressOnlyInternetGateway`]: {
    terraform: 'aws_egress_only_internet_gateway',
    source: `${TF}/ec2/vpc_egress_only_internet_gateway.go`,
    actions: ['ec2:CreateEgressOnlyInternetGateway', 'ec2:DescribeEgressOnlyInternetGateways', 'ec2:DeleteEgressOnlyInternetGateway', ...ec2Tags],
  },
  [`${EC2} EIP`]: {
    terraform: 'aws_eip',
    source: `${TF}/ec2/ec2_eip.go`,
    actions: ['ec2:AllocateAddress', 'ec2:DescribeAddresses', 'ec2:DescribeAddressesAttribute', 'ec2:DisassociateAddress', 'ec2:ReleaseAddress', ...ec2Tags],
    leftOut: 'associating with an instance or network interface (the NAT gateway takes the address), IPAM pools',
  },
  [`${EC2} NATGateway`]: {
    terraform: 'aws_nat_gateway',
    source: `${TF}/ec2/vpc_nat_gateway.go`,
    // Zone IDs of a regional gateway's addresses are read as zone names.
    actions: ['ec2:CreateNatGateway', 'ec2:DescribeNatGateways', 'ec2:DeleteNatGateway', 'ec2:DescribeAvailabilityZones', ...ec2Tags],
    // A regional NAT gateway scales itself with the service-linked role AWSServiceRoleForNATGateway (VPC User Guide, service-linked roles).
    serviceLinkedRole: 'ec2-nat-gateway.amazonaws.com',
    leftOut: 'secondary private addresses (private NAT) and regional address associations: the function sets neither, AWS manages regional addresses',
  },
  [`${EC2} RouteTable`]: {
    terraform: 'aws_route_table',
    source: `${TF}/ec2/vpc_route_table.go`,
    // Deleting disassociates the table from its subnets first.
    actions: [
      'ec2:CreateRouteTable',
      'ec2:DescribeRouteTables',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DisassociateRouteTable',
      'ec2:DeleteRouteTable',
      ...ec2Tags,
    ],
    leftOut: 'inline routes and VGW route propagation: routes are Route resources of their own, no virtual private gateway is used',
  },
  [`${EC2} Route`]: {
    terraform: 'aws_route',
    source: `${TF}/ec2/vpc_route.go`,
    actions: ['ec2:CreateRoute', 'ec2:DescribeRouteTables', 'ec2:ReplaceRoute', 'ec2:DeleteRoute'],
  },
  [`${EC2} RouteTableAssociation`]: {
    terraform: 'aws_route_table_association',
    source: `${TF}/ec2/vpc_route_table_association.go`,
    actions: ['ec2:AssociateRouteTable', 'ec2:DescribeRouteTables', 'ec2:ReplaceRouteTableAssociation', 'ec2:DisassociateRouteTable'],
  },
  [`${EC2} SecurityGroup`]: {
    terraform: 'aws_security_group',
    source: `${TF}/ec2/vpc_security_group.go`,
    // Creating revokes AWS's default egress rule and authorizes the declared rules; deleting revokes rules and looks for lingering interfaces.
    actions: [
      'ec2:CreateSecurityGroup',
      'ec2:DescribeSecurityGroups',
      'ec2:DescribeSecurityGroupRules',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DeleteSecurityGroup',
      ...ec2Tags,
    ],
    leftOut: 'detaching and deleting lingering Lambda and other service interfaces (none in a VPC endpoint security group)',
  },
  [`${EC2} SecurityGroupIngressRule`]: {
    terraform: 'aws_vpc_security_group_ingress_rule',
    source: `${TF}/ec2/vpc_security_group_ingress_rule.go`,
    actions: [
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:DescribeSecurityGroupRules',
      'ec2:ModifySecurityGroupRules',
      'ec2:RevokeSecurityGroupIngress',
      ...ec2Tags,
    ],
  },
  [`${EC2} LaunchTemplate`]: {
    terraform: 'aws_launch_template',
    source: `${TF}/ec2/ec2_launch_template.go`,
    // An update is a new version (CreateLaunchTemplateVersion), made the default with ModifyLaunchTemplate.
    actions: [
      'ec2:CreateLaunchTemplate',
      'ec2:CreateLaunchTemplateVersion',
      'ec2:ModifyLaunchTemplate',
      'ec2:DescribeLaunchTemplates',
      'ec2:DescribeLaunchTemplateVersions',
      'ec2:DeleteLaunchTemplate',
      ...ec2Tags,
    ],
    leftOut:
      'DescribeInstanceTypes (CPU options and an instance type in the template): the function sets neither; iam:PassRole: no instance profile in the template (EKS adds the node role)',
  },
  [`${EC2} VPCEndpoint`]: {
    terraform: 'aws_vpc_endpoint',
    source: `${TF}/ec2/vpc_endpoint.go`,
    actions: [
      'ec2:CreateVpcEndpoint',
      'ec2:DescribeVpcEndpoints',
      'ec2:DescribePrefixLists',
      'ec2:DescribeNetworkInterfaces',
      'ec2:ModifyVpcEndpoint',
      'ec2:DeleteVpcEndpoints',
      ...ec2Tags,
    ],
    // Interface endpoints are composed with private DNS, which associates the VPC with the service's private hosted zone.
    dependent: ['route53:AssociateVPCWithHostedZone'],
    leftOut: 'accepting endpoint connections (auto_accept: only for endpoint services of your own)',
  },
  [`${EC2} VPCEndpointSecurityGroupAssociation`]: {
    terraform: 'aws_vpc_endpoint_security_group_association',
    source: `${TF}/ec2/vpc_endpoint_security_group_association.go`,
    actions: ['ec2:ModifyVpcEndpoint', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeSecurityGroups'],
  },
  [`${EC2} VPCEndpointSubnetAssociation`]: {
    terraform: 'aws_vpc_endpoint_subnet_association',
    source: `${TF}/ec2/vpc_endpoint_subnet_association.go`,
    actions: ['ec2:ModifyVpcEndpoint', 'ec2:DescribeVpcEndpoints'],
  },
  [`${EC2} VPCEndpointRouteTableAssociation`]: {
    terraform: 'aws_vpc_endpoint_route_table_association',
    source: `${TF}/ec2/vpc_endpoint_route_table_association.go`,
    actions: ['ec2:ModifyVpcEndpoint', 'ec2:DescribeVpcEndpoints'],
  },
  [`${EC2} FlowLog`]: {
    terraform: 'aws_flow_log',
    source: `${TF}/ec2/vpc_flow_log.go`,
    actions: ['ec2:CreateFlowLogs', 'ec2:DescribeFlowLogs', 'ec2:DeleteFlowLogs', ...ec2Tags],
    // The delivery role is handed to VPC Flow Logs (deliverLogsPermissionArn).
    passesRole: true,
  },
  [`${EC2} Tag`]: {
    terraform: 'aws_ec2_tag',
    source: `${TF}/ec2/tag_gen.go`,
    actions: ec2Tags,
  },
  [`${EKS} Cluster`]: {
    terraform: 'aws_eks_cluster',
    source: `${TF}/eks/cluster.go`,
    actions: [
      'eks:CreateCluster',
      'eks:DescribeCluster',
      'eks:DescribeUpdate',
      'eks:UpdateClusterConfig',
      'eks:UpdateClusterVersion',
      'eks:AssociateEncryptionConfig',
      'eks:DeleteCluster',
      ...eksTags,
    ],
    // Secrets encryption with the composed key: EKS creates a grant on it for the cluster, as the caller.
    dependent: ['kms:DescribeKey', 'kms:CreateGrant'],
    // The cluster role, and with Auto Mode the node role, are handed to EKS.
    passesRole: true,
    serviceLinkedRole: 'eks.amazonaws.com',
  },
  [`${EKS} NodeGroup`]: {
    terraform: 'aws_eks_node_group',
    source: `${TF}/eks/node_group.go`,
    actions: [
      'eks:CreateNodegroup',
      'eks:DescribeNodegroup',
      'eks:DescribeUpdate',
      'eks:UpdateNodegroupConfig',
      'eks:UpdateNodegroupVersion',
      'eks:DeleteNodegroup',
      ...eksTags,
    ],
    passesRole: true,
    serviceLinkedRole: 'eks-nodegroup.amazonaws.com',
  },
  [`${EKS} Addon`]: {
    terraform: 'aws_eks_addon',
    source: `${TF}/eks/addon.go`,
    actions: [
      'eks:CreateAddon',
      'eks:DescribeAddon',
      'eks:DescribeUpdate',
      'eks:UpdateAddon',
      'eks:DeleteAddon',
      'eks:DescribePodIdentityAssociation',
      ...eksTags,
    ],
    // An add-on's role is handed to EKS Pod Identity (podIdentityAssociation).
    passesRole: true,
  },
  [`${EKS} AccessEntry`]: {
    terraform: 'aws_eks_access_entry',
    source: `${TF}/eks/access_entry.go`,
    actions: ['eks:CreateAccessEntry', 'eks:DescribeAccessEntry', 'eks:UpdateAccessEntry', 'eks:DeleteAccessEntry', ...eksTags],
  },
  [`${EKS} AccessPolicyAssociation`]: {
    terraform: 'aws_eks_access_policy_association',
    source: `${TF}/eks/access_policy_association.go`,
    actions: ['eks:AssociateAccessPolicy', 'eks:ListAssociatedAccessPolicies', 'eks:DisassociateAccessPolicy'],
  },
  [`${EKS} PodIdentityAssociation`]: {
    terraform: 'aws_eks_pod_identity_association',
    source: `${TF}/eks/pod_identity_association.go`,
    actions: [
      'eks:CreatePodIdentityAssociation',
      'eks:DescribePodIdentityAssociation',
      'eks:UpdatePodIdentityAssociation',
      'eks:DeletePodIdentityAssociation',
      ...eksTags,
    ],
    passesRole: true,
  },
  [`${EKS} ClusterAuth`]: {
    terraform: 'none (a controller of the provider itself)',
    source: 'crossplane-contrib/provider-upjet-aws internal/controller/namespaced/eks/clusterauth/controller.go',
    // The token is a presigned sts:GetCallerIdentity, which needs no permission.
    actions: ['eks:DescribeCluster'],
  },
  [`${IAM} Role`]: {
    terraform: 'aws_iam_role',
    source: `${TF}/iam/role.go`,
    // The read lists inline and attached policies; deleting removes the role from instance profiles (EKS makes them for node roles) and detaches its policies first.
    actions: [
      'iam:CreateRole',
      'iam:GetRole',
      'iam:UpdateRole',
      'iam:UpdateRoleDescription',
      'iam:UpdateAssumeRolePolicy',
      'iam:PutRolePermissionsBoundary',
      'iam:DeleteRolePermissionsBoundary',
      'iam:ListRolePolicies',
      'iam:GetRolePolicy',
      'iam:ListAttachedRolePolicies',
      'iam:ListInstanceProfilesForRole',
      'iam:RemoveRoleFromInstanceProfile',
      'iam:DeleteRolePolicy',
      'iam:DetachRolePolicy',
      'iam:DeleteRole',
      'iam:TagRole',
      'iam:UntagRole',
      'iam:ListRoleTags',
    ],
    leftOut: 'inline_policy and managed_policy_arns (policies are RolePolicy and RolePolicyAttachment resources)',
  },
  [`${IAM} RolePolicy`]: {
    terraform: 'aws_iam_role_policy',
    source: `${TF}/iam/role_policy.go`,
    actions: ['iam:PutRolePolicy', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy'],
  },
  [`${IAM} RolePolicyAttachment`]: {
    terraform: 'aws_iam_role_policy_attachment',
    source: `${TF}/iam/role_policy_attachment.go`,
    actions: ['iam:AttachRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:DetachRolePolicy'],
  },
  [`${IAM} OpenIDConnectProvider`]: {
    terraform: 'aws_iam_openid_connect_provider',
    source: `${TF}/iam/openid_connect_provider.go`,
    actions: [
      'iam:CreateOpenIDConnectProvider',
      'iam:GetOpenIDConnectProvider',
      'iam:UpdateOpenIDConnectProviderThumbprint',
      'iam:AddClientIDToOpenIDConnectProvider',
      'iam:RemoveClientIDFromOpenIDConnectProvider',
      'iam:DeleteOpenIDConnectProvider',
      'iam:TagOpenIDConnectProvider',
      'iam:UntagOpenIDConnectProvider',
      'iam:ListOpenIDConnectProviderTags',
    ],
  },
  [`${KMS} Key`]: {
    terraform: 'aws_kms_key',
    source: `${TF}/kms/key.go`,
    actions: [
      'kms:CreateKey',
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:PutKeyPolicy',
      'kms:GetKeyRotationStatus',
      'kms:EnableKeyRotation',
      'kms:DisableKeyRotation',
      'kms:EnableKey',
      'kms:DisableKey',
      'kms:UpdateKeyDescription',
      'kms:ScheduleKeyDeletion',
      'kms:TagResource',
      'kms:UntagResource',
      'kms:ListResourceTags',
    ],
  },
  [`${CLOUDWATCH_LOGS} Group`]: {
    terraform: 'aws_cloudwatch_log_group',
    source: `${TF}/logs/group.go`,
    actions: [
      'logs:CreateLogGroup',
      'logs:DescribeLogGroups',
      'logs:PutRetentionPolicy',
      'logs:DeleteRetentionPolicy',
      'logs:DeleteLogGroup',
      'logs:TagResource',
      'logs:UntagResource',
      'logs:ListTagsForResource',
    ],
    leftOut: 'KMS key association and deletion protection of the group: the function sets neither',
  },
  [`${SQS} Queue`]: {
    terraform: 'aws_sqs_queue',
    source: `${TF}/sqs/queue.go`,
    actions: ['sqs:CreateQueue', 'sqs:GetQueueAttributes', 'sqs:SetQueueAttributes', 'sqs:DeleteQueue', 'sqs:TagQueue', 'sqs:UntagQueue', 'sqs:ListQueueTags'],
  },
  [`${SQS} QueuePolicy`]: {
    terraform: 'aws_sqs_queue_policy',
    source: `${TF}/sqs/queue_policy.go and sqs/attribute_funcs.go`,
    actions: ['sqs:SetQueueAttributes', 'sqs:GetQueueAttributes'],
  },
  [`${CLOUDWATCH_EVENTS} Rule`]: {
    terraform: 'aws_cloudwatch_event_rule',
    source: `${TF}/events/rule.go`,
    actions: ['events:PutRule', 'events:DescribeRule', 'events:DeleteRule', 'events:TagResource', 'events:UntagResource', 'events:ListTagsForResource'],
  },
  [`${CLOUDWATCH_EVENTS} Target`]: {
    terraform: 'aws_cloudwatch_event_target',
    source: `${TF}/events/target.go`,
    actions: ['events:PutTargets', 'events:ListTargetsByRule', 'events:RemoveTargets'],
  },
  [`${AMP} Workspace`]: {
    terraform: 'aws_prometheus_workspace',
    source: `${TF}/amp/workspace.go`,
    // Read asks for the logging configuration whether or not one is set.
    actions: [
      'aps:CreateWorkspace',
      'aps:DescribeWorkspace',
      'aps:DescribeLoggingConfiguration',
      'aps:UpdateWorkspaceAlias',
      'aps:DeleteWorkspace',
      'aps:TagResource',
      'aps:UntagResource',
      'aps:ListTagsForResource',
    ],
    leftOut:
      "the workspace's logging configuration (aps:CreateLoggingConfiguration, UpdateLoggingConfiguration, DeleteLoggingConfiguration) and KMS key: the function sets neither",
  },
};
