/**
 * `crossplane resource validate` (the real CLI, offline) is the schema check of
 * this project: render.test.ts runs it on every render. Here: the package's own
 * objects validate against Crossplane's CRDs; composed resources of generated
 * XRs validate too; and each kind of mistake makes it fail, so a clean run
 * means something.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xrArb, xrDocument, isTooSmall, mustCompose, reconcileToReady, type JsonObject } from 'workshop';
import { ACTIVATION_POLICY_FILE, COMPOSITION_FILE, EXAMPLES_DIR, XRD_FILE } from './support/paths.js';
import { validateAll } from './support/validate.js';

let cacheDir: string;
beforeAll(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'xp-validate-cache-'));
});
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const yamlFile = (path: string) => parse(readFileSync(path, 'utf8')) as JsonObject;

/** The composed resources of the production example once everything exists, by kind. */
function productionComposed(): JsonObject[] {
  const { result } = reconcileToReady(yamlFile(join(EXAMPLES_DIR, 'production.yaml')));
  return mustCompose(result).resources.map((r) => structuredClone(r.body));
}

function firstOfKind(objects: JsonObject[], kind: string): JsonObject {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} composed`);
  return found;
}

describe('the package itself', () => {
  it('the XRD, the Composition and the activation policy validate against Crossplane v2.4.0 CRDs', async () => {
    const { summary, problems } = await validateAll([yamlFile(XRD_FILE), yamlFile(COMPOSITION_FILE), yamlFile(ACTIVATION_POLICY_FILE)], cacheDir);
    expect(problems).toEqual([]);
    expect(summary).toMatchObject({ total: 3, valid: 3 });
  });
});

describe('generated XRs', () => {
  it('every resource composed for 60 generated XRs validates against the provider-aws v2.7.0 and Crossplane CRDs', async () => {
    const objects: JsonObject[] = [];
    for (const shape of fc.sample(xrArb, { numRuns: 60, seed: 42 })) {
      const { result } = reconcileToReady(xrDocument(shape));
      if (isTooSmall(result)) continue;
      objects.push(...mustCompose(result).resources.map((r) => r.body));
    }
    expect(objects.length).toBeGreaterThan(1000);
    // A Usage of a core object validates too: the Cluster keeps the kubeconfig Secret.
    expect(objects.filter((o) => o.kind === 'Usage' && at(o, 'spec', 'of').kind === 'Secret').length).toBeGreaterThan(10);
    const { summary, problems } = await validateAll(objects, cacheDir);
    expect(problems).toEqual([]);
    expect(summary).toMatchObject({ total: objects.length, invalid: 0, missingSchemas: 0 });
    // About 7,500 objects, VPC endpoints and their associations included: a minute on an idle
    // machine, several on two cores shared with other builds (validate allows 40 ms an object).
  }, 420_000);
});

type Breakage = [reason: string, kind: string, breakIt: (o: JsonObject) => void, expected: RegExp];

const at = (o: JsonObject, ...path: string[]) => path.reduce((node, key) => node[key] as JsonObject, o);

describe('the validator fails on each kind of mistake', () => {
  const cases: Breakage[] = [
    ['a misspelt field in a composed resource', 'Subnet', (o) => (at(o, 'spec', 'forProvider').vpcIdRefs = [{ name: 'x' }]), /unknown field: "vpcIdRefs"/],
    ['a wrong type', 'Subnet', (o) => (at(o, 'spec', 'forProvider').mapPublicIpOnLaunch = 'yes'), /mapPublicIpOnLaunch.*must be of type boolean/],
    [
      'an unknown field inside a reference',
      'Route',
      (o) => (at(o, 'spec', 'forProvider', 'routeTableIdRef').namespaceName = 'x'),
      /unknown field: "namespaceName"/,
    ],
    ['a value outside an enum', 'NodeGroup', (o) => (at(o, 'spec').managementPolicies = ['Everything']), /managementPolicies.*Unsupported value: "Everything"/],
    [
      'a field the provider does not have (regional NAT on a zonal field)',
      'NATGateway',
      (o) => (at(o, 'spec', 'forProvider').availabilityZones = ['a']),
      /unknown field: "availabilityZones"/,
    ],
    ['a broken Usage', 'Usage', (o) => (at(o, 'spec').of = 'vpc'), /spec\.of/],
    ['a kind no CRD describes', 'VPC', (o) => (o.kind = 'VirtualPrivateCloud'), /missing schemas|VirtualPrivateCloud/],
  ];
  it.each(cases)('%s', async (_, kind, breakIt, expected) => {
    const objects = productionComposed();
    breakIt(firstOfKind(objects, kind));
    const validation = await validateAll(objects, cacheDir);
    expect(validation.code).not.toBe(0);
    expect(validation.problems.join('\n')).toMatch(expected);
  });

  it('a wrong field in the XR itself, against the XRD', async () => {
    const xr = yamlFile(join(EXAMPLES_DIR, 'production.yaml'));
    at(xr, 'spec', 'network').nat = 'Sometimes';
    at(xr, 'spec').nodeGroup = [];
    const { problems, code } = await validateAll([xr], cacheDir);
    expect(code).not.toBe(0);
    expect(problems.join('\n')).toMatch(/spec\.network\.nat: Unsupported value: "Sometimes"/);
    expect(problems.join('\n')).toMatch(/unknown field: "nodeGroup"/);
  });
});
