/**
 * Part 2, stage flux/team-b: team-b, delivered as Flux's AWS identity, up to
 * what needs that identity (e2e/README.md, part 2, step 3).
 */
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { isTrue, managed, nameOf } from '../../lib/objects.js';
import { readyLine, requestReconcile } from '../../lib/flux.js';
import type { Stage } from '../../lib/stages.js';
import { ks, type FluxContext } from '../context.js';
import { expectMonitoringFromFacts } from '../monitoring.js';

export const teamBUpToIdentity: Stage<FluxContext> = {
  name: 'flux/team-b',
  proves:
    "team-b, delivered as Flux's AWS identity, up to what needs that identity: its EKSCluster Ready, the kubeconfig ConfigMap (provider aws, the cluster's ARN), its facts with the Prometheus workspace composed for it, monitoring's AWS side applied from them (apps/monitoring/aws-identity); its web Kustomization and the Prometheus release, which reach the cluster as that identity, are left out",
  async run({ group, kube, fluxReady }, note) {
    const teamB = { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', namespace: 'team-b', name: 'team-b' };
    await waitFor('EKSCluster team-b Ready', async () => (isTrue(await kube.find(teamB), 'Ready') ? true : undefined), 600_000, group, 1000);
    await requestReconcile(kube, ks('team-b', 'eks-cluster'));
    await fluxReady(ks('team-b', 'eks-cluster'), 600_000);
    await fluxReady(ks('team-b', 'monitoring'));
    const access = (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-b', name: 'team-b-kubeconfig' })).data as JsonObject;
    const xr = await kube.get(teamB);
    const arn = String(((xr.status as JsonObject).cluster as JsonObject).arn);
    if (access.provider !== 'aws' || access.cluster !== arn) throw new Error(`ConfigMap team-b-kubeconfig: ${JSON.stringify(access)}, cluster ${arn}`);
    if (await kube.find({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-b', name: 'team-b-kubeconfig' }))
      throw new Error('a kubeconfig Secret exists for team-b');
    note(`ConfigMap team-b/team-b-kubeconfig: provider aws, cluster ${arn}; no kubeconfig Secret`);
    // Ready in the simulated AWS, not only applied: Flux's health check passes on a managed resource with no
    // conditions yet, and a creation the simulated AWS makes later would fall into the next stage's window.
    const identity = await waitFor(
      "team-b's monitoring identity Ready in AWS",
      async () => {
        const found = (await managed(kube, 'team-b')).filter((o) => nameOf(o).includes('prometheus'));
        if (found.length === 3 && found.every((o) => isTrue(o, 'Ready'))) return found;
        throw new Error(
          `expected team-b's monitoring Role, RolePolicyAttachment and PodIdentityAssociation Ready, found ${found.map((o) => `${String(o.kind)} ${nameOf(o)} ${readyLine(o)}`).join('; ') || 'none'}`,
        );
      },
      120_000,
      group,
      1000,
    );
    note(`monitoring's AWS identity, Ready: ${identity.map((o) => `${String(o.kind)} ${nameOf(o)}`).join(', ')}`);
    note(await expectMonitoringFromFacts(kube, 'team-b'));
  },
};
