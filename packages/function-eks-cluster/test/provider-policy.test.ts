/**
 * The IAM policy of docs/iam covers what is composed. Every managed kind that
 * any example or generated XR composes has its AWS actions in
 * scripts/provider-actions.ts, which names nothing else; every kind that hands a
 * role to an AWS service is marked so and every role composed carries the tag
 * the policy's iam:PassRole asks for; the committed policy and its table are
 * what the list and the map give, and the policy fits a managed policy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { isObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { MANAGED_GROUPS, type ManagedGroup } from 'function-eks-cluster/src/ground/composed-kinds.js';
import { ACTIONS_BY_KIND, type KindActions } from 'function-eks-cluster/scripts/provider-actions.js';
import { actionsOf, COMPOSED_TAG, generatedPolicyFiles, kindKey, providersRolePolicy } from 'function-eks-cluster/scripts/provider-policy.js';
import { exampleShape, isTooSmall, reconcileToReady, REPO_ROOT, xrArb, xrAtLimitsArb, xrDocument } from 'workshop';

const EXAMPLES = join(REPO_ROOT, 'configuration', 'package', 'examples');
/** The most a customer managed policy may hold, white space not counted (IAM quotas). */
const MANAGED_POLICY_MAX = 6144;
/** The IAM service prefix of each API group's own actions. */
const SERVICE_OF_GROUP: Record<string, string> = {
  'ec2.aws.m.upbound.io': 'ec2',
  'eks.aws.m.upbound.io': 'eks',
  'iam.aws.m.upbound.io': 'iam',
  'kms.aws.m.upbound.io': 'kms',
  'cloudwatchlogs.aws.m.upbound.io': 'logs',
  'sqs.aws.m.upbound.io': 'sqs',
  'cloudwatchevents.aws.m.upbound.io': 'events',
  'amp.aws.m.upbound.io': 'aps',
};
/** A field naming a role that a service will act as: roleArn, nodeRoleArnRef, iamRoleArnRef, serviceAccountRoleArn... */
const ROLE_FIELD = /RoleArn(Ref|Selector)?$|^roleArn(Ref|Selector)?$/;

/** Every managed resource an XR composes on its way to Ready, including what a later pass no longer composes. */
function composedBodies(xr: JsonObject): JsonObject[] {
  const { result, observed } = reconcileToReady(xr);
  if (isTooSmall(result)) return [];
  if (!result.ok) throw new Error(`${JSON.stringify(xr.metadata)} does not compose: ${JSON.stringify(result.errors)}`);
  return [...Object.values(observed), ...result.resources.map((r) => r.body)];
}

function managedGroupOf(body: JsonObject): string | undefined {
  const apiVersion = String(body.apiVersion);
  return apiVersion.includes('.aws.m.upbound.io/') ? apiVersion : undefined;
}

/** Whether anything under spec.forProvider names a role by a role field. */
function namesARole(value: Json | undefined): boolean {
  if (Array.isArray(value)) return value.some(namesARole);
  if (!isObject(value)) return false;
  return Object.entries(value).some(([k, v]) => ROLE_FIELD.test(k) || namesARole(v));
}

/** One line per composed kind the map cannot answer for, or answers wrongly about passing roles. */
function policyProblems(bodies: readonly JsonObject[], table: Readonly<Record<string, KindActions>> = ACTIONS_BY_KIND): string[] {
  const problems = new Set<string>();
  for (const body of bodies) {
    const apiVersion = managedGroupOf(body);
    if (!apiVersion) continue;
    const kind = String(body.kind);
    const entry = table[kindKey(apiVersion, kind)];
    if (!entry) {
      problems.add(`${kind} (${apiVersion}) is composed, but scripts/provider-actions.ts has no actions for it`);
      continue;
    }
    const forProvider = (body.spec as JsonObject | undefined)?.forProvider;
    if (namesARole(forProvider) && !entry.passesRole) problems.add(`${kind} (${apiVersion}) hands a role to AWS, but is not marked passesRole`);
  }
  return [...problems];
}

const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => [f, parse(readFileSync(join(EXAMPLES, f), 'utf8')) as JsonObject] as const);
/** Each optional block on its own, then generated XRs mixing them, then XRs at the API's limits. */
const generated: JsonObject[] = [
  exampleShape({ flowLogs: true }),
  exampleShape({ karpenter: true, ebsCsi: true, podIdentityRoles: [{ name: 'lbc', policyArns: ['arn:aws:iam::111122223333:policy/Lbc'] }] }),
  exampleShape({ encryption: true, awsIdentity: true, nat: 'None', isolated: true }),
  exampleShape({ nat: 'Regional' }),
  exampleShape({ existing: true, flowLogs: true }),
  exampleShape({ autoMode: true, nodeGroups: [] }),
  ...fc.sample(xrArb, { numRuns: 30, seed: 27 }),
].map(xrDocument);
const atLimits = fc.sample(xrAtLimitsArb, { numRuns: 3, seed: 27 });

