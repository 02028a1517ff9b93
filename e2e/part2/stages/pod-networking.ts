/**
 * Part 2, stage flux/pod-networking: apps/pod-networking's chart, from the
 * team's own GitRepository, installed by helm-controller into the workload API
 * server (which serves the VPC CNI's ENIConfig CRD: e2e/part2/context.ts): one
 * ENIConfig per zone from the facts' pod subnets.
 */
import { HELM_RELEASE } from '../../lib/flux.js';
import { condition } from '../../lib/objects.js';
import { expectEniConfigsFromFacts } from '../../lib/pod-networking.js';
import type { Stage } from '../../lib/stages.js';
import type { FluxContext } from '../context.js';

export const podNetworkingDelivered: Stage<FluxContext> = {
  name: 'flux/pod-networking',
  proves:
    "Pod networking (apps/pod-networking) from the cluster's facts: helm-controller installs the chart from team-a's own GitRepository into the workload API server, one ENIConfig per zone with its pod subnet; a Usage holds the EKSCluster for its uninstall",
  async run({ kube, workload, fluxReady }, note) {
    const release = await fluxReady({ ...HELM_RELEASE, namespace: 'team-a', name: 'pod-networking' });
    note(`HelmRelease team-a/pod-networking Ready: ${condition(release, 'Ready')?.message ?? ''}`);
    const facts = ((await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'team-a-cluster-facts' })).data ?? {}) as Record<
      string,
      string
    >;
    note(await expectEniConfigsFromFacts(workload, facts));
  },
};
