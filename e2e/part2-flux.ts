/**
 * End to end, part 2: the Flux-driven rollout from Git. The real Flux
 * controllers, bootstrapped on a Git server on 127.0.0.1 that serves this
 * repository's working tree, install Crossplane, the providers and our packages
 * in `dependsOn` order, apply the EKSCluster from flux/workload-clusters, wait
 * on it with the gate's CEL health check, and deliver apps/web into the workload
 * API server through the kubeconfig Secret. Commits then grow the cluster and
 * remove it. What the environment forces is an overlay applied at bootstrap
 * (e2e/README.md); nothing under flux/ or apps/ is edited.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { API_GROUP, Kube, PLURAL, ProcessGroup, REPO_ROOT, waitFor, type JsonObject, type ObjectRef } from 'function-eks-cluster/testing';
import { expectActivation } from './lib/activation.js';
import { AWS_ACCOUNT_ID, expectListedInReadme, FENCE_ATTEMPTS, fenceKustomization, TEAM_IDENTITY } from './lib/fence.js';
import { expectVerificationOn, PACKAGE_HOME, startChartPart, type ChartPartContext } from './lib/environment.js';
import { day2Stage } from './lib/day2-stage.js';
import { bootstrap, GIT_REPOSITORY, HELM_RELEASE, KUSTOMIZATION, readyLine, requestReconcile, startFlux, FLUX_NAMESPACE } from './lib/flux.js';
import { BRANCH, startGitServer } from './lib/git-server.js';
import { expectInstalledByDigest, pinToMirror } from './lib/release-pins.js';
import { startCrossplaneChartRepository } from './lib/helm-repository.js';
import { EC2_NODE_CLASS, NODE_POOL, PlayedKarpenter, pushKarpenterChart } from './lib/karpenter.js';
import { expectPrometheusFromFacts, prometheusGone, startPrometheusChartRepository } from './lib/prometheus.js';
import { expectEniConfigsFromFacts, installEniConfigCrd } from './lib/pod-networking.js';
import { condition, isTrue, managed, nameOf, untilGone, validationMessages } from './lib/objects.js';
import { SimulatedAws } from './lib/simulated-aws-controller.js';
import { runPart } from './lib/part.js';

const CLUSTER_FOLDER = 'flux/workload-clusters/team-a';
const XR_PATH = `${CLUSTER_FOLDER}/eks-cluster/eks-cluster.yaml`;
const WEB_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
];

export const PART2_VERDICT =
  "Flux, locked down for tenants, installed Crossplane, the providers and our packages from Git in dependsOn order, failed the gate while AWS failed a node group and held the apps, delivered Karpenter (its chart from an OCI registry, its EC2NodeClass and NodePool from the cluster's facts), Prometheus (its chart from a Helm repository, writing to the Prometheus workspace the function composed, from the cluster's facts) and apps/web into the new cluster as the team, applied monitoring's AWS identity from the cluster facts with no input made by hand (for team-b, up to the AWS identity Flux reaches it with), reported an XR the XRD rejects, grew the cluster by commit without touching what existed, walked it through day-2 commits (flow logs on and off, a node group replaced before its old one went) with no AWS refusal, refused a team folder reaching outside its namespace or identity while the rest reconciled, and tore it all down by commit, Karpenter's nodes before the cluster and Prometheus uninstalled from it before AWS deleted it";

/**
 * The chart sources teams may use (flux/infrastructure/provider-config/tenant-flux-sources.yaml),
 * with the loopback ones serving Karpenter's and Prometheus' charts.
 */
function allowedChartSources(urls: string[]): { path: string; value: string } {
  const policy = parseAllDocuments(readFileSync(join(REPO_ROOT, 'flux', 'infrastructure', 'provider-config', 'tenant-flux-sources.yaml'), 'utf8'))
    .map((d) => d.toJS() as JsonObject)
    .find((d) => d.kind === 'ValidatingAdmissionPolicy')!;
  const variables = (policy.spec as JsonObject).variables as { name: string; expression: string }[];
  const index = variables.findIndex((v) => v.name === 'allowed');
  const expression = variables[index]?.expression.trim() ?? '';
  if (!expression.endsWith(']')) throw new Error('tenant-flux-sources.yaml has no variable "allowed" holding a list');
  return { path: `/spec/variables/${index}/expression`, value: `${expression.slice(0, -1)}, ${urls.map((url) => `'${url}'`).join(', ')}]` };
}

