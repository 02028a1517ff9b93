/**
 * What Karpenter needs on AWS (spec.karpenter): its controller's role through
 * Pod Identity, the SQS queue EventBridge feeds with interruption events, a
 * node role of its own with an EC2_LINUX access entry (a managed node group's
 * role already has one, made by EKS, and a second entry for it would be
 * refused), and the discovery tag on the cluster security group, the one
 * security group every node needs. Private subnets carry the discovery tag
 * already (network/resources.ts). Karpenter itself is an app Flux installs
 * (apps/karpenter), whose NodePools go before this side is deleted.
 */
import type { Json, JsonObject } from '../api/schema-builder.js';
import { derivedRoleName, type ComposeContext, type DesiredResource } from '../ground/context.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { CLOUDWATCH_EVENTS, EC2, EKS, IAM, SQS } from '../ground/composed-kinds.js';
import { usageKey } from '../ground/deletion-order.js';
import { CLUSTER_KEY } from './cluster.js';
import { role, roleName } from '../ground/iam.js';
import { CNI_POLICY } from './iam.js';
import { usesPodIdentity } from './addon-set.js';
import { podIdentityAssociation, POD_IDENTITY_SERVICE } from './pod-identity.js';

export const KARPENTER_ROLE_KEY = 'role-karpenter';
export const KARPENTER_POLICY_KEY = 'role-karpenter-controller';
export const KARPENTER_NODE_ROLE_KEY = 'role-karpenter-node';
export const KARPENTER_QUEUE_KEY = 'karpenter-queue';
const QUEUE_POLICY_KEY = 'karpenter-queue-policy';
const ACCESS_KEY = 'access-karpenter-node';
const SG_TAG_KEY = 'karpenter-sg-discovery';
const PIA_KEY = 'pia-karpenter';

/** The events Karpenter acts on (its interruption handling), by short name. */
const RULES: { name: string; description: string; pattern: JsonObject }[] = [
  { name: 'health', description: 'AWS Health scheduled changes', pattern: { source: ['aws.health'], 'detail-type': ['AWS Health Event'] } },
  {
    name: 'rebalance',
    description: 'EC2 instance rebalance recommendations',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance Rebalance Recommendation'] },
  },
  {
    name: 'spot',
    description: 'EC2 spot instance interruption warnings',
    pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] },
  },
  { name: 'state', description: 'EC2 instance state changes', pattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] } },
];

const ruleKey = (name: string) => `karpenter-rule-${name}`;
const targetKey = (name: string) => `karpenter-target-${name}`;

function nodePolicies(ctx: ComposeContext): string[] {
  return [
    'AmazonEKSWorkerNodePolicy',
    ...(usesPodIdentity(ctx.spec, 'vpc-cni') ? [] : [CNI_POLICY]),
    'AmazonEC2ContainerRegistryPullOnly',
    'AmazonSSMManagedInstanceCore',
  ];
}

/** The queue's name: what it has, else unique per XR (SQS names are per account and region, 80 characters at most). */
function queueName(ctx: ComposeContext): string {
  const existing = ctx.observed.forProvider(KARPENTER_QUEUE_KEY, 'name');
  return typeof existing === 'string' && existing !== '' ? existing : derivedRoleName(ctx.namespace, ctx.xrName, ctx.spec.clusterName, 'karpenter');
}

