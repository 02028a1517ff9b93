/**
 * Part 1, stage crossplane/configuration: the Configuration installed from the
 * loopback registry, the Function and the providers resolved from it, the
 * function's process serving mTLS, the EKSCluster CRD established.
 */
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { mirrorPackages, playPackageRuntime } from '../../lib/crossplane.js';
import { isTrue } from '../../lib/objects.js';
import { UPSTREAM } from '../../lib/provider-packages.js';
import type { Stage } from '../../lib/stages.js';
import type { CrossplaneContext } from '../context.js';

export const configuration: Stage<CrossplaneContext> = {
  name: 'crossplane/configuration',
  proves: 'Configuration from the registry: Crossplane resolves the Function and the providers',
  async run({ group, registry, packages, version, signing, kube, fn }, note) {
    await mirrorPackages(kube, 'loopback-registry', UPSTREAM, `${registry}/crossplane-contrib`);
    await signing.requireReleaseKey(kube, `${packages}/`);
    await kube.apply(
      {
        apiVersion: 'pkg.crossplane.io/v1',
        kind: 'Configuration',
        metadata: { name: 'configuration-eks-cluster' },
        spec: { package: `${packages}/configuration-eks-cluster:${version}` },
      },
      'e2e',
    );
    fn.pull();
    await fn.start();
    note(`function image (pulled, amd64) serving mTLS on ${fn.address} as uid 65532`);
    await waitFor(
      'Configuration Installed and Healthy',
      async () => {
        await playPackageRuntime(kube, 'ProviderRevision');
        await playPackageRuntime(kube, 'FunctionRevision', `dns:///${fn.address}`);
        const configuration = await kube.get({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Configuration', name: 'configuration-eks-cluster' });
        return isTrue(configuration, 'Installed') && isTrue(configuration, 'Healthy') ? configuration : undefined;
      },
      240_000,
      group,
      1000,
    );
    const functions = await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Function' });
    const providers = await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider' });
    note(`Functions: ${functions.map((f) => String((f.metadata as JsonObject).name)).join(', ')}`);
    note(`Providers: ${providers.map((p) => String((p.metadata as JsonObject).name)).join(', ')}`);
    await waitFor(
      'the EKSCluster CRD established',
      async () => {
        const crd = await kube.find({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'eksclusters.eks.gitops.dev' });
        return isTrue(crd, 'Established') ? crd : undefined;
      },
      60_000,
      group,
    );
  },
};
