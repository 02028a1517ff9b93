/**
 * Part 2, stage flux/aws-recovers: the XR Ready, the gate reconciled,
 * apps/web in the workload API server, monitoring's AWS identity from the
 * cluster facts (e2e/README.md, part 2, step 3).
 */
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { requestReconcile } from '../../lib/flux.js';
import { isTrue, managed, nameOf } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import { ks, XR_REF, type FluxContext } from '../context.js';
import { expectMonitoringFromFacts } from '../monitoring.js';

/** What apps/web holds, looked for in the workload API server. */
const WEB_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
];

export const awsRecovers: Stage<FluxContext> = {
  name: 'flux/aws-recovers',
  proves:
    'AWS recovers; flux reconcile of the gate: Ready, the kubeconfig Secret appears, apps/web lands in the workload API server; the Prometheus workspace composed (simulated AWS), its ID and remote-write URL in the cluster facts, monitoring applies its AWS identity from them with no input made by hand',
  async run({ group, kube, workload, workloadServer, aws, order, fluxReady }, note) {
    const from = Date.now();
    aws.failing.clear();
    await waitFor('the EKSCluster Ready', async () => (isTrue(await kube.get(XR_REF), 'Ready') ? true : undefined), 300_000, group, 1000);
    // What `flux reconcile kustomization eks-cluster -n team-a` does once the user
    // sees it Ready; otherwise Flux retries after the gate's retryInterval (5m).
    await requestReconcile(kube, ks('team-a', 'eks-cluster'));
    await fluxReady(ks('team-a', 'eks-cluster'), 600_000);
    const secret = await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'team-a-kubeconfig' });
    note(`Secret team-a/team-a-kubeconfig: keys ${Object.keys(secret.data as JsonObject).join(', ')}`);
    await fluxReady(ks('team-a', 'web'));
    await fluxReady(ks('team-a', 'monitoring'));
    for (const line of order.since(from)) note(line);
    const found: string[] = [];
    for (const kind of WEB_KINDS) for (const o of await workload.list({ ...kind, namespace: 'web' })) found.push(`${kind.kind}/${nameOf(o)}`);
    note(`in ${workloadServer.server}, namespace web: ${found.join(', ')}`);
    for (const kind of WEB_KINDS) if (!found.some((f) => f.startsWith(`${kind.kind}/`))) throw new Error(`no ${kind.kind} delivered into the workload cluster`);
    // In AWS, not only applied: the next stage counts what reaches AWS from then on.
    const identity = await waitFor(
      "monitoring's AWS identity Ready",
      async () => {
        const found = (await managed(kube, 'team-a')).filter((o) => nameOf(o).includes('prometheus'));
        const waiting = found.filter((o) => !isTrue(o, 'Ready')).map((o) => `${String(o.kind)} ${nameOf(o)}`);
        if (found.length !== 3 || waiting.length)
          throw new Error(
            `expected the monitoring Role, RolePolicyAttachment and PodIdentityAssociation Ready, found ${found.length}; not Ready: ${waiting.join(', ') || 'none'}`,
          );
        return found;
      },
      120_000,
      group,
      1000,
    );
    note(`monitoring's AWS identity, Ready: ${identity.map((o) => `${String(o.kind)} ${nameOf(o)}`).join(', ')}`);
    note(await expectMonitoringFromFacts(kube, 'team-a'));
  },
};
