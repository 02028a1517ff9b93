/**
 * Add-on versions follow the Kubernetes version. Before
 * this change no addonVersion was set, so EKS picked one at creation and the
 * add-on never moved when spec.kubernetesVersion went up.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADDONS, specSchema } from 'function-eks-cluster/src/api/eks-cluster.js';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose, type Composition } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { ADDON_VERSIONS, MAINTAINED_MINORS } from 'function-eks-cluster/src/api/addon-versions.js';
import { isNewerVersion } from 'function-eks-cluster/src/eks/addons.js';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';
import { exampleShape, isTooSmall, mustCompose, reconcileToReady, REPO_ROOT, xrArb, xrDocument, type XRShape } from 'workshop';
import { CLUSTER_FACTS_KEY } from 'function-eks-cluster/src/lifecycle/cluster-facts.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

const SHAPE = exampleShape();

function xr(version: string, addons: JsonObject[] = [], shape: XRShape = SHAPE): JsonObject {
  const xr = xrDocument(shape);
  (xr.spec as JsonObject).kubernetesVersion = version;
  (xr.spec as JsonObject).addons = addons;
  return xr;
}

/** Everything composed and Ready at `version`, then the control plane reporting `running`. */
function runningAt(version: string, running = version, addons: JsonObject[] = []): Record<string, JsonObject> {
  const { observed } = reconcileToReady(xr(version, addons));
  ((observed[CLUSTER_KEY]!.status as JsonObject).atProvider as JsonObject).version = running;
  return observed;
}

/** Everything Ready at `version` but the add-ons, which are about to be created. */
function addonsNew(version: string): Record<string, JsonObject> {
  const { observed } = reconcileToReady(xr(version));
  return Object.fromEntries(
    Object.entries(observed).filter(([key]) => !key.startsWith('addon-') && !key.includes('-uses-addon-') && !key.startsWith('usage-addon-')),
  );
}

const addonVersions = (c: Composition): Record<string, unknown> =>
  Object.fromEntries(
    c.resources
      .filter((r) => r.body.kind === 'Addon')
      .map((r) => [dig(r.body, 'spec', 'forProvider', 'addonName'), dig(r.body, 'spec', 'forProvider', 'addonVersion')]),
  );

describe('the table of default add-on versions', () => {
  it('covers every default add-on for every maintained minor, and the API default version', () => {
    for (const minor of MAINTAINED_MINORS) expect(Object.keys(ADDON_VERSIONS[minor]!).sort(), minor).toEqual([...DEFAULT_ADDONS].sort());
    expect(MAINTAINED_MINORS).toContain(specSchema.node.properties!.kubernetesVersion!.default);
    const minors = MAINTAINED_MINORS.map((m) => Number(m.split('.')[1]));
    expect(minors, 'no gap between maintained minors').toEqual(minors.map((_, i) => minors[0]! + i));
  });

  it('holds EKS add-on versions, kube-proxy of its own minor', () => {
    for (const [minor, row] of Object.entries(ADDON_VERSIONS)) {
      for (const version of Object.values(row)) expect(version).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
      expect(row['kube-proxy']).toMatch(new RegExp(`^v${minor.replace('.', '\\.')}\\.`));
    }
  });

  it("is kept current by renovate.json: its aws-eks-addon manager finds every entry with the query for that minor and add-on's default", () => {
    const file = 'packages/function-eks-cluster/src/api/addon-versions.ts';
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    const config = JSON.parse(readFileSync(join(REPO_ROOT, 'renovate.json'), 'utf8')) as {
      customManagers: { managerFilePatterns: string[]; matchStrings: string[]; datasourceTemplate?: string }[];
    };
    const managers = config.customManagers.filter((m) => m.managerFilePatterns.some((p) => new RegExp(p.replace(/^\/|\/$/g, '')).test(file)));
    expect(managers.map((m) => m.datasourceTemplate)).toEqual(['aws-eks-addon']);
    const found = managers[0]!.matchStrings.flatMap((s) => [...text.matchAll(new RegExp(s, 'g'))].map((m) => ({ ...m.groups })));
    const expected = Object.entries(ADDON_VERSIONS).flatMap(([minor, row]) =>
      Object.entries(row).map(([addonName, version]) => ({
        packageName: JSON.stringify({ kubernetesVersion: minor, addonName, default: true }),
        currentValue: version,
      })),
    );
    expect(found.sort((a, b) => String(a.packageName).localeCompare(String(b.packageName)))).toEqual(
      expected.sort((a, b) => a.packageName.localeCompare(b.packageName)),
    );
  });
});

