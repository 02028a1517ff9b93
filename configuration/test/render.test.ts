/**
 * `crossplane composition render`, the real CLI, exactly as a user runs it:
 * every example through apis/eksclusters/composition.yaml, the Function object
 * Flux installs (flux/infrastructure/packages/function.yaml) and the built
 * function on a loopback port, with the XRD's defaults applied (`--xrd`). The
 * production example is rendered at each step of its life, each step's
 * observed state passed with `--observed-resources`; every output is validated
 * by `crossplane resource validate` against the XRD, Crossplane's CRDs and the
 * provider-aws CRDs (validate.test.ts shows the validator fails on a wrong
 * field), and compared with its readable expectation, test/expected/<example>.yaml
 * (support/summary.ts says what it holds). Finally `npm start`'s own client is
 * shown to print the same plan as the CLI's render.
 *
 * After an intended change, rewrite the expectations and read their diff:
 *   npm run update-expected   (in configuration/)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  composedBy,
  composedByCli,
  connect,
  desiredStatus,
  observeNotReady,
  observeReady,
  planSvg,
  planText,
  renderWaves,
  resourceName,
  settle,
  startFunction,
  topologyOf,
  type FunctionProcess,
  type JsonObject,
  type Rendered,
  type RenderOptions,
} from 'workshop';
import { COMPOSITION_FILE, EXAMPLES_DIR, FLUX_FUNCTION_FILE, XRD_FILE } from './support/paths.js';
import { renderSummary } from './support/summary.js';
import { validateAll, type Validation } from './support/validate.js';

const EXPECTED_DIR = join(import.meta.dirname, 'expected');
const EXAMPLES = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

let fn: FunctionProcess;
let options: RenderOptions;
/** Every render output of this file, validated together and compared with its example's expectation at the end. */
const outputs: { name: string; docs: JsonObject[] }[] = [];
const stepsOf = new Map<string, { step: string; rendered: Rendered }[]>();

beforeAll(async () => {
  fn = await startFunction();
  options = {
    composition: COMPOSITION_FILE,
    functions: FLUX_FUNCTION_FILE,
    functionAddress: fn.address,
    xrd: XRD_FILE,
    includeFullXr: true,
    includeFunctionResults: true,
  };
});

afterAll(async () => {
  await fn?.stop();
});

function example(file: string): JsonObject {
  return parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as JsonObject;
}

/** Keeps `rendered`, step `step` (e.g. 1-nothing-observed) of `example`, for the validation and the expectations below. */
function record(example: string, step: string, rendered: Rendered): void {
  outputs.push({ name: `${example}/${step}`, docs: [rendered.xr, ...rendered.composed] });
  stepsOf.set(example, [...(stepsOf.get(example) ?? []), { step, rendered }]);
}

/** One render of `xr` with `observed`; fails the test on a fatal result. */
async function renderStep(xr: JsonObject, observed: Record<string, JsonObject>): Promise<Rendered> {
  const step = await composedByCli(xr, observed, options);
  if (step.fatal !== undefined || !step.rendered) throw new Error(`render failed: ${step.fatal}`);
  return step.rendered;
}

/** The CLI's reconcile loop: render, make every new resource Ready, render again, until nothing new appears. */
function settleWithCli(xr: JsonObject) {
  return settle(
    (observed) => composedByCli(xr, observed, options),
    (step) => step,
  );
}

/** Observes as Ready what the last render composed and `keep` selects. */
function advance(observed: Record<string, JsonObject>, rendered: Rendered, keep: (key: string) => boolean): Record<string, JsonObject> {
  const next = { ...observed };
  for (const o of rendered.composed) {
    const key = resourceName(o)!;
    if (!(key in next) && keep(key)) next[key] = observeReady(key, o);
  }
  return next;
}

const conditionOf = (xr: JsonObject, type: string) =>
  ((xr.status as JsonObject | undefined)?.conditions as JsonObject[] | undefined)?.find((c) => c.type === type);

describe('crossplane composition render: every example', () => {
  it.each(EXAMPLES)('%s: the first render, and the render once everything is Ready', async (file) => {
    const xr = example(file);
    const name = file.replace(/\.yaml$/, '');
    const first = await renderStep(xr, {});
    expect(conditionOf(first.xr, 'Ready')).toMatchObject({ status: 'False', reason: 'Creating' });
    record(name, '1-nothing-observed', first);

    const settled = await settleWithCli(xr);
    if (!settled.ok) throw new Error(settled.fatal);
    // Network and IAM, the cluster, add-ons; then node groups and what needs nodes (Auto Mode has no node group wave).
    expect(settled.waves.length).toBeGreaterThanOrEqual(xr.spec && (xr.spec as JsonObject).autoMode ? 3 : 4);
    const last = settled.final.rendered!;
    expect(conditionOf(last.xr, 'Ready')).toMatchObject({ status: 'True' });
    record(name, '9-all-ready', last);
  });
});

