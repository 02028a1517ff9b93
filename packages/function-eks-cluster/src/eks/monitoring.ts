/**
 * Where the cluster's metrics go (spec.monitoring): an Amazon Managed Service
 * for Prometheus workspace composed for the cluster, or one the spec names.
 * Prometheus itself, its AWS role and Pod Identity association are an app
 * (apps/monitoring), which reads the workspace's ID and remote-write URL from
 * the cluster's facts (lifecycle/cluster-facts.ts), so no one copies them.
 *
 * The workspace holds no reference and AWS deletes it whatever writes to it,
 * together with its metrics (DeleteWorkspace): switching monitoring off
 * deletes it at once, which is why docs/cluster-facts.md says to remove the
 * monitoring app first. A workspace named by spec.monitoring.workspaceId is
 * someone else's: nothing of it is composed, so nothing deletes it.
 */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { AMP } from '../ground/composed-kinds.js';
import { awsTags, managed } from '../ground/managed.js';

export const MONITORING_WORKSPACE_KEY = 'monitoring-workspace';

export function monitoringResources(ctx: ComposeContext): DesiredResource[] {
  const { enabled, workspaceId } = ctx.spec.monitoring;
  if (!enabled || workspaceId !== undefined) return [];
  return [
    managed(ctx, {
      group: 'addons',
      key: MONITORING_WORKSPACE_KEY,
      apiVersion: AMP,
      kind: 'Workspace',
      // AWS names a workspace itself (ws-<uuid>, the external name the provider records); the alias is for people.
      forProvider: { region: ctx.spec.region, alias: ctx.clusterName, tags: awsTags(ctx, MONITORING_WORKSPACE_KEY) },
    }),
  ];
}

/** The DNS suffix of AWS endpoints in a partition. */
function dnsSuffix(partition: string): string {
  return partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
}

export interface MonitoringTarget {
  readonly workspaceId?: string;
  readonly remoteWriteUrl?: string;
}

/** The workspace Prometheus writes to, once known; undefined when monitoring is off. */
export function monitoringTarget(ctx: ComposeContext): MonitoringTarget | undefined {
  const { enabled, workspaceId } = ctx.spec.monitoring;
  if (!enabled) return undefined;
  if (workspaceId !== undefined) {
    const endpoint = `https://aps-workspaces.${ctx.spec.region}.${dnsSuffix(ctx.partition)}/workspaces/${workspaceId}/`;
    return { workspaceId, remoteWriteUrl: `${endpoint}api/v1/remote_write` };
  }
  const id = ctx.observed.atProvider(MONITORING_WORKSPACE_KEY, 'id');
  const endpoint = ctx.observed.atProvider(MONITORING_WORKSPACE_KEY, 'prometheusEndpoint');
  return {
    ...(id !== undefined ? { workspaceId: id } : {}),
    ...(endpoint !== undefined ? { remoteWriteUrl: `${endpoint.replace(/\/?$/, '/')}api/v1/remote_write` } : {}),
  };
}
