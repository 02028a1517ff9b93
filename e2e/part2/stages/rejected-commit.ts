/**
 * Part 2, stage flux/rejected-commit: a commit the XRD's CEL rule refuses,
 * reported by the gate with the XRD's own message, then reverted
 * (e2e/README.md, part 2, step 4).
 */
import { API_GROUP, PLURAL, waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { condition, validationMessages } from '../../lib/objects.js';
import type { Stage } from '../../lib/stages.js';
import { ks, XR_PATH, type FluxContext } from '../context.js';

export const rejectedCommitReported: Stage<FluxContext> = {
  name: 'flux/rejected-commit',
  proves: "A commit the XRD rejects (zone c removed): Flux reports the XRD's own message; reverting recovers, nothing reaches AWS",
  async run({ group, kube, git, aws, commit, settled, readXr, writeXr }, note) {
    // The message of the XRD's rule on zone removal, as the API server holds it in the EKSCluster CRD.
    const crd = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `${PLURAL}.${API_GROUP}` });
    const [refusal, ...others] = validationMessages(crd, 'allowZoneRemoval');
    if (!refusal || others.length) throw new Error(`expected one CEL rule on allowZoneRemoval in the EKSCluster CRD, found ${[refusal, ...others].length}`);
    const seen = aws.events.length;
    const original = git.read(XR_PATH);
    const xr = readXr();
    const zones = ((xr.spec as JsonObject).network as JsonObject).availabilityZones as string[];
    ((xr.spec as JsonObject).network as JsonObject).availabilityZones = zones.filter((z) => z !== 'c');
    writeXr(xr);
    const revision = await commit('team-a: drop zone c', ks('team-a', 'eks-cluster'));
    const failed = await waitFor(
      'the gate failing on the new revision',
      async () => {
        const o = await kube.get(ks('team-a', 'eks-cluster'));
        const ready = condition(o, 'Ready');
        const attempted = (o.status as JsonObject | undefined)?.lastAttemptedRevision;
        if (attempted !== revision || ready?.status !== 'False') return undefined;
        if (!ready.message?.includes(refusal)) throw new Error(`the gate failed, but not with the XRD's message "${refusal}": ${ready.message}`);
        return ready;
      },
      120_000,
      group,
      1000,
    );
    note(`gate eks-cluster: Ready=False (${failed.reason}): ${failed.message?.split('\n')[0]?.slice(0, 400)}`);
    git.write(XR_PATH, original);
    await settled(await commit('Revert "team-a: drop zone c"', ks('team-a', 'eks-cluster')));
    const inAws = aws.events.slice(seen).filter((e) => e.what !== 'failing');
    note(`reverted: gate Ready again; AWS: ${inAws.length} creates, changes or deletes`);
    if (inAws.length) throw new Error(`a rejected commit reached AWS: ${inAws.map((e) => `${e.what} ${e.kind} ${e.name}`).join(', ')}`);
  },
};
