/**
 * Upgrades walk one minor version at a time; nodes and add-ons follow the
 * control plane; a spec older than what runs (EKS upgraded the cluster by
 * itself) keeps what runs, with a warning, so that the provider never asks
 * EKS for a lower version; the simulated AWS refuses version changes as EKS does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { ADDON_VERSIONS } from 'function-eks-cluster/src/api/addon-versions.js';
import { compose, type Composition } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { validXr } from './support/bad-inputs.js';
import { CALENDAR_CHECKED_ON, mustCompose, reconcileToReady, refusesVersionUpdate, supportedMinors, type ClusterVersionState } from 'workshop';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const TODAY = CALENDAR_CHECKED_ON;

function wanting(version: string, supportType = 'STANDARD'): JsonObject {
  const xr = validXr();
  const spec = xr.spec as { kubernetesVersion: string; controlPlane?: JsonObject };
  spec.kubernetesVersion = version;
  spec.controlPlane = { ...(spec.controlPlane ?? {}), supportType };
  return xr;
}

const readyAt = new Map<string, Record<string, JsonObject>>();

/** Everything composed and Ready at `version`, then the control plane reporting `running` (EKS or a person moved it). */
function runningAt(version: string, running = version): Record<string, JsonObject> {
  if (!readyAt.has(version)) readyAt.set(version, reconcileToReady(wanting(version)).observed);
  const observed = structuredClone(readyAt.get(version)!);
  ((observed[CLUSTER_KEY]!.status as JsonObject).atProvider as JsonObject).version = running;
  return observed;
}

const versionOf = (result: Composition, key: string) => dig(result.resources.find((r) => r.key === key)!.body, 'spec', 'forProvider', 'version');

const addonVersions = (c: Composition): Record<string, unknown> =>
  Object.fromEntries(
    c.resources
      .filter((r) => r.body.kind === 'Addon')
      .map((r) => [dig(r.body, 'spec', 'forProvider', 'addonName'), dig(r.body, 'spec', 'forProvider', 'addonVersion')]),
  );

describe('Kubernetes versions', () => {
  it.each([
    { reason: 'steady: what runs is what is wanted', running: '1.35', wanted: '1.35', controlPlane: '1.35', nodes: '1.35', walking: false, behind: false },
    {
      reason: 'one minor up: the control plane first, nodes once it runs it',
      running: '1.35',
      wanted: '1.36',
      controlPlane: '1.36',
      nodes: '1.35',
      walking: false,
      behind: false,
    },
    {
      reason: 'two minors up: one step at a time, as EKS requires',
      running: '1.34',
      wanted: '1.36',
      controlPlane: '1.35',
      nodes: '1.34',
      walking: true,
      behind: false,
    },
    { reason: 'four minors up: still one step', running: '1.32', wanted: '1.36', controlPlane: '1.33', nodes: '1.32', walking: true, behind: false },
    {
      reason:
        'EKS upgraded 1.34 at the end of its standard support (STANDARD): everything follows 1.35 (failed before: a fatal "cannot downgrade" stranded the cluster)',
      running: '1.35',
      wanted: '1.34',
      controlPlane: '1.35',
      nodes: '1.35',
      walking: false,
      behind: true,
    },
    {
      reason: 'two upgrades by EKS behind Git: still what runs',
      running: '1.36',
      wanted: '1.34',
      controlPlane: '1.36',
      nodes: '1.36',
      walking: false,
      behind: true,
    },
  ])('$reason', ({ running, wanted, controlPlane, nodes, walking, behind }) => {
    const result = mustCompose(compose({ composite: wanting(wanted), observed: runningAt(running) }));
    expect(versionOf(result, CLUSTER_KEY)).toBe(controlPlane);
    expect(versionOf(result, 'nodegroup-general')).toBe(nodes);
    expect(result.status.cluster?.version).toBe(running);
    expect(result.warnings.some((w) => w.includes('one minor version at a time'))).toBe(walking);
    expect(result.notices.some((n) => n.reason === 'KubernetesVersionBehind')).toBe(behind);
  });

  it('a spec behind what runs: the warning names the field, both versions and the fix, and the add-ons take the running minor', () => {
    const result = mustCompose(compose({ composite: wanting('1.34'), observed: runningAt('1.34', '1.35') }));
    expect(result.notices.filter((n) => n.reason === 'KubernetesVersionBehind')).toEqual([
      {
        reason: 'KubernetesVersionBehind',
        message:
          'spec.kubernetesVersion "1.34" is older than the 1.35 the control plane runs (EKS upgrades a cluster by itself when its version\'s support ends): ' +
          'the control plane, node groups and add-ons stay on 1.35, as the function never asks EKS for a lower version; set spec.kubernetesVersion to "1.35"',
      },
    ]);
    expect(addonVersions(result)).toEqual(ADDON_VERSIONS['1.35']);
  });

  it('once Git names what runs, the warning is gone and nothing else changes', () => {
    const observed = runningAt('1.34', '1.35');
    const behind = mustCompose(compose({ composite: wanting('1.34'), observed }));
    const caughtUp = mustCompose(compose({ composite: wanting('1.35'), observed }));
    expect(caughtUp.notices.some((n) => n.reason === 'KubernetesVersionBehind')).toBe(false);
    expect(caughtUp.resources.map((r) => r.body)).toEqual(behind.resources.map((r) => r.body));
  });

  it('a new cluster gets the wanted version everywhere', () => {
    const { result } = reconcileToReady(wanting('1.33'));
    const composition = mustCompose(result);
    expect(versionOf(composition, CLUSTER_KEY)).toBe('1.33');
    expect(versionOf(composition, 'nodegroup-general')).toBe('1.33');
  });
});