describe('every kind composed has its AWS actions', () => {
  it.each(examples)('configuration/package/examples/%s', (_, xr) => {
    expect(policyProblems(composedBodies(xr))).toEqual([]);
  });

  it(`${generated.length + atLimits.length} generated XRs`, () => {
    const bodies = [...generated, ...atLimits].flatMap(composedBodies);
    expect(bodies.length).toBeGreaterThan(2000);
    expect(policyProblems(bodies)).toEqual([]);
  });

  it('the map names exactly the kinds of the list, each kind that passes a role is seen passing one, and each composed role carries the tag', () => {
    const bodies = [...examples.map(([, xr]) => xr), ...generated].flatMap(composedBodies);
    const listed = MANAGED_GROUPS.flatMap((g) => g.kinds.map((k) => kindKey(g.apiVersion, k))).sort();
    expect(Object.keys(ACTIONS_BY_KIND).sort()).toEqual(listed);
    const passing = new Set(
      bodies.filter((b) => managedGroupOf(b) && namesARole((b.spec as JsonObject).forProvider)).map((b) => kindKey(String(b.apiVersion), String(b.kind))),
    );
    const marked = Object.entries(ACTIONS_BY_KIND).filter(([, e]) => e.passesRole);
    expect(marked.map(([k]) => k).filter((k) => !passing.has(k))).toEqual([]);
    const roles = bodies.filter((b) => b.kind === 'Role' && managedGroupOf(b));
    expect(roles.length).toBeGreaterThan(100);
    const untagged = roles.filter(
      (r) =>
        !isObject(((r.spec as JsonObject).forProvider as JsonObject).tags) ||
        !(COMPOSED_TAG in (((r.spec as JsonObject).forProvider as JsonObject).tags as JsonObject)),
    );
    expect(untagged.map((r) => (r.metadata as JsonObject).name)).toEqual([]);
  });
});

describe('the map', () => {
  it.each(MANAGED_GROUPS.flatMap((g) => g.kinds.map((kind) => [`${kind} (${g.apiVersion})`, g, kind] as const)))(
    '%s: IAM actions named as AWS names them, its own of its service, with a source',
    (_, group: ManagedGroup, kind: string) => {
      const entry = actionsOf(group.apiVersion, kind);
      for (const action of [...entry.actions, ...(entry.dependent ?? [])]) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$/);
      const service = SERVICE_OF_GROUP[group.apiVersion.split('/')[0]!];
      expect(entry.actions.filter((a) => !a.startsWith(`${service}:`))).toEqual([]);
      expect(new Set(entry.actions).size).toBe(entry.actions.length);
      expect(entry.source).toMatch(/\.go/);
    },
  );
});

describe('generated from the list and the map', () => {
  it.each(generatedPolicyFiles().map((f) => [f.path.slice(REPO_ROOT.length + 1), f] as const))(
    '%s is up to date (npm run gen-api -w function-eks-cluster)',
    (_, file) => {
      expect(file.missing).toBeUndefined();
      expect(file.actual).toBe(file.expected);
    },
  );

  it(`fits a customer managed policy (${MANAGED_POLICY_MAX} characters without white space)`, () => {
    expect(JSON.stringify(providersRolePolicy()).replace(/\s/g, '').length).toBeLessThanOrEqual(MANAGED_POLICY_MAX);
  });
});

describe('the check fails when it should', () => {
  const vpc: JsonObject = { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'VPC', spec: { forProvider: { cidrBlock: '10.0.0.0/16' } } };
  const flowLog: JsonObject = { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'FlowLog', spec: { forProvider: { iamRoleArnRef: { name: 'x' } } } };
  const withoutVpc = Object.fromEntries(Object.entries(ACTIONS_BY_KIND).filter(([k]) => !k.endsWith(' VPC')));
  const flowLogPassingNothing = {
    ...ACTIONS_BY_KIND,
    [kindKey('ec2.aws.m.upbound.io/v1beta1', 'FlowLog')]: { ...actionsOf('ec2.aws.m.upbound.io/v1beta1', 'FlowLog'), passesRole: false },
  };
  it.each([
    { reason: 'every kind in the map', bodies: [vpc, flowLog], table: ACTIONS_BY_KIND, found: [] },
    { reason: 'a composed kind missing from the map', bodies: [vpc, flowLog], table: withoutVpc, found: [/^VPC .* has no actions/] },
    { reason: 'a kind handing over a role not marked so', bodies: [flowLog], table: flowLogPassingNothing, found: [/^FlowLog .* not marked passesRole/] },
    {
      reason: "Kubernetes' and Crossplane's own kinds need no AWS action",
      bodies: [
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage' },
      ],
      table: {},
      found: [],
    },
  ])('$reason', ({ bodies, table, found }) => {
    const problems = policyProblems(bodies, table);
    expect(problems).toHaveLength(found.length);
    found.forEach((re, i) => expect(problems[i]).toMatch(re));
  });

  it('the policy cannot be built without an entry for every listed kind, and says where to add it', () => {
    expect(() => providersRolePolicy(MANAGED_GROUPS, withoutVpc)).toThrow(
      /VPC \(ec2\.aws\.m\.upbound\.io\/v1beta1\) has no entry in packages\/function-eks-cluster\/scripts\/provider-actions\.ts/,
    );
  });
});
