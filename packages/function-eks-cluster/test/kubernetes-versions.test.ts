/**
 * The Kubernetes minors the function maintains are the ones EKS supports: the
 * add-on table covers exactly the minors the EKS calendar (workshop/eks-calendar.ts)
 * supports on the day it was checked, the default is the newest minor in
 * standard support, docs/kubernetes-versions.md shows the same calendar, and
 * an XR on every maintained minor composes maintained add-on versions with no warning.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ADDONS, specSchema } from 'function-eks-cluster/src/api/eks-cluster.js';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { ADDON_VERSIONS, MAINTAINED_MINORS } from 'function-eks-cluster/src/api/addon-versions.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import {
  CALENDAR_CHECKED_ON,
  EKS_CALENDAR,
  exampleShape,
  isTooSmall,
  mustCompose,
  reconcileToReady,
  REPO_ROOT,
  supportedMinors,
  supportOn,
  xrArb,
  xrDocument,
  type XRShape,
} from 'workshop';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

function xrOn(minor: string, shape: XRShape = exampleShape()): JsonObject {
  const xr = xrDocument(shape);
  (xr.spec as JsonObject).kubernetesVersion = minor;
  return xr;
}

/** Each default add-on's composed version, and the warnings, of an XR on `minor` brought to Ready. */
function composedOn(minor: string, shape?: XRShape) {
  const { result } = reconcileToReady(xrOn(minor, shape));
  if (isTooSmall(result)) return undefined;
  const composition = mustCompose(result);
  const versions = Object.fromEntries(
    composition.resources
      .filter((r) => r.body.kind === 'Addon' && (DEFAULT_ADDONS as readonly unknown[]).includes(dig(r.body, 'spec', 'forProvider', 'addonName')))
      .map((r) => [dig(r.body, 'spec', 'forProvider', 'addonName'), dig(r.body, 'spec', 'forProvider', 'addonVersion')]),
  );
  return { versions, warnings: composition.warnings, notices: composition.notices.map((n) => n.reason) };
}

describe('the maintained minors are the ones EKS supports', () => {
  it(`the add-on table covers exactly the minors EKS supports on ${CALENDAR_CHECKED_ON}, in standard or extended support`, () => {
    expect(MAINTAINED_MINORS).toEqual(supportedMinors(CALENDAR_CHECKED_ON));
  });

  it('the default kubernetesVersion is the newest minor in standard support', () => {
    const standard = EKS_CALENDAR.filter((m) => supportOn(m.minor, CALENDAR_CHECKED_ON) === 'standard').map((m) => m.minor);
    expect(specSchema.node.properties!.kubernetesVersion!.default).toBe(standard[standard.length - 1]);
  });

  it('docs/kubernetes-versions.md shows the same calendar', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'kubernetes-versions.md'), 'utf8');
    for (const m of EKS_CALENDAR) {
      const row = `| ${m.minor} | ${m.released} | ${m.endOfStandardSupport} | ${m.endOfExtendedSupport} | ${supportOn(m.minor, CALENDAR_CHECKED_ON)} |`;
      expect(doc, m.minor).toContain(row);
    }
    expect(doc).toContain(`on **${CALENDAR_CHECKED_ON}**`);
  });
});

describe('an XR on every maintained minor', () => {
  it.each(MAINTAINED_MINORS)('%s: every default add-on gets the table version, with no warning', (minor) => {
    const composed = composedOn(minor)!;
    expect(composed.versions).toEqual(ADDON_VERSIONS[minor]);
    expect(composed.warnings).toEqual([]);
    expect(composed.notices).toEqual([]);
  });

  it('over generated XRs: maintained add-on versions, no AddonVersionsUnknown or KubernetesVersionBehind warning', () => {
    fc.assert(
      fc.property(xrArb, fc.constantFrom(...MAINTAINED_MINORS), (shape, minor) => {
        const composed = composedOn(minor, shape);
        if (!composed) return;
        for (const [addon, version] of Object.entries(composed.versions))
          expect(version, addon).toBe(ADDON_VERSIONS[minor]![addon as keyof (typeof ADDON_VERSIONS)[string]]);
        expect(composed.notices).not.toContain('AddonVersionsUnknown');
        expect(composed.notices).not.toContain('KubernetesVersionBehind');
      }),
      { numRuns: Math.ceil(RUNS / 10) },
    );
  });
});