const doc = (statements: JsonObject[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

/**
 * The controller policy, scoped as Karpenter's own reference policy scopes it:
 * instances and launch templates only with this cluster's ownership tag,
 * PassRole only for its node role, the queue and the cluster by ARN.
 */
function controllerPolicy(ctx: ComposeContext, clusterArn: string, nodeRoleArn: string, queueArn: string): string {
  const { partition } = ctx;
  const { region } = ctx.spec;
  const account = nodeRoleArn.split(':')[4] ?? '';
  const owned = `aws:RequestTag/kubernetes.io/cluster/${ctx.clusterName}`;
  const ownedResource = `aws:ResourceTag/kubernetes.io/cluster/${ctx.clusterName}`;
  const ec2 = (type: string) => `arn:${partition}:ec2:${region}:*:${type}/*`;
  const launched = ['fleet', 'instance', 'volume', 'network-interface', 'launch-template', 'spot-instances-request'].map(ec2);
  const profile = `arn:${partition}:iam::${account}:instance-profile/*`;
  return doc([
    {
      Sid: 'AllowScopedEC2InstanceAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: [
        `arn:${partition}:ec2:${region}::image/*`,
        `arn:${partition}:ec2:${region}::snapshot/*`,
        ec2('security-group'),
        ec2('subnet'),
        ec2('capacity-reservation'),
      ],
    },
    {
      Sid: 'AllowScopedEC2LaunchTemplateAccessActions',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet'],
      Resource: ec2('launch-template'),
      Condition: { StringEquals: { [ownedResource]: 'owned' }, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    },
    {
      Sid: 'AllowScopedEC2InstanceActionsWithTags',
      Effect: 'Allow',
      Action: ['ec2:RunInstances', 'ec2:CreateFleet', 'ec2:CreateLaunchTemplate'],
      Resource: launched,
      Condition: { StringEquals: { [owned]: 'owned' }, StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' } },
    },
    {
      Sid: 'AllowScopedResourceCreationTagging',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: launched,
      Condition: {
        StringEquals: { [owned]: 'owned', 'ec2:CreateAction': ['RunInstances', 'CreateFleet', 'CreateLaunchTemplate'] },
        StringLike: { 'aws:RequestTag/karpenter.sh/nodepool': '*' },
      },
    },
    {
      Sid: 'AllowScopedResourceTagging',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: ec2('instance'),
      Condition: {
        StringEquals: { [ownedResource]: 'owned' },
        StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['eks:eks-cluster-name', 'karpenter.sh/nodeclaim', 'Name'] },
      },
    },
    {
      Sid: 'AllowScopedDeletion',
      Effect: 'Allow',
      Action: ['ec2:TerminateInstances', 'ec2:DeleteLaunchTemplate'],
      Resource: [ec2('instance'), ec2('launch-template')],
      Condition: { StringEquals: { [ownedResource]: 'owned' }, StringLike: { 'aws:ResourceTag/karpenter.sh/nodepool': '*' } },
    },
    {
      Sid: 'AllowRegionalReadActions',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeCapacityReservations',
        'ec2:DescribeImages',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplates',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSpotPriceHistory',
        'ec2:DescribeSubnets',
      ],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': region } },
    },
    { Sid: 'AllowSSMReadActions', Effect: 'Allow', Action: 'ssm:GetParameter', Resource: `arn:${partition}:ssm:${region}::parameter/aws/service/*` },
    { Sid: 'AllowPricingReadActions', Effect: 'Allow', Action: 'pricing:GetProducts', Resource: '*' },
    { Sid: 'AllowInterruptionQueueActions', Effect: 'Allow', Action: ['sqs:DeleteMessage', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'], Resource: queueArn },
    {
      Sid: 'AllowPassingInstanceRole',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: nodeRoleArn,
      Condition: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', `ec2.amazonaws.com.cn`] } },
    },
    {
      Sid: 'AllowScopedInstanceProfileCreationActions',
      Effect: 'Allow',
      Action: ['iam:CreateInstanceProfile'],
      Resource: profile,
      Condition: {
        StringEquals: { [owned]: 'owned', 'aws:RequestTag/topology.kubernetes.io/region': region },
        StringLike: { 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileTagActions',
      Effect: 'Allow',
      Action: ['iam:TagInstanceProfile'],
      Resource: profile,
      Condition: {
        StringEquals: {
          [ownedResource]: 'owned',
          'aws:ResourceTag/topology.kubernetes.io/region': region,
          [owned]: 'owned',
          'aws:RequestTag/topology.kubernetes.io/region': region,
        },
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*', 'aws:RequestTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    {
      Sid: 'AllowScopedInstanceProfileActions',
      Effect: 'Allow',
      Action: ['iam:AddRoleToInstanceProfile', 'iam:RemoveRoleFromInstanceProfile', 'iam:DeleteInstanceProfile'],
      Resource: profile,
      Condition: {
        StringEquals: { [ownedResource]: 'owned', 'aws:ResourceTag/topology.kubernetes.io/region': region },
        StringLike: { 'aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass': '*' },
      },
    },
    { Sid: 'AllowInstanceProfileReadActions', Effect: 'Allow', Action: ['iam:GetInstanceProfile', 'iam:ListInstanceProfiles'], Resource: '*' },
    { Sid: 'AllowAPIServerEndpointDiscovery', Effect: 'Allow', Action: 'eks:DescribeCluster', Resource: clusterArn },
  ]);
}

/** EventBridge may send to the queue; nothing reaches it without TLS. */
function queuePolicy(queueArn: string): string {
  return doc([
    {
      Sid: 'EventBridgeWrite',
      Effect: 'Allow',
      Principal: { Service: ['events.amazonaws.com', 'sqs.amazonaws.com'] },
      Action: 'sqs:SendMessage',
      Resource: queueArn,
    },
    { Sid: 'DenyHTTP', Effect: 'Deny', Principal: '*', Action: 'sqs:*', Resource: queueArn, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ]);
}

/** A value read from what AWS reported, else what the resource already asks for (a gate that flaps never blanks it). */
function fromObserved(ctx: ComposeContext, key: string, field: string, build: () => Json | undefined): Json | undefined {
  return build() ?? ctx.observed.forProvider(key, field);
}

/**
 * Switched off, Karpenter's AWS resources stay as they are until the cluster
 * is deleted: the nodes it launched are terminated only by Karpenter itself,
 * with them, when its NodePools go, and nothing here can tell when that has
 * happened (the deletion order holds them with the cluster anyway).
 */
function retainedWarning(ctx: ComposeContext): string[] {
  if (ctx.spec.karpenter.enabled) return [];
  return [
    "spec.karpenter.enabled is false, but Karpenter's AWS resources (its controller's role and Pod Identity association, node role, interruption queue and rules) stay until the cluster is deleted: Karpenter terminates the nodes it launched only with them. Delete Karpenter's NodePools first, and uninstall Karpenter once its nodes are gone",
  ];
}

/**
 * What keeps Karpenter's Pod Identity association: the cluster. An XR
 * composed before this order still has the Usage of the cluster by the
 * association (a composed Usage left out waits for its user to go): there
 * the node groups keep it instead, so that the two never wait for each other.
 */
function associationKeptBy(ctx: ComposeContext, nodeGroupKeys: readonly string[]): string[] {
  return ctx.observed.has(usageKey({ of: CLUSTER_KEY, by: PIA_KEY })) ? [...nodeGroupKeys] : [CLUSTER_KEY];
}

/** @param nodeGroupKeys the spec's node groups, as composed */
export function karpenterResources(ctx: ComposeContext, nodeGroupKeys: readonly string[]): DesiredResource[] {
  if (!ctx.spec.karpenter.enabled && !ctx.observed.has(KARPENTER_ROLE_KEY)) return [];
  const { region } = ctx.spec;
  const arn = (key: string) => ctx.observed.atProvider(key, 'arn');
  const queueArn = arn(KARPENTER_QUEUE_KEY);
  const clusterArn = arn(CLUSTER_KEY);
  const nodeRoleArn = arn(KARPENTER_NODE_ROLE_KEY);
  const policy = fromObserved(ctx, KARPENTER_POLICY_KEY, 'policy', () =>
    clusterArn && nodeRoleArn && queueArn ? controllerPolicy(ctx, clusterArn, nodeRoleArn, queueArn) : undefined,
  );
  const pia = podIdentityAssociation(ctx, PIA_KEY, KARPENTER_ROLE_KEY, [], ctx.spec.karpenter.namespace, ctx.spec.karpenter.serviceAccount);
  const clusterSg = ctx.observed.atProvider(CLUSTER_KEY, 'vpcConfig', 'clusterSecurityGroupId');
  const resources: DesiredResource[] = [
    // IAM refuses to delete a role that has an inline policy: the role goes after its policy and association.
    ...role(ctx, KARPENTER_ROLE_KEY, 'karpenter', POD_IDENTITY_SERVICE, []).map((r) => ({
      ...r,
      keptBy: [KARPENTER_POLICY_KEY, pia.key],
      ...(r.key === KARPENTER_ROLE_KEY ? { warnings: retainedWarning(ctx) } : {}),
    })),
    managed(ctx, {
      group: 'controlPlane',
      key: KARPENTER_POLICY_KEY,
      apiVersion: IAM,
      kind: 'RolePolicy',
      externalName: 'karpenter-controller',
      forProvider: { roleRef: ref(ctx, KARPENTER_ROLE_KEY), ...(policy !== undefined ? { policy } : {}) },
      // The policy names the cluster, the node role and the queue by ARN.
      waitsFor: [KARPENTER_ROLE_KEY, CLUSTER_KEY, KARPENTER_NODE_ROLE_KEY, KARPENTER_QUEUE_KEY],
      needs: [KARPENTER_NODE_ROLE_KEY, KARPENTER_QUEUE_KEY],
      // Karpenter terminates the instances it launched (when its NodePools go) only while its controller can act;
      // deleting the EKS cluster leaves them running, billed and holding the subnets (aws/karpenter-provider-aws#1134).
      // So its policy and Pod Identity association go after the cluster, and its role after them.
      keptBy: [CLUSTER_KEY],
    }),
    { ...pia, waitsFor: [...(pia.waitsFor ?? []), KARPENTER_POLICY_KEY], keptBy: associationKeptBy(ctx, nodeGroupKeys) },
    ...role(ctx, KARPENTER_NODE_ROLE_KEY, 'karpenter-node', 'ec2.amazonaws.com', nodePolicies(ctx)),
    managed(ctx, {
      group: 'access',
      key: ACCESS_KEY,
      apiVersion: EKS,
      kind: 'AccessEntry',
      forProvider: {
        region,
        clusterNameRef: ref(ctx, CLUSTER_KEY),
        principalArnFromRoleRef: ref(ctx, KARPENTER_NODE_ROLE_KEY),
        type: 'EC2_LINUX',
        tags: awsTags(ctx, ACCESS_KEY),
      },
      waitsFor: [CLUSTER_KEY, KARPENTER_NODE_ROLE_KEY],
    }),
    managed(ctx, {
      group: 'addons',
      key: KARPENTER_QUEUE_KEY,
      apiVersion: SQS,
      kind: 'Queue',
      // Interruption events are useless after a few minutes; SSE without a key to manage.
      forProvider: { region, name: queueName(ctx), messageRetentionSeconds: 300, sqsManagedSseEnabled: true, tags: awsTags(ctx, KARPENTER_QUEUE_KEY) },
    }),
    managed(ctx, {
      group: 'addons',
      key: QUEUE_POLICY_KEY,
      apiVersion: SQS,
      kind: 'QueuePolicy',
      forProvider: {
        region,
        queueUrlRef: ref(ctx, KARPENTER_QUEUE_KEY),
        ...withValue(
          'policy',
          fromObserved(ctx, QUEUE_POLICY_KEY, 'policy', () => (queueArn ? queuePolicy(queueArn) : undefined)),
        ),
      },
      waitsFor: [KARPENTER_QUEUE_KEY],
    }),
    ...RULES.flatMap((rule) => [
      managed(ctx, {
        group: 'addons',
        key: ruleKey(rule.name),
        apiVersion: CLOUDWATCH_EVENTS,
        kind: 'Rule',
        externalName: existingOr(ctx, ruleKey(rule.name), derivedRoleName(ctx.namespace, ctx.xrName, ctx.spec.clusterName, `karpenter-${rule.name}`)),
        forProvider: {
          region,
          description: `Karpenter interruption handling of ${ctx.clusterName}: ${rule.description}`,
          eventPattern: JSON.stringify(rule.pattern),
          tags: awsTags(ctx, ruleKey(rule.name)),
        },
      }),
      managed(ctx, {
        group: 'addons',
        key: targetKey(rule.name),
        apiVersion: CLOUDWATCH_EVENTS,
        kind: 'Target',
        forProvider: {
          region,
          ruleRef: ref(ctx, ruleKey(rule.name)),
          targetId: 'KarpenterInterruptionQueue',
          ...withValue(
            'arn',
            fromObserved(ctx, targetKey(rule.name), 'arn', () => queueArn),
          ),
        },
        // The queue is named by ARN, and must accept EventBridge's messages first.
        waitsFor: [ruleKey(rule.name), KARPENTER_QUEUE_KEY, QUEUE_POLICY_KEY],
        needs: [KARPENTER_QUEUE_KEY, QUEUE_POLICY_KEY],
      }),
    ]),
  ];
  // EKS creates the cluster security group: its ID is known once the cluster is Ready.
  const sgId = fromObserved(ctx, SG_TAG_KEY, 'resourceId', () => clusterSg);
  resources.push(
    managed(ctx, {
      group: 'addons',
      key: SG_TAG_KEY,
      apiVersion: EC2,
      kind: 'Tag',
      forProvider: { region, ...withValue('resourceId', sgId), key: 'karpenter.sh/discovery', value: ctx.clusterName },
      waitsFor: [CLUSTER_KEY],
      // It names the cluster's security group by ID, no reference: it goes before the cluster that owns the group.
      needs: [CLUSTER_KEY],
    }),
  );
  return resources;
}

function withValue(field: string, value: Json | undefined): JsonObject {
  return value === undefined ? {} : { [field]: value };
}

function existingOr(ctx: ComposeContext, key: string, fresh: string): string {
  return ctx.observed.externalName(key) ?? fresh;
}

/** The names a Karpenter installation is configured with (status.karpenter). */
export function karpenterStatus(ctx: ComposeContext): { interruptionQueue: string; nodeRoleName: string; controllerRoleName: string } | undefined {
  if (!ctx.spec.karpenter.enabled) return undefined;
  return {
    interruptionQueue: queueName(ctx),
    nodeRoleName: roleName(ctx, KARPENTER_NODE_ROLE_KEY, 'karpenter-node'),
    controllerRoleName: roleName(ctx, KARPENTER_ROLE_KEY, 'karpenter'),
  };
}
