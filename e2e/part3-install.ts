/**
 * End to end, part 3: README.md's "Install without Flux", run as written. The
 * shell block between its e2e:install-without-flux markers is read at run time
 * and run by bash with the pinned helm and kubectl against a fresh control
 * plane, with only the substitutions the environment forces
 * (installSubstitutions, each listed in e2e/README.md), while the test plays
 * what no process here runs: pods (Crossplane as the Deployment the chart
 * rendered says, Deployment status), the package runtime (where the function
 * serves) and AWS. It passes when the block's own last command, `kubectl wait`
 * for ekscluster/team-a Ready, succeeds, and what the block installed is what
 * it says.
 *
 * The part is the list below: each stage is one function in e2e/part3/stages/,
 * run in this order on one context (e2e/part3/context.ts).
 */
import type { ProcessGroup } from 'function-eks-cluster/testing';
import { startChartPart, type ChartPartContext } from './lib/environment.js';
import { controlPlaneStage, runPart } from './lib/part.js';
import { runStages, type Stage } from './lib/stages.js';
import { exampleXr, prepareBlock, README_BLOCK, type InstallContext } from './part3/context.js';
import { installed } from './part3/stages/installed.js';
import { runBlock } from './part3/stages/run-block.js';

export { installSubstitutions, SECTION } from './part3/context.js';

export const PART3_VERDICT =
  "README.md's install-without-Flux commands, run as written by bash with helm and kubectl, installed Crossplane with no default activation and signature verification on, the providers, the function with its runtime config and the Configuration from its registry name, and their own kubectl wait saw ekscluster/team-a Ready";

/** After the control plane and the block prepared: the stages, in the order they run. */
export const INSTALL_STAGES: readonly Stage<InstallContext>[] = [runBlock, installed];

export function installPart(ctx: ChartPartContext): Promise<ProcessGroup> {
  return runPart(ctx.work, async (group) => {
    const part = await startChartPart(ctx, group, controlPlaneStage('install'));
    const example = exampleXr();
    const block = await ctx.timeline.stage(README_BLOCK, (note) => prepareBlock(ctx, part, example, note));
    const install: InstallContext = { ...part, ...example, ...block, group, work: ctx.work };
    await runStages(ctx.timeline, install, INSTALL_STAGES);
    install.env.stop();
    await install.aws.stop();
    await install.fn.stop();
    await install.helm.close();
  });
}