describe('crossplane composition render: the production example, step by step', () => {
  const xr = example('production.yaml');
  const isNetworkOrIam = (k: string) => /^(vpc|igw|subnet-|rt-|rta-|route-|nat|eip|role-|kms-key|usage-)/.test(k);

  it('network ready; control plane ready; a node group failing', async () => {
    const first = await renderStep(xr, {});
    const networkReady = advance({}, first, isNetworkOrIam);
    const second = await renderStep(xr, networkReady);
    expect(conditionOf(second.xr, 'NetworkReady')).toMatchObject({ status: 'True' });
    expect(second.composed.map(resourceName)).toContain('cluster');
    record('production', '2-network-ready', second);

    const clusterReady = advance(networkReady, second, (k) => k === 'cluster' || k.startsWith('usage-'));
    const third = await renderStep(xr, clusterReady);
    expect(conditionOf(third.xr, 'ControlPlaneReady')).toMatchObject({ status: 'True' });
    record('production', '3-cluster-ready', third);

    const settled = await settleWithCli(xr);
    if (!settled.ok) throw new Error(settled.fatal);
    const failing = { ...settled.observed };
    failing['nodegroup-batch'] = observeNotReady(
      failing['nodegroup-batch']!,
      'ReconcileError',
      'create failed: InsufficientInstanceCapacity: no spot capacity for c7i.2xlarge in us-west-2b',
    );
    const fourth = await renderStep(xr, failing);
    expect(conditionOf(fourth.xr, 'NodesReady')).toMatchObject({ status: 'False' });
    expect(String(conditionOf(fourth.xr, 'NodesReady')?.message)).toContain('InsufficientInstanceCapacity');
    record('production', '4-node-group-failing', fourth);
  });
});

describe('crossplane resource validate: every render above', () => {
  let validation: Validation;
  let cacheDir: string;
  beforeAll(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'xp-validate-cache-'));
    validation = await validateAll(
      outputs.flatMap((o) => o.docs),
      cacheDir,
    );
  });
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('validates the XR and every composed resource against the XRD, Crossplane and provider-aws v2.7.0 CRDs, with no schema missing', () => {
    expect(outputs.length).toBe(EXAMPLES.length * 2 + 3);
    expect(validation.problems).toEqual([]);
    expect(validation.summary).toMatchObject({ invalid: 0, missingSchemas: 0 });
    expect(validation.summary.total).toBe(outputs.reduce((n, o) => n + o.docs.length, 0));
    // Regional NAT (provider-aws-ec2 v2.5.0+) validates with no allow-list.
    const regional = outputs.find((o) => o.name === 'regional-nat/9-all-ready')!.docs.find((d) => d.kind === 'NATGateway');
    expect((regional?.spec as JsonObject).forProvider).toMatchObject({ availabilityMode: 'regional' });
  });
});

describe('what each example composes, as a reviewer reads it: test/expected/<example>.yaml', () => {
  it.each(EXAMPLES)('%s: every render above, summarised, is the committed expectation', async (file) => {
    const name = file.replace(/\.yaml$/, '');
    const steps = [...(stepsOf.get(name) ?? [])].sort((a, b) => a.step.localeCompare(b.step));
    expect(steps.length, `${name} was rendered above`).toBeGreaterThanOrEqual(2);
    // A missing or different file fails (vitest.config.ts: update 'none'); npm run update-expected rewrites them.
    await expect(renderSummary(steps)).toMatchFileSnapshot(join(EXPECTED_DIR, `${name}.yaml`));
  });

  it('holds no expectation of an example that is gone', () => {
    // A missing one fails above; a stale one would pass unread.
    for (const file of readdirSync(EXPECTED_DIR)) expect(EXAMPLES, `test/expected/${file}`).toContain(file);
  });
});

describe('npm start shows what crossplane composition render produces', () => {
  it.each(EXAMPLES)('%s: same creation waves, same resources, same status, same plan and picture', async (file) => {
    const xr = example(file);
    const client = connect(fn.address);
    const ours = await renderWaves(xr, (req) => client.run(req)).finally(() => client.close());
    const cli = await settleWithCli(xr);
    if (!ours.ok || !cli.ok) throw new Error(`fatal: ${JSON.stringify([ours, cli])}`);
    const sorted = (waves: { keys: string[] }[]) => waves.map((w) => [...w.keys].sort());
    expect(sorted(ours.waves)).toEqual(sorted(cli.waves));

    const rendered = cli.final.rendered!;
    const fromCli = Object.fromEntries(rendered.composed.map((o) => [resourceName(o)!, o]));
    const fromClient = composedBy(ours.final).desired;
    expect(Object.keys(fromCli).sort()).toEqual(Object.keys(fromClient).sort());
    // Crossplane adds its bookkeeping (owner, composite label, resource-name annotation); the rest is the function's.
    for (const [key, body] of Object.entries(fromClient)) expect(fromCli[key], key).toMatchObject(body);

    const ourStatus = desiredStatus(ours.final)!;
    const cliStatus = rendered.xr.status as JsonObject;
    expect(cliStatus).toMatchObject(ourStatus);
    for (const c of ours.final.conditions) expect(conditionOf(rendered.xr, c.type)?.message).toBe(c.message);

    const viaClient = topologyOf(xr, fromClient, ourStatus);
    const viaCli = topologyOf(xr, fromCli, cliStatus);
    expect(planText(viaCli, cli.waves)).toBe(planText(viaClient, ours.waves));
    expect(planSvg(viaCli)).toBe(planSvg(viaClient));
  });
});