describe('add-on versions', () => {
  const cases: { reason: string; xr: JsonObject; observed: Record<string, JsonObject>; expected: Record<string, unknown>; notice?: boolean }[] = [
    {
      reason: 'a new cluster gets the maintained version of each default add-on (failed before: none was set)',
      xr: xr('1.36'),
      observed: addonsNew('1.36'),
      expected: ADDON_VERSIONS['1.36']!,
    },
    {
      reason: 'an upgrade asked for but not yet done keeps the add-ons on the versions of the minor the control plane runs',
      xr: xr('1.36'),
      observed: runningAt('1.35'),
      expected: ADDON_VERSIONS['1.35']!,
    },
    {
      reason: 'once the control plane reports the new minor, the add-ons move to its versions (failed before: they never moved)',
      xr: xr('1.36'),
      observed: runningAt('1.35', '1.36'),
      expected: ADDON_VERSIONS['1.36']!,
    },
    {
      reason: "the user's version wins, also over a later running one",
      xr: xr('1.36', [{ name: 'coredns', version: 'v1.11.4-eksbuild.2' }]),
      observed: runningAt('1.36'),
      expected: { ...ADDON_VERSIONS['1.36']!, coredns: 'v1.11.4-eksbuild.2' },
    },
    {
      reason: 'a default never lowers what an add-on runs (EKS does not downgrade add-ons), for example after an explicit version is dropped',
      xr: xr('1.36'),
      observed: runningAt('1.36', '1.36', [{ name: 'kube-proxy', version: 'v1.36.9-eksbuild.3' }]),
      expected: { ...ADDON_VERSIONS['1.36']!, 'kube-proxy': 'v1.36.9-eksbuild.3' },
    },
    {
      reason: 'a minor the table lacks keeps what runs and warns',
      xr: xr('1.37'),
      observed: runningAt('1.36', '1.37'),
      expected: ADDON_VERSIONS['1.36']!,
      notice: true,
    },
    {
      reason: 'a new cluster of a minor the table lacks leaves the choice to EKS and warns',
      xr: xr('1.29'),
      observed: addonsNew('1.29'),
      expected: Object.fromEntries(DEFAULT_ADDONS.map((a) => [a, undefined])),
      notice: true,
    },
    {
      reason: 'an add-on outside the defaults gets its version from the user only',
      xr: xr('1.36', [{ name: 'aws-ebs-csi-driver' }]),
      observed: addonsNew('1.36'),
      expected: { ...ADDON_VERSIONS['1.36']!, 'aws-ebs-csi-driver': undefined },
    },
  ];
  it.each(cases)('$reason', ({ xr, observed, expected, notice }) => {
    const result = mustCompose(compose({ composite: xr, observed }));
    expect(addonVersions(result)).toEqual(expected);
    expect(result.notices.some((n) => n.reason === 'AddonVersionsUnknown')).toBe(notice ?? false);
  });

  it('conflicts: OVERWRITE when created, PRESERVE on updates so that changes made on the cluster survive a version bump', () => {
    const addons = mustCompose(reconcileToReady(xr('1.34')).result).resources.filter((r) => r.body.kind === 'Addon');
    expect(addons).toHaveLength(DEFAULT_ADDONS.length);
    for (const a of addons)
      expect(dig(a.body, 'spec', 'forProvider')).toMatchObject({ resolveConflictsOnCreate: 'OVERWRITE', resolveConflictsOnUpdate: 'PRESERVE' });
  });

  it.each([
    ['v1.20.5-eksbuild.1', 'v1.20.4-eksbuild.9', true],
    ['v1.20.4-eksbuild.2', 'v1.20.4-eksbuild.1', true],
    ['v1.12.4-eksbuild.1', 'v1.11.4-eksbuild.24', true],
    ['v1.20.4-eksbuild.1', 'v1.20.4-eksbuild.1', false],
    ['v1.9.0-eksbuild.1', 'v1.10.0-eksbuild.1', false],
    ['latest', 'v1.0.0-eksbuild.1', false],
  ])('%s is newer than %s: %s', (a, b, newer) => {
    expect(isNewerVersion(a, b)).toBe(newer);
  });
});

describe('an upgrade, over generated XRs', () => {
  it('moves add-on versions and nothing else: every resource keeps its name, and only versions change', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const { result, observed } = reconcileToReady(xr('1.35', [], shape));
        if (isTooSmall(result)) return;
        const before = mustCompose(result);
        ((observed[CLUSTER_KEY]!.status as JsonObject).atProvider as JsonObject).version = '1.36';
        const after = mustCompose(compose({ composite: xr('1.36', [], shape), observed }));
        const next = new Map(after.resources.map((r) => [r.key, r.body]));
        expect([...next.keys()].sort()).toEqual(before.resources.map((r) => r.key).sort());
        for (const r of before.resources) {
          const body = structuredClone(next.get(r.key)!);
          expect(dig(body, 'metadata', 'name')).toEqual(dig(r.body, 'metadata', 'name'));
          const fp = dig(body, 'spec', 'forProvider') as JsonObject | undefined;
          if (r.body.kind === 'Addon') {
            expect(fp!.addonVersion).toBe(ADDON_VERSIONS['1.36']![fp!.addonName as keyof (typeof ADDON_VERSIONS)['1.36']]);
            fp!.addonVersion = dig(r.body, 'spec', 'forProvider', 'addonVersion')!;
          }
          if (r.body.kind === 'Cluster' || r.body.kind === 'NodeGroup') fp!.version = '1.35';
          // The facts Flux reads say what the control plane runs.
          if (r.key === CLUSTER_FACTS_KEY) {
            expect((body.data as JsonObject).cluster_version).toBe('1.36');
            (body.data as JsonObject).cluster_version = '1.35';
          }
          expect(body, r.key).toEqual(r.body);
        }
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
