/**
 * End to end, part 1: real Crossplane composes an EKSCluster. Crossplane core
 * v2.4.0 on a local control plane installs our Configuration from the registry,
 * with the provider packages declaring SafeStart as the real ones do: only the
 * Configuration's own activation policy activates the kinds composed. The
 * function runs from its pulled image over mTLS, and a simulated AWS plays the
 * providers. The XR, with every optional block on (examples/everything.yaml),
 * survives faults, grows without replacing anything, reports a failing node
 * group, and is deleted in an order AWS accepts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Kube, KubeError, makePki, ProcessGroup, REPO_ROOT, waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { expectActivation } from './lib/activation.js';
import { initCore, mirrorPackages, NAMESPACE, playPackageRuntime, runtimeTlsSecret, startCore } from './lib/crossplane.js';
import { FunctionImage } from './lib/function-image.js';
import { upgradePackages } from './lib/package-upgrade.js';
import { condition, conditions, isTrue, managed, untilGone } from './lib/objects.js';
import { UPSTREAM } from './lib/provider-packages.js';
import { expectSignaturesEnforced, type Signing } from './lib/signatures.js';
import { SimulatedAws } from './lib/simulated-aws-controller.js';
import { runPart, startClusters } from './lib/part.js';
import type { Timeline } from './lib/timeline.js';

/**
 * What Crossplane v2.4.0 writes on the XR when nothing listens where the function
 * should: its gRPC client waits out the call's deadline, then reports the dial error.
 */
