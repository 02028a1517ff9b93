/**
 * Part 2, stage flux/teardown: two commits remove team-a; apps leave the
 * workload cluster first, Karpenter's nodes and Prometheus' release before the
 * EKSCluster, AWS deletes in an order it accepts, nothing is left
 * (e2e/README.md, part 2, step 8).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { FLUX_NAMESPACE, HELM_RELEASE } from '../../lib/flux.js';
import { EC2_NODE_CLASS, NODE_POOL } from '../../lib/karpenter.js';
import { condition, managed, nameOf, untilGone } from '../../lib/objects.js';
import { prometheusGone } from '../../lib/prometheus.js';
import type { Stage } from '../../lib/stages.js';
import { CLUSTER_FOLDER, ks, TEAM_A_USAGES, XR_REF, type FluxContext } from '../context.js';

// Crossplane's Usage webhook writes it on an object whose deletion it refused, and replays that deletion once the Usage goes.
const DELETION_ATTEMPT = 'usage.crossplane.io/deletion-attempt-with-policy';

export const teamARemoved: Stage<FluxContext> = {
  name: 'flux/teardown',
  proves:
    "Commits remove team-a: its folder (apps leave the workload cluster, then AWS resources go in an order AWS accepts; helm-controller paused past Karpenter's hold, so the Usages of apps/monitoring and apps/pod-networking alone keep the EKSCluster until their releases are uninstalled), then its grant; nothing is left",
  async run({ group, kube, workload, git, helmController, aws, karpenter, commit }, note) {
    const existing = await managed(kube, 'team-a');
    const before = existing.length;
    const seen = aws.events.length;
    // What the function composed (controlled by the EKSCluster), whose deletions its Usages order.
    const composed = new Set(
      existing
        .filter((o) => ((o.metadata as JsonObject).ownerReferences as JsonObject[] | undefined)?.some((r) => r.controller === true && r.kind === 'EKSCluster'))
        .map(nameOf),
    );
    // First the team's folder, pruned as the team's ServiceAccount while it still exists.
    rmSync(join(git.checkout, CLUSTER_FOLDER), { recursive: true, force: true });
    git.write(`${CLUSTER_FOLDER}/kustomization.yaml`, 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n');
    // helm-controller is paused (SIGSTOP) from before the commit until Karpenter's Usages are gone and a while
    // longer, as a helm-controller that is restarting or busy would be: nothing uninstalls Prometheus meanwhile,
    // so only the Usages of apps/monitoring and apps/pod-networking can keep the EKSCluster (and the kubeconfig Helm needs) once Karpenter's go.
    helmController.child.kill('SIGSTOP');
    let paused = true;
    const resume = () => {
      if (paused) helmController.child.kill('SIGCONT');
      paused = false;
      return Date.now();
    };
    const prometheusRelease = { ...HELM_RELEASE, namespace: 'team-a', name: 'prometheus' };
    // When Karpenter's NodePool and EC2NodeClass left the workload cluster, when Helm had uninstalled
    // Prometheus from it, and when the EKSCluster's deletion began (and whether the HelmRelease was still there then).
    const moments: { nodesGone?: number; prometheusGone?: number; xrDeleting?: number; releaseAtXrDeleting?: boolean } = {};
    const watch = setInterval(() => {
      void (async () => {
        // Prometheus before the EKSCluster: both seen in one round, the uninstall counts as first.
        if (moments.prometheusGone === undefined && (await prometheusGone(kube, workload, 'team-a'))) moments.prometheusGone = Date.now();
        const xr = await kube.find(XR_REF);
        if (moments.xrDeleting === undefined && (!xr || (xr.metadata as JsonObject).deletionTimestamp)) {
          moments.xrDeleting = Date.now();
          // Read after the EKSCluster: still here, it was here when the deletion began.
          moments.releaseAtXrDeleting = (await kube.find(prometheusRelease)) !== undefined;
        }
        const left = [await workload.find({ ...NODE_POOL, name: 'default' }), await workload.find({ ...EC2_NODE_CLASS, name: 'default' })];
        if (moments.nodesGone === undefined && left.every((o) => o === undefined)) moments.nodesGone = Date.now();
      })().catch(() => undefined);
    }, 500);
    let removed = 0;
    let webGone = 0;
    let resumed = 0;
    try {
      await commit('team-a: remove its workload cluster', ks('team-a', 'team-a'));
      removed = Date.now();
      await untilGone(workload, { apiVersion: 'v1', kind: 'Namespace', name: 'web' }, 'apps/web gone from the workload cluster', 300_000, group);
      webGone = Date.now();
      note('namespace web gone from the workload API server');
      // Karpenter's hold ends: its nodes gone, karpenter-nodes gone, its Usages with it.
      const karpenterReleased = await waitFor(
        "Karpenter's Usages gone with karpenter-nodes (helm-controller paused)",
        async () => {
          if (karpenter.blocked) return Date.now();
          const left = (await kube.list(TEAM_A_USAGES)).filter((u) => nameOf(u).endsWith('-held-by-karpenter-nodes'));
          if (left.length === 0) return Date.now();
          throw new Error(`Usages left: ${left.map(nameOf).join(', ')}`);
        },
        300_000,
        group,
        500,
      );
      if (karpenter.blocked) throw new Error(karpenter.blocked);
      // Longer than Crossplane takes to replay a refused deletion once a Usage goes (2 s): the EKSCluster must stay.
      const holdMs = 15_000;
      const began = await waitFor(
        `the EKSCluster kept ${holdMs / 1000} s after Karpenter's Usages went, Prometheus not uninstalled`,
        async () => {
          const xr = await kube.get(XR_REF);
          if ((xr.metadata as JsonObject).deletionTimestamp) return Date.now();
          return Date.now() - karpenterReleased >= holdMs ? 0 : undefined;
        },
        holdMs + 30_000,
        group,
        500,
      );
      if (began)
        throw new Error(
          `the EKSCluster's deletion began ${((began - karpenterReleased) / 1000).toFixed(1)} s after Karpenter's Usages went, while helm-controller had not uninstalled Prometheus: nothing held it`,
        );
      // What held it: a deletion was tried and refused (Crossplane's webhook records it on the object), and
      // the only Usages left of it are apps/monitoring's and apps/pod-networking's, whose HelmReleases wait, pruned, for their uninstall.
      const xr = await kube.get(XR_REF);
      const attempted = ((xr.metadata as JsonObject).annotations as Record<string, string> | undefined)?.[DELETION_ATTEMPT];
      if (!attempted) throw new Error(`no deletion of the EKSCluster was refused (no annotation ${DELETION_ATTEMPT}): Flux did not try to delete it`);
      const holding = (await kube.list(TEAM_A_USAGES))
        .filter((u) => {
          const of = (u.spec as JsonObject).of as JsonObject;
          return of.kind === 'EKSCluster' && (of.resourceRef as JsonObject | undefined)?.name === 'team-a';
        })
        .map(nameOf);
      // Both releases wait for helm-controller, and each one's Usage holds the EKSCluster.
      const appHolds = ['team-a-held-by-pod-networking', 'team-a-held-by-prometheus'];
      if (holding.sort().join() !== appHolds.join())
        throw new Error(`Usages of the EKSCluster: ${holding.join(', ') || 'none'}, expected ${appHolds.join(' and ')} alone`);
      const release = await kube.find(prometheusRelease);
      if (!release || !(release.metadata as JsonObject).deletionTimestamp)
        throw new Error(
          `HelmRelease team-a/prometheus ${release ? 'not being deleted' : 'already gone'}: expected pruned by Flux and waiting for helm-controller`,
        );
      note(
        `helm-controller paused from the commit: Karpenter's Usages went ${((karpenterReleased - removed) / 1000).toFixed(1)} s after it; ${holdMs / 1000} s later the EKSCluster is still there, its deletion refused (${DELETION_ATTEMPT}: ${attempted}), held by Usages ${holding.join(' and ')} alone, HelmRelease prometheus Terminating, not uninstalled`,
      );
    } finally {
      resumed = resume();
    }
    await waitFor(
      'every managed resource of team-a gone',
      async () => {
        // Karpenter could not remove its nodes: nothing would end it but the timeouts (it is reported below).
        if (karpenter.blocked) return true;
        const left = await managed(kube, 'team-a');
        if (left.length === 0) return true;
        throw new Error(
          `${left.length} managed resources left: ${left
            .slice(0, 5)
            .map((o) => `${String(o.kind)} ${nameOf(o)}: ${condition(o, 'Synced')?.message ?? ''}`)
            .join('; ')}`,
        );
      },
      600_000,
      group,
      1000,
    );
    clearInterval(watch);
    if (karpenter.blocked) throw new Error(karpenter.blocked);
    // Karpenter's nodes went first: Flux pruned the NodePool and EC2NodeClass, Karpenter (played) terminated
    // their nodes while installed and allowed in AWS, and only then did the EKSCluster's deletion begin.
    const finalized = karpenter.finalized.get('default');
    if (moments.nodesGone === undefined || finalized === undefined) throw new Error("Karpenter's EC2NodeClass default was not finalized");
    if (moments.xrDeleting === undefined || moments.xrDeleting < moments.nodesGone)
      throw new Error("the EKSCluster's deletion began before Karpenter's NodePool and EC2NodeClass were gone from the workload cluster");
    const karpenterAws = aws.events.slice(seen).filter((e) => e.what === 'deleted' && /karpenter/.test(e.name));
    if (karpenterAws.length === 0 || karpenterAws[0]!.at < moments.nodesGone) throw new Error("AWS deleted Karpenter's resources before its nodes were gone");
    note(
      `NodePool and EC2NodeClass default gone from the workload API server (the played Karpenter finalized the EC2NodeClass ${((finalized - removed) / 1000).toFixed(1)} s after the commit, its Deployment and AWS role still in place), ${((moments.xrDeleting - moments.nodesGone) / 1000).toFixed(1)} s before the EKSCluster's deletion began and ${((karpenterAws[0]!.at - moments.nodesGone) / 1000).toFixed(1)} s before AWS deleted Karpenter's first resource (${karpenterAws[0]!.kind} ${karpenterAws[0]!.name}; ${karpenterAws.length} of Karpenter's deleted in all)`,
    );
    // Then the platform's grant: the namespace, its ServiceAccount, source and AWS identity.
    const list = 'flux/workload-clusters/kustomization.yaml';
    git.write(list, git.read(list).replace(/^\s*- team-a\.yaml\s*$/m, ''));
    rmSync(join(git.checkout, 'flux/workload-clusters/team-a.yaml'));
    rmSync(join(git.checkout, CLUSTER_FOLDER), { recursive: true, force: true });
    await commit('Remove team-a', ks(FLUX_NAMESPACE, 'workload-clusters'));
    await untilGone(kube, { apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }, 'namespace team-a gone from the management cluster', 300_000, group);
    note('namespace team-a gone');
    const deleted = aws.events.slice(seen).filter((e) => e.what === 'deleted');
    note(
      `${deleted.length} managed resources deleted by the simulated AWS (${before} existed); ${aws.events.slice(seen).filter((e) => e.what === 'delete-refused').length} deletions refused by AWS's rules on the way`,
    );
    note(
      `order: ${deleted
        .map((e) => e.kind)
        .filter((k, i, all) => all.indexOf(k) === i)
        .join(' -> ')}`,
    );
    const xrs = await kube.list({ apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', namespace: 'team-a' });
    if (xrs.length > 0) throw new Error(`EKSClusters left: ${xrs.map(nameOf).join(', ')}`);
    if (deleted.length < before) throw new Error(`deleted ${deleted.length}, expected at least ${before}`);
    // Every refusal of the simulated AWS is temporary, so without Usages the teardown would still end: the refusals are what shows it.
    const refused = aws.events.slice(seen).filter((e) => e.what === 'delete-refused');
    const described = (events: typeof refused) => events.map((e) => `${e.kind} ${e.name}: ${e.message}`).join('; ');
    const ofOthers = refused.filter((e) => !composed.has(e.name));
    if (ofOthers.length)
      note(`not composed by the function, so ordered by no Usage: ${ofOthers.length} deletion(s) refused on the way (${described(ofOthers)})`);
    const ofComposed = refused.filter((e) => composed.has(e.name));
    if (ofComposed.length) throw new Error(`AWS refused ${ofComposed.length} deletions of what the function composed: ${described(ofComposed)}`);
    // Apps must leave while the cluster can be reached: before AWS deletes the EKS cluster.
    const clusterDeleted = deleted.find((e) => e.kind === 'Cluster')?.at ?? 0;
    if (clusterDeleted < webGone) throw new Error('the EKS cluster was deleted before apps/web left it');
    note(`apps/web left ${((clusterDeleted - webGone) / 1000).toFixed(1)} s before AWS deleted the EKS cluster`);
    // Prometheus: the Usage kept the EKSCluster until the HelmRelease was gone, that is until Helm had
    // uninstalled it (its objects and its release record) while the cluster could be reached.
    if (moments.prometheusGone === undefined)
      throw new Error('Helm never uninstalled Prometheus from the workload cluster (HelmRelease, server Deployment and ConfigMap, release record)');
    if (moments.xrDeleting === undefined || moments.releaseAtXrDeleting !== false)
      throw new Error("the EKSCluster's deletion began while HelmRelease team-a/prometheus still existed: the Usage team-a-held-by-prometheus did not hold it");
    if (clusterDeleted < moments.prometheusGone) throw new Error('AWS deleted the EKS cluster before Helm had uninstalled Prometheus from it');
    note(
      `helm-controller resumed ${((resumed - removed) / 1000).toFixed(1)} s after the commit; Prometheus uninstalled from the workload API server ${((moments.prometheusGone - resumed) / 1000).toFixed(1)} s later, then the EKSCluster's deletion began (${((moments.xrDeleting - moments.prometheusGone) / 1000).toFixed(1)} s after: Crossplane's replay once the Usage went), and AWS deleted the EKS cluster ${((clusterDeleted - moments.prometheusGone) / 1000).toFixed(1)} s after the uninstall`,
    );
  },
};
