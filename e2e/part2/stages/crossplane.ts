/**
 * Part 2, stage flux/crossplane: HelmRelease crossplane installed from the
 * loopback chart (e2e/README.md, part 2, step 1).
 */
import type { JsonObject } from 'function-eks-cluster/testing';
import { FLUX_NAMESPACE, HELM_RELEASE } from '../../lib/flux.js';
import type { Stage } from '../../lib/stages.js';
import { ks, type FluxContext } from '../context.js';

export const crossplaneInstalled: Stage<FluxContext> = {
  name: 'flux/crossplane',
  proves: 'Flux installs Crossplane: HelmRelease crossplane from the loopback chart; the test runs the process its Deployment describes',
  async run({ order, fluxReady }, note) {
    const from = Date.now();
    const release = await fluxReady({ ...HELM_RELEASE, namespace: FLUX_NAMESPACE, name: 'crossplane' });
    note(`HelmRelease crossplane: ${String(((release.status as JsonObject).history as JsonObject[] | undefined)?.[0]?.chartVersion ?? '')} installed`);
    await fluxReady(ks(FLUX_NAMESPACE, 'crossplane'));
    for (const line of order.since(from)) note(line);
  },
};