describe('the simulated AWS: version changes EKS accepts and refuses', () => {
  const autoUpgraded: ClusterVersionState = {
    version: '1.35',
    supportType: 'STANDARD',
    upgrade: { from: '1.34', on: '2026-12-02', by: 'end-of-standard-support' },
  };
  const userUpgraded: ClusterVersionState = { version: '1.36', supportType: 'STANDARD', upgrade: { from: '1.35', on: '2026-12-03', by: 'user' } };
  it.each([
    { reason: 'no change', state: userUpgraded, wanted: '1.36', refused: undefined },
    { reason: 'one minor up', state: { version: '1.35', supportType: 'STANDARD' }, wanted: '1.36', refused: undefined },
    {
      reason: 'a skipped minor',
      state: { version: '1.34', supportType: 'STANDARD' },
      wanted: '1.36',
      refused: /Unsupported Kubernetes minor version update from 1\.34 to 1\.36/,
    },
    { reason: 'a minor EKS does not offer yet', state: { version: '1.36', supportType: 'STANDARD' }, wanted: '1.37', refused: /1\.37 is not supported/ },
    { reason: "a rollback within 7 days of a person's upgrade, to standard support", state: userUpgraded, wanted: '1.35', refused: undefined },
    { reason: 'a rollback after the 7-day window', state: userUpgraded, wanted: '1.35', day: '2026-12-11', refused: /7-day rollback window/ },
    {
      reason: 'a rollback of a cluster created at its version',
      state: { version: '1.36', supportType: 'STANDARD' },
      wanted: '1.35',
      refused: /created at 1\.36/,
    },
    { reason: 'a rollback by two minors', state: userUpgraded, wanted: '1.34', refused: /only to 1\.35/ },
    {
      reason: 'what the function asked for before this change, after EKS upgraded the cluster at the end of standard support: refused, the cluster stranded',
      state: autoUpgraded,
      wanted: '1.34',
      refused: /1\.34 is in extended support; set the upgrade policy to EXTENDED first/,
    },
    { reason: 'the same rollback with the EXTENDED policy', state: { ...autoUpgraded, supportType: 'EXTENDED' }, wanted: '1.34', refused: undefined },
    {
      reason: 'a rollback after EKS upgraded at the end of extended support',
      state: { version: '1.32', supportType: 'EXTENDED', upgrade: { from: '1.31', on: '2026-11-26', by: 'end-of-extended-support' } as const },
      wanted: '1.31',
      refused: /EKS upgraded it at the end of extended support/,
    },
  ])('$reason', ({ state, wanted, day, refused }: { state: ClusterVersionState; wanted: string; day?: string; refused: RegExp | undefined }) => {
    const refusal = refusesVersionUpdate(state, wanted, day ?? TODAY);
    if (refused) expect(refusal).toMatch(refused);
    else expect(refusal).toBeUndefined();
  });
});

describe('every composed version is one EKS accepts, over generated histories', () => {
  const minors = supportedMinors(TODAY);
  const step = (version: string, by: number) => `1.${Number(version.split('.')[1]) + by}`;
  const history = fc.record({
    running: fc.constantFrom(...minors),
    wanted: fc.constantFrom(...minors),
    supportType: fc.constantFrom('STANDARD', 'EXTENDED'),
    upgrade: fc.constantFrom(undefined, 'user' as const, 'end-of-standard-support' as const),
    daysAgo: fc.integer({ min: 0, max: 30 }),
  });
  it('never lower than what runs, never more than one minor above, never refused', () => {
    fc.assert(
      fc.property(history, ({ running, wanted, supportType, upgrade, daysAgo }) => {
        const state: ClusterVersionState = {
          version: running,
          supportType,
          ...(upgrade && minors.includes(step(running, -1))
            ? { upgrade: { from: step(running, -1), on: new Date(Date.parse(TODAY) - daysAgo * 86_400_000).toISOString().slice(0, 10), by: upgrade } }
            : {}),
        };
        const result = mustCompose(compose({ composite: wanting(wanted, supportType), observed: runningAt(running) }));
        const composed = String(versionOf(result, CLUSTER_KEY));
        expect([running, step(running, 1)]).toContain(composed);
        expect(refusesVersionUpdate(state, composed, TODAY)).toBeUndefined();
        expect(versionOf(result, 'nodegroup-general')).toBe(running);
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
  });
});
