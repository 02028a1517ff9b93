/**
 * What each part of the run starts with: its own process group (logs in
 * <work>/logs, tails printed when the part fails) and its own control plane,
 * a management and a workload API server on one etcd, each with its
 * kube-controller-manager.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGroup, startControlPlane, type ControlPlane } from 'function-eks-cluster/testing';
import type { StageName, Timeline } from './timeline.js';

export async function runPart(work: string, body: (group: ProcessGroup) => Promise<void>): Promise<ProcessGroup> {
  const logs = join(work, 'logs');
  mkdirSync(logs, { recursive: true });
  const group = new ProcessGroup(logs);
  try {
    await body(group);
  } catch (error) {
    process.stderr.write(`\n${group.tails(30)}\n`);
    throw error;
  }
  return group;
}

/** The first stage of every part: its own control plane. */
export function controlPlaneStage(part: string): StageName {
  return { name: `${part}/control-plane`, proves: 'a fresh control plane: etcd, management and workload kube-apiservers, a kube-controller-manager each' };
}

export function startClusters(timeline: Timeline, group: ProcessGroup, work: string, stage: StageName): Promise<ControlPlane> {
  return timeline.stage(stage, async (note) => {
    const plane = await startControlPlane(group, {
      dir: join(work, 'control-plane'),
      clusters: ['management', 'workload'],
      controllerManager: true,
      readyTimeoutMs: 180_000,
    });
    for (const a of plane.apiservers) note(`${a.name}: ${a.server}`);
    return plane;
  });
}
