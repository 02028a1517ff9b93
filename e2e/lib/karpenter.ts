/**
 * Karpenter in part 2 (apps/karpenter). Its chart is published as an OCI
 * artifact on public.ecr.aws, which cannot be reached here:
 * scripts/tools/karpenter.sh packages the same release from its Go module
 * (.tools/charts/karpenter-<version>.tgz) and the run pushes it, with the
 * pinned helm, to the loopback registry, where the team's OCIRepository is
 * pointed by the overlay (e2e/README.md).
 *
 * Nothing runs pods, so Karpenter's controller never runs. What the teardown
 * order depends on is played instead, as Karpenter does it: its controller
 * puts its finalizer on each EC2NodeClass, and when the EC2NodeClass is
 * deleted it removes the finalizer only once every node launched from it is
 * terminated, which it can do only while it is installed (its Deployment in
 * the workload cluster) and holds its AWS permissions (its Pod Identity
 * association and controller policy, which the simulated AWS has not deleted).
 * A teardown that removed either first would leave the EC2NodeClass, and the
 * run fails saying which.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, tool, TOOLS_DIR, type JsonObject, type Kube } from 'workshop';
import type { SimulatedAws } from './simulated-aws-controller.js';

export const EC2_NODE_CLASS = { apiVersion: 'karpenter.k8s.aws/v1', kind: 'EC2NodeClass' } as const;
export const NODE_POOL = { apiVersion: 'karpenter.sh/v1', kind: 'NodePool' } as const;
/** The finalizer Karpenter's controller keeps on an EC2NodeClass until the nodes launched from it are gone. */
const TERMINATION_FINALIZER = 'karpenter.k8s.aws/termination';
/** How long the played Karpenter takes to drain and terminate the nodes of a deleted EC2NodeClass. */
const DRAIN_MS = 5_000;

export interface KarpenterChart {
  /** The OCIRepository URL to use instead of oci://public.ecr.aws/karpenter/karpenter. */
  url: string;
  version: string;
  digest: string;
}

/** The chart version apps/karpenter/repository.yaml pins (its ref.tag). */
export function pinnedChartVersion(): string {
  const repository = parse(readFileSync(join(REPO_ROOT, 'apps', 'karpenter', 'repository.yaml'), 'utf8')) as JsonObject;
  return String(((repository.spec as JsonObject).ref as JsonObject).tag);
}

/** `helm push` of the packaged chart to the loopback registry, as AWS's release pushes it to public.ecr.aws/karpenter; `home` holds helm's configuration and cache. */
export function pushKarpenterChart(registry: string, home: string): KarpenterChart {
  const version = pinnedChartVersion();
  const tgz = join(TOOLS_DIR, 'charts', `karpenter-${version}.tgz`);
  const push = spawnSync(tool('helm'), ['push', tgz, `oci://${registry}/karpenter`, '--plain-http'], {
    encoding: 'utf8',
    env: { ...process.env, HELM_CONFIG_HOME: join(home, 'config'), HELM_CACHE_HOME: join(home, 'cache'), HELM_DATA_HOME: join(home, 'data') },
  });
  const out = `${push.stdout}${push.stderr}`;
  const digest = /Digest: (sha256:[0-9a-f]+)/.exec(out)?.[1];
  if (push.status !== 0 || !digest) throw new Error(`helm push of ${tgz} failed (exit ${push.status}): ${out}`);
  return { url: `oci://${registry}/karpenter/karpenter`, version, digest };
}

/** Karpenter's controller, as far as the teardown order depends on it (see the file's comment). */
export class PlayedKarpenter {
  /** When each EC2NodeClass (by name) lost its finalizer: its nodes are gone. */
  readonly finalized = new Map<string, number>();
  /** Why an EC2NodeClass being deleted could not be finalized: the run fails with it. */
  blocked: string | undefined;
  private readonly deletingSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  errors = 0;
  lastError = '';

  constructor(
    private readonly workload: Kube,
    private readonly aws: SimulatedAws,
    private readonly controller: { namespace: string; name: string },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .catch((error: unknown) => {
          this.errors++;
          this.lastError = error instanceof Error ? error.message : String(error);
        })
        .finally(() => (this.running = undefined));
    }, 1000);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Why Karpenter could not act now, or undefined when it can. */
  private async cannotAct(): Promise<string | undefined> {
    const deployment = await this.workload.find({ apiVersion: 'apps/v1', kind: 'Deployment', ...this.controller });
    if (!deployment) return `Karpenter's Deployment ${this.controller.namespace}/${this.controller.name} is gone from the workload cluster`;
    const gone = this.aws.events.find((e) => e.what === 'deleted' && /karpenter/.test(e.name) && ['PodIdentityAssociation', 'RolePolicy'].includes(e.kind));
    if (gone) return `AWS deleted Karpenter's ${gone.kind} ${gone.name}`;
    return undefined;
  }

  private async tick(): Promise<void> {
    for (const nodeClass of await this.workload.list(EC2_NODE_CLASS)) {
      const meta = nodeClass.metadata as { name: string; finalizers?: string[]; deletionTimestamp?: string };
      const finalizers = meta.finalizers ?? [];
      const ref = { ...EC2_NODE_CLASS, name: meta.name };
      if (!meta.deletionTimestamp) {
        if (!finalizers.includes(TERMINATION_FINALIZER))
          await this.workload.mergePatch(ref, { metadata: { finalizers: [...finalizers, TERMINATION_FINALIZER] } });
        continue;
      }
      if (!finalizers.includes(TERMINATION_FINALIZER)) continue;
      const why = await this.cannotAct();
      if (why) {
        this.blocked ??= `EC2NodeClass ${meta.name} is being deleted, but its nodes cannot be terminated: ${why}`;
        continue;
      }
      const since = this.deletingSince.get(meta.name) ?? Date.now();
      this.deletingSince.set(meta.name, since);
      if (Date.now() - since < DRAIN_MS) continue;
      await this.workload.mergePatch(ref, { metadata: { finalizers: finalizers.filter((f) => f !== TERMINATION_FINALIZER) } });
      this.finalized.set(meta.name, Date.now());
    }
  }
}
