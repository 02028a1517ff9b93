/**
 * What a Kubernetes node pool and Crossplane's package runtime would do on a
 * management cluster where Crossplane is installed from its Helm chart (by
 * Flux's helm-controller in part 2, by the README's `helm install` in part 3),
 * done once a second: run Crossplane as the chart's Deployment says once that
 * Deployment exists, mark Deployments rolled out (only once Crossplane runs, so
 * a wait on them means what it means in a cluster: Crossplane's CRDs are
 * there), and report where the function and the providers serve.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { Kube, makePki, REPO_ROOT, type ControlPlane, type JsonObject, type Pki, type ProcessGroup } from 'workshop';
import { chartDeploymentArgs, initCore, mirrorPackages, NAMESPACE, playPackageRuntime, runtimeTlsSecret, startCore, type Crossplane } from './crossplane.js';
import { playDaemonSetStatus, playDeploymentStatus } from './deployment-status.js';
import { FunctionImage } from './function-image.js';
import { startClusters } from './part.js';
import { UPSTREAM } from './provider-packages.js';
import type { StageName, Timeline } from './timeline.js';

/** Where the Configuration and the Function live for users (configuration/package/crossplane.yaml, flux/infrastructure/packages). */
export const PACKAGE_HOME = 'ghcr.io/eks-gitops';

/** What a part that installs Crossplane from its chart is given (parts 2 and 3). */
export interface ChartPartContext {
  timeline: Timeline;
  /** This part's own folder: control plane data, logs, scratch. */
  work: string;
  /** The loopback registry (host:port). */
  registry: string;
  /** Where the packages a release pushes to ghcr.io/eks-gitops are mirrored in it (registry/path), and their version. */
  mirror: string;
  version: string;
  /** Loads Sigstore's trust roots, mirrored for the run, for a core started in a folder: the chart runs it with signature verification on. */
  trustRootsFor: (dir: string) => void;
}

/** What such a part starts with: a fresh control plane, the function of the mirrored release (not pulled yet), and the Environment (not started). */
export interface ChartPart {
  plane: ControlPlane;
  kube: Kube;
  workload: Kube;
  pki: Pki;
  fn: FunctionImage;
  env: Environment;
}

export async function startChartPart(ctx: ChartPartContext, group: ProcessGroup, stage: StageName): Promise<ChartPart> {
  const plane = await startClusters(ctx.timeline, group, ctx.work, stage);
  const kube = new Kube(plane.primary.kubeconfigYaml);
  const workload = new Kube(plane.apiservers[1]!.kubeconfigYaml);
  const pki = makePki();
  const fn = new FunctionImage(`${ctx.mirror}/function-eks-cluster:${ctx.version}`, join(ctx.work, 'function'), pki);
  const env = new Environment({
    kube,
    kubeconfigFile: plane.primary.kubeconfigFile,
    workloads: [workload],
    fn,
    group,
    dir: join(ctx.work, 'crossplane'),
    pki,
    registry: ctx.registry,
    mirror: ctx.mirror,
    trustRootsFor: ctx.trustRootsFor,
  });
  return { plane, kube, workload, pki, fn, env };
}

/** The ImageConfig that requires the release's signature (the Flux tree applies it; README.md's block too, in step 2). */
const SIGNATURE_POLICY_FILE = join(REPO_ROOT, 'flux', 'infrastructure', 'providers', 'package-signatures.yaml');

/**
 * Verification on install, as the chart and the ImageConfig put it in force:
 * the Crossplane the chart's Deployment runs has --enable-signature-verification
 * and the cluster holds the ImageConfig of package-signatures.yaml as written.
 * Throws naming what is missing; returns a line saying what is in force.
 */
