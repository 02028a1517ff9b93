/**
 * End to end, part 2: the Flux-driven rollout from Git. The real Flux
 * controllers, bootstrapped on a Git server on 127.0.0.1 that serves this
 * repository's working tree, install Crossplane, the providers and our packages
 * in `dependsOn` order, apply the EKSCluster from flux/workload-clusters, wait
 * on it with the gate's CEL health check, and deliver apps/web into the workload
 * API server through the kubeconfig Secret. Commits then grow the cluster and
 * remove it. What the environment forces is an overlay applied at bootstrap
 * (e2e/part2/overlay.ts); nothing under flux/ or apps/ is edited.
 *
 * The part is the list below: each stage is one function in e2e/part2/stages/
 * with a name and the line of what it proves, run in this order on one context
 * (e2e/part2/context.ts); e2e/README.md tells the story stage by stage.
 */
import type { ProcessGroup } from 'function-eks-cluster/testing';
import { startChartPart, type ChartPartContext } from './lib/environment.js';
import { controlPlaneStage, runPart } from './lib/part.js';
import { runStages, type Stage } from './lib/stages.js';
import { fluxContext, SERVERS, startServers, stopFlux, type FluxContext } from './part2/context.js';
import { awsRecovers } from './part2/stages/aws-recovers.js';
import { bootstrapFromGit } from './part2/stages/bootstrap.js';
import { crossplaneInstalled } from './part2/stages/crossplane.js';
import { day2Commits } from './part2/stages/day2.js';
import { fenceHolds } from './part2/stages/fence.js';
import { gateFailsEarly } from './part2/stages/gate-fails.js';
import { karpenterDelivered } from './part2/stages/karpenter.js';
import { packagesInOrder } from './part2/stages/packages.js';
import { podNetworkingDelivered } from './part2/stages/pod-networking.js';
import { prometheusDelivered } from './part2/stages/prometheus.js';
import { rejectedCommitReported } from './part2/stages/rejected-commit.js';
import { teamARemoved } from './part2/stages/teardown.js';
import { teamBUpToIdentity } from './part2/stages/team-b.js';
import { zoneDAdded } from './part2/stages/zone-d.js';

export const PART2_VERDICT =
  "Flux, locked down for tenants, installed Crossplane, the providers and our packages from Git in dependsOn order, failed the gate while AWS failed a node group and held the apps, delivered Karpenter (its chart from an OCI registry, its EC2NodeClass and NodePool from the cluster's facts), Prometheus (its chart from a Helm repository, writing to the Prometheus workspace the function composed, from the cluster's facts), the ENIConfigs of pod networking (its chart from the team's Git source) and apps/web into the new cluster as the team, applied monitoring's AWS identity from the cluster facts with no input made by hand (for team-b, up to the AWS identity Flux reaches it with), reported an XR the XRD rejects, grew the cluster by commit without touching what existed, walked it through day-2 commits (flow logs on and off, a node group replaced before its old one went) with no AWS refusal, refused a team folder reaching outside its namespace or identity while the rest reconciled, and tore it all down by commit, Karpenter's nodes before the cluster and Prometheus and the ENIConfigs uninstalled from it before AWS deleted it";

/** After the control plane and the servers: the stages, in the order they run (each builds on what the ones before left). */
export const FLUX_STAGES: readonly Stage<FluxContext>[] = [
  bootstrapFromGit,
  crossplaneInstalled,
  packagesInOrder,
  gateFailsEarly,
  awsRecovers,
  prometheusDelivered,
  podNetworkingDelivered,
  teamBUpToIdentity,
  karpenterDelivered,
  rejectedCommitReported,
  zoneDAdded,
  day2Commits,
  fenceHolds,
  teamARemoved,
];

export function fluxPart(ctx: ChartPartContext): Promise<ProcessGroup> {
  return runPart(ctx.work, async (group) => {
    const part = await startChartPart(ctx, group, controlPlaneStage('flux'));
    const servers = await ctx.timeline.stage(SERVERS, (note) => startServers(ctx, group, part, note));
    const flux = fluxContext(group, part, servers);
    await runStages(ctx.timeline, flux, FLUX_STAGES);
    await stopFlux(flux);
  });
}