/** The overlay the environment forces, as patches of the bootstrap Kustomization (each one is listed in e2e/README.md). */
function overlay(helmRepositoryUrl: string, karpenterChartUrl: string, prometheusChartUrl: string): JsonObject[] {
  const nested = (target: JsonObject, patches: JsonObject[]) => ({ target, patch: JSON.stringify([{ op: 'add', path: '/spec/patches', value: patches }]) });
  // For a Kustomization that has patches of its own: adds to them.
  const appended = (target: JsonObject, patches: JsonObject[]) => ({
    target,
    patch: JSON.stringify(patches.map((value) => ({ op: 'add', path: '/spec/patches/-', value }))),
  });
  return [
    // public.ecr.aws and prometheus-community.github.io cannot be reached: the charts the team's
    // OCIRepository and HelmRepository name are served on 127.0.0.1, which the platform's policy
    // on chart sources then allows too.
    nested({ kind: 'Kustomization', name: 'crossplane-provider-config' }, [
      {
        target: { kind: 'ValidatingAdmissionPolicy', name: 'tenant-flux-sources' },
        patch: JSON.stringify([{ op: 'replace', ...allowedChartSources([karpenterChartUrl, prometheusChartUrl]) }]),
      },
    ]),
    // charts.crossplane.io cannot be reached: the same chart, served on 127.0.0.1.
    nested({ kind: 'Kustomization', name: 'crossplane' }, [
      {
        target: { kind: 'HelmRepository', name: 'crossplane-stable' },
        patch: JSON.stringify([{ op: 'replace', path: '/spec/url', value: helmRepositoryUrl }]),
      },
    ]),
    // (workload-clusters applies the team's grant, whose entry Kustomization
    // applies the team's folder, whose Kustomizations apply the apps.)
    // team-b is delivered with Flux's own AWS identity, which no process here can
    // have: its web, Karpenter and pod-networking Kustomizations and its Prometheus release, which
    // reach the cluster with it, are left out; everything else of team-b is applied (its grant,
    // EKSCluster, facts, monitoring's AWS side).
    nested({ kind: 'Kustomization', name: 'workload-clusters' }, [
      ...['team-a', 'team-b'].map((team) =>
        nested({ kind: 'Kustomization', name: `tenant-${team}` }, [
          // The template's one Kustomization, named ${team} until substituted after the build.
          nested({ kind: 'Kustomization' }, [
            ...(team === 'team-b'
              ? ['web', 'karpenter', 'karpenter-nodes', 'pod-networking'].map((name) => ({
                  patch: stringify({
                    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
                    kind: 'Kustomization',
                    metadata: { name, namespace: team },
                    $patch: 'delete',
                  }),
                }))
              : []),
            nested(
              { kind: 'Kustomization', name: 'monitoring' },
              team === 'team-a'
                ? // Prometheus' chart from the loopback Helm repository, the same version (team-a's: team-b's is left out).
                  [
                    {
                      target: { kind: 'HelmRepository', name: 'prometheus-community' },
                      patch: JSON.stringify([{ op: 'replace', path: '/spec/url', value: prometheusChartUrl }]),
                    },
                  ]
                : [
                    { patch: stringify({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'prometheus' }, $patch: 'delete' }) },
                    // The Usage held by that HelmRelease (apps/monitoring/base/teardown-order.yaml): with no
                    // HelmRelease it would never be Available. Selected by kind: its name is substituted after the build.
                    {
                      target: { group: 'protection.crossplane.io', kind: 'Usage' },
                      patch: stringify({
                        apiVersion: 'protection.crossplane.io/v1beta1',
                        kind: 'Usage',
                        metadata: { name: 'held-by-prometheus' },
                        $patch: 'delete',
                      }),
                    },
                    {
                      patch: stringify({
                        apiVersion: 'source.toolkit.fluxcd.io/v1',
                        kind: 'HelmRepository',
                        metadata: { name: 'prometheus-community' },
                        $patch: 'delete',
                      }),
                    },
                  ],
            ),
            // Karpenter's chart from the loopback registry (plain HTTP), the same release (team-a's: team-b's is left out above).
            ...(team === 'team-a'
              ? [
                  appended({ kind: 'Kustomization', name: 'karpenter' }, [
                    {
                      target: { kind: 'OCIRepository', name: 'karpenter' },
                      patch: JSON.stringify([
                        { op: 'replace', path: '/spec/url', value: karpenterChartUrl },
                        { op: 'add', path: '/spec/insecure', value: true },
                      ]),
                    },
                  ]),
                ]
              : []),
          ]),
        ]),
      ),
    ]),
  ];
}

