/**
 * Activation matches what is composed. provider-aws declares the safe-start
 * capability, so Crossplane serves one of its kinds only once a
 * ManagedResourceActivationPolicy names it, and an XR composing a kind no
 * policy names never becomes Ready. Every kind composed for every example and
 * for generated XRs must be named by the policy the Configuration ships, and
 * its provider must be a dependency of the Configuration; the list of composed
 * kinds (src/ground/composed-kinds.ts) names nothing the function never
 * composes, and each name is a CRD of the pinned provider-aws; what is
 * generated from the list is up to date.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { MANAGED_GROUPS } from 'function-eks-cluster/src/ground/composed-kinds.js';
import {
  ACTIVATION_POLICY_PATH,
  activates,
  generatedActivationFiles,
  groupOf,
  memberOf,
  mrdName,
  PROVIDER_REGISTRY,
  providerAwsMemberFor,
} from 'function-eks-cluster/scripts/activation-files.js';
import { crdsDir, exampleShape, isTooSmall, reconcileToReady, REPO_ROOT, xrArb, xrDocument, type XRShape } from 'workshop';

const EXAMPLES = join(REPO_ROOT, 'configuration', 'package', 'examples');
const CONFIGURATION_META = join(REPO_ROOT, 'configuration', 'package', 'crossplane.yaml');
const FIX = 'add the kind to MANAGED_GROUPS in src/ground/composed-kinds.ts and run npm run gen-api -w function-eks-cluster';
/** Served by Kubernetes and Crossplane themselves: composed without any provider. */
const BUILT_IN_GROUPS = new Set(['', 'protection.crossplane.io']);

interface Kind {
  apiVersion: string;
  kind: string;
}

/** One line per composed kind that would never become Ready: not activated, or its provider not installed. */
function activationProblems(composed: readonly Kind[], activate: readonly string[], dependencies: readonly string[]): string[] {
  const seen = new Map(composed.map((k) => [`${k.apiVersion} ${k.kind}`, k]));
  return [...seen.values()].flatMap(({ apiVersion, kind }) => {
    const group = apiVersion.includes('/') ? groupOf(apiVersion) : '';
    if (BUILT_IN_GROUPS.has(group)) return [];
    const what = `${kind} (${apiVersion}) is composed`;
    const member = providerAwsMemberFor(group);
    if (!member) return [`${what}, but no provider-aws family member serves ${group}: ${FIX}`];
    const name = mrdName(apiVersion, kind);
    const problems: string[] = [];
    if (!activate.some((p) => activates(p, name))) problems.push(`${what}, but ${name} is not activated by the Configuration's policy: ${FIX}`);
    if (!dependencies.some((d) => d.endsWith(`/${member}`)))
      problems.push(`${what}, but its provider ${member} is not a dependency of the Configuration: ${FIX}`);
    return problems;
  });
}

function shippedPolicy(): string[] {
  const policy = parse(readFileSync(ACTIVATION_POLICY_PATH, 'utf8')) as { kind: string; spec: { activate: string[] } };
  expect(policy.kind).toBe('ManagedResourceActivationPolicy');
  return policy.spec.activate;
}

function shippedDependencies(): string[] {
  const meta = parse(readFileSync(CONFIGURATION_META, 'utf8')) as { spec: { dependsOn: { provider?: string }[] } };
  return meta.spec.dependsOn.flatMap((d) => (d.provider ? [d.provider] : []));
}

/** Every kind an XR composes on its way to Ready, including what a later pass no longer composes. */
function kindsComposed(xr: JsonObject): Kind[] {
  const { result, observed } = reconcileToReady(xr);
  if (isTooSmall(result)) return [];
  if (!result.ok) throw new Error(`${JSON.stringify(xr.metadata)} does not compose: ${JSON.stringify(result.errors)}`);
  return [...Object.values(observed), ...result.resources.map((r) => r.body)].map((o) => ({ apiVersion: String(o.apiVersion), kind: String(o.kind) }));
}

const examples = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
/** Each optional block on its own, then generated XRs mixing them. */
const shapes: XRShape[] = [
  exampleShape({ flowLogs: true }),
  exampleShape({ karpenter: true, ebsCsi: true, podIdentityRoles: [{ name: 'lbc', policyArns: ['arn:aws:iam::111122223333:policy/Lbc'] }] }),
  exampleShape({ encryption: true, awsIdentity: true, nat: 'None', isolated: true }),
  exampleShape({ existing: true, flowLogs: true }),
  exampleShape({ autoMode: true, nodeGroups: [] }),
  ...fc.sample(xrArb, { numRuns: 40, seed: 27 }),
];

describe('every kind composed is activated by the shipped policy, and its provider is a dependency', () => {
  const activate = shippedPolicy();
  const dependencies = shippedDependencies();

  it.each(examples)('configuration/package/examples/%s', (file) => {
    const xr = parse(readFileSync(join(EXAMPLES, file), 'utf8')) as JsonObject;
    expect(activationProblems(kindsComposed(xr), activate, dependencies)).toEqual([]);
  });

  it(`${shapes.length} generated XRs`, () => {
    const composed = shapes.flatMap((s) => kindsComposed(xrDocument(s)));
    expect(composed.length).toBeGreaterThan(2000);
    expect(activationProblems(composed, activate, dependencies)).toEqual([]);
  });

  it('the list names only kinds some XR composes: nothing is activated for nothing', () => {
    const composed = new Set(
      [...examples.map((f) => parse(readFileSync(join(EXAMPLES, f), 'utf8')) as JsonObject), ...shapes.map(xrDocument)]
        .flatMap(kindsComposed)
        .map((k) => `${k.apiVersion} ${k.kind}`),
    );
    const listed = MANAGED_GROUPS.flatMap((g) => g.kinds.map((k) => `${g.apiVersion} ${k}`));
    expect(listed.filter((k) => !composed.has(k))).toEqual([]);
  });
});

