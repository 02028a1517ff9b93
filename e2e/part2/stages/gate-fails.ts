/**
 * Part 2, stage flux/gate-fails: team-a's EKSCluster from Git while the
 * simulated AWS fails a node group; the gate fails early naming it and nothing
 * reaches the workload cluster (e2e/README.md, part 2, step 2).
 */
import { waitFor } from 'function-eks-cluster/testing';
import { readyLine } from '../../lib/flux.js';
import { condition } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import { ks, XR_REF, type FluxContext } from '../context.js';

const failingNodeGroup = 'team-a-nodegroup-general';

export const gateFailsEarly: Stage<FluxContext> = {
  name: 'flux/gate-fails',
  proves: 'The EKSCluster from Git, while AWS keeps failing node group general: the gate fails early saying so, no app is delivered',
  async run({ group, kube, workload, aws, karpenter }, note) {
    aws.failing.set(failingNodeGroup, 'NodeCreationFailure: Instances failed to join the kubernetes cluster');
    aws.start();
    karpenter.start();
    // No per-cluster input is made by hand: the Prometheus workspace is composed by the function (spec.monitoring).
    await waitFor('namespace team-a from Git', () => kube.find({ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }), 120_000, group, 1000);
    const nodes = await waitFor(
      'the XR naming the failing node group',
      async () => {
        const nodesReady = condition(await kube.find(XR_REF), 'NodesReady');
        return nodesReady?.status === 'False' && nodesReady.message?.includes('nodegroup-general') && nodesReady.message.includes('NodeCreationFailure')
          ? nodesReady
          : undefined;
      },
      300_000,
      group,
      1000,
    );
    note(`EKSCluster NodesReady=False (${nodes.reason}): ${nodes.message}`);
    const gate = await waitFor(
      'the gate failing on the EKSCluster',
      async () => {
        const o = await kube.find(ks('team-a', 'eks-cluster'));
        return condition(o, 'Ready')?.status === 'False' && /EKSCluster\/team-a\/team-a/.test(condition(o, 'Ready')?.message ?? '') ? o : undefined;
      },
      120_000,
      group,
      1000,
    );
    note(`gate eks-cluster: ${readyLine(gate)}`);
    const web = await kube.get(ks('team-a', 'web'));
    if (!/dependency .*eks-cluster.* not ready/i.test(condition(web, 'Ready')?.message ?? ''))
      throw new Error(`web does not wait on the gate: ${readyLine(web)}`);
    note(`web: ${readyLine(web)}`);
    if (await workload.find({ apiVersion: 'v1', kind: 'Namespace', name: 'web' })) throw new Error('apps/web reached the workload cluster before the gate');
  },
};