/**
 * The Prometheus workspace the function composed for a team's cluster
 * (spec.monitoring), Ready in the simulated AWS, is the one the cluster facts
 * name, and the monitoring Kustomization read nothing but the facts and the
 * team's ConfigMap tenant: no ConfigMap <team>-monitoring exists.
 */
async function expectMonitoringFromFacts(kube: Kube, team: string): Promise<string> {
  const workspace = (await managed(kube, team)).find((o) => o.kind === 'Workspace');
  if (!workspace || !isTrue(workspace, 'Ready')) throw new Error(`no Ready Workspace (amp.aws.m.upbound.io) composed for ${team}`);
  const at = (workspace.status as JsonObject).atProvider as JsonObject;
  const facts = (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: team, name: `${team}-cluster-facts` })).data as JsonObject;
  const url = `${String(at.prometheusEndpoint)}api/v1/remote_write`;
  if (facts.amp_workspace_id !== at.id || facts.amp_remote_write_url !== url)
    throw new Error(`the facts name workspace ${String(facts.amp_workspace_id)} (${String(facts.amp_remote_write_url)}), AWS made ${String(at.id)} (${url})`);
  const monitoring = await kube.get({ ...KUSTOMIZATION, namespace: team, name: 'monitoring' });
  const names = (((monitoring.spec as JsonObject).postBuild as JsonObject).substituteFrom as JsonObject[]).map((r) => String(r.name));
  if (names.join(',') !== `${team}-cluster-facts,tenant`) throw new Error(`${team}/monitoring substitutes from ${names.join(', ')}`);
  if (await kube.find({ apiVersion: 'v1', kind: 'ConfigMap', namespace: team, name: `${team}-monitoring` }))
    throw new Error(`a ConfigMap ${team}-monitoring exists`);
  return `Workspace ${nameOf(workspace)} Ready: ${String(at.id)}; ConfigMap ${team}-cluster-facts: amp_workspace_id ${String(facts.amp_workspace_id)}, amp_remote_write_url ${String(facts.amp_remote_write_url)}; monitoring (${String((monitoring.spec as JsonObject).path)}) substitutes from ${names.join(' and ')} only, no ${team}-monitoring exists`;
}

