/**
 * Part 2, stage flux/prometheus: Prometheus' chart installed by
 * helm-controller into the workload API server, configured from the facts, its
 * Usage holding the EKSCluster (e2e/README.md, part 2, step 3).
 */
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { HELM_RELEASE, readyLine } from '../../lib/flux.js';
import { condition, isTrue, nameOf } from '../../lib/objects.js';
import { expectPrometheusFromFacts } from '../../lib/prometheus.js';
import type { Stage } from '../../lib/stages.js';
import type { FluxContext } from '../context.js';

export const prometheusDelivered: Stage<FluxContext> = {
  name: 'flux/prometheus',
  proves:
    "Prometheus (apps/monitoring) from the cluster's facts: helm-controller installs the chart from the loopback Helm repository into the workload API server, writing to the composed workspace's remote-write URL with SigV4 in the cluster's region; a Usage holds the EKSCluster for its uninstall",
  async run({ group, kube, workload, prometheusChart, fluxReady }, note) {
    const release = await fluxReady({ ...HELM_RELEASE, namespace: 'team-a', name: 'prometheus' });
    note(`HelmRelease team-a/prometheus Ready: ${condition(release, 'Ready')?.message ?? ''}`);
    for (const line of await expectPrometheusFromFacts(kube, workload, 'team-a', prometheusChart.chart.version)) note(line);
    // The teardown order is in force: the Usage Available, owned by the HelmRelease (the garbage collector deletes it after it).
    const usage = await waitFor(
      "the Usage of apps/monitoring's teardown order in force",
      async () => {
        const found = await kube.find({
          apiVersion: 'protection.crossplane.io/v1beta1',
          kind: 'Usage',
          namespace: 'team-a',
          name: 'team-a-held-by-prometheus',
        });
        const owners = ((found?.metadata as JsonObject | undefined)?.ownerReferences ?? []) as JsonObject[];
        const ownedByRelease = owners.some((o) => o.kind === 'HelmRelease' && o.uid === (release.metadata as JsonObject).uid);
        if (found && isTrue(found, 'Ready') && ownedByRelease) return found;
        throw new Error(`Usage team-a/team-a-held-by-prometheus: ${found ? `${readyLine(found)}, owned by the HelmRelease: ${ownedByRelease}` : 'not found'}`);
      },
      120_000,
      group,
      1000,
    );
    note(`Usage ${nameOf(usage)} Available, owned by HelmRelease prometheus: EKSCluster team-a held until the release is uninstalled`);
  },
};
