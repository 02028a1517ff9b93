/**
 * Part 1, stage crossplane/grow: a zone and a node group added; no existing
 * managed resource replaced or changed, nothing changed in AWS.
 */
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import type { Stage } from '../../lib/stages.js';
import { differences, type CrossplaneContext } from '../context.js';

export const grow: Stage<CrossplaneContext> = {
  name: 'crossplane/grow',
  proves: 'Grow: zone d (node groups stay on theirs) and a third node group; no existing managed resource replaced or changed',
  async run({ group, kube, xr, xrRef, aws, xrReady, snapshot }, note) {
    const before = await snapshot();
    const spec = structuredClone(xr.spec) as JsonObject;
    const zones = (spec.network as JsonObject).availabilityZones as string[];
    // EKS cannot move a node group to other subnets (the function replaces it, make before
    // break): a group that should stay where it is names its zones before one is added.
    for (const g of spec.nodeGroups as JsonObject[]) g.availabilityZones ??= [...zones];
    zones.push('d');
    // With a launch template: the example's spec.securityGroupRules.nodes need one on every group (the function refuses a group without).
    (spec.nodeGroups as JsonObject[]).push({
      name: 'arm',
      instanceTypes: ['m7g.large'],
      amiType: 'AL2023_ARM_64_STANDARD',
      minSize: 1,
      maxSize: 3,
      launchTemplate: {},
    });
    const totalBefore = Number((((await kube.get(xrRef)).status as JsonObject).resources as JsonObject | undefined)?.total);
    await kube.apply({ ...xr, spec }, 'e2e');
    // Ready again, and counting more resources than before: the grown cluster, not the old one.
    await waitFor(
      'the grown XR Ready',
      async () => {
        const current = await xrReady('the XR Ready');
        const resources = (current.status as JsonObject).resources as { total: number; ready: number } | undefined;
        return resources && resources.total > totalBefore && resources.ready === resources.total ? current : undefined;
      },
      300_000,
      group,
      1000,
    );
    const after = await snapshot();
    const { replaced, changed } = differences(before, after);
    note(`${after.size - before.size} managed resources added; replaced: ${replaced.length}; changed: ${changed.join(', ') || 'none'}`);
    if (replaced.length) throw new Error(`replaced or deleted while growing: ${replaced.join(', ')}`);
    if (changed.length) throw new Error(`changed while growing: ${changed.join(', ')}`);
    const inAws = aws.events.filter((e) => e.what === 'changed');
    if (inAws.length) throw new Error(`changed in AWS while growing: ${inAws.map((e) => e.name).join(', ')}`);
  },
};
