/**
 * Part 3, stage install/installed: what the block installed is what it says: no
 * default activation policy, signature verification on, every package Healthy
 * and installed by the digest the tree pins, the XR and its managed resources Ready.
 */
import { type JsonObject } from 'function-eks-cluster/testing';
import { PINNED_PACKAGES } from 'configuration/scripts/pins.js';
import { expectActivation } from '../../lib/activation.js';
import { expectVerificationOn } from '../../lib/environment.js';
import { isTrue, managed, nameOf } from '../../lib/objects.js';
import { expectInstalledByDigest, expectWrongDigestRefused } from '../../lib/release-pins.js';
import type { Stage } from '../../lib/stages.js';
import type { InstallContext } from '../context.js';

/** The Configuration's own activation policy; `provider.defaultActivations={}` makes no other. */
const CONFIGURATION_POLICY = 'configuration-eks-cluster';
const MRAP = { apiVersion: 'apiextensions.crossplane.io/v1alpha1', kind: 'ManagedResourceActivationPolicy' };

export const installed: Stage<InstallContext> = {
  name: 'install/installed',
  proves: 'What the block installed: no default activation policy, verification on, the packages Healthy, the XR Ready',
  async run({ group, kube, script, checkout, xr, xrRef, name, namespace }, note) {
    note(await expectActivation(kube, group, [CONFIGURATION_POLICY]));
    note(await expectVerificationOn(kube));
    const policies = (await kube.list(MRAP)).map(nameOf);
    if (policies.join() !== CONFIGURATION_POLICY)
      throw new Error(`activation policies ${policies.join(', ')}: provider.defaultActivations={} should leave only ${CONFIGURATION_POLICY}`);
    const packages = [
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider' })),
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Function' })),
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Configuration' })),
    ];
    const unhealthy = packages.filter((p) => !isTrue(p, 'Healthy')).map(nameOf);
    note(`${packages.length} packages Healthy: ${packages.map(nameOf).join(', ')}`);
    if (unhealthy.length)
      throw new Error(
        `packages not Healthy: ${packages
          .filter((p) => !isTrue(p, 'Healthy'))
          .map((p) => `${nameOf(p)} ${JSON.stringify((p.status as JsonObject | undefined)?.conditions)}`)
          .join('; ')}`,
      );
    const fnObject = packages.find((p) => p.kind === 'Function')!;
    const runtimeConfig = ((fnObject.spec as JsonObject).runtimeConfigRef as JsonObject | undefined)?.name;
    note(`Function ${nameOf(fnObject)} runs with DeploymentRuntimeConfig ${String(runtimeConfig)}`);
    // What the block applies from the Flux tree is installed by the digest the tree pins.
    const fromTree = PINNED_PACKAGES.filter((p) => script.includes(`-f ${p.file}`));
    if (!fromTree.length) throw new Error(`the block applies none of ${PINNED_PACKAGES.map((p) => p.file).join(', ')}: the release is not installed by digest`);
    for (const line of await expectInstalledByDigest(kube, checkout, fromTree)) note(line);
    note(await expectWrongDigestRefused(kube, group, checkout));
    const current = await kube.get(xrRef);
    const all = await managed(kube, namespace);
    const notReady = all.filter((o) => !isTrue(o, 'Ready')).map((o) => `${String(o.kind)} ${nameOf(o)}`);
    if (!isTrue(current, 'Ready') || notReady.length)
      throw new Error(`${name} Ready=${String(isTrue(current, 'Ready'))}; not Ready: ${notReady.join(', ') || 'none'}`);
    note(`${String(xr.kind)} ${namespace}/${name} Ready, with ${all.length} managed resources, every one Ready`);
  },
};
