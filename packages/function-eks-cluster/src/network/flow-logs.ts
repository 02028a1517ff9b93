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
import { placeReplaceable, replacementWarning } from '../ground/replacement.js';
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
    ...flowLogs(ctx, vpc, settings.trafficType),
  ];
}

/** The traffic type a flow log records in AWS (what it was created with, even if a later change was refused). */
function trafficTypeOf(ctx: ComposeContext, key: string): JsonObject {
  return { trafficType: ctx.observed.atProvider(key, 'trafficType') ?? ctx.observed.forProvider(key, 'trafficType') ?? null };
}

/**
 * The FlowLog, and while its traffic type changes the one it replaces: AWS
 * cannot change a flow log's settings (ForceNew in Terraform, so the provider
 * refuses), so the new one is created beside the old, which goes once the
 * new one is Ready: the VPC is never unrecorded (ground/replacement.ts).
 */
function flowLogs(ctx: ComposeContext, vpc: JsonObject, trafficType: string): DesiredResource[] {
  const placement = placeReplaceable(ctx.observed, FLOW_LOG_KEY, { trafficType }, (key) => trafficTypeOf(ctx, key));
  const flowLog = (key: string, traffic: string, warnings: readonly string[] = []) =>
    managed(ctx, {
      group: 'network',
      key,
      warnings,
      apiVersion: EC2,
      kind: 'FlowLog',
      forProvider: {
        region: ctx.spec.region,
        ...vpc,
        trafficType: traffic,
        logDestinationType: 'cloud-watch-logs',
        logDestinationRef: ref(ctx, FLOW_LOG_GROUP_KEY),
        iamRoleArnRef: ref(ctx, FLOW_LOG_ROLE_KEY),
        tags: awsTags(ctx, key),
      },
      // Created with the rest of the network: its references wait for the log group and role to
      // exist, and delivery starts by itself once the role's policy is attached.
    });
  return [
    flowLog(placement.key, trafficType, replacementWarning(placement, 'the traffic type')),
    ...placement.retiring.map((key) => flowLog(key, String(trafficTypeOf(ctx, key).trafficType))),
  ];
}
