/**
 * Part 1, stage crossplane/teardown: a VPC in use cannot be deleted; the XR,
 * deletion protection lifted the documented way, is deleted and AWS deletes
 * every managed resource with no refusal (Usages order them).
 */
import { KubeError, waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { managed, untilGone } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import type { CrossplaneContext } from '../context.js';

export const teardown: Stage<CrossplaneContext> = {
  name: 'crossplane/teardown',
  proves: 'Teardown: delete the XR; Usages order the deletions',
  async run({ group, kube, xrRef, name, namespace, aws }, note) {
    // Crossplane's webhook refuses to delete what a Usage protects.
    const vpc = { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'VPC', namespace, name: `${name}-vpc` };
    const refusal = await kube.delete(vpc).then(
      () => undefined,
      (error: unknown) => (error instanceof KubeError ? error : undefined),
    );
    if (!refusal || !/in use|usage/i.test(refusal.body)) throw new Error(`deleting the VPC in use was not refused: ${refusal?.message ?? 'it was accepted'}`);
    const reason = (JSON.parse(refusal.body) as { message?: string }).message ?? refusal.body;
    note(`deleting ${name}-vpc directly: refused (${refusal.status}): ${reason.slice(0, 200)}`);
    // The example turns on deletion protection, with which AWS refuses to delete the
    // cluster: lifted the way flux/README.md says (set false, let it apply), then deleted.
    await kube.mergePatch(xrRef, { spec: { controlPlane: { deletionProtection: false } } });
    const cluster = { apiVersion: 'eks.aws.m.upbound.io/v1beta1', kind: 'Cluster', namespace, name: `${name}-cluster` };
    await waitFor(
      'deletion protection lifted on the Cluster',
      async () =>
        (((await kube.get(cluster)).spec as JsonObject | undefined)?.forProvider as JsonObject | undefined)?.deletionProtection === false || undefined,
      120_000,
      group,
      1000,
    );
    note('spec.controlPlane.deletionProtection set false and applied to the Cluster');
    const before = await managed(kube, namespace);
    await kube.delete(xrRef);
    await waitFor('every managed resource gone', async () => ((await managed(kube, namespace)).length === 0 ? true : undefined), 600_000, group, 1000);
    const deleted = aws.events.filter((e) => e.what === 'deleted');
    note(`${deleted.length} of ${before.length} deleted by the simulated AWS; ${aws.count('delete-refused')} deletions refused by AWS's rules on the way`);
    note(
      `order: ${deleted
        .map((e) => e.kind)
        .filter((k, i, all) => all.indexOf(k) === i)
        .join(' -> ')}`,
    );
    if (deleted.length !== before.length) throw new Error(`deleted ${deleted.length}, expected ${before.length}`);
    // Every refusal of the simulated AWS is temporary, so without Usages the teardown would still end: the refusals are what shows it.
    const refused = aws.events.filter((e) => e.what === 'delete-refused');
    if (refused.length)
      throw new Error(
        `AWS refused ${refused.length} deletions, so Usages did not order them: ${refused.map((e) => `${e.kind} ${e.name}: ${e.message}`).join('; ')}`,
      );
    await waitFor(
      'every Usage gone',
      async () => ((await kube.list({ apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', namespace })).length === 0 ? true : undefined),
      120_000,
      group,
      1000,
    );
    await untilGone(kube, xrRef, 'the XR gone', 120_000, group);
    note('no managed resource, Usage or XR left');
  },
};
