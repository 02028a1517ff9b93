/**
 * End to end, part 3: README.md's "Install without Flux", run as written. The
 * shell block between its e2e:install-without-flux markers is read at run time
 * and run by bash with the pinned helm and kubectl against a fresh control
 * plane, with only the substitutions the environment forces (SUBSTITUTIONS,
 * each listed in e2e/README.md), while the test plays what no process here
 * runs: pods (Crossplane as the Deployment the chart rendered says, Deployment
 * status), the package runtime (where the function serves) and AWS. It passes
 * when the block's own last command, `kubectl wait` for ekscluster/team-a
 * Ready, succeeds, and what the block installed is what it says.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ProcessGroup, REPO_ROOT, tool, waitFor, type JsonObject } from 'function-eks-cluster/testing';
import { expectActivation } from './lib/activation.js';
import { PINNED_PACKAGES } from 'configuration/scripts/pins.js';
import { expectVerificationOn, PACKAGE_HOME, startChartPart, type ChartPartContext } from './lib/environment.js';
import { copyWorkingTree } from './lib/git-server.js';
import { startCrossplaneChartRepository } from './lib/helm-repository.js';
import { isTrue, managed, nameOf } from './lib/objects.js';
import { runPart } from './lib/part.js';
import { readmeBlock, substitute, type Substitution } from './lib/readme-block.js';
import { expectInstalledByDigest, expectWrongDigestRefused, pinToMirror } from './lib/release-pins.js';
import { SimulatedAws } from './lib/simulated-aws-controller.js';

export const SECTION = 'install-without-flux';
/** The chart repository the README names. */
export const CHART_REPOSITORY = 'https://charts.crossplane.io/stable';
/** Bounds the whole block (its own waits allow 10 and 45 minutes); coreutils' timeout ends every process it started. */
const BLOCK_TIMEOUT_S = 480;
/** The XR the block's last step applies. */
const XR_FILE = join(REPO_ROOT, 'configuration', 'package', 'examples', 'minimal.yaml');
/** The Configuration's own activation policy; `provider.defaultActivations={}` makes no other. */
const CONFIGURATION_POLICY = 'configuration-eks-cluster';
const MRAP = { apiVersion: 'apiextensions.crossplane.io/v1alpha1', kind: 'ManagedResourceActivationPolicy' };

export const PART3_VERDICT =
  "README.md's install-without-Flux commands, run as written by bash with helm and kubectl, installed Crossplane with no default activation and signature verification on, the providers, the function with its runtime config and the Configuration from its registry name, and their own kubectl wait saw ekscluster/team-a Ready";

/** What the environment forces on README.md's block (e2e/README.md lists each): `chartUrl` serves the same chart on 127.0.0.1. */
export function installSubstitutions(chartUrl: string): Substitution[] {
  return [{ from: `--repo ${CHART_REPOSITORY}`, to: `--repo ${chartUrl}`, why: `${CHART_REPOSITORY} cannot be reached: the same chart, served on 127.0.0.1` }];
}

export function installPart(ctx: ChartPartContext): Promise<ProcessGroup> {
  return runPart(ctx.work, (group) => stages(ctx, group));
}

/** The commands on the block's PATH: the pinned helm and kubectl first, then the system's (bash, envsubst). */
function commandsDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const name of ['helm', 'kubectl'] as const) symlinkSync(tool(name), join(dir, name));
  return dir;
}

/**
 * Each command of the block that bash traced (`set -x`), with the second of the
 * run it started at. The block is sourced, one level down: its own commands
 * are traced with two pluses, what they run in a command substitution with more.
 */
function tracedCommands(log: string): string[] {
  return log
    .split('\n')
    .filter((l) => /^\+\+ \[\d+ s\] /.test(l))
    .map((l) => (l.length > 200 ? `${l.slice(3, 200)}...` : l.slice(3)));
}