export async function expectVerificationOn(kube: Kube): Promise<string> {
  const deployment = await kube.find({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name: 'crossplane' });
  if (!deployment) throw new Error(`no Deployment ${NAMESPACE}/crossplane`);
  const { startArgs } = chartDeploymentArgs(deployment);
  if (!startArgs.includes('--enable-signature-verification'))
    throw new Error(`Crossplane runs with '${startArgs.join(' ')}': without --enable-signature-verification no ImageConfig's verification policy is applied`);
  const want = parse(readFileSync(SIGNATURE_POLICY_FILE, 'utf8')) as JsonObject;
  const name = String((want.metadata as JsonObject).name);
  const held = await kube.find({ apiVersion: String(want.apiVersion), kind: String(want.kind), name });
  if (!held) throw new Error(`no ImageConfig ${name}: flux/infrastructure/providers/package-signatures.yaml was not applied`);
  if (!isDeepStrictEqual(held.spec, want.spec))
    throw new Error(`ImageConfig ${name} is ${JSON.stringify(held.spec)}, not what package-signatures.yaml says: ${JSON.stringify(want.spec)}`);
  const prefixes = (want.spec as { matchImages: { prefix: string }[] }).matchImages.map((m) => m.prefix);
  return `Crossplane runs with --enable-signature-verification; ImageConfig ${name} (package-signatures.yaml, as written) requires a signature for ${prefixes.join(', ')}`;
}

export interface EnvironmentOptions {
  /** The management cluster, where the chart's Deployment appears. */
  kube: Kube;
  kubeconfigFile: string;
  /** Other clusters whose Deployments roll out too (the workload cluster apps land in). */
  workloads: Kube[];
  fn: FunctionImage;
  group: ProcessGroup;
  /** Crossplane's folder (certificates, package cache). */
  dir: string;
  pki: Pki;
  /** The loopback registry (host:port), and where it mirrors PACKAGE_HOME (registry/path). */
  registry: string;
  mirror: string;
  /** Loads the run's Sigstore trust roots into a core's folder before it starts (ChartPartContext). */
  trustRootsFor: (dir: string) => void;
}

export class Environment {
  core: Crossplane | undefined;
  errors = 0;
  lastError = '';
  private starting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly options: EnvironmentOptions) {}

  start(): void {
    const loop = async () => {
      await this.tick().catch((error: unknown) => {
        this.errors++;
        this.lastError = error instanceof Error ? error.message : String(error);
      });
      if (!this.stopped) this.timer = setTimeout(() => void loop(), 1000);
    };
    void loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    const { kube, workloads, fn } = this.options;
    if (!this.core) {
      const deployment = await kube.find({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NAMESPACE, name: 'crossplane' });
      if (!deployment) return;
      this.starting ??= this.startCrossplane(deployment).then((core) => {
        this.core = core;
      });
      await this.starting;
    }
    for (const cluster of [kube, ...workloads]) {
      await playDeploymentStatus(cluster);
      await playDaemonSetStatus(cluster);
    }
    await playPackageRuntime(kube, 'ProviderRevision');
    await playPackageRuntime(kube, 'FunctionRevision', `dns:///${fn.address}`);
  }

  /**
   * The chart's Deployment, run as its pod would run it (see crossplane.ts),
   * with the registry mirrors a platform team configures for an air-gapped
   * cluster, in place before Crossplane pulls any package.
   */
  private async startCrossplane(deployment: JsonObject): Promise<Crossplane> {
    const { kube, kubeconfigFile, group, dir, pki, registry, mirror, trustRootsFor } = this.options;
    const { initArgs, startArgs, env } = chartDeploymentArgs(deployment);
    await initCore(kubeconfigFile, group.logDir, initArgs);
    await mirrorPackages(kube, 'mirror-crossplane-contrib', UPSTREAM, `${registry}/crossplane-contrib`);
    await mirrorPackages(kube, 'mirror-eks-gitops', PACKAGE_HOME, mirror);
    trustRootsFor(dir);
    const core = await startCore(group, kube, { kubeconfigFile, dir, pki, extraArgs: startArgs, extraEnv: env });
    await runtimeTlsSecret(kube, pki);
    return core;
  }
}
