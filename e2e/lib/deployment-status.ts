/**
 * Nothing here schedules or runs pods, so no Deployment would ever become
 * Available, and Flux's `wait: true` (and helm-controller's install wait) would
 * time out on every one. The least fake answer that keeps those waits: the
 * test plays the deployment controller and the kubelet, writing each
 * Deployment's status as they would once every replica runs, and each
 * DaemonSet's as the daemon set controller writes it on a cluster with no
 * nodes (nothing to schedule: 0 of 0 pods). Nothing else is faked: Flux still
 * applies the objects and judges them with kstatus.
 */
import type { JsonObject, Kube } from 'workshop';

const FIELD_MANAGER = 'e2e-deployment-controller';

/** Applies the status subresource of an apps/v1 object as the controller that owns it would write it. */
async function writeStatus(kube: Kube, kind: string, meta: { name: string; namespace: string }, status: JsonObject): Promise<void> {
  await kube.apply({ apiVersion: 'apps/v1', kind, metadata: { name: meta.name, namespace: meta.namespace }, status }, FIELD_MANAGER, 'status');
}

/** Marks every Deployment whose status lags its spec as rolled out; returns the ones it marked (namespace/name). */
export async function playDeploymentStatus(kube: Kube): Promise<string[]> {
  const marked: string[] = [];
  for (const d of await kube.list({ apiVersion: 'apps/v1', kind: 'Deployment' })) {
    const meta = d.metadata as { name: string; namespace: string; generation?: number; deletionTimestamp?: string };
    if (meta.deletionTimestamp) continue;
    const status = (d.status ?? {}) as JsonObject;
    const replicas = Number((d.spec as JsonObject).replicas ?? 1);
    if (status.observedGeneration === meta.generation && status.availableReplicas === replicas && status.updatedReplicas === replicas) continue;
    const now = new Date().toISOString();
    await writeStatus(kube, 'Deployment', meta, {
      observedGeneration: meta.generation ?? 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: 'ReplicaSet has successfully progressed.',
          lastUpdateTime: now,
          lastTransitionTime: now,
        },
      ],
    });
    marked.push(`${meta.namespace}/${meta.name}`);
  }
  return marked;
}

/**
 * Writes the status of every DaemonSet the daemon set controller has not yet
 * seen at its generation, as that controller does with no node to run on (these
 * clusters have none): observed, and 0 pods desired, scheduled or ready. Returns
 * the ones it marked (namespace/name).
 */
export async function playDaemonSetStatus(kube: Kube): Promise<string[]> {
  const marked: string[] = [];
  for (const d of await kube.list({ apiVersion: 'apps/v1', kind: 'DaemonSet' })) {
    const meta = d.metadata as { name: string; namespace: string; generation?: number; deletionTimestamp?: string };
    if (meta.deletionTimestamp || (d.status as JsonObject | undefined)?.observedGeneration === meta.generation) continue;
    await writeStatus(kube, 'DaemonSet', meta, {
      observedGeneration: meta.generation ?? 1,
      desiredNumberScheduled: 0,
      currentNumberScheduled: 0,
      updatedNumberScheduled: 0,
      numberAvailable: 0,
      numberReady: 0,
      numberMisscheduled: 0,
    });
    marked.push(`${meta.namespace}/${meta.name}`);
  }
  return marked;
}
