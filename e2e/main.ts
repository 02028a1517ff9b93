/**
 * `npm run e2e`: real Crossplane composes an EKSCluster on a local control
 * plane, and tears it down safely. Run by e2e/run.sh inside a network namespace
 * that has only loopback, so every listener (Crossplane binds all interfaces)
 * stays private to the run. What is real and what is simulated: README, "End
 * to end". Prints a timeline and one verdict line; exits non-zero on failure.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import {
  Kube,
  KubeError,
  makePki,
  ProcessGroup,
  REPO_ROOT,
  runImage,
  startControlPlane,
  tool,
  waitFor,
  type JsonObject,
  type RunningImage,
  type RuntimeConfig,
} from 'function-eks-cluster/testing';
import { initCore, NAMESPACE, playPackageRuntime, runtimeTlsSecret, startCore } from './lib/crossplane.js';
import { publishProviders, UPSTREAM } from './lib/provider-packages.js';
import { MANAGED_KINDS, SimulatedAws } from './lib/simulated-aws-controller.js';
import { Timeline } from './lib/timeline.js';

const OWNER = 'eks-gitops';
const VERSION = 'v0.1.0';
const XR_FILE = join(REPO_ROOT, 'configuration', 'examples', 'production.yaml');

const timeline = new Timeline();
const work = mkdtempSync(join(tmpdir(), 'eks-gitops-e2e-'));
const logs = join(work, 'logs');
mkdirSync(logs);
const group = new ProcessGroup(logs);

type Condition = { type: string; status: string; reason?: string; message?: string };
const conditions = (o: JsonObject | undefined) => (((o?.status as JsonObject | undefined)?.conditions as Condition[] | undefined) ?? []);
const condition = (o: JsonObject | undefined, type: string) => conditions(o).find((c) => c.type === type);
const isTrue = (o: JsonObject | undefined, type: string) => condition(o, type)?.status === 'True';

async function startRegistry(): Promise<string> {
  const child = spawn(tool('registry'), ['-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const found = /serving on port (\d+)/.exec(log)?.[1];
      if (found) resolve(Number(found));
    });
    child.once('exit', (code) => reject(new Error(`registry exited ${code}: ${log}`)));
  });
  process.on('exit', () => child.kill('SIGKILL'));
  return `127.0.0.1:${port}`;
}

async function managed(kube: Kube, namespace: string): Promise<JsonObject[]> {
  const all: JsonObject[] = [];
  for (const k of MANAGED_KINDS) all.push(...(await kube.list({ ...k, namespace })));
  return all;
}

async function main(): Promise<void> {
  const plane = await timeline.stage('Control plane: etcd, management and workload kube-apiservers, kube-controller-manager', async (note) => {
    const cp = await startControlPlane(group, { dir: join(work, 'control-plane'), clusters: ['management', 'workload'], controllerManager: true, readyTimeoutMs: 180_000 });
    for (const a of cp.apiservers) note(`${a.name}: ${a.server}`);
    return cp;
  });
  const kube = new Kube(plane.primary.kubeconfigYaml);
  const workload = plane.apiservers[1]!;

  const registry = await timeline.stage('Packages: npm run publish and the provider packages into a registry on 127.0.0.1', async (note) => {
    const address = await startRegistry();
    const target = `${address}/${OWNER}`;
    await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'configuration', 'scripts', 'publish.ts'), target, VERSION], { cwd: REPO_ROOT, maxBuffer: 64 * 2 ** 20 });
    note(`pushed ${target}/function-eks-cluster:${VERSION} (amd64, arm64) and ${target}/configuration-eks-cluster:${VERSION}`);
    for (const ref of publishProviders(address, join(work, 'providers'))) note(`pushed ${ref}`);
    return address;
  });

  const pki = makePki();
  const crossplane = await timeline.stage('Crossplane core v2.4.0: core init, core start, Usage webhook on loopback', async (note) => {
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }, 'e2e');
    const attempts = await initCore(plane.primary.kubeconfigFile, logs);
    note(`core init succeeded after ${attempts} attempt(s)`);
    const core = await startCore(group, kube, { kubeconfigFile: plane.primary.kubeconfigFile, dir: join(work, 'crossplane'), pki });
    await runtimeTlsSecret(kube, pki);
    note(`webhook https://127.0.0.1:${core.webhookPort}/validate-no-usages registered`);
    return core;
  });

  // The function: the runtime image of the package Crossplane pulled, run as a pod would run it.
  let fn: RunningImage | undefined;
  const functionRef = `${registry}/${OWNER}/function-eks-cluster:${VERSION}`;
  const rootfs = join(work, 'function-rootfs');
  let functionAddress = '';
  const startFunctionImage = async () => {
    const config = (JSON.parse(execFileSync(tool('crane'), ['config', '--platform', 'linux/amd64', functionRef], { encoding: 'utf8' })) as { config: RuntimeConfig }).config;
    fn = await runImage(rootfs, config, pki.serverDir, join(work, 'function-scratch'), functionAddress || undefined);
    functionAddress = fn.address;
  };

  await timeline.stage('Configuration from the registry: Crossplane resolves the Function and the providers', async (note) => {
    await kube.apply(
      {
        apiVersion: 'pkg.crossplane.io/v1beta1',
        kind: 'ImageConfig',
        metadata: { name: 'loopback-registry' },
        spec: { matchImages: [{ type: 'Prefix', prefix: UPSTREAM }], rewriteImage: { prefix: `${registry}/crossplane-contrib` } },
      },
      'e2e',
    );
    await kube.apply(
      { apiVersion: 'pkg.crossplane.io/v1', kind: 'Configuration', metadata: { name: 'configuration-eks-cluster' }, spec: { package: `${registry}/${OWNER}/configuration-eks-cluster:${VERSION}` } },
      'e2e',
    );
    mkdirSync(rootfs);
    const flat = join(work, 'function.tar');
    execFileSync(tool('crane'), ['export', '--platform', 'linux/amd64', functionRef, flat]);
    execFileSync('tar', ['--numeric-owner', '-xpf', flat, '-C', rootfs]);
    mkdirSync(join(work, 'function-scratch'));
    await startFunctionImage();
    note(`function image (pulled, amd64) serving mTLS on ${functionAddress} as uid 65532`);
    await waitFor(
      'Configuration Installed and Healthy',
      async () => {
        await playPackageRuntime(kube, 'ProviderRevision');
        await playPackageRuntime(kube, 'FunctionRevision', `dns:///${functionAddress}`);
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
    await waitFor('the EKSCluster CRD established', async () => {
      const crd = await kube.find({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: 'eksclusters.eks.gitops.dev' });
      return isTrue(crd, 'Established') ? crd : undefined;
    }, 60_000, group);
  });

  const xr = parse(readFileSync(XR_FILE, 'utf8')) as JsonObject;
  const { name, namespace } = xr.metadata as { name: string; namespace: string };
  const xrRef = { apiVersion: String(xr.apiVersion), kind: String(xr.kind), namespace, name };
  const aws = new SimulatedAws(kube, { namespaces: [namespace], workloadKubeconfig: workload.kubeconfigYaml });

  /** Waits for the XR to be Ready; while it is not, the last error says what it waits for and what the simulated AWS reports. */
  const xrReady = (what: string) =>
    waitFor(what, async () => {
      await playPackageRuntime(kube, 'FunctionRevision', `dns:///${functionAddress}`);
      const current = await kube.get(xrRef);
      if (isTrue(current, 'Ready')) return current;
      const notReady = (await managed(kube, namespace)).filter((o) => !isTrue(o, 'Ready'));
      const why = notReady.slice(0, 5).map((o) => `${String(o.kind)} ${String((o.metadata as JsonObject).name)}: ${condition(o, 'Synced')?.message ?? condition(o, 'Ready')?.reason ?? 'no conditions'}`);
      throw new Error(
        `XR: ${conditions(current).map((c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`).join('; ')}\n` +
          `${notReady.length} managed resources not Ready: ${why.join('; ')}\nsimulated AWS: ${aws.passErrors} failed passes${aws.lastPassError ? `, last: ${aws.lastPassError}` : ''}`,
      );
    }, 300_000, group, 1000);
  /** Every managed resource by name with its uid and what Crossplane asked of it. */
  const snapshot = async () =>
    new Map((await managed(kube, namespace)).map((o) => [String((o.metadata as JsonObject).name), { uid: String((o.metadata as JsonObject).uid), forProvider: JSON.stringify((o.spec as JsonObject).forProvider) }]));

  await timeline.stage(`EKSCluster ${namespace}/${name} applied; faults while it is created: function killed, Crossplane killed, AWS throttling`, async (note) => {
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }, 'e2e');
    // Established is not yet served everywhere: retry the first apply briefly.
    await waitFor('the EKSCluster accepted', () => kube.apply(xr, 'e2e'), 30_000, group, 500);
    aws.start();
    // The first wave exists: the function answered over mTLS.
    await waitFor('the first managed resources', async () => ((await managed(kube, namespace)).length > 20 ? true : undefined), 180_000, group, 1000);
    note(`first wave composed: ${(await managed(kube, namespace)).length} managed resources`);

    await fn!.stop();
    note('function killed (SIGKILL)');
    await new Promise((r) => setTimeout(r, 5000));
    await startFunctionImage();
    note(`function started again on ${functionAddress}`);

    await crossplane.restart();
    note('Crossplane core killed (SIGKILL) and started again');

    aws.throttleUntil = Date.now() + 15_000;
    note('simulated AWS answers ThrottlingException for 15 s');
  });

  await timeline.stage('The XR becomes Ready with its status filled; nothing deleted or replaced by the faults', async (note) => {
    const ready = await xrReady('the XR Ready');
    const status = ready.status as JsonObject;
    const resources = await managed(kube, namespace);
    const usages = await kube.list({ apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', namespace });
    note(`${resources.length} managed resources, ${usages.length} Usages; ${aws.count('created')} created by the simulated AWS, ${aws.count('refused')} refusals on the way`);
    note(`status: ${String(status.summary)}; VPC ${String(status.vpcId)}; cluster endpoint ${String((status.cluster as JsonObject | undefined)?.endpoint)}`);
    if (!status.vpcId || !(status.cluster as JsonObject | undefined)?.endpoint) throw new Error(`status incomplete: ${JSON.stringify(status)}`);
    if (aws.count('deleted') > 0) throw new Error(`${aws.count('deleted')} managed resources deleted before the teardown`);
  });

  await timeline.stage('The kubeconfig Secret reaches the workload cluster', async (note) => {
    const secret = await kube.get({ apiVersion: 'v1', kind: 'Secret', namespace, name: `${name}-kubeconfig` });
    const kubeconfig = Buffer.from(String((secret.data as JsonObject).kubeconfig), 'base64').toString();
    const namespaces = await new Kube(kubeconfig).list({ apiVersion: 'v1', kind: 'Namespace' });
    note(`listed ${namespaces.length} namespaces in ${workload.server} with ${namespace}/${name}-kubeconfig`);
  });

  await timeline.stage('Grow: a fourth zone and a third node group; no existing managed resource replaced or changed', async (note) => {
    const before = await snapshot();
    const spec = structuredClone(xr.spec) as JsonObject;
    ((spec.network as JsonObject).availabilityZones as string[]).push('d');
    (spec.nodeGroups as JsonObject[]).push({ name: 'arm', instanceTypes: ['m7g.large'], amiType: 'AL2023_ARM_64_STANDARD', minSize: 1, maxSize: 3 });
    const totalBefore = Number(((((await kube.get(xrRef)).status as JsonObject).resources as JsonObject | undefined)?.total));
    await kube.apply({ ...xr, spec }, 'e2e');
    // Ready again, and counting more resources than before: the grown cluster, not the old one.
    await waitFor('the grown XR Ready', async () => {
      const current = await xrReady('the XR Ready');
      const resources = (current.status as JsonObject).resources as { total: number; ready: number } | undefined;
      return resources && resources.total > totalBefore && resources.ready === resources.total ? current : undefined;
    }, 300_000, group, 1000);
    const after = await snapshot();
    const replaced = [...before].filter(([n, b]) => after.get(n)?.uid !== b.uid).map(([n]) => n);
    const changed = [...before].filter(([n, b]) => after.get(n) && after.get(n)!.forProvider !== b.forProvider).map(([n]) => n);
    note(`${after.size - before.size} managed resources added; replaced: ${replaced.length}; changed: ${changed.join(', ') || 'none'}`);
    if (replaced.length) throw new Error(`replaced or deleted while growing: ${replaced.join(', ')}`);
    if (changed.length) throw new Error(`changed while growing: ${changed.join(', ')}`);
  });

  await timeline.stage('A node group fails: the XR says which and why; it recovers', async (note) => {
    const reason = 'NodeCreationFailure: Instances failed to join the kubernetes cluster';
    aws.failing.set(`${name}-nodegroup-batch`, reason);
    const failing = await waitFor('the XR naming the failing node group', async () => {
      const current = await kube.get(xrRef);
      const nodes = condition(current, 'NodesReady');
      return nodes?.status === 'False' && nodes.message?.includes('nodegroup-batch') && nodes.message.includes('NodeCreationFailure') ? nodes : undefined;
    }, 120_000, group, 1000);
    note(`NodesReady=False: ${failing.message}`);
    aws.failing.clear();
    await xrReady('the XR Ready again');
    note('Ready again once the node group recovered');
  });

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
    const before = await managed(kube, namespace);
    await kube.delete(xrRef);
    await waitFor('every managed resource gone', async () => ((await managed(kube, namespace)).length === 0 ? true : undefined), 600_000, group, 1000);
    const deleted = aws.events.filter((e) => e.what === 'deleted');
    note(`${deleted.length} of ${before.length} deleted by the simulated AWS; ${aws.count('delete-refused')} deletions refused by AWS's rules on the way`);
    note(`order: ${deleted.map((e) => e.kind).filter((k, i, all) => all.indexOf(k) === i).join(' -> ')}`);
    if (deleted.length !== before.length) throw new Error(`deleted ${deleted.length}, expected ${before.length}`);
    await waitFor('every Usage gone', async () => ((await kube.list({ apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage', namespace })).length === 0 ? true : undefined), 120_000, group, 1000);
    await waitFor('the XR gone', async () => ((await kube.find(xrRef)) ? undefined : true), 120_000, group, 1000);
    note('no managed resource, Usage or XR left');
  });

  await aws.stop();
  await fn?.stop();
}

main().then(
  async () => {
    await group.stopAll();
    process.stdout.write(timeline.summary(`PASS: real Crossplane composed ${XR_FILE.split('/').pop()} over mTLS through the published packages, survived the faults, grew it without replacing anything, reported a failing node group, and deleted it in an order AWS accepts`));
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  },
  async (error: unknown) => {
    process.stderr.write(`\n${error instanceof Error ? error.stack ?? error.message : String(error)}\n\n${group.tails(30)}\n`);
    await group.stopAll();
    process.stdout.write(timeline.summary(`FAIL: ${error instanceof Error ? error.message.split('\n')[0] : String(error)} (logs: ${logs})`));
    process.exit(1);
  },
);
