/**
 * What each part of the run starts with: its own process group (logs in
 * <work>/logs, tails printed when the part fails) and its own control plane,
 * a management and a workload API server on one etcd, each with its
 * kube-controller-manager.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ProcessGroup, startControlPlane, type ControlPlane } from 'workshop';
import type { Timeline } from './timeline.js';

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

export function startClusters(timeline: Timeline, group: ProcessGroup, work: string, title: string): Promise<ControlPlane> {
  return timeline.stage(title, async (note) => {
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
