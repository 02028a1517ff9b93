/**
 * Part 2, stage flux/packages: the platform's Kustomizations Ready in
 * `dependsOn` order, exactly the composed kinds activated, signature verification
 * in force and our packages installed by the digests the run pinned (step 1).
 */
import { expectActivation } from '../../lib/activation.js';
import { expectVerificationOn } from '../../lib/environment.js';
import { FLUX_NAMESPACE } from '../../lib/flux.js';
import { nameOf } from '../../lib/objects.js';
import { expectInstalledByDigest } from '../../lib/release-pins.js';
import type { Stage } from '../../lib/stages.js';
import { ks, type FluxContext } from '../context.js';

export const packagesInOrder: Stage<FluxContext> = {
  name: 'flux/packages',
  proves: 'Providers, their ProviderConfig, our Function and Configuration: in the order dependsOn gives',
  async run({ group, kube, git, order, fluxReady }, note) {
    const from = Date.now();
    await fluxReady(ks(FLUX_NAMESPACE, 'crossplane-providers'));
    await fluxReady(ks(FLUX_NAMESPACE, 'crossplane-provider-config'));
    await fluxReady(ks(FLUX_NAMESPACE, 'crossplane-packages'));
    await fluxReady(ks(FLUX_NAMESPACE, 'workload-clusters'));
    for (const line of order.since(from)) note(line);
    const packages = [
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider' })),
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Function' })),
    ];
    note(`packages: ${packages.map(nameOf).join(', ')}`);
    // Two policies name the same kinds: the chart's default one, from the release's
    // provider.defaultActivations, and the one the Configuration ships.
    note(await expectActivation(kube, group, ['configuration-eks-cluster', 'default']));
    note(await expectVerificationOn(kube));
    for (const line of await expectInstalledByDigest(kube, git.checkout)) note(line);
  },
};
