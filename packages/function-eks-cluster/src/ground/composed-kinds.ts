/**
 * Every managed resource kind the function composes, by API group, with the
 * provider-aws family member that serves the group: the one list the builders
 * take their apiVersions from, and from which what must agree with it is
 * generated (`npm run gen-api -w function-eks-cluster`, see dev/activation-files.ts):
 * the ManagedResourceActivationPolicy shipped in the Configuration, the
 * Configuration's provider dependencies, the Providers Flux installs, the
 * Crossplane release's default activations and the table in flux/README.md.
 * A provider declaring the safe-start capability (provider-aws does) serves a
 * kind only once an activation policy names it, so a kind composed but not
 * listed here never becomes Ready: test/activation.test.ts composes every
 * example and generated XR and fails on such a kind.
 */

export const EC2 = 'ec2.aws.m.upbound.io/v1beta1';
export const EKS = 'eks.aws.m.upbound.io/v1beta1';
export const IAM = 'iam.aws.m.upbound.io/v1beta1';
export const KMS = 'kms.aws.m.upbound.io/v1beta1';
export const CLOUDWATCH_LOGS = 'cloudwatchlogs.aws.m.upbound.io/v1beta1';
export const SQS = 'sqs.aws.m.upbound.io/v1beta1';
export const CLOUDWATCH_EVENTS = 'cloudwatchevents.aws.m.upbound.io/v1beta1';
export const AMP = 'amp.aws.m.upbound.io/v1beta1';

export interface ManagedGroup {
  /** Group and version of the kinds, as composed. */
  readonly apiVersion: string;
  /** The provider-aws family member serving the group: its package's name. */
  readonly provider: string;
  /** What the function composes of it and when, for the docs. */
  readonly purpose: string;
  readonly kinds: readonly string[];
}

export const MANAGED_GROUPS: readonly ManagedGroup[] = [
  {
    apiVersion: EC2,
    provider: 'provider-aws-ec2',
    purpose:
      'the network (VPC, its secondary block for pods, subnets, gateways, routes, VPC endpoints; the egress-only gateway of an IPv6 network), the flow log, the Karpenter discovery tag, the security-group rules you add, the launch templates of hardened node groups',
    kinds: [
      'VPC',
      'VPCIPv4CidrBlockAssociation',
      'Subnet',
      'InternetGateway',
      'EgressOnlyInternetGateway',
      'EIP',
      'NATGateway',
      'RouteTable',
      'Route',
      'RouteTableAssociation',
      'SecurityGroup',
      'SecurityGroupIngressRule',
      'VPCEndpoint',
      'VPCEndpointSecurityGroupAssociation',
      'VPCEndpointSubnetAssociation',
      'VPCEndpointRouteTableAssociation',
      'FlowLog',
      'Tag',
      'LaunchTemplate',
    ],
  },
  {
    apiVersion: EKS,
    provider: 'provider-aws-eks',
    purpose: 'the cluster, node groups, add-ons, access entries, Pod Identity associations, the kubeconfig',
    kinds: ['Cluster', 'NodeGroup', 'Addon', 'AccessEntry', 'AccessPolicyAssociation', 'PodIdentityAssociation', 'ClusterAuth'],
  },
  {
    apiVersion: IAM,
    provider: 'provider-aws-iam',
    purpose: 'the roles of the cluster, nodes, add-ons, flow logs and Karpenter, their policies, the OIDC provider',
    kinds: ['Role', 'RolePolicy', 'RolePolicyAttachment', 'OpenIDConnectProvider'],
  },
  { apiVersion: KMS, provider: 'provider-aws-kms', purpose: 'the key encrypting Secrets (spec.encryption)', kinds: ['Key'] },
  {
    apiVersion: CLOUDWATCH_LOGS,
    provider: 'provider-aws-cloudwatchlogs',
    purpose: 'the log group of the VPC flow logs (spec.network.flowLogs)',
    kinds: ['Group'],
  },
  { apiVersion: SQS, provider: 'provider-aws-sqs', purpose: "Karpenter's interruption queue (spec.karpenter)", kinds: ['Queue', 'QueuePolicy'] },
  {
    apiVersion: CLOUDWATCH_EVENTS,
    provider: 'provider-aws-cloudwatchevents',
    purpose: "the EventBridge rules feeding Karpenter's interruption queue (spec.karpenter)",
    kinds: ['Rule', 'Target'],
  },
  {
    apiVersion: AMP,
    provider: 'provider-aws-amp',
    purpose: 'the Amazon Managed Service for Prometheus workspace apps/monitoring writes to (spec.monitoring)',
    kinds: ['Workspace'],
  },
];
