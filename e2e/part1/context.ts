/**
 * What every stage of part 1 is given (e2e/part1-crossplane.ts builds it once
 * Crossplane core runs, and passes it to each stage): the control plane, core,
 * the function's process, the example XR, the simulated AWS, and the waits and
 * snapshots the stages share.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, waitFor, type ApiServer, type ControlPlane, type JsonObject, type Kube, type ObjectRef, type Pki, type ProcessGroup } from 'workshop';
import { initCore, NAMESPACE, playPackageRuntime, runtimeTlsSecret, startCore, type Crossplane } from '../lib/crossplane.js';
import { FunctionImage } from '../lib/function-image.js';
import { condition, conditions, isTrue, managed } from '../lib/objects.js';
import type { Signing } from '../lib/signatures.js';
import { SimulatedAws } from '../lib/simulated-aws-controller.js';
import type { Note, StageName, Timeline } from '../lib/timeline.js';

export const XR_FILE = join(REPO_ROOT, 'configuration', 'package', 'examples', 'everything.yaml');

/** What part 1 is given by e2e/main.ts. */
export interface PartContext {
  timeline: Timeline;
  /** This part's own folder: control plane data, logs, scratch. */
  work: string;
  /** The loopback registry (host:port) holding every package. */
  registry: string;
  /** Where our packages were published in it (registry/owner), and their version. */
  packages: string;
  version: string;
  /** The next release in the same place, which the run upgrades to. */
  nextVersion: string;
  /** The release key every package under `packages` must be signed with. */
  signing: Signing;
}

/** Every managed resource by name with its uid and what Crossplane asked of it. */
export type Snapshot = Map<string, { uid: string; forProvider: string }>;

export interface CrossplaneContext extends Omit<PartContext, 'timeline'> {
  group: ProcessGroup;
  plane: ControlPlane;
  kube: Kube;
  workload: ApiServer;
  pki: Pki;
  crossplane: Crossplane;
  /**
   * The function: the runtime image of the package Crossplane pulled, run as a pod would run it.
   * The one field a stage replaces: crossplane/upgrade puts the next release's here.
   */
  fn: FunctionImage;
  /** configuration/package/examples/everything.yaml, as applied. */
  xr: JsonObject;
  xrRef: ObjectRef;
  name: string;
  namespace: string;
  aws: SimulatedAws;
  /** Waits for the XR to be Ready; while it is not, the last error says what it waits for and what the simulated AWS reports. */
  xrReady: (what: string) => Promise<JsonObject>;
  snapshot: () => Promise<Snapshot>;
}

export const CORE: StageName = {
  name: 'crossplane/core',
  proves: 'Crossplane core v2.4.0: core init, core start, Usage webhook on loopback',
};

/** Crossplane core started with signature verification on, its webhook registered. */
export async function startCrossplane(
  { work, signing }: PartContext,
  { group, plane, kube, pki }: { group: ProcessGroup; plane: ControlPlane; kube: Kube; pki: Pki },
  note: Note,
): Promise<Crossplane> {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }, 'e2e');
  const attempts = await initCore(plane.primary.kubeconfigFile, group.logDir);
  note(`core init succeeded after ${attempts} attempt(s)`);
  const verification = signing.coreOptions(join(work, 'crossplane'));
  const core = await startCore(group, kube, { kubeconfigFile: plane.primary.kubeconfigFile, dir: join(work, 'crossplane'), pki, ...verification });
  note(`signature verification on: ${verification.extraArgs.join(' ')}, the run's trust roots in its package cache`);
  await runtimeTlsSecret(kube, pki);
  note(`webhook https://127.0.0.1:${core.webhookPort}/validate-no-usages registered`);
  return core;
}

/** The context of every later stage: the function's process made (not pulled yet), the example XR read, the simulated AWS made (not started). */
export function crossplaneContext(
  { work, registry, packages, version, nextVersion, signing }: PartContext,
  started: { group: ProcessGroup; plane: ControlPlane; kube: Kube; pki: Pki; crossplane: Crossplane },
): CrossplaneContext {
  const { group, plane, kube, pki } = started;
  const workload = plane.apiservers[1]!;
  const fn = new FunctionImage(`${packages}/function-eks-cluster:${version}`, join(work, 'function'), pki);
  const xr = parse(readFileSync(XR_FILE, 'utf8')) as JsonObject;
  const { name, namespace } = xr.metadata as { name: string; namespace: string };
  const xrRef = { apiVersion: String(xr.apiVersion), kind: String(xr.kind), namespace, name };
  const aws = new SimulatedAws(kube, { namespaces: [namespace], workloadKubeconfig: workload.kubeconfigYaml });
  const ctx: CrossplaneContext = {
    work,
    registry,
    packages,
    version,
    nextVersion,
    signing,
    ...started,
    workload,
    fn,
    xr,
    xrRef,
    name,
    namespace,
    aws,
    xrReady: (what: string) =>
      waitFor(
        what,
        async () => {
          // The function of the moment: crossplane/upgrade replaces it.
          await playPackageRuntime(kube, 'FunctionRevision', `dns:///${ctx.fn.address}`);
          const current = await kube.get(xrRef);
          if (isTrue(current, 'Ready')) return current;
          const notReady = (await managed(kube, namespace)).filter((o) => !isTrue(o, 'Ready'));
          const why = notReady
            .slice(0, 5)
            .map(
              (o) =>
                `${String(o.kind)} ${String((o.metadata as JsonObject).name)}: ${condition(o, 'Synced')?.message ?? condition(o, 'Ready')?.reason ?? 'no conditions'}`,
            );
          throw new Error(
            `XR: ${conditions(current)
              .map((c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`)
              .join('; ')}\n` +
              `${notReady.length} managed resources not Ready: ${why.join('; ')}\nsimulated AWS: ${aws.passErrors} failed passes${aws.lastPassError ? `, last: ${aws.lastPassError}` : ''}`,
          );
        },
        300_000,
        group,
        1000,
      ),
    snapshot: async () =>
      new Map(
        (await managed(kube, namespace)).map((o) => [
          String((o.metadata as JsonObject).name),
          { uid: String((o.metadata as JsonObject).uid), forProvider: JSON.stringify((o.spec as JsonObject).forProvider) },
        ]),
      ),
  };
  return ctx;
}

/** What is new in `after`, and which of `before` are gone or replaced (another uid) or asked of AWS differently. */
export function differences(before: Snapshot, after: Snapshot): { added: string[]; replaced: string[]; changed: string[] } {
  return {
    added: [...after.keys()].filter((n) => !before.has(n)),
    replaced: [...before].filter(([n, b]) => after.get(n)?.uid !== b.uid).map(([n]) => n),
    changed: [...before].filter(([n, b]) => after.get(n) && after.get(n)!.forProvider !== b.forProvider).map(([n]) => n),
  };
}
