/**
 * Part 1, stage crossplane/node-group-fails: a node group the simulated AWS
 * fails is named on the XR with AWS's reason; the XR recovers.
 */
import { waitFor } from 'function-eks-cluster/testing';
import { condition } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import type { CrossplaneContext } from '../context.js';

export const nodeGroupFails: Stage<CrossplaneContext> = {
  name: 'crossplane/node-group-fails',
  proves: 'A node group fails: the XR says which and why; it recovers',
  async run({ group, kube, xrRef, name, aws, xrReady }, note) {
    const reason = 'NodeCreationFailure: Instances failed to join the kubernetes cluster';
    aws.failing.set(`${name}-nodegroup-batch`, reason);
    const failing = await waitFor(
      'the XR naming the failing node group',
      async () => {
        const current = await kube.get(xrRef);
        const nodes = condition(current, 'NodesReady');
        return nodes?.status === 'False' && nodes.message?.includes('nodegroup-batch') && nodes.message.includes('NodeCreationFailure') ? nodes : undefined;
      },
      120_000,
      group,
      1000,
    );
    note(`NodesReady=False: ${failing.message}`);
    aws.failing.clear();
    await xrReady('the XR Ready again');
    note('Ready again once the node group recovered');
  },
};
