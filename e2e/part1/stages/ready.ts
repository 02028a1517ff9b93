/**
 * Part 1, stage crossplane/ready: the XR Ready and Synced with its status
 * filled after the faults, the throttling seen, nothing deleted or changed in AWS.
 */
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { isTrue, managed } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import type { CrossplaneContext } from '../context.js';

export const ready: Stage<CrossplaneContext> = {
  name: 'crossplane/ready',
  proves: 'The XR becomes Ready and Synced with its status filled; throttling took effect; nothing deleted or changed by the faults',
  async run({ group, kube, xrRef, namespace, aws, xrReady }, note) {
    const ready = await xrReady('the XR Ready');
    // Crossplane reaches the function again: the failed composition is behind it.
    await waitFor('the XR Synced again', async () => (isTrue(await kube.get(xrRef), 'Synced') ? true : undefined), 120_000, group, 1000);
    const status = ready.status as JsonObject;
    const resources = await managed(kube, namespace);
    const usages = await kube.list({ apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', namespace });
    note(
      `${resources.length} managed resources, ${usages.length} Usages; ${aws.count('created')} created by the simulated AWS, ${aws.count('refused')} refusals on the way`,
    );
    note(`status: ${String(status.summary)}; VPC ${String(status.vpcId)}; cluster endpoint ${String((status.cluster as JsonObject | undefined)?.endpoint)}`);
    if (!status.vpcId || !(status.cluster as JsonObject | undefined)?.endpoint) throw new Error(`status incomplete: ${JSON.stringify(status)}`);
    note(`${aws.throttledCalls} calls answered ThrottlingException; ${aws.count('changed')} changed, ${aws.count('deleted')} deleted`);
    if (aws.throttledCalls === 0) throw new Error('the simulated AWS throttled no call: the fault had no effect');
    if (aws.count('deleted') > 0) throw new Error(`${aws.count('deleted')} managed resources deleted before the teardown`);
    if (aws.count('changed') > 0)
      throw new Error(
        `changed in AWS after creation: ${aws.events
          .filter((e) => e.what === 'changed')
          .map((e) => e.name)
          .join(', ')}`,
      );
  },
};
