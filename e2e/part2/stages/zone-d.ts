/**
 * Part 2, stage flux/zone-d: a commit that grows the cluster by a zone adds
 * managed resources and touches none that existed (e2e/README.md, part 2, step 5).
 */
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { isTrue, managed, nameOf } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import { ks, XR_REF, type FluxContext } from '../context.js';

export const zoneDAdded: Stage<FluxContext> = {
  name: 'flux/zone-d',
  proves: 'A commit adds zone d: it reaches AWS (simulated) without replacing or changing any existing resource',
  async run({ group, kube, commit, settled, readXr, writeXr }, note) {
    const snapshot = async () =>
      new Map(
        (await managed(kube, 'team-a')).map((o) => [
          nameOf(o),
          { uid: String((o.metadata as JsonObject).uid), forProvider: JSON.stringify((o.spec as JsonObject).forProvider) },
        ]),
      );
    const before = await snapshot();
    const totalBefore = Number((((await kube.get(XR_REF)).status as JsonObject).resources as JsonObject).total);
    const xr = readXr();
    const zones = ((xr.spec as JsonObject).network as JsonObject).availabilityZones as string[];
    // A node group's subnets are fixed at creation (the function would replace it): it names its zones first.
    for (const g of (xr.spec as JsonObject).nodeGroups as JsonObject[]) g.availabilityZones ??= [...zones];
    zones.push('d');
    writeXr(xr);
    const revision = await commit('team-a: add zone d', ks('team-a', 'eks-cluster'));
    await waitFor(
      'the grown XR Ready',
      async () => {
        const current = await kube.get(XR_REF);
        const resources = (current.status as JsonObject).resources as { total: number; ready: number } | undefined;
        return isTrue(current, 'Ready') && resources && resources.total > totalBefore && resources.ready === resources.total ? current : undefined;
      },
      300_000,
      group,
      1000,
    );
    await settled(revision);
    const after = await snapshot();
    const replaced = [...before].filter(([n, b]) => after.get(n)?.uid !== b.uid).map(([n]) => n);
    const changed = [...before].filter(([n, b]) => after.get(n) && after.get(n)!.forProvider !== b.forProvider).map(([n]) => n);
    note(`${after.size - before.size} managed resources added; replaced: ${replaced.length}; changed: ${changed.join(', ') || 'none'}`);
    if (replaced.length || changed.length) throw new Error(`zone d touched existing resources: replaced ${replaced.join(', ')}; changed ${changed.join(', ')}`);
  },
};
