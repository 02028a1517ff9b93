/**
 * What every stage of part 2 is given (e2e/part2-flux.ts builds it once, after
 * the servers are up, and passes it to each stage): the clusters, the servers on
 * 127.0.0.1, the simulated AWS and the played Karpenter, and the moves a user
 * makes with Flux (a commit, `flux reconcile`, waiting for Ready).
 */
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { waitFor, type ApiServer, type JsonObject, type Kube, type ObjectRef, type ProcessGroup, type Started } from 'function-eks-cluster/testing';
import { type ChartPart, type ChartPartContext } from '../lib/environment.js';
import { GIT_REPOSITORY, KUSTOMIZATION, readyLine, requestReconcile, startFlux, FLUX_NAMESPACE } from '../lib/flux.js';
import { installEniConfigCrd } from '../lib/pod-networking.js';
import { BRANCH, startGitServer, type GitServer } from '../lib/git-server.js';
import { startCrossplaneChartRepository, type HelmRepository } from '../lib/helm-repository.js';
import { PlayedKarpenter, pushKarpenterChart, type KarpenterChart } from '../lib/karpenter.js';
import { isTrue, nameOf } from '../lib/objects.js';
import { startPrometheusChartRepository } from '../lib/prometheus.js';
import { pinToMirror } from '../lib/release-pins.js';
import { SimulatedAws } from '../lib/simulated-aws-controller.js';
import type { Note, StageName } from '../lib/timeline.js';

