/**
 * Kubernetes versions over a cluster's life. EKS upgrades the control plane one
 * minor version at a time and never downgrades; nodes may not be newer than
 * the control plane. So a spec that jumps ahead is walked there one minor at a
 * time, and node groups follow the version the control plane actually runs.
 */
import type { FieldError } from '../api/validate.js';
import type { VersionPlan } from '../ground/context.js';
import type { ObservedState } from '../ground/observed.js';

function minor(version: string): number {
  return Number(version.split('.')[1]);
}

export function planVersions(
  wanted: string,
  observed: ObservedState,
  clusterKey: string,
): { ok: true; plan: VersionPlan } | { ok: false; errors: FieldError[] } {
  const running = observed.atProvider(clusterKey, 'version');
  if (!running) return { ok: true, plan: { controlPlane: wanted, nodes: wanted } };
  if (minor(wanted) < minor(running)) {
    return {
      ok: false,
      errors: [
        {
          path: 'spec.kubernetesVersion',
          message: `"${wanted}" is older than the ${running} the cluster runs; EKS cannot downgrade, set it back to "${running}"`,
        },
      ],
    };
  }
  if (minor(wanted) - minor(running) <= 1) return { ok: true, plan: { controlPlane: wanted, nodes: running } };
  const next = `1.${minor(running) + 1}`;
  return {
    ok: true,
    plan: {
      controlPlane: next,
      nodes: running,
      note: `upgrading Kubernetes ${running} -> ${wanted} one minor version at a time, as EKS requires: now ${next}`,
    },
  };
}