/** Records the moment each Flux Kustomization first turns Ready, for the timeline. */
class ReadyOrder {
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

export function fluxPart(ctx: ChartPartContext): Promise<ProcessGroup> {
  return runPart(ctx.work, (group) => stages(ctx, group));
}

async function stages(ctx: ChartPartContext, group: ProcessGroup): Promise<void> {
  const { timeline, work } = ctx;
  const { plane, kube, workload, fn, env } = await startChartPart(
    ctx,
    group,
    'Flux part: a fresh control plane (management and workload kube-apiservers, a kube-controller-manager each)',
  );
  const workloadServer = plane.apiservers[1]!;

  const { git, helm, karpenterChart, prometheusChart, helmController } = await timeline.stage(
    'Git over smart HTTP, two Helm repositories, an OCI registry and the Flux controllers (source v1.9.5, kustomize v1.9.5, helm v1.6.4), all on 127.0.0.1',
    async (note) => {
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
      note(`workload API server: CRD ${await installEniConfigCrd(workload, group)} (the VPC CNI's, as its EKS add-on installs it)`);
      return { git, helm, karpenterChart, prometheusChart, helmController };
    },
  );

  const aws = new SimulatedAws(kube, { namespaces: ['team-a', 'team-b'], workloadKubeconfig: workloadServer.kubeconfigYaml });
  // Karpenter's controller as far as the teardown order depends on it (e2e/lib/karpenter.ts); its Deployment is the chart's.
  const karpenter = new PlayedKarpenter(workload, aws, { namespace: 'kube-system', name: 'karpenter' });
  const order = new ReadyOrder(kube);
  /** Waits for a Flux object to be Ready; while it is not, the error says what it reports. */
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
  const ks = (namespace: string, name: string) => ({ ...KUSTOMIZATION, namespace, name });

  await timeline.stage('Bootstrap: flux-system on the Git URL, path ./flux/clusters/management, with the environment overlay', async (note) => {
    fn.pull();
    await fn.start();
    env.start();
    // The platform's tenancy input, one per management cluster (flux/README.md, "Bootstrap").
    await kube.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'tenancy', namespace: FLUX_NAMESPACE },
        data: { git_repository_url: git.url, git_branch: BRANCH, aws_account_id: AWS_ACCOUNT_ID },
      },
      'platform-team',
    );
    // What the platform grants a team on its workload cluster (flux/README.md,
    // "Security model"): under the lockdown Flux applies there as the team's
    // ServiceAccount too.
    await workload.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'flux-reconciler' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: TEAM_IDENTITY }],
      },
      'platform-team',
    );
    note(`ConfigMap flux-system/tenancy (git_repository_url, git_branch, aws_account_id ${AWS_ACCOUNT_ID}); the workload cluster binds ${TEAM_IDENTITY}`);
    await bootstrap(kube, {
      url: git.url,
      branch: BRANCH,
      path: './flux/clusters/management',
      patches: overlay(helm.url, karpenterChart.url, prometheusChart.url),
    });
    const source = await fluxReady({ ...GIT_REPOSITORY, namespace: FLUX_NAMESPACE, name: FLUX_NAMESPACE }, 60_000);
    note(`GitRepository flux-system: ${String(((source.status as JsonObject).artifact as JsonObject | undefined)?.revision)}`);
    await fluxReady(ks(FLUX_NAMESPACE, FLUX_NAMESPACE), 60_000);
    for (const line of order.since(0)) note(line);
    note(`function image (pulled from the mirror of ${PACKAGE_HOME}) serving mTLS on ${fn.address}`);
  });

  await timeline.stage(
    'Flux installs Crossplane: HelmRelease crossplane from the loopback chart; the test runs the process its Deployment describes',
    async (note) => {
      const from = Date.now();
      const release = await fluxReady({ ...HELM_RELEASE, namespace: FLUX_NAMESPACE, name: 'crossplane' });
      note(`HelmRelease crossplane: ${String(((release.status as JsonObject).history as JsonObject[] | undefined)?.[0]?.chartVersion ?? '')} installed`);
      await fluxReady(ks(FLUX_NAMESPACE, 'crossplane'));
      for (const line of order.since(from)) note(line);
    },
  );

  await timeline.stage('Providers, their ProviderConfig, our Function and Configuration: in the order dependsOn gives', async (note) => {
    const from = Date.now();
    await fluxReady(ks(FLUX_NAMESPACE, 'crossplane-providers'));
    await fluxReady(ks(FLUX_NAMESPACE, 'crossplane-provider-config'));
    await fluxReady(ks(FLUX_NAMESPACE, 'crossplane-packages'));
    await fluxReady(ks(FLUX_NAMESPACE, 'workload-clusters'));
    for (const line of order.since(from)) note(line);
    const packages = [
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider' })),
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Function' })),
    ];
    note(`packages: ${packages.map(nameOf).join(', ')}`);
    // Two policies name the same kinds: the chart's default one, from the release's
    // provider.defaultActivations, and the one the Configuration ships.
    note(await expectActivation(kube, group, ['configuration-eks-cluster', 'default']));
    note(await expectVerificationOn(kube));
    for (const line of await expectInstalledByDigest(kube, git.checkout)) note(line);
  });

  const xrRef = { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', namespace: 'team-a', name: 'team-a' };
  // Crossplane's Usage webhook writes it on an object whose deletion it refused, and replays that deletion once the Usage goes.
  const DELETION_ATTEMPT = 'usage.crossplane.io/deletion-attempt-with-policy';
  const failingNodeGroup = 'team-a-nodegroup-general';
  await timeline.stage(
    'The EKSCluster from Git, while AWS keeps failing node group general: the gate fails early saying so, no app is delivered',
    async (note) => {
      aws.failing.set(failingNodeGroup, 'NodeCreationFailure: Instances failed to join the kubernetes cluster');
      aws.start();
      karpenter.start();
      // No per-cluster input is made by hand: the Prometheus workspace is composed by the function (spec.monitoring).
      await waitFor('namespace team-a from Git', () => kube.find({ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }), 120_000, group, 1000);
      const nodes = await waitFor(
        'the XR naming the failing node group',
        async () => {
          const nodesReady = condition(await kube.find(xrRef), 'NodesReady');
          return nodesReady?.status === 'False' && nodesReady.message?.includes('nodegroup-general') && nodesReady.message.includes('NodeCreationFailure')
            ? nodesReady
            : undefined;
        },
        300_000,
        group,
        1000,
      );
      note(`EKSCluster NodesReady=False (${nodes.reason}): ${nodes.message}`);
      const gate = await waitFor(
        'the gate failing on the EKSCluster',
        async () => {
          const o = await kube.find(ks('team-a', 'eks-cluster'));
          return condition(o, 'Ready')?.status === 'False' && /EKSCluster\/team-a\/team-a/.test(condition(o, 'Ready')?.message ?? '') ? o : undefined;
        },
        120_000,
        group,
        1000,
      );
      note(`gate eks-cluster: ${readyLine(gate)}`);
      const web = await kube.get(ks('team-a', 'web'));
      if (!/dependency .*eks-cluster.* not ready/i.test(condition(web, 'Ready')?.message ?? ''))
        throw new Error(`web does not wait on the gate: ${readyLine(web)}`);
      note(`web: ${readyLine(web)}`);
      if (await workload.find({ apiVersion: 'v1', kind: 'Namespace', name: 'web' })) throw new Error('apps/web reached the workload cluster before the gate');
    },
  );

  await timeline.stage(
    'AWS recovers; flux reconcile of the gate: Ready, the kubeconfig Secret appears, apps/web lands in the workload API server; the Prometheus workspace composed (simulated AWS), its ID and remote-write URL in the cluster facts, monitoring applies its AWS identity from them with no input made by hand',
    async (note) => {
      const from = Date.now();
      aws.failing.clear();
      await waitFor('the EKSCluster Ready', async () => (isTrue(await kube.get(xrRef), 'Ready') ? true : undefined), 300_000, group, 1000);
      // What `flux reconcile kustomization eks-cluster -n team-a` does once the user
      // sees it Ready; otherwise Flux retries after the gate's retryInterval (5m).
      await requestReconcile(kube, ks('team-a', 'eks-cluster'));
      await fluxReady(ks('team-a', 'eks-cluster'), 600_000);
      const secret = await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-a', name: 'team-a-kubeconfig' });
      note(`Secret team-a/team-a-kubeconfig: keys ${Object.keys(secret.data as JsonObject).join(', ')}`);
      await fluxReady(ks('team-a', 'web'));
      await fluxReady(ks('team-a', 'monitoring'));
      for (const line of order.since(from)) note(line);
      const found: string[] = [];
      for (const kind of WEB_KINDS) for (const o of await workload.list({ ...kind, namespace: 'web' })) found.push(`${kind.kind}/${nameOf(o)}`);
      note(`in ${workloadServer.server}, namespace web: ${found.join(', ')}`);
      for (const kind of WEB_KINDS)
        if (!found.some((f) => f.startsWith(`${kind.kind}/`))) throw new Error(`no ${kind.kind} delivered into the workload cluster`);
      // In AWS, not only applied: the next stage counts what reaches AWS from then on.
      const identity = await waitFor(
        "monitoring's AWS identity Ready",
        async () => {
          const found = (await managed(kube, 'team-a')).filter((o) => nameOf(o).includes('prometheus'));
          const waiting = found.filter((o) => !isTrue(o, 'Ready')).map((o) => `${String(o.kind)} ${nameOf(o)}`);
          if (found.length !== 3 || waiting.length)
            throw new Error(
              `expected the monitoring Role, RolePolicyAttachment and PodIdentityAssociation Ready, found ${found.length}; not Ready: ${waiting.join(', ') || 'none'}`,
            );
          return found;
        },
        120_000,
        group,
        1000,
      );
      note(`monitoring's AWS identity, Ready: ${identity.map((o) => `${String(o.kind)} ${nameOf(o)}`).join(', ')}`);
      note(await expectMonitoringFromFacts(kube, 'team-a'));
    },
  );

  await timeline.stage(
    "Prometheus (apps/monitoring) from the cluster's facts: helm-controller installs the chart from the loopback Helm repository into the workload API server, writing to the composed workspace's remote-write URL with SigV4 in the cluster's region; a Usage holds the EKSCluster for its uninstall",
    async (note) => {
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
          throw new Error(
            `Usage team-a/team-a-held-by-prometheus: ${found ? `${readyLine(found)}, owned by the HelmRelease: ${ownedByRelease}` : 'not found'}`,
          );
        },
        120_000,
        group,
        1000,
      );
      note(`Usage ${nameOf(usage)} Available, owned by HelmRelease prometheus: EKSCluster team-a held until the release is uninstalled`);
    },
  );

  await timeline.stage(
    "Pod networking (apps/pod-networking) from the cluster's facts: helm-controller installs the chart from team-a's own GitRepository into the workload API server, one ENIConfig per zone with its pod subnet; a Usage holds the EKSCluster for its uninstall",
    async (note) => {
      const release = await fluxReady({ ...HELM_RELEASE, namespace: 'team-a', name: 'pod-networking' });
      note(`HelmRelease team-a/pod-networking Ready: ${condition(release, 'Ready')?.message ?? ''}`);
      const known = ((await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'team-a-cluster-facts' })).data ?? {}) as Record<
        string,
        string
      >;
      note(await expectEniConfigsFromFacts(workload, known));
    },
  );

  await timeline.stage(
    "team-b, delivered as Flux's AWS identity, up to what needs that identity: its EKSCluster Ready, the kubeconfig ConfigMap (provider aws, the cluster's ARN), its facts with the Prometheus workspace composed for it, monitoring's AWS side applied from them (apps/monitoring/aws-identity); its web Kustomization and the Prometheus release, which reach the cluster as that identity, are left out",
    async (note) => {
      const teamB = { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', namespace: 'team-b', name: 'team-b' };
      await waitFor('EKSCluster team-b Ready', async () => (isTrue(await kube.find(teamB), 'Ready') ? true : undefined), 600_000, group, 1000);
      await requestReconcile(kube, ks('team-b', 'eks-cluster'));
      await fluxReady(ks('team-b', 'eks-cluster'), 600_000);
      await fluxReady(ks('team-b', 'monitoring'));
      const access = (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-b', name: 'team-b-kubeconfig' })).data as JsonObject;
      const xr = await kube.get(teamB);
      const arn = String(((xr.status as JsonObject).cluster as JsonObject).arn);
      if (access.provider !== 'aws' || access.cluster !== arn) throw new Error(`ConfigMap team-b-kubeconfig: ${JSON.stringify(access)}, cluster ${arn}`);
      if (await kube.find({ apiVersion: 'v1', kind: 'Secret', namespace: 'team-b', name: 'team-b-kubeconfig' }))
        throw new Error('a kubeconfig Secret exists for team-b');
      note(`ConfigMap team-b/team-b-kubeconfig: provider aws, cluster ${arn}; no kubeconfig Secret`);
      // Ready in the simulated AWS, not only applied: Flux's health check passes on a managed resource with no
      // conditions yet, and a creation the simulated AWS makes later would fall into the next stage's window.
      const identity = await waitFor(
        "team-b's monitoring identity Ready in AWS",
        async () => {
          const found = (await managed(kube, 'team-b')).filter((o) => nameOf(o).includes('prometheus'));
          if (found.length === 3 && found.every((o) => isTrue(o, 'Ready'))) return found;
          throw new Error(
            `expected team-b's monitoring Role, RolePolicyAttachment and PodIdentityAssociation Ready, found ${found.map((o) => `${String(o.kind)} ${nameOf(o)} ${readyLine(o)}`).join('; ') || 'none'}`,
          );
        },
        120_000,
        group,
        1000,
      );
      note(`monitoring's AWS identity, Ready: ${identity.map((o) => `${String(o.kind)} ${nameOf(o)}`).join(', ')}`);
      note(await expectMonitoringFromFacts(kube, 'team-b'));
    },
  );

  const facts = async () =>
    ((await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'team-a', name: 'team-a-cluster-facts' })).data ?? {}) as Record<string, string>;
  const usages = { apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', namespace: 'team-a' };
  await timeline.stage(
    "Karpenter (apps/karpenter) from the cluster's facts: helm-controller installs the chart from the loopback OCI registry into the workload API server, then its EC2NodeClass and NodePool land there, before web; Usages hold the EKSCluster and the release for its teardown",
    async (note) => {
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
          const found = (await kube.list(usages)).filter((u) => nameOf(u).endsWith('-held-by-karpenter-nodes'));
          const xr = await kube.get(xrRef);
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
  const xrSpec = () => parse(git.read(XR_PATH)) as JsonObject;
  const writeXr = (xr: JsonObject) => git.write(XR_PATH, stringify(xr));

  await timeline.stage(
    "A commit the XRD rejects (zone c removed): Flux reports the XRD's own message; reverting recovers, nothing reaches AWS",
    async (note) => {
      // The message of the XRD's rule on zone removal, as the API server holds it in the EKSCluster CRD.
      const crd = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: `${PLURAL}.${API_GROUP}` });
      const [refusal, ...others] = validationMessages(crd, 'allowZoneRemoval');
      if (!refusal || others.length) throw new Error(`expected one CEL rule on allowZoneRemoval in the EKSCluster CRD, found ${[refusal, ...others].length}`);
      const seen = aws.events.length;
      const original = git.read(XR_PATH);
      const xr = xrSpec();
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
  );

  await timeline.stage('A commit adds zone d: it reaches AWS (simulated) without replacing or changing any existing resource', async (note) => {
    const snapshot = async () =>
      new Map(
        (await managed(kube, 'team-a')).map((o) => [
          nameOf(o),
          { uid: String((o.metadata as JsonObject).uid), forProvider: JSON.stringify((o.spec as JsonObject).forProvider) },
        ]),
      );
    const before = await snapshot();
    const totalBefore = Number((((await kube.get(xrRef)).status as JsonObject).resources as JsonObject).total);
    const xr = xrSpec();
    const zones = ((xr.spec as JsonObject).network as JsonObject).availabilityZones as string[];
    // A node group's subnets are fixed at creation (the function would replace it): it names its zones first.
    for (const g of (xr.spec as JsonObject).nodeGroups as JsonObject[]) g.availabilityZones ??= [...zones];
    zones.push('d');
    writeXr(xr);
    const revision = await commit('team-a: add zone d', ks('team-a', 'eks-cluster'));
    await waitFor(
      'the grown XR Ready',
      async () => {
        const current = await kube.get(xrRef);
        const resources = (current.status as JsonObject).resources as { total: number; ready: number } | undefined;
        return isTrue(current, 'Ready') && resources && resources.total > totalBefore && resources.ready === resources.total ? current : undefined;
      },
      300_000,
      group,
      1000,
    );
    await settled(revision);
    const after = await snapshot();
    const replaced = [...before].filter(([n, b]) => after.get(n)?.uid !== b.uid).map(([n]) => n);
    const changed = [...before].filter(([n, b]) => after.get(n) && after.get(n)!.forProvider !== b.forProvider).map(([n]) => n);
    note(`${after.size - before.size} managed resources added; replaced: ${replaced.length}; changed: ${changed.join(', ') || 'none'}`);
    if (replaced.length || changed.length) throw new Error(`zone d touched existing resources: replaced ${replaced.join(', ')}; changed ${changed.join(', ')}`);
  });

  // Day-2 commits (e2e/lib/day2-stage.ts): a feature on and off, a node-group field EKS cannot change in place.
  const gateCommit = (message: string) => commit(message, ks('team-a', 'eks-cluster'));
  await day2Stage(timeline, { kube, aws, group, xrRef, readXr: xrSpec, writeXr, commit: gateCommit, settled });

  await timeline.stage(
    "The fence: a team folder that reaches for a ClusterRole, another team's namespace or EKS cluster, the platform's AWS identity (on an EKSCluster or as a ProviderConfig), the platform's source or no ServiceAccount is refused; the rest of the folder reconciles",
    async (note) => {
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
      const xr = await kube.find(xrRef);
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
  );

  await timeline.stage(
    "Commits remove team-a: its folder (apps leave the workload cluster, then AWS resources go in an order AWS accepts; helm-controller paused past Karpenter's hold, so the Usages of apps/monitoring and apps/pod-networking alone keep the EKSCluster until their releases are uninstalled), then its grant; nothing is left",
    async (note) => {
      const existing = await managed(kube, 'team-a');
      const before = existing.length;
      const seen = aws.events.length;
      // What the function composed (controlled by the EKSCluster), whose deletions its Usages order.
      const composed = new Set(
        existing
          .filter((o) =>
            ((o.metadata as JsonObject).ownerReferences as JsonObject[] | undefined)?.some((r) => r.controller === true && r.kind === 'EKSCluster'),
          )
          .map(nameOf),
      );
      // First the team's folder, pruned as the team's ServiceAccount while it still exists.
      rmSync(join(git.checkout, CLUSTER_FOLDER), { recursive: true, force: true });
      git.write(`${CLUSTER_FOLDER}/kustomization.yaml`, 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n');
      // helm-controller is paused (SIGSTOP) from before the commit until Karpenter's Usages are gone and a while
      // longer, as a helm-controller that is restarting or busy would be: nothing uninstalls Prometheus meanwhile,
      // so only apps/monitoring's Usage can keep the EKSCluster (and the kubeconfig Helm needs) once Karpenter's go.
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
          const xr = await kube.find(xrRef);
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
            const left = (await kube.list(usages)).filter((u) => nameOf(u).endsWith('-held-by-karpenter-nodes'));
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
            const xr = await kube.get(xrRef);
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
        const xr = await kube.get(xrRef);
        const attempted = ((xr.metadata as JsonObject).annotations as Record<string, string> | undefined)?.[DELETION_ATTEMPT];
        if (!attempted) throw new Error(`no deletion of the EKSCluster was refused (no annotation ${DELETION_ATTEMPT}): Flux did not try to delete it`);
        const holding = (await kube.list(usages))
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
        throw new Error(
          "the EKSCluster's deletion began while HelmRelease team-a/prometheus still existed: the Usage team-a-held-by-prometheus did not hold it",
        );
      if (clusterDeleted < moments.prometheusGone) throw new Error('AWS deleted the EKS cluster before Helm had uninstalled Prometheus from it');
      note(
        `helm-controller resumed ${((resumed - removed) / 1000).toFixed(1)} s after the commit; Prometheus uninstalled from the workload API server ${((moments.prometheusGone - resumed) / 1000).toFixed(1)} s later, then the EKSCluster's deletion began (${((moments.xrDeleting - moments.prometheusGone) / 1000).toFixed(1)} s after: Crossplane's replay once the Usage went), and AWS deleted the EKS cluster ${((clusterDeleted - moments.prometheusGone) / 1000).toFixed(1)} s after the uninstall`,
      );
    },
  );

  env.stop();
  await karpenter.stop();
  await aws.stop();
  await fn.stop();
  await git.close();
  await helm.close();
  await prometheusChart.close();
}
