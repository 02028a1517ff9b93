/**
 * Part 2, stage flux/fence: a team folder's reach outside its namespace and
 * identity refused, one Kustomization per escape (../../lib/fence.ts), while the
 * rest of the folder reconciles; then reverted (e2e/README.md, part 2, step 7).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { expectListedInReadme, FENCE_ATTEMPTS, fenceKustomization } from '../../lib/fence.js';
import { readyLine, requestReconcile } from '../../lib/flux.js';
import { condition, isTrue } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import { CLUSTER_FOLDER, ks, XR_REF, type FluxContext } from '../context.js';

export const fenceHolds: Stage<FluxContext> = {
  name: 'flux/fence',
  proves:
    "The fence: a team folder that reaches for a ClusterRole, another team's namespace or EKS cluster, the platform's AWS identity (on an EKSCluster or as a ProviderConfig), the platform's source or no ServiceAccount is refused; the rest of the folder reconciles",
  async run({ group, kube, git, fluxReady, commit, settled }, note) {
    // Another team's namespace: team-b's grant created it.
    expectListedInReadme();
    const list = `${CLUSTER_FOLDER}/kustomization.yaml`;
    const original = git.read(list);
    const escapes = Object.entries(FENCE_ATTEMPTS);
    git.write(
      `${CLUSTER_FOLDER}/escape.yaml`,
      escapes.map(([name, e]) => stringify(fenceKustomization(name, e, `./${CLUSTER_FOLDER}/escape/${name}`))).join('---\n'),
    );
    for (const [name, e] of escapes) git.write(`${CLUSTER_FOLDER}/escape/${name}/object.yaml`, stringify(e.object));
    git.write(list, original.replace(/^resources:\n/m, 'resources:\n  - escape.yaml\n'));
    const revision = await commit('team-a: reach outside its namespace', ks('team-a', 'team-a'));
    await fluxReady(ks('team-a', 'team-a'));
    for (const [name, e] of escapes) {
      const refused = await waitFor(
        `Kustomization team-a/${name} refused`,
        async () => {
          const ready = condition(await kube.find(ks('team-a', name)), 'Ready');
          return ready?.status === 'False' && e.refusal.test(ready.message ?? '') ? ready : undefined;
        },
        120_000,
        group,
        1000,
      );
      note(`${name}: Ready=False (${refused.reason}): ${refused.message?.split('\n')[0]?.slice(0, 400)}`);
    }
    for (const [name, { object }] of escapes) {
      const { apiVersion, kind, metadata } = object as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } };
      if (await kube.find({ apiVersion, kind, ...metadata })) throw new Error(`${name}: the team's ${kind} ${metadata.name} exists`);
    }
    const xr = await kube.find(XR_REF);
    if (!isTrue(xr, 'Ready')) throw new Error(`EKSCluster team-a/team-a is not Ready: ${readyLine(xr)}`);
    // The rest of the folder: the same commit applied, Ready.
    for (const name of ['team-a', 'eks-cluster', 'web', 'monitoring']) {
      await requestReconcile(kube, ks('team-a', name));
      await waitFor(
        `Kustomization team-a/${name} Ready at ${revision}`,
        async () => {
          const o = await kube.find(ks('team-a', name));
          if (isTrue(o, 'Ready') && (o?.status as JsonObject | undefined)?.lastAppliedRevision === revision) return true;
          throw new Error(readyLine(o));
        },
        300_000,
        group,
        1000,
      );
    }
    note(`nothing of them exists; EKSCluster team-a Ready; team-a, eks-cluster, web, monitoring: Ready at ${revision}`);
    git.write(list, original);
    rmSync(join(git.checkout, CLUSTER_FOLDER, 'escape.yaml'));
    rmSync(join(git.checkout, CLUSTER_FOLDER, 'escape'), { recursive: true });
    await settled(await commit('Revert "team-a: reach outside its namespace"', ks('team-a', 'team-a')));
    note('reverted: the refused Kustomizations are gone, everything Ready again');
  },
};
