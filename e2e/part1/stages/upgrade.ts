/**
 * Part 1, stage crossplane/upgrade: the Function and the Configuration bumped
 * to the next release while the XR is Ready; the new revision composes twice,
 * nothing changes in Kubernetes or AWS. The next release's process replaces
 * the context's `fn`.
 */
import { join } from 'node:path';
import { waitFor } from 'function-eks-cluster/testing';
import { FunctionImage } from '../../lib/function-image.js';
import { upgradePackages } from '../../lib/package-upgrade.js';
import { isTrue } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import { differences, type CrossplaneContext } from '../context.js';

export const upgrade: Stage<CrossplaneContext> = {
  name: 'crossplane/upgrade',
  proves:
    'Upgrade: the Function and the Configuration to the next release while the XR is Ready; the new revision composes, AWS sees no create, change or delete',
  async run(ctx, note) {
    const { group, work, packages, nextVersion, kube, pki, xrRef, name, namespace, aws, snapshot } = ctx;
    const before = await snapshot();
    const seen = aws.events.length;
    const next = new FunctionImage(`${packages}/function-eks-cluster:${nextVersion}`, join(work, 'function-next'), pki);
    next.pull();
    await next.start();
    const upgraded = await upgradePackages(kube, group, {
      functionPackage: `${packages}/function-eks-cluster:${nextVersion}`,
      configurationPackage: `${packages}/configuration-eks-cluster:${nextVersion}`,
      configuration: 'configuration-eks-cluster',
      endpoint: `dns:///${next.address}`,
    });
    note(`Function ${upgraded.function}: revision ${upgraded.previous} -> ${upgraded.revision} (served on ${next.address}); Configuration at ${nextVersion}`);
    // The previous release's process goes, as its pod would: only the new revision can answer now.
    await ctx.fn.stop();
    ctx.fn = next;
    const answered = await waitFor(
      'the XR composed through the new revision, Ready and Synced',
      async () => {
        const current = await kube.get(xrRef);
        // A second request starts only once the reconcile that sent the first has applied its answer.
        const count = next.answered(`${namespace}/${name}`);
        return count >= 2 && isTrue(current, 'Ready') && isTrue(current, 'Synced') ? count : undefined;
      },
      360_000,
      group,
      1000,
    );
    const { added, replaced, changed } = differences(before, await snapshot());
    const inAws = aws.events.slice(seen).filter((e) => e.what !== 'failing');
    note(
      `${answered} compositions by ${nextVersion}; managed resources: ${added.length} added, ${replaced.length} replaced, ${changed.length} changed; AWS: ${inAws.length} creates, changes or deletes`,
    );
    if (added.length || replaced.length || changed.length) {
      throw new Error(`the upgrade touched managed resources: added ${added.join(', ')}; replaced ${replaced.join(', ')}; changed ${changed.join(', ')}`);
    }
    if (inAws.length) throw new Error(`the upgrade reached AWS: ${inAws.map((e) => `${e.what} ${e.kind} ${e.name}`).join(', ')}`);
  },
};