export const CLUSTER_FOLDER = 'flux/workload-clusters/team-a';
export const XR_PATH = `${CLUSTER_FOLDER}/eks-cluster/eks-cluster.yaml`;
/** team-a's EKSCluster, as flux/workload-clusters/team-a applies it. */
export const XR_REF = { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', namespace: 'team-a', name: 'team-a' };
export const TEAM_A_USAGES = { apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', namespace: 'team-a' };

/** A Flux Kustomization's reference. */
export const ks = (namespace: string, name: string): ObjectRef => ({ ...KUSTOMIZATION, namespace, name });

/** The servers on 127.0.0.1 that stand in for the Internet, and the Flux controllers. */
export interface Servers {
  git: GitServer;
  helm: HelmRepository;
  prometheusChart: HelmRepository;
  karpenterChart: KarpenterChart;
  helmController: Started;
}

export interface FluxContext extends ChartPart, Servers {
  group: ProcessGroup;
  workloadServer: ApiServer;
  aws: SimulatedAws;
  karpenter: PlayedKarpenter;
  order: ReadyOrder;
  /** Waits for a Flux object to be Ready; while it is not, the error says what it reports. */
  fluxReady: (ref: ObjectRef, timeoutMs?: number) => Promise<JsonObject>;
  /** Commits the working copy, has every GitRepository fetch it, then asks `refs` to reconcile now; the revision. */
  commit: (message: string, ...refs: ObjectRef[]) => Promise<string>;
  /** Every Kustomization Ready at `revision`. */
  settled: (revision: string) => Promise<unknown>;
  /** team-a's EKSCluster as Git holds it, and a write of it into the working copy. */
  readXr: () => JsonObject;
  writeXr: (xr: JsonObject) => void;
  /** team-a's cluster facts, the ConfigMap the function composes. */
  facts: () => Promise<Record<string, string>>;
}

export const SERVERS: StageName = {
  name: 'flux/servers',
  proves:
    'Git over smart HTTP, two Helm repositories, an OCI registry and the Flux controllers (source v1.9.5, kustomize v1.9.5, helm v1.6.4), all on 127.0.0.1',
};

/** Git (serving this working tree, the release pinned by digest), the charts' repositories and Flux. */
export async function startServers(ctx: ChartPartContext, group: ProcessGroup, { plane, kube, workload }: ChartPart, note: Note): Promise<Servers> {
  const { work } = ctx;
  const git = await startGitServer(join(work, 'git'), 'eks-gitops');
  note(`git: ${git.url} (${BRANCH}: this repository's working tree, one commit)`);
  const pinned = pinToMirror(git.checkout, ctx.mirror, ctx.version);
  for (const line of pinned.notes) note(line);
  if (pinned.changed) note(`git: ${git.commit('Pin the release by digest: what the run pushed to the mirror')}`);
  const helm = await startCrossplaneChartRepository();
  note(`helm: ${helm.url} (chart crossplane ${helm.chart.version} from the core module, sha256 ${helm.chart.digest.slice(0, 12)})`);
  const prometheusChart = await startPrometheusChartRepository();
  note(
    `helm: ${prometheusChart.url} (chart prometheus ${prometheusChart.chart.version} from the Go module of prometheus-community/helm-charts, its dependencies vendored, sha256 ${prometheusChart.chart.digest.slice(0, 12)})`,
  );
  const karpenterChart = pushKarpenterChart(ctx.registry, join(work, 'helm'));
  note(
    `oci: ${karpenterChart.url}:${karpenterChart.version} (chart karpenter from the Go module of its release, pushed with helm, ${karpenterChart.digest.slice(0, 19)})`,
  );
  const { crds, helmController } = await startFlux(group, kube, {
    kubeconfigFile: plane.primary.kubeconfigFile,
    storageDir: join(work, 'flux-storage'),
    requeueDependency: '5s',
  });
  note(`${crds} Flux CRDs from the controllers' modules; controllers ready`);
  note(`workload API server: CRDs ${await installEniConfigCrd(workload, group)} (the VPC CNI's, as its EKS add-on installs them)`);
  return { git, helm, karpenterChart, prometheusChart, helmController };
}

/** Records the moment each Flux Kustomization first turns Ready, for the timeline. */
export class ReadyOrder {
  readonly seen: { name: string; at: number }[] = [];
  private readonly started = Date.now();
  constructor(private readonly kube: Kube) {}

  async poll(): Promise<void> {
    for (const k of await this.kube.list(KUSTOMIZATION)) {
      const name = `${String((k.metadata as JsonObject).namespace)}/${nameOf(k)}`;
      if (isTrue(k, 'Ready') && !this.seen.some((s) => s.name === name)) this.seen.push({ name, at: Date.now() });
    }
  }

  since(from: number): string[] {
    return this.seen.filter((s) => s.at >= from).map((s) => `Kustomization ${s.name} Ready at +${((s.at - this.started) / 1000).toFixed(1)} s`);
  }
}

/** The context of every later stage: the simulated AWS and the played Karpenter made (not started), the Ready order recorded from now. */
export function fluxContext(group: ProcessGroup, part: ChartPart, servers: Servers): FluxContext {
  const { plane, kube, workload, env } = part;
  const { git } = servers;
  const workloadServer = plane.apiservers[1]!;
  const aws = new SimulatedAws(kube, { namespaces: ['team-a', 'team-b'], workloadKubeconfig: workloadServer.kubeconfigYaml });
  // Karpenter's controller as far as the teardown order depends on it (e2e/lib/karpenter.ts); its Deployment is the chart's.
  const karpenter = new PlayedKarpenter(workload, aws, { namespace: 'kube-system', name: 'karpenter' });
  const order = new ReadyOrder(kube);
  const fluxReady = (ref: ObjectRef, timeoutMs = 300_000) =>
    waitFor(
      `${ref.kind} ${ref.namespace}/${ref.name} Ready`,
      async () => {
        await order.poll();
        const o = await kube.find(ref);
        if (isTrue(o, 'Ready')) return o!;
        throw new Error(`${readyLine(o)}${env.errors ? `; environment: ${env.errors} errors, last: ${env.lastError}` : ''}`);
      },
      timeoutMs,
      group,
      1000,
    );
  const commit = async (message: string, ...refs: ObjectRef[]) => {
    const revision = git.commit(message);
    // `flux reconcile source git` of the platform's and the team's source, then of the Kustomizations that must apply it now.
    const sources = [
      { ...GIT_REPOSITORY, namespace: FLUX_NAMESPACE, name: FLUX_NAMESPACE },
      { ...GIT_REPOSITORY, namespace: 'team-a', name: 'team-a' },
      { ...GIT_REPOSITORY, namespace: 'team-b', name: 'team-b' },
    ];
    for (const source of sources) {
      if (!(await kube.find(source))) continue;
      await requestReconcile(kube, source);
      await waitFor(
        `GitRepository ${source.namespace}/${source.name} at ${revision}`,
        async () => {
          const current = await kube.get(source);
          return ((current.status as JsonObject).artifact as JsonObject | undefined)?.revision === revision ? true : undefined;
        },
        60_000,
        group,
        500,
      );
    }
    for (const ref of refs) await requestReconcile(kube, ref);
    return revision;
  };
  /**
   * Every Kustomization Ready at `revision`: no health check still running. A
   * Kustomization deleted mid-check waits out its timeout (15 minutes for
   * monitoring) before Flux finalizes it, so the run settles before a removal.
   */
  const settled = (revision: string) =>
    waitFor(
      `every Kustomization Ready at ${revision}`,
      async () => {
        await order.poll();
        const lagging = (await kube.list(KUSTOMIZATION)).filter(
          (k) => !isTrue(k, 'Ready') || (k.status as JsonObject | undefined)?.lastAppliedRevision !== revision,
        );
        if (lagging.length === 0) return true;
        throw new Error(lagging.map((k) => `${String((k.metadata as JsonObject).namespace)}/${nameOf(k)}: ${readyLine(k)}`).join('; '));
      },
      300_000,
      group,
      1000,
    );
  const facts = async () =>
    ((await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'team-a-cluster-facts' })).data ?? {}) as Record<string, string>;
  return {
    ...part,
    ...servers,
    group,
    workloadServer,
    aws,
    karpenter,
    order,
    fluxReady,
    commit,
    settled,
    readXr: () => parse(git.read(XR_PATH)) as JsonObject,
    writeXr: (xr) => git.write(XR_PATH, stringify(xr)),
    facts,
  };
}

/** What the part started, stopped once every stage passed (on a failure, main.ts stops the part's process group). */
export async function stopFlux(ctx: FluxContext): Promise<void> {
  ctx.env.stop();
  await ctx.karpenter.stop();
  await ctx.aws.stop();
  await ctx.fn.stop();
  await ctx.git.close();
  await ctx.helm.close();
  await ctx.prometheusChart.close();
}