async function stages(ctx: ChartPartContext, group: ProcessGroup): Promise<void> {
  const { timeline, work } = ctx;
  const { plane, kube, fn, env } = await startChartPart(
    ctx,
    group,
    'Install part: a fresh control plane (management and workload kube-apiservers, a kube-controller-manager each)',
  );
  const xr = parse(readFileSync(XR_FILE, 'utf8')) as JsonObject;
  const { name, namespace } = xr.metadata as { name: string; namespace: string };
  const xrRef = { apiVersion: String(xr.apiVersion), kind: String(xr.kind), namespace, name };

  const { helm, script, aws, checkout } = await timeline.stage(
    "README.md's install-without-Flux block, with the substitutions the environment forces; a Helm repository on 127.0.0.1; the function image",
    async (note) => {
      // The block runs in a copy of this repository with the release pinned by
      // digest to what the run pushed, as in a checkout of that release (e2e/lib/release-pins.ts).
      const checkout = join(work, 'checkout');
      copyWorkingTree(checkout);
      for (const line of pinToMirror(checkout, ctx.mirror, ctx.version).notes) note(line);
      const helm = await startCrossplaneChartRepository();
      note(`helm: ${helm.url} (chart crossplane ${helm.chart.version} from the core module)`);
      const substitutions = installSubstitutions(helm.url);
      const script = substitute(readmeBlock(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'), SECTION), substitutions);
      for (const s of substitutions) note(`"${s.from}" -> "${s.to}": ${s.why}`);
      fn.pull();
      await fn.start();
      note(`function image (pulled from the mirror of ${PACKAGE_HOME}) serving mTLS on ${fn.address}`);
      env.start();
      const aws = new SimulatedAws(kube, { namespaces: [namespace], workloadKubeconfig: plane.apiservers[1]!.kubeconfigYaml });
      aws.start();
      return { helm, script, aws, checkout };
    },
  );

  await timeline.stage(
    'bash runs the block as written (helm and kubectl pinned, KUBECONFIG the control plane) while the test plays pods, the package runtime and AWS',
    async (note) => {
      const file = join(work, `${SECTION}.sh`);
      writeFileSync(file, script);
      const home = join(work, 'home');
      mkdirSync(home, { recursive: true });
      // Sourced by a shell that stops at the first failing command, as a reader would, and traces each command with its second.
      const bash = group.start(
        SECTION,
        'timeout',
        [
          '--kill-after=10s',
          String(BLOCK_TIMEOUT_S),
          'bash',
          '-e',
          '-o',
          'pipefail',
          '-c',
          `cd "$1"; PS4='+ [\${SECONDS} s] '; set -x; . "$0"`,
          file,
          checkout,
        ],
        {
          PATH: `${commandsDir(join(work, 'bin'))}:/usr/local/bin:/usr/bin:/bin`,
          HOME: home,
          KUBECONFIG: plane.primary.kubeconfigFile,
        },
      );
      // It is meant to end: once it has, the group's crash check passes it by.
      void bash.exited.then(() => bash.stop());
      const code = await waitFor(
        `the block to end (bash, at most ${BLOCK_TIMEOUT_S} s)`,
        async () => {
          if (bash.child.exitCode === null && bash.child.signalCode === null) {
            throw new Error(
              `${tracedCommands(readFileSync(bash.logFile, 'utf8')).pop() ?? 'started'}${env.errors ? `; environment: ${env.errors} errors, last: ${env.lastError}` : ''}`,
            );
          }
          return bash.child.exitCode ?? bash.child.signalCode;
        },
        (BLOCK_TIMEOUT_S + 20) * 1000,
        group,
        1000,
      );
      const log = readFileSync(bash.logFile, 'utf8');
      for (const line of tracedCommands(log)) note(line);
      if (code !== 0)
        throw new Error(
          `the README block failed (${code === 124 ? `timed out after ${BLOCK_TIMEOUT_S} s` : `exit ${code}`}):\n${log.split('\n').slice(-40).join('\n')}`,
        );
      note(`last line: ${log.trim().split('\n').pop()}`);
    },
  );

  await timeline.stage('What the block installed: no default activation policy, verification on, the packages Healthy, the XR Ready', async (note) => {
    note(await expectActivation(kube, group, [CONFIGURATION_POLICY]));
    note(await expectVerificationOn(kube));
    const policies = (await kube.list(MRAP)).map(nameOf);
    if (policies.join() !== CONFIGURATION_POLICY)
      throw new Error(`activation policies ${policies.join(', ')}: provider.defaultActivations={} should leave only ${CONFIGURATION_POLICY}`);
    const packages = [
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Provider' })),
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Function' })),
      ...(await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'Configuration' })),
    ];
    const unhealthy = packages.filter((p) => !isTrue(p, 'Healthy')).map(nameOf);
    note(`${packages.length} packages Healthy: ${packages.map(nameOf).join(', ')}`);
    if (unhealthy.length)
      throw new Error(
        `packages not Healthy: ${packages
          .filter((p) => !isTrue(p, 'Healthy'))
          .map((p) => `${nameOf(p)} ${JSON.stringify((p.status as JsonObject | undefined)?.conditions)}`)
          .join('; ')}`,
      );
    const fnObject = packages.find((p) => p.kind === 'Function')!;
    const runtimeConfig = ((fnObject.spec as JsonObject).runtimeConfigRef as JsonObject | undefined)?.name;
    note(`Function ${nameOf(fnObject)} runs with DeploymentRuntimeConfig ${String(runtimeConfig)}`);
    // What the block applies from the Flux tree is installed by the digest the tree pins.
    const fromTree = PINNED_PACKAGES.filter((p) => script.includes(`-f ${p.file}`));
    if (!fromTree.length) throw new Error(`the block applies none of ${PINNED_PACKAGES.map((p) => p.file).join(', ')}: the release is not installed by digest`);
    for (const line of await expectInstalledByDigest(kube, checkout, fromTree)) note(line);
    note(await expectWrongDigestRefused(kube, group, checkout));
    const current = await kube.get(xrRef);
    const all = await managed(kube, namespace);
    const notReady = all.filter((o) => !isTrue(o, 'Ready')).map((o) => `${String(o.kind)} ${nameOf(o)}`);
    if (!isTrue(current, 'Ready') || notReady.length)
      throw new Error(`${name} Ready=${String(isTrue(current, 'Ready'))}; not Ready: ${notReady.join(', ') || 'none'}`);
    note(`${String(xr.kind)} ${namespace}/${name} Ready, with ${all.length} managed resources, every one Ready`);
  });

  env.stop();
  await aws.stop();
  await fn.stop();
  await helm.close();
}
