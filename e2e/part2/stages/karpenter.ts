/**
 * Part 2, stage flux/karpenter: Karpenter's chart, EC2NodeClass and NodePool
 * in the workload API server from the facts, before web, its Usages in force
 * (e2e/README.md, part 2, step 3).
 */
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { HELM_RELEASE, readyLine } from '../../lib/flux.js';
import { EC2_NODE_CLASS, NODE_POOL } from '../../lib/karpenter.js';
import { isTrue, nameOf } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import { ks, TEAM_A_USAGES, XR_REF, type FluxContext } from '../context.js';

export const karpenterDelivered: Stage<FluxContext> = {
  name: 'flux/karpenter',
  proves:
    "Karpenter (apps/karpenter) from the cluster's facts: helm-controller installs the chart from the loopback OCI registry into the workload API server, then its EC2NodeClass and NodePool land there, before web; Usages hold the EKSCluster and the release for its teardown",
  async run({ group, kube, workload, karpenterChart, order, fluxReady, facts }, note) {
    const known = await facts();
    const release = await fluxReady({ ...HELM_RELEASE, namespace: 'team-a', name: 'karpenter' });
    await fluxReady(ks('team-a', 'karpenter'));
    await fluxReady(ks('team-a', 'karpenter-nodes'));
    const installed = ((release.status as JsonObject).history as JsonObject[] | undefined)?.[0];
    // From an OCIRepository, helm-controller names the chart version with the artifact's digest as build metadata.
    const fromPushed = `${karpenterChart.version}+${karpenterChart.digest.replace(/^sha256:/, '').slice(0, 12)}`;
    if (installed?.chartName !== 'karpenter' || installed.chartVersion !== fromPushed)
      throw new Error(`HelmRelease karpenter installed ${String(installed?.chartName)} ${String(installed?.chartVersion)}, not karpenter ${fromPushed}`);
    note(`HelmRelease team-a/karpenter: chart karpenter ${fromPushed} installed (the artifact pushed to ${karpenterChart.url})`);
    // In the workload API server: the chart's CRDs and controller, configured with the facts.
    const crds = ['nodepools.karpenter.sh', 'nodeclaims.karpenter.sh', 'ec2nodeclasses.karpenter.k8s.aws'];
    for (const name of crds) await workload.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
    const namespace = known.karpenter_namespace!;
    const deployment = await workload.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'karpenter' });
    const pod = ((deployment.spec as JsonObject).template as JsonObject).spec as JsonObject;
    const env = Object.fromEntries(((pod.containers as JsonObject[])[0]!.env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));
    const expected: [string, string | undefined, string][] = [
      ['env CLUSTER_NAME', env.CLUSTER_NAME, 'cluster_name'],
      ['env CLUSTER_ENDPOINT', env.CLUSTER_ENDPOINT, 'cluster_endpoint'],
      ['env INTERRUPTION_QUEUE', env.INTERRUPTION_QUEUE, 'karpenter_interruption_queue'],
      ['serviceAccountName', String(pod.serviceAccountName), 'karpenter_service_account'],
    ];
    const nodeClass = await workload.get({ ...EC2_NODE_CLASS, name: 'default' });
    const spec = nodeClass.spec as JsonObject;
    const subnetTerm = ((spec.subnetSelectorTerms as JsonObject[])[0]!.tags as Record<string, string>)['karpenter.sh/discovery'];
    expected.push(
      ['EC2NodeClass role', String(spec.role), 'karpenter_node_role_name'],
      ['EC2NodeClass security group', String((spec.securityGroupSelectorTerms as JsonObject[])[0]!.id), 'cluster_security_group_id'],
      ['EC2NodeClass subnets by tag karpenter.sh/discovery', subnetTerm, 'cluster_name'],
    );
    for (const [what, value, key] of expected) {
      if (!known[key] || value !== known[key]) throw new Error(`${what} is ${String(value)}, not the facts' ${key} (${String(known[key])})`);
    }
    await workload.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace, name: known.karpenter_service_account! });
    note(
      `in the workload API server: CRDs ${crds.join(', ')}; Deployment ${namespace}/karpenter with ${expected
        .slice(0, 4)
        .map(([what, value, key]) => `${what} ${String(value)} (= ${key})`)
        .join(', ')}; ServiceAccount ${namespace}/${known.karpenter_service_account}`,
    );
    const pool = await workload.get({ ...NODE_POOL, name: 'default' });
    note(
      `EC2NodeClass default: ${expected
        .slice(4)
        .map(([what, value, key]) => `${what.replace('EC2NodeClass ', '')} ${String(value)} (= ${key})`)
        .join(', ')}; NodePool default (limits ${JSON.stringify((pool.spec as JsonObject).limits)})`,
    );
    // Web after Karpenter's nodes (dependsOn): the moments each turned Ready.
    const readyAt = (name: string) => order.seen.find((r) => r.name === `team-a/${name}`)?.at ?? Infinity;
    if (!(readyAt('karpenter-nodes') <= readyAt('web'))) throw new Error('web turned Ready before karpenter-nodes');
    note(`Ready: karpenter-nodes ${((readyAt('web') - readyAt('karpenter-nodes')) / 1000).toFixed(1)} s before web`);
    // The teardown order is in force: both Usages Available, their objects labelled in use.
    const held = await waitFor(
      "the Usages of apps/karpenter's teardown order in force",
      async () => {
        const found = (await kube.list(TEAM_A_USAGES)).filter((u) => nameOf(u).endsWith('-held-by-karpenter-nodes'));
        const xr = await kube.get(XR_REF);
        const hr = await kube.get({ ...HELM_RELEASE, namespace: 'team-a', name: 'karpenter' });
        const inUse = (o: JsonObject) => ((o.metadata as JsonObject).labels as Record<string, string> | undefined)?.['crossplane.io/in-use'] === 'true';
        if (found.length === 2 && found.every((u) => isTrue(u, 'Ready')) && inUse(xr) && inUse(hr)) return found;
        throw new Error(
          `Usages: ${found.map((u) => `${nameOf(u)} ${readyLine(u)}`).join('; ') || 'none'}; in use: EKSCluster ${inUse(xr)}, HelmRelease ${inUse(hr)}`,
        );
      },
      120_000,
      group,
      1000,
    );
    note(`Usages ${held.map(nameOf).join(', ')} Available: EKSCluster team-a and HelmRelease karpenter held by Kustomization karpenter-nodes`);
  },
};
