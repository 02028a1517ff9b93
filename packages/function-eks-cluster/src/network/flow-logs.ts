/**
 * VPC flow logs to CloudWatch Logs (opt-in): a log group with a retention, the
 * IAM role the flow log service assumes to write to it, and the FlowLog on the
 * VPC, the composed one or spec.network.existing.vpcId. A flow log on someone
 * else's VPC is harmless to it (a VPC takes several, and deleting ours leaves
 * the VPC alone), so it is offered with an existing network too.
 */
import type { JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { CLOUDWATCH_LOGS, EC2, IAM } from '../ground/composed-kinds.js';
import { permissionsBoundary, roleName } from '../ground/iam.js';
import { VPC_KEY } from './resources.js';

const FLOW_LOG_KEY = 'vpc-flow-log';
export const FLOW_LOG_GROUP_KEY = 'vpc-flow-log-group';
export const FLOW_LOG_ROLE_KEY = 'vpc-flow-log-role';
const FLOW_LOG_POLICY_KEY = 'vpc-flow-log-role-policy';

/** The log group's AWS name; kept once it exists, so a renamed cluster never orphans its records. */
function flowLogGroupName(ctx: ComposeContext): string {
  return ctx.observed.externalName(FLOW_LOG_GROUP_KEY) ?? `/aws/vpc-flow-logs/${ctx.clusterName}`;
}

function trustPolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  });
}

/** Only what delivery needs, on this cluster's log group only. */
function deliveryPolicy(ctx: ComposeContext): string {
  const group = `arn:${ctx.partition}:logs:${ctx.spec.region}:*:log-group:${flowLogGroupName(ctx)}`;
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams'],
        Resource: [group, `${group}:*`],
      },
    ],
  });
}

export function flowLogResources(ctx: ComposeContext): DesiredResource[] {
  const settings = ctx.spec.network.flowLogs;
  if (!settings?.enabled) return [];
  const { region } = ctx.spec;
  const existing = ctx.spec.network.existing;
  const vpc: JsonObject = existing ? { vpcId: existing.vpcId } : { vpcIdRef: ref(ctx, VPC_KEY) };
  return [
    managed(ctx, {
      group: 'network',
      key: FLOW_LOG_GROUP_KEY,
      apiVersion: CLOUDWATCH_LOGS,
      kind: 'Group',
      externalName: flowLogGroupName(ctx),
      forProvider: { region, retentionInDays: settings.retentionDays, tags: awsTags(ctx, FLOW_LOG_GROUP_KEY) },
    }),
    managed(ctx, {
      group: 'network',
      key: FLOW_LOG_ROLE_KEY,
      apiVersion: IAM,
      kind: 'Role',
      externalName: roleName(ctx, FLOW_LOG_ROLE_KEY, 'flow-logs'),
      forProvider: {
        assumeRolePolicy: trustPolicy(),
        description: `VPC flow log delivery of EKS cluster ${ctx.clusterName}, managed by eks-gitops`,
        tags: awsTags(ctx, FLOW_LOG_ROLE_KEY),
        ...permissionsBoundary(ctx),
      },
    }),
    managed(ctx, {
      group: 'network',
      key: FLOW_LOG_POLICY_KEY,
      apiVersion: IAM,
      kind: 'RolePolicy',
      forProvider: { roleRef: ref(ctx, FLOW_LOG_ROLE_KEY), policy: deliveryPolicy(ctx) },
    }),
    managed(ctx, {
      group: 'network',
      key: FLOW_LOG_KEY,
      apiVersion: EC2,
      kind: 'FlowLog',
      forProvider: {
        region,
        ...vpc,
        trafficType: settings.trafficType,
        logDestinationType: 'cloud-watch-logs',
        logDestinationRef: ref(ctx, FLOW_LOG_GROUP_KEY),
        iamRoleArnRef: ref(ctx, FLOW_LOG_ROLE_KEY),
        tags: awsTags(ctx, FLOW_LOG_KEY),
      },
      // Created with the rest of the network: its references wait for the log group and role to
      // exist, and delivery starts by itself once the role's policy is attached.
    }),
  ];
}
