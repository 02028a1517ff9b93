/**
 * Kubernetes versions over a cluster's life. EKS upgrades the control plane one
 * minor version at a time, and only while every managed node group runs the
 * control plane's version; nodes may not be newer than the control plane. So a
 * spec that jumps ahead is walked there one minor at a time, node groups (and
 * the default add-ons, eks/addons.ts) follow the version the control plane
 * actually runs, and the next minor waits until they have.
 *
 * EKS also moves a control plane by itself: at the end of standard support
 * (upgrade policy STANDARD) or of extended support (EXTENDED), to the next
 * minor, while spec.kubernetesVersion in Git still names the old one. Asking
 * for the old one then would make the provider attempt a downgrade that EKS
 * refuses (its one-minor rollback needs the EXTENDED policy for a version in
 * extended support, and is never allowed after an end-of-extended-support
 * upgrade: workshop/simulated-aws.ts has the rules), and the Cluster would stay
 * failing. So a spec older than what runs composes what runs, everywhere,
 * with a warning that says how to make Git true again.
 *
 * A person lowering the version on purpose looks the same from here: both
 * are a spec below the running minor, and what the function itself asked
 * for last is what it composed, so it cannot tell them apart. Following is
 * safe for both: nothing is asked of AWS. A rollback is an operator's step
 * (docs/kubernetes-versions.md).
 */
import type { Notice, VersionPlan } from '../ground/context.js';
import type { ObservedState } from '../ground/observed.js';

function minor(version: string): number {
  return Number(version.split('.')[1]);
}

export function planVersions(wanted: string, observed: ObservedState, clusterKey: string): VersionPlan {
  const running = observed.atProvider(clusterKey, 'version');
  if (!running) return { controlPlane: wanted, nodes: wanted };
  if (minor(wanted) < minor(running)) return { controlPlane: running, nodes: running, behind: behindNotice(wanted, running) };
  // EKS updates the control plane only while every node group runs its version (UpdateClusterVersion).
  const lagging = Object.keys(observed.resources)
    .filter((key) => key.startsWith('nodegroup-'))
    .filter((key) => {
      const version = observed.atProvider(key, 'version');
      return version !== undefined && version !== running;
    })
    .sort();
  if (minor(wanted) > minor(running) && lagging.length > 0) {
    return {
      controlPlane: running,
      nodes: running,
      note: `upgrading Kubernetes ${running} -> ${wanted}: node groups ${lagging.join(', ')} move to ${running} first, as EKS requires before it updates the control plane`,
    };
  }
  if (minor(wanted) - minor(running) <= 1) return { controlPlane: wanted, nodes: running };
  const next = `1.${minor(running) + 1}`;
  return {
    controlPlane: next,
    nodes: running,
    note: `upgrading Kubernetes ${running} -> ${wanted} one minor version at a time, as EKS requires: now ${next}`,
  };
}

function behindNotice(wanted: string, running: string): Notice {
  return {
    reason: 'KubernetesVersionBehind',
    message:
      `spec.kubernetesVersion "${wanted}" is older than the ${running} the control plane runs (EKS upgrades a cluster by itself when its version's support ends): ` +
      `the control plane, node groups and add-ons stay on ${running}, as the function never asks EKS for a lower version; set spec.kubernetesVersion to "${running}"`,
  };
}
