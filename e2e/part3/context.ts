/**
 * What every stage of part 3 is given (e2e/part3-install.ts builds it once the
 * README's block is read and the servers it needs run): the control plane, the
 * function's process, the Environment that plays pods, the simulated AWS, the
 * block as it will run and the checkout it runs in.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, type JsonObject, type ObjectRef, type ProcessGroup } from 'workshop';
import { PACKAGE_HOME, type ChartPart, type ChartPartContext } from '../lib/environment.js';
import { copyWorkingTree } from '../lib/git-server.js';
import { startCrossplaneChartRepository, type HelmRepository } from '../lib/helm-repository.js';
import { readmeBlock, substitute, type Substitution } from '../lib/readme-block.js';
import { pinToMirror } from '../lib/release-pins.js';
import { SimulatedAws } from '../lib/simulated-aws-controller.js';
import type { Note, StageName } from '../lib/timeline.js';

export const SECTION = 'install-without-flux';
/** The chart repository the README names. */
export const CHART_REPOSITORY = 'https://charts.crossplane.io/stable';
/** The XR the block's last step applies. */
const XR_FILE = join(REPO_ROOT, 'configuration', 'package', 'examples', 'minimal.yaml');

/** What the environment forces on README.md's block (e2e/README.md lists each): `chartUrl` serves the same chart on 127.0.0.1. */
export function installSubstitutions(chartUrl: string): Substitution[] {
  return [{ from: `--repo ${CHART_REPOSITORY}`, to: `--repo ${chartUrl}`, why: `${CHART_REPOSITORY} cannot be reached: the same chart, served on 127.0.0.1` }];
}

/** The example XR the block applies. */
export interface ExampleXr {
  xr: JsonObject;
  xrRef: ObjectRef;
  name: string;
  namespace: string;
}

/** What the stage install/readme-block prepares. */
export interface Block {
  helm: HelmRepository;
  /** The block, substituted, as bash will run it. */
  script: string;
  aws: SimulatedAws;
  /** The copy of this repository the block runs in. */
  checkout: string;
}

export interface InstallContext extends ChartPart, ExampleXr, Block {
  group: ProcessGroup;
  work: string;
}

export const README_BLOCK: StageName = {
  name: 'install/readme-block',
  proves: "README.md's install-without-Flux block, with the substitutions the environment forces; a Helm repository on 127.0.0.1; the function image",
};

export function exampleXr(): ExampleXr {
  const xr = parse(readFileSync(XR_FILE, 'utf8')) as JsonObject;
  const { name, namespace } = xr.metadata as { name: string; namespace: string };
  return { xr, xrRef: { apiVersion: String(xr.apiVersion), kind: String(xr.kind), namespace, name }, name, namespace };
}

/** The block read from README.md and substituted, the chart served, the function and the Environment started, the simulated AWS running. */
export async function prepareBlock(
  { work, mirror, version }: ChartPartContext,
  { plane, kube, fn, env }: ChartPart,
  { namespace }: ExampleXr,
  note: Note,
): Promise<Block> {
  // The block runs in a copy of this repository with the release pinned by
  // digest to what the run pushed, as in a checkout of that release (e2e/lib/release-pins.ts).
  const checkout = join(work, 'checkout');
  copyWorkingTree(checkout);
  for (const line of pinToMirror(checkout, mirror, version).notes) note(line);
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
}