const FUNCTION_DOWN =
  /cannot run Composition pipeline step "[^"]+": cannot run Function "[^"]+": rpc error: code = (Unavailable|DeadlineExceeded) desc = .*connection refused/;
const XR_FILE = join(REPO_ROOT, 'configuration', 'package', 'examples', 'everything.yaml');
/** The policy the Configuration package ships (configuration/package/apis/eksclusters/activation-policy.yaml); core init makes none here. */
const CONFIGURATION_POLICY = 'configuration-eks-cluster';

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

export const PART1_VERDICT = `real Crossplane composed ${XR_FILE.split('/').pop()} over mTLS through the published packages, on providers enforcing activation, survived the faults, grew it without replacing anything, upgraded the Function and Configuration to the next release with no AWS change, reported a failing node group, and deleted it in an order AWS accepts`;

export function crossplanePart(ctx: PartContext): Promise<ProcessGroup> {
  return runPart(ctx.work, (group) => stages(ctx, group));
}

async function stages({ timeline, work, registry, packages, version, nextVersion, signing }: PartContext, group: ProcessGroup): Promise<void> {
  const logs = group.logDir;
  const plane = await startClusters(timeline, group, work, 'Control plane: etcd, management and workload kube-apiservers, kube-controller-manager for each');
  const kube = new Kube(plane.primary.kubeconfigYaml);
  const workload = plane.apiservers[1]!;

  const pki = makePki();
  const crossplane = await timeline.stage('Crossplane core v2.4.0: core init, core start, Usage webhook on loopback', async (note) => {
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }, 'e2e');
    const attempts = await initCore(plane.primary.kubeconfigFile, logs);
    note(`core init succeeded after ${attempts} attempt(s)`);
    const verification = signing.coreOptions(join(work, 'crossplane'));
    const core = await startCore(group, kube, { kubeconfigFile: plane.primary.kubeconfigFile, dir: join(work, 'crossplane'), pki, ...verification });
    note(`signature verification on: ${verification.extraArgs.join(' ')}, the run's trust roots in its package cache`);
    await runtimeTlsSecret(kube, pki);
    note(`webhook https://127.0.0.1:${core.webhookPort}/validate-no-usages registered`);
    return core;
  });

  // The function: the runtime image of the package Crossplane pulled, run as a pod would run it.
  // Replaced by the next release's in the upgrade stage.
  let fn = new FunctionImage(`${packages}/function-eks-cluster:${version}`, join(work, 'function'), pki);

  await timeline.stage('Configuration from the registry: Crossplane resolves the Function and the providers', async (note) => {
    await mirrorPackages(kube, 'loopback-registry', UPSTREAM, `${registry}/crossplane-contrib`);
    await signing.requireReleaseKey(kube, `${packages}/`);
    await kube.apply(
      {
        apiVersion: 'pkg.crossplane.io/v1',
        kind: 'Configuration',
        metadata: { name: 'configuration-eks-cluster' },
        spec: { package: `${packages}/configuration-eks-cluster:${version}` },
      },
      'e2e',
    );
    fn.pull();
    await fn.start();
    note(`function image (pulled, amd64) serving mTLS on ${fn.address} as uid 65532`);
    await waitFor(
      'Configuration Installed and Healthy',
      async () => {
        await playPackageRuntime(kube, 'ProviderRevision');
        await playPackageRuntime(kube, 'FunctionRevision', `dns:///${fn.address}`);
        const configuration = await kube.get({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Configuration', name: 'configuration-eks-cluster' });
        return isTrue(configuration, 'Installed') && isTrue(configuration, 'Healthy') ? configuration : undefined;
      },
      240_000,
      group,
      1000,
    );
    const functions = await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Function' });
    const providers = await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider' });
    note(`Functions: ${functions.map((f) => String((f.metadata as JsonObject).name)).join(', ')}`);
    note(`Providers: ${providers.map((p) => String((p.metadata as JsonObject).name)).join(', ')}`);
    await waitFor(
      'the EKSCluster CRD established',
      async () => {
        const crd = await kube.find({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'eksclusters.eks.gitops.dev' });
        return isTrue(crd, 'Established') ? crd : undefined;
      },
      60_000,
      group,
    );
  });

  await timeline.stage('Signatures: our packages verified against the release key; one signed with another key and an unsigned one refused', async (note) => {
    for (const line of await expectSignaturesEnforced(kube, group, signing, packages, version, join(work, 'signatures'))) note(line);
  });

  await timeline.stage("Activation: SafeStart providers; the Configuration's policy activates exactly the kinds the function composes", async (note) => {
    note(await expectActivation(kube, group, [CONFIGURATION_POLICY]));
  });

  const xr = parse(readFileSync(XR_FILE, 'utf8')) as JsonObject;
  const { name, namespace } = xr.metadata as { name: string; namespace: string };
  const xrRef = { apiVersion: String(xr.apiVersion), kind: String(xr.kind), namespace, name };
  const aws = new SimulatedAws(kube, { namespaces: [namespace], workloadKubeconfig: workload.kubeconfigYaml });

  /** Waits for the XR to be Ready; while it is not, the last error says what it waits for and what the simulated AWS reports. */
  const xrReady = (what: string) =>
    waitFor(
      what,
      async () => {
        await playPackageRuntime(kube, 'FunctionRevision', `dns:///${fn.address}`);
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
    );
  /** Every managed resource by name with its uid and what Crossplane asked of it. */
  const snapshot = async () =>
    new Map(
      (await managed(kube, namespace)).map((o) => [
        String((o.metadata as JsonObject).name),
        { uid: String((o.metadata as JsonObject).uid), forProvider: JSON.stringify((o.spec as JsonObject).forProvider) },
      ]),
    );
  type Snapshot = Awaited<ReturnType<typeof snapshot>>;
  /** What is new in `after`, and which of `before` are gone or replaced (another uid) or asked of AWS differently. */
  const differences = (before: Snapshot, after: Snapshot) => ({
    added: [...after.keys()].filter((n) => !before.has(n)),
    replaced: [...before].filter(([n, b]) => after.get(n)?.uid !== b.uid).map(([n]) => n),
    changed: [...before].filter(([n, b]) => after.get(n) && after.get(n)!.forProvider !== b.forProvider).map(([n]) => n),
  });

  await timeline.stage(
    `EKSCluster ${namespace}/${name} applied; faults while it is created: function killed until Crossplane reports it on the XR, Crossplane killed, AWS throttling`,
    async (note) => {
      await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, 'e2e');
      // Established is not yet served everywhere: retry the first apply briefly.
      await waitFor('the EKSCluster accepted', () => kube.apply(xr, 'e2e'), 30_000, group, 500);
      aws.start();
      // The first wave exists: the function answered over mTLS.
      await waitFor('the first managed resources', async () => ((await managed(kube, namespace)).length > 20 ? true : undefined), 180_000, group, 1000);
      note(`first wave composed: ${(await managed(kube, namespace)).length} managed resources`);

      await fn.stop();
      const killed = Date.now();
      note('function killed (SIGKILL)');
      // Down until the fault shows where a user looks: Crossplane's condition on the XR. A
      // reconcile of this XR takes tens of seconds, so one that called the function just
      // before may still be applying; the next one fails.
      const down = await waitFor(
        'Crossplane reporting on the XR that it cannot reach the function',
        async () => {
          const synced = condition(await kube.get(xrRef), 'Synced');
          if (synced?.status === 'False' && FUNCTION_DOWN.test(synced.message ?? '')) return synced;
          throw new Error(`XR Synced=${synced?.status} (${synced?.reason}): ${synced?.message ?? ''}`);
        },
        300_000,
        group,
        1000,
      );
      note(`after ${Math.round((Date.now() - killed) / 1000)} s down, XR Synced=False (${down.reason}): ${down.message?.slice(0, 300)}`);
      await fn.start();
      note(`function started again on ${fn.address}`);

      await crossplane.restart();
      note('Crossplane core killed (SIGKILL) and started again');

      aws.throttleFor(15_000);
      note('simulated AWS answers ThrottlingException to every create and delete for 15 s from the next one');
    },
  );

  await timeline.stage(
    'The XR becomes Ready and Synced with its status filled; throttling took effect; nothing deleted or changed by the faults',
    async (note) => {
      const ready = await xrReady('the XR Ready');
      // Crossplane reaches the function again: the failed composition is behind it.
      await waitFor('the XR Synced again', async () => (isTrue(await kube.get(xrRef), 'Synced') ? true : undefined), 120_000, group, 1000);
      const status = ready.status as JsonObject;
      const resources = await managed(kube, namespace);
      const usages = await kube.list({ apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', namespace });
      note(
        `${resources.length} managed resources, ${usages.length} Usages; ${aws.count('created')} created by the simulated AWS, ${aws.count('refused')} refusals on the way`,
      );
      note(`status: ${String(status.summary)}; VPC ${String(status.vpcId)}; cluster endpoint ${String((status.cluster as JsonObject | undefined)?.endpoint)}`);
      if (!status.vpcId || !(status.cluster as JsonObject | undefined)?.endpoint) throw new Error(`status incomplete: ${JSON.stringify(status)}`);
      note(`${aws.throttledCalls} calls answered ThrottlingException; ${aws.count('changed')} changed, ${aws.count('deleted')} deleted`);
      if (aws.throttledCalls === 0) throw new Error('the simulated AWS throttled no call: the fault had no effect');
      if (aws.count('deleted') > 0) throw new Error(`${aws.count('deleted')} managed resources deleted before the teardown`);
      if (aws.count('changed') > 0)
        throw new Error(
          `changed in AWS after creation: ${aws.events
            .filter((e) => e.what === 'changed')
            .map((e) => e.name)
            .join(', ')}`,
        );
    },
  );

  await timeline.stage('The kubeconfig Secret reaches the workload cluster', async (note) => {
    const secret = await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${name}-kubeconfig` });
    const kubeconfig = Buffer.from(String((secret.data as JsonObject).kubeconfig), 'base64').toString();
    const namespaces = await new Kube(kubeconfig).list({ apiVersion: 'v1', kind: 'Namespace' });
    note(`listed ${namespaces.length} namespaces in ${workload.server} with ${namespace}/${name}-kubeconfig`);
  });

  await timeline.stage('Grow: zone d (node groups stay on theirs) and a third node group; no existing managed resource replaced or changed', async (note) => {
    const before = await snapshot();
    const spec = structuredClone(xr.spec) as JsonObject;
    const zones = (spec.network as JsonObject).availabilityZones as string[];
    // EKS cannot move a node group to other subnets (the function replaces it, make before
    // break): a group that should stay where it is names its zones before one is added.
    for (const g of spec.nodeGroups as JsonObject[]) g.availabilityZones ??= [...zones];
    zones.push('d');
    // With a launch template: the example's spec.securityGroupRules.nodes need one on every group (the function refuses a group without).
    (spec.nodeGroups as JsonObject[]).push({
      name: 'arm',
      instanceTypes: ['m7g.large'],
      amiType: 'AL2023_ARM_64_STANDARD',
      minSize: 1,
      maxSize: 3,
      launchTemplate: {},
    });
    const totalBefore = Number((((await kube.get(xrRef)).status as JsonObject).resources as JsonObject | undefined)?.total);
    await kube.apply({ ...xr, spec }, 'e2e');
    // Ready again, and counting more resources than before: the grown cluster, not the old one.
    await waitFor(
      'the grown XR Ready',
      async () => {
        const current = await xrReady('the XR Ready');
        const resources = (current.status as JsonObject).resources as { total: number; ready: number } | undefined;
        return resources && resources.total > totalBefore && resources.ready === resources.total ? current : undefined;
      },
      300_000,
      group,
      1000,
    );
    const after = await snapshot();
    const { replaced, changed } = differences(before, after);
    note(`${after.size - before.size} managed resources added; replaced: ${replaced.length}; changed: ${changed.join(', ') || 'none'}`);
    if (replaced.length) throw new Error(`replaced or deleted while growing: ${replaced.join(', ')}`);
    if (changed.length) throw new Error(`changed while growing: ${changed.join(', ')}`);
    const inAws = aws.events.filter((e) => e.what === 'changed');
    if (inAws.length) throw new Error(`changed in AWS while growing: ${inAws.map((e) => e.name).join(', ')}`);
  });

  await timeline.stage('A node group fails: the XR says which and why; it recovers', async (note) => {
    const reason = 'NodeCreationFailure: Instances failed to join the kubernetes cluster';
    aws.failing.set(`${name}-nodegroup-batch`, reason);
    const failing = await waitFor(
      'the XR naming the failing node group',
      async () => {
        const current = await kube.get(xrRef);
        const nodes = condition(current, 'NodesReady');
        return nodes?.status === 'False' && nodes.message?.includes('nodegroup-batch') && nodes.message.includes('NodeCreationFailure') ? nodes : undefined;
      },
      120_000,
      group,
      1000,
    );
    note(`NodesReady=False: ${failing.message}`);
    aws.failing.clear();
    await xrReady('the XR Ready again');
    note('Ready again once the node group recovered');
  });

  await timeline.stage(
    `Upgrade: the Function and the Configuration ${version} -> ${nextVersion} while the XR is Ready; the new revision composes, AWS sees no create, change or delete`,
    async (note) => {
      const before = await snapshot();
      const seen = aws.events.length;
      const next = new FunctionImage(`${packages}/function-eks-cluster:${nextVersion}`, join(work, 'function-next'), pki);
      next.pull();
      await next.start();
      const upgraded = await upgradePackages(kube, group, {
        functionPackage: `${packages}/function-eks-cluster:${nextVersion}`,
        configurationPackage: `${packages}/configuration-eks-cluster:${nextVersion}`,
        configuration: 'configuration-eks-cluster',
        endpoint: `dns:///${next.address}`,
      });
      note(`Function ${upgraded.function}: revision ${upgraded.previous} -> ${upgraded.revision} (served on ${next.address}); Configuration at ${nextVersion}`);
      // The previous release's process goes, as its pod would: only the new revision can answer now.
      await fn.stop();
      fn = next;
      const answered = await waitFor(
        'the XR composed through the new revision, Ready and Synced',
        async () => {
          const current = await kube.get(xrRef);
          // A second request starts only once the reconcile that sent the first has applied its answer.
          const count = next.answered(`${namespace}/${name}`);
          return count >= 2 && isTrue(current, 'Ready') && isTrue(current, 'Synced') ? count : undefined;
        },
        360_000,
        group,
        1000,
      );
      const { added, replaced, changed } = differences(before, await snapshot());
      const inAws = aws.events.slice(seen).filter((e) => e.what !== 'failing');
      note(
        `${answered} compositions by ${nextVersion}; managed resources: ${added.length} added, ${replaced.length} replaced, ${changed.length} changed; AWS: ${inAws.length} creates, changes or deletes`,
      );
      if (added.length || replaced.length || changed.length) {
        throw new Error(`the upgrade touched managed resources: added ${added.join(', ')}; replaced ${replaced.join(', ')}; changed ${changed.join(', ')}`);
      }
      if (inAws.length) throw new Error(`the upgrade reached AWS: ${inAws.map((e) => `${e.what} ${e.kind} ${e.name}`).join(', ')}`);
    },
  );

  await timeline.stage('Teardown: delete the XR; Usages order the deletions', async (note) => {
    // Crossplane's webhook refuses to delete what a Usage protects.
    const vpc = { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'VPC', namespace, name: `${name}-vpc` };
    const refusal = await kube.delete(vpc).then(
      () => undefined,
      (error: unknown) => (error instanceof KubeError ? error : undefined),
    );
    if (!refusal || !/in use|usage/i.test(refusal.body)) throw new Error(`deleting the VPC in use was not refused: ${refusal?.message ?? 'it was accepted'}`);
    const reason = (JSON.parse(refusal.body) as { message?: string }).message ?? refusal.body;
    note(`deleting ${name}-vpc directly: refused (${refusal.status}): ${reason.slice(0, 200)}`);
    // The example turns on deletion protection, with which AWS refuses to delete the
    // cluster: lifted the way flux/README.md says (set false, let it apply), then deleted.
    await kube.mergePatch(xrRef, { spec: { controlPlane: { deletionProtection: false } } });
    const cluster = { apiVersion: 'eks.aws.m.upbound.io/v1beta1', kind: 'Cluster', namespace, name: `${name}-cluster` };
    await waitFor(
      'deletion protection lifted on the Cluster',
      async () =>
        (((await kube.get(cluster)).spec as JsonObject | undefined)?.forProvider as JsonObject | undefined)?.deletionProtection === false || undefined,
      120_000,
      group,
      1000,
    );
    note('spec.controlPlane.deletionProtection set false and applied to the Cluster');
    const before = await managed(kube, namespace);
    await kube.delete(xrRef);
    await waitFor('every managed resource gone', async () => ((await managed(kube, namespace)).length === 0 ? true : undefined), 600_000, group, 1000);
    const deleted = aws.events.filter((e) => e.what === 'deleted');
    note(`${deleted.length} of ${before.length} deleted by the simulated AWS; ${aws.count('delete-refused')} deletions refused by AWS's rules on the way`);
    note(
      `order: ${deleted
        .map((e) => e.kind)
        .filter((k, i, all) => all.indexOf(k) === i)
        .join(' -> ')}`,
    );
    if (deleted.length !== before.length) throw new Error(`deleted ${deleted.length}, expected ${before.length}`);
    // Every refusal of the simulated AWS is temporary, so without Usages the teardown would still end: the refusals are what shows it.
    const refused = aws.events.filter((e) => e.what === 'delete-refused');
    if (refused.length)
      throw new Error(
        `AWS refused ${refused.length} deletions, so Usages did not order them: ${refused.map((e) => `${e.kind} ${e.name}: ${e.message}`).join('; ')}`,
      );
    await waitFor(
      'every Usage gone',
      async () => ((await kube.list({ apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', namespace })).length === 0 ? true : undefined),
      120_000,
      group,
      1000,
    );
    await untilGone(kube, xrRef, 'the XR gone', 120_000, group);
    note('no managed resource, Usage or XR left');
  });

  await aws.stop();
  await fn.stop();
}
