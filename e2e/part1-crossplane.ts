/**
 * End to end, part 1: real Crossplane composes an EKSCluster. Crossplane core
 * v2.4.0 on a local control plane installs our Configuration from the registry,
 * with the provider packages declaring SafeStart as the real ones do: only the
 * Configuration's own activation policy activates the kinds composed. The
 * function runs from its pulled image over mTLS, and a simulated AWS plays the
 * providers. The XR, with every optional block on (examples/everything.yaml),
 * survives faults, grows without replacing anything, reports a failing node
 * group, and is deleted in an order AWS accepts.
 *
 * The part is the list below: each stage is one function in e2e/part1/stages/
 * with a name and the line of what it proves, run in this order on one context
 * (e2e/part1/context.ts); e2e/README.md tells the story.
 */
import { Kube, makePki, type ProcessGroup } from 'function-eks-cluster/testing';
import { controlPlaneStage, runPart, startClusters } from './lib/part.js';
import { runStages, type Stage } from './lib/stages.js';
import { CORE, crossplaneContext, startCrossplane, XR_FILE, type CrossplaneContext, type PartContext } from './part1/context.js';
import { activation } from './part1/stages/activation.js';
import { configuration } from './part1/stages/configuration.js';
import { faults } from './part1/stages/faults.js';
import { grow } from './part1/stages/grow.js';
import { kubeconfig } from './part1/stages/kubeconfig.js';
import { nodeGroupFails } from './part1/stages/node-group-fails.js';
import { ready } from './part1/stages/ready.js';
import { signatures } from './part1/stages/signatures.js';
import { teardown } from './part1/stages/teardown.js';
import { upgrade } from './part1/stages/upgrade.js';

export const PART1_VERDICT = `real Crossplane composed ${XR_FILE.split('/').pop()} over mTLS through the published packages, on providers enforcing activation, survived the faults, grew it without replacing anything, upgraded the Function and Configuration to the next release with no AWS change, reported a failing node group, and deleted it in an order AWS accepts`;

/** After the control plane and core: the stages, in the order they run (each builds on what the ones before left). */
export const CROSSPLANE_STAGES: readonly Stage<CrossplaneContext>[] = [
  configuration,
  signatures,
  activation,
  faults,
  ready,
  kubeconfig,
  grow,
  nodeGroupFails,
  upgrade,
  teardown,
];

export function crossplanePart(ctx: PartContext): Promise<ProcessGroup> {
  return runPart(ctx.work, async (group) => {
    const plane = await startClusters(ctx.timeline, group, ctx.work, controlPlaneStage('crossplane'));
    const kube = new Kube(plane.primary.kubeconfigYaml);
    const pki = makePki();
    const crossplane = await ctx.timeline.stage(CORE, (note) => startCrossplane(ctx, { group, plane, kube, pki }, note));
    const part = crossplaneContext(ctx, { group, plane, kube, pki, crossplane });
    await runStages(ctx.timeline, part, CROSSPLANE_STAGES);
    await part.aws.stop();
    await part.fn.stop();
  });
}
