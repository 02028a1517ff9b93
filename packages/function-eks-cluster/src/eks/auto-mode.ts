/**
 * EKS Auto Mode: EKS launches and runs the nodes (compute), their volumes
 * (block storage) and load balancers; the three are switched on and off
 * together, as EKS requires. The nodes of its built-in node pools run as the
 * Auto Mode node role, which EKS also gives its access entry; no managed node
 * group or built-in add-on is composed (api/XR.ts refuses node groups,
 * eks/addon-set.ts leaves the add-ons out).
 */
import type { JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { dig } from '../ground/observed.js';
import { role, roleAttachmentKeys } from '../ground/iam.js';

export const AUTO_NODE_ROLE_KEY = 'role-auto-node';
const AUTO_NODE_POLICIES = ['AmazonEKSWorkerNodeMinimalPolicy', 'AmazonEC2ContainerRegistryPullOnly'];

export function autoModeResources(ctx: ComposeContext): DesiredResource[] {
  if (!ctx.spec.autoMode.enabled) return [];
  return role(ctx, AUTO_NODE_ROLE_KEY, 'auto-node', 'ec2.amazonaws.com', AUTO_NODE_POLICIES);
}

/** The cluster names the node role by ARN (computeConfig has no reference field): it waits for the role and its policies. */
export function autoModeClusterNeeds(ctx: ComposeContext): string[] {
  return ctx.spec.autoMode.enabled ? [AUTO_NODE_ROLE_KEY, ...roleAttachmentKeys(AUTO_NODE_ROLE_KEY, AUTO_NODE_POLICIES)] : [];
}

const switched = (enabled: boolean): JsonObject => ({
  storageConfig: { blockStorage: { enabled } },
  kubernetesNetworkConfig: { elasticLoadBalancing: { enabled } },
});

/**
 * The Cluster fields of Auto Mode. Off, nothing is said, unless the cluster
 * runs Auto Mode now: then the three capabilities are switched off together.
 */
export function autoModeClusterConfig(ctx: ComposeContext): JsonObject {
  const running = dig(ctx.observed.get('cluster'), 'spec', 'forProvider', 'computeConfig', 'enabled') === true;
  if (!ctx.spec.autoMode.enabled) return running ? { computeConfig: { enabled: false }, ...switched(false) } : {};
  const observedArn = dig(ctx.observed.get('cluster'), 'spec', 'forProvider', 'computeConfig', 'nodeRoleArn');
  const nodeRoleArn = ctx.observed.atProvider(AUTO_NODE_ROLE_KEY, 'arn') ?? (typeof observedArn === 'string' ? observedArn : undefined);
  return {
    computeConfig: {
      enabled: true,
      nodePools: [...ctx.spec.autoMode.nodePools].sort(),
      ...(nodeRoleArn ? { nodeRoleArn } : {}),
    },
    ...switched(true),
  };
}
