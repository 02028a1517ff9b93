/**
 * Nothing here schedules or runs pods, so no Deployment would ever become
 * Available, and Flux's `wait: true` (and helm-controller's install wait) would
 * time out on every one. The least fake answer that keeps those waits: the
 * test plays the deployment controller and the kubelet, writing each
 * Deployment's status as they would once every replica runs. Nothing else is
 * faked: Flux still applies the objects and judges them with kstatus.
 */
import type { JsonObject, Kube } from 'function-eks-cluster/testing';

const FIELD_MANAGER = 'e2e-deployment-controller';

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
    await kube.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: meta.name, namespace: meta.namespace },
        status: {
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
        },
      },
      FIELD_MANAGER,
      'status',
    );
    marked.push(`${meta.namespace}/${meta.name}`);
  }
  return marked;
}