describe('the list against the pinned provider-aws CRDs', () => {
  it.each(MANAGED_GROUPS.flatMap((g) => g.kinds.map((kind) => [mrdName(g.apiVersion, kind), { group: g, kind }] as const)))(
    '%s is a CRD of its family member, of that kind',
    (name, { group, kind }) => {
      expect(group.provider).toBe(providerAwsMemberFor(groupOf(group.apiVersion)));
      const [plural, ...rest] = name.split('.');
      const file = join(crdsDir('provider-aws', memberOf(group)), `${rest.join('.')}_${plural}.yaml`);
      expect(existsSync(file), `${file} (provider-aws ${group.provider})`).toBe(true);
      const crd = parse(readFileSync(file, 'utf8')) as { metadata: { name: string }; spec: { names: { kind: string } } };
      expect({ name: crd.metadata.name, kind: crd.spec.names.kind }).toEqual({ name, kind });
    },
  );
});

describe('generated from the list', () => {
  it.each(generatedActivationFiles().map((f) => [f.path.slice(REPO_ROOT.length + 1), f] as const))(
    '%s is up to date (npm run gen-api -w function-eks-cluster)',
    (_, file) => {
      expect(file.missing).toBeUndefined();
      expect(file.actual).toBe(file.expected);
    },
  );

  it('the Configuration depends on every family member of the list, at the pinned version, from the free builds', () => {
    expect(shippedDependencies().sort()).toEqual(MANAGED_GROUPS.map((g) => `${PROVIDER_REGISTRY}/${g.provider}`).sort());
  });
});

describe('the check fails when it should', () => {
  const vpc = { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'VPC' };
  const queue = { apiVersion: 'sqs.aws.m.upbound.io/v1beta1', kind: 'Queue' };
  const deps = [`${PROVIDER_REGISTRY}/provider-aws-ec2`, `${PROVIDER_REGISTRY}/provider-aws-sqs`];
  const cases: { reason: string; composed: Kind[]; activate: string[]; dependencies: string[]; found: RegExp[] }[] = [
    {
      reason: 'named exactly, provider a dependency',
      composed: [vpc, queue],
      activate: ['vpcs.ec2.aws.m.upbound.io', 'queues.sqs.aws.m.upbound.io'],
      dependencies: deps,
      found: [],
    },
    {
      reason: 'a kind no policy names',
      composed: [vpc, queue],
      activate: ['vpcs.ec2.aws.m.upbound.io'],
      dependencies: deps,
      found: [/^Queue \(sqs\.aws\.m\.upbound\.io\/v1beta1\) is composed, but queues\.sqs\.aws\.m\.upbound\.io is not activated .*composed-kinds\.ts/],
    },
    { reason: 'a wildcard naming the whole group', composed: [queue], activate: ['*.sqs.aws.m.upbound.io'], dependencies: deps, found: [] },
    {
      reason: 'a wildcard of the cluster-scoped group (.aws.upbound.io) activates nothing namespaced',
      composed: [queue],
      activate: ['*.sqs.aws.upbound.io'],
      dependencies: deps,
      found: [/queues\.sqs\.aws\.m\.upbound\.io is not activated/],
    },
    {
      reason: 'activated, but its provider is not a dependency',
      composed: [queue],
      activate: ['*'],
      dependencies: [`${PROVIDER_REGISTRY}/provider-aws-ec2`],
      found: [/^Queue .* its provider provider-aws-sqs is not a dependency of the Configuration/],
    },
    {
      reason: 'neither: two lines for one kind',
      composed: [queue, queue],
      activate: [],
      dependencies: [],
      found: [/not activated/, /not a dependency/],
    },
    {
      reason: "Kubernetes' and Crossplane's own kinds need no activation",
      composed: [
        { apiVersion: 'v1', kind: 'ConfigMap' },
        { apiVersion: 'protection.crossplane.io/v1beta1', kind: 'Usage' },
      ],
      activate: [],
      dependencies: [],
      found: [],
    },
    {
      reason: 'a group no provider-aws member serves',
      composed: [{ apiVersion: 'kubernetes.m.crossplane.io/v1alpha1', kind: 'Object' }],
      activate: ['*'],
      dependencies: deps,
      found: [/^Object .* no provider-aws family member serves kubernetes\.m\.crossplane\.io/],
    },
  ];
  it.each(cases)('$reason', ({ composed, activate, dependencies, found }) => {
    const problems = activationProblems(composed, activate, dependencies);
    expect(problems).toHaveLength(found.length);
    found.forEach((re, i) => expect(problems[i]).toMatch(re));
  });

  it('the activations flux/ shipped before this list (ec2, eks, iam, kms) leave flow logs and Karpenter inactive', () => {
    const before = ['*.ec2.aws.m.upbound.io', '*.eks.aws.m.upbound.io', '*.iam.aws.m.upbound.io', '*.kms.aws.m.upbound.io'];
    const composed = ['production.yaml', 'karpenter.yaml'].flatMap((f) => kindsComposed(parse(readFileSync(join(EXAMPLES, f), 'utf8')) as JsonObject));
    const inactive = activationProblems(composed, before, shippedDependencies()).map((p) => /(\S+) is not activated/.exec(p)?.[1]);
    expect(inactive.sort()).toEqual([
      'groups.cloudwatchlogs.aws.m.upbound.io',
      'queuepolicies.sqs.aws.m.upbound.io',
      'queues.sqs.aws.m.upbound.io',
      'rules.cloudwatchevents.aws.m.upbound.io',
      'targets.cloudwatchevents.aws.m.upbound.io',
    ]);
  });
});
