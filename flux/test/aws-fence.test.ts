/**
 * The AWS side of the fence, evaluated by an IAM policy engine
 * (@cloud-copilot/iam-simulate: identity policies, permissions boundaries,
 * trust policies, condition operators, validated against AWS's actions,
 * resource types and condition keys). The documents are those Git applies, as
 * flux/test/lib/graph.ts walks them: the providers' and Flux's roles
 * (flux/infrastructure/aws-iam) and each team's role and boundary
 * (flux/workload-clusters/tenant/aws-iam.yaml, substituted for team-a and
 * team-b). Each row: a principal, an action on a resource with the request's
 * context (tags), and the engine's verdict.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { MANAGEMENT, walk } from './lib/graph.js';
import { INPUTS } from './lib/inputs.js';
import { get, str, type Dict, type K8sObject } from './lib/objects.js';
import { REPO_ROOT } from './lib/tools.js';

const ACCOUNT = INPUTS.aws_account_id!.testValue;
const TAG = 'eks-gitops/tenant';
const REGION = 'us-west-2';

interface Policy {
  name: string;
  policy: unknown;
}

/** An IAM role as Git declares it: its ARN, trust, inline policies and boundary. */
interface RoleDocuments {
  arn: string;
  /** Where its managed resource lives: crossplane-system (the platform's), or a team's namespace. */
  namespace: string;
  trust: unknown;
  policies: Policy[];
  boundary?: Policy;
}

let roles: Map<string, RoleDocuments>;

const arn = {
  role: (path: string) => `arn:aws:iam::${ACCOUNT}:role/${path}`,
  boundary: (team: string) => `arn:aws:iam::${ACCOUNT}:policy/eks-gitops-tenant-${team}-boundary`,
  cluster: (name: string) => `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/${name}`,
  vpc: (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/${id}`,
  subnet: (id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:subnet/${id}`,
  key: (id: string) => `arn:aws:kms:${REGION}:${ACCOUNT}:key/${id}`,
  workspace: (id: string) => `arn:aws:aps:${REGION}:${ACCOUNT}:workspace/${id}`,
};

/** Every IAM Role and Policy Git applies to the management cluster, by AWS ARN. */
function fenceDocuments(objects: K8sObject[]): Map<string, RoleDocuments> {
  const externalName = (o: K8sObject) => str((o.metadata.annotations as Dict | undefined)?.['crossplane.io/external-name']) ?? o.metadata.name;
  const policies = new Map<string, Policy>();
  for (const o of objects.filter((o) => o.kind === 'Policy' && o.apiVersion.startsWith('iam.aws.m.upbound.io/'))) {
    const name = externalName(o);
    policies.set(`arn:aws:iam::${ACCOUNT}:policy/${name}`, { name, policy: JSON.parse(str(get(o, 'spec.forProvider.policy')) ?? '{}') });
  }
  const out = new Map<string, RoleDocuments>();
  for (const o of objects.filter((o) => o.kind === 'Role' && o.apiVersion.startsWith('iam.aws.m.upbound.io/'))) {
    const path = str(get(o, 'spec.forProvider.path')) ?? '/';
    const roleArn = `arn:aws:iam::${ACCOUNT}:role${path}${externalName(o)}`;
    const inline = (get(o, 'spec.forProvider.inlinePolicy') as { name: string; policy: string }[] | undefined) ?? [];
    const boundaryArn = str(get(o, 'spec.forProvider.permissionsBoundary'));
    const boundary = boundaryArn ? policies.get(boundaryArn) : undefined;
    if (boundaryArn && !boundary) throw new Error(`${roleArn}: its boundary ${boundaryArn} is no Policy Git applies`);
    out.set(roleArn, {
      arn: roleArn,
      namespace: o.metadata.namespace ?? '',
      trust: JSON.parse(str(get(o, 'spec.forProvider.assumeRolePolicy')) ?? '{}'),
      policies: inline.map((p) => ({ name: p.name, policy: JSON.parse(p.policy) })),
      boundary,
    });
  }
  return out;
}

/** A role the team creates: any identity policy (here: everything), under the team's boundary. */
function teamCreatedRole(team: string): RoleDocuments {
  const tenant = roleOf(`eks-gitops/tenant-${team}`);
  return {
    arn: arn.role(`${team}-3f9c2a71-pods`),
    namespace: team,
    trust: {},
    policies: [{ name: 'AdministratorAccess', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
    boundary: tenant.boundary,
  };
}

function roleOf(path: string): RoleDocuments {
  const found = roles.get(arn.role(path));
  if (!found) throw new Error(`Git declares no role ${arn.role(path)}`);
  return found;
}

type Verdict = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/**
 * The key policy KMS gives a key created without one: the account's IAM
 * policies decide. KMS asks a key's policy as well as the caller's.
 */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }],
};

/** The engine's verdict on a request of `principal` (its identity policies and boundary). */
async function decide(principal: RoleDocuments, action: string, resource: string, context: Record<string, string | string[]> = {}): Promise<Verdict> {
  const simulation: Simulation = {
    request: { principal: principal.arn, action, resource: { resource, accountId: ACCOUNT }, contextVariables: context },
    identityPolicies: principal.policies,
    permissionBoundaryPolicies: principal.boundary ? [principal.boundary] : undefined,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resource.startsWith('arn:aws:kms:') ? { resourcePolicy: DEFAULT_KEY_POLICY } : {}),
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`${action} on ${resource}: the engine refused the request: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Verdict;
}

/** The engine's verdict on `caller` assuming `target` (its trust policy, and the caller's identity policies). */
async function assume(caller: { arn: string; policies: Policy[]; boundary?: Policy }, target: RoleDocuments, context: Record<string, string | string[]> = {}) {
  const simulation: Simulation = {
    request: { principal: caller.arn, action: 'sts:AssumeRole', resource: { resource: target.arn, accountId: ACCOUNT }, contextVariables: context },
    identityPolicies: caller.policies,
    permissionBoundaryPolicies: caller.boundary ? [caller.boundary] : undefined,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: target.trust,
  };
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`sts:AssumeRole of ${target.arn}: the engine refused the request: ${JSON.stringify(result.errors)}`);
  return result.overallResult as Verdict;
}

const tagged = (team: string) => ({ [`aws:ResourceTag/${TAG}`]: team });
const creating = (team: string, extra: Record<string, string | string[]> = {}) => ({ [`aws:RequestTag/${TAG}`]: team, 'aws:TagKeys': [TAG], ...extra });

beforeAll(() => {
  roles = fenceDocuments(
    walk(REPO_ROOT)
      .applied.filter((a) => a.cluster === MANAGEMENT)
      .map((a) => a.object),
  );
});

describe('the roles Git declares', () => {
  it('in the platform’s namespace: the providers’, Flux’s and one per team, each team’s under its own boundary', () => {
    const platform = [...roles.values()].filter((r) => r.namespace === 'crossplane-system');
    expect(platform.map((r) => r.arn).sort()).toEqual(
      ['eks-gitops/crossplane-providers', 'eks-gitops/flux-controllers', 'eks-gitops/tenant-team-a', 'eks-gitops/tenant-team-b'].map(arn.role),
    );
    expect(roleOf('eks-gitops/tenant-team-a').boundary?.name).toBe('eks-gitops-tenant-team-a-boundary');
    expect(roleOf('eks-gitops/tenant-team-b').boundary?.name).toBe('eks-gitops-tenant-team-b-boundary');
  });

  it("in a team's namespace (its apps' roles): each under that team's boundary", () => {
    const teams = [...roles.values()].filter((r) => r.namespace !== 'crossplane-system');
    // Named after the EKS cluster (its default name carries the namespace and the XR's id), from the cluster facts.
    expect(teams.map((r) => r.arn)).toEqual([
      expect.stringMatching(/^arn:aws:iam::\d{12}:role\/team-a-[0-9a-f]{8}-us-west-2-prometheus$/),
      expect.stringMatching(/^arn:aws:iam::\d{12}:role\/team-b-[0-9a-f]{8}-us-west-2-prometheus$/),
    ]);
    for (const r of teams) expect(r.boundary?.name, r.arn).toBe(`eks-gitops-tenant-${r.namespace}-boundary`);
  });
});

interface Row {
  reason: string;
  action: string;
  resource: string;
  context?: Record<string, string | string[]>;
  want: Verdict;
}

const teamA = () => roleOf('eks-gitops/tenant-team-a');

/** team-a's role: the legal path, and what it must not reach. */
const TEAM_ROLE: Row[] = [
  // Its own resources.
  // EKS authorizes CreateCluster on no resource: the name is the admission policy's (tenant-eks-cluster), the tag IAM's.
  { reason: 'creates its cluster, tagged for it', action: 'eks:CreateCluster', resource: '*', context: creating('team-a'), want: 'Allowed' },
  {
    reason: 'tags its cluster as it creates it',
    action: 'eks:TagResource',
    resource: arn.cluster('team-a-3f9c2a71'),
    context: creating('team-a'),
    want: 'Allowed',
  },
  { reason: 'reads its cluster', action: 'eks:DescribeCluster', resource: arn.cluster('team-a-3f9c2a71'), context: tagged('team-a'), want: 'Allowed' },
  { reason: 'deletes its cluster', action: 'eks:DeleteCluster', resource: arn.cluster('team-a-3f9c2a71'), context: tagged('team-a'), want: 'Allowed' },
  { reason: 'creates its VPC with its tag', action: 'ec2:CreateVpc', resource: arn.vpc('vpc-0a0a0a0a0a0a0a0a0'), context: creating('team-a'), want: 'Allowed' },
  { reason: 'deletes its VPC', action: 'ec2:DeleteVpc', resource: arn.vpc('vpc-0a0a0a0a0a0a0a0a0'), context: tagged('team-a'), want: 'Allowed' },
  { reason: 'creates its KMS key with its tag', action: 'kms:CreateKey', resource: '*', context: creating('team-a'), want: 'Allowed' },
  {
    reason: 'uses its key for its cluster',
    action: 'kms:CreateGrant',
    resource: arn.key('1a2b3c4d-aaaa-4bbb-8ccc-111111111111'),
    context: tagged('team-a'),
    want: 'Allowed',
  },
  {
    reason: 'creates a role for its cluster under its boundary',
    action: 'iam:CreateRole',
    resource: arn.role('team-a-3f9c2a71-cluster'),
    context: creating('team-a', { 'iam:PermissionsBoundary': arn.boundary('team-a') }),
    want: 'Allowed',
  },
  {
    reason: 'passes its cluster role to EKS',
    action: 'iam:PassRole',
    resource: arn.role('team-a-3f9c2a71-cluster'),
    context: { ...tagged('team-a'), 'iam:PassedToService': 'eks.amazonaws.com' },
    want: 'Allowed',
  },
  {
    reason: "tags the security group EKS made for its cluster for Karpenter's discovery",
    action: 'ec2:CreateTags',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0a0a0a0a0a0a0a0a0`,
    context: { 'aws:ResourceTag/aws:eks:cluster-name': 'team-a-3f9c2a71', 'aws:TagKeys': ['karpenter.sh/discovery'] },
    want: 'Allowed',
  },
  {
    reason: "cannot tag the security group of team-b's cluster",
    action: 'ec2:CreateTags',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0b0b0b0b0b0b0b0b0`,
    context: { 'aws:ResourceTag/aws:eks:cluster-name': 'team-b-8c1d2e3f', 'aws:TagKeys': ['karpenter.sh/discovery'] },
    want: 'ImplicitlyDenied',
  },
  // spec.securityGroupRules: rules go on its cluster's security group (EKS makes it, tagged aws:eks:cluster-name) or its own node group's.
  {
    reason: "adds an ingress rule to its cluster's security group",
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0a0a0a0a0a0a0a0a0`,
    context: { 'aws:ResourceTag/aws:eks:cluster-name': 'team-a-3f9c2a71' },
    want: 'Allowed',
  },
  {
    reason: 'creates the ingress rule with its tag',
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group-rule/sgr-0a0a0a0a0a0a0a0a0`,
    context: creating('team-a'),
    want: 'Allowed',
  },
  {
    reason: "cannot add an ingress rule to the security group of team-b's cluster",
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0b0b0b0b0b0b0b0b0`,
    context: { 'aws:ResourceTag/aws:eks:cluster-name': 'team-b-8c1d2e3f' },
    want: 'ImplicitlyDenied',
  },
  {
    reason: "cannot add an ingress rule to team-b's node security group",
    action: 'ec2:AuthorizeSecurityGroupIngress',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/sg-0c0c0c0c0c0c0c0c0`,
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  // spec.nodeGroups[].launchTemplate: created with its tag, like everything EC2 it creates.
  {
    reason: 'creates its launch template with its tag',
    action: 'ec2:CreateLaunchTemplate',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0a0a0a0a0a0a0a0a0`,
    context: creating('team-a'),
    want: 'Allowed',
  },
  {
    reason: 'cannot create an untagged launch template',
    action: 'ec2:CreateLaunchTemplate',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0a0a0a0a0a0a0a0a0`,
    want: 'ImplicitlyDenied',
  },
  {
    reason: "cannot change team-b's launch template",
    action: 'ec2:CreateLaunchTemplateVersion',
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:launch-template/lt-0b0b0b0b0b0b0b0b0`,
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  // Another team's cluster, VPC and key: neither read, nor change, nor delete.
  {
    reason: "cannot read team-b's cluster",
    action: 'eks:DescribeCluster',
    resource: arn.cluster('team-b-8c1d2e3f'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot change team-b's cluster",
    action: 'eks:UpdateClusterConfig',
    resource: arn.cluster('team-b-8c1d2e3f'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot delete team-b's cluster",
    action: 'eks:DeleteCluster',
    resource: arn.cluster('team-b-8c1d2e3f'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot delete a cluster tagged for team-b even under a name of its own',
    action: 'eks:DeleteCluster',
    resource: arn.cluster('team-a-8c1d2e3f'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot change team-b's VPC",
    action: 'ec2:ModifyVpcAttribute',
    resource: arn.vpc('vpc-0b0b0b0b0b0b0b0b0'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot delete team-b's VPC",
    action: 'ec2:DeleteVpc',
    resource: arn.vpc('vpc-0b0b0b0b0b0b0b0b0'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot add a subnet to team-b's VPC",
    action: 'ec2:CreateSubnet',
    resource: arn.vpc('vpc-0b0b0b0b0b0b0b0b0'),
    context: { ...tagged('team-b'), ...creating('team-a') },
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot read team-b's key",
    action: 'kms:DescribeKey',
    resource: arn.key('2b3c4d5e-bbbb-4ccc-8ddd-222222222222'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot decrypt with team-b's key",
    action: 'kms:Decrypt',
    resource: arn.key('2b3c4d5e-bbbb-4ccc-8ddd-222222222222'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot use team-b's key for its cluster (EKS secrets encryption)",
    action: 'kms:CreateGrant',
    resource: arn.key('2b3c4d5e-bbbb-4ccc-8ddd-222222222222'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot delete team-b's key",
    action: 'kms:ScheduleKeyDeletion',
    resource: arn.key('2b3c4d5e-bbbb-4ccc-8ddd-222222222222'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  // Tags: created only with its own, never removed, never put on what exists.
  { reason: 'cannot create a cluster tagged for team-b', action: 'eks:CreateCluster', resource: '*', context: creating('team-b'), want: 'ExplicitlyDenied' },
  { reason: 'cannot create an untagged cluster', action: 'eks:CreateCluster', resource: '*', want: 'ImplicitlyDenied' },
  {
    reason: "cannot tag team-b's cluster as its own",
    action: 'eks:TagResource',
    resource: arn.cluster('team-b-8c1d2e3f'),
    context: { ...tagged('team-b'), ...creating('team-a') },
    want: 'ExplicitlyDenied',
  },
  { reason: 'cannot create an untagged VPC', action: 'ec2:CreateVpc', resource: arn.vpc('vpc-0a0a0a0a0a0a0a0a0'), want: 'ImplicitlyDenied' },
  {
    reason: "cannot claim an untagged VPC (the platform's) by tagging it",
    action: 'ec2:CreateTags',
    resource: arn.vpc('vpc-0c0c0c0c0c0c0c0c0'),
    context: creating('team-a'),
    want: 'ImplicitlyDenied',
  },
  // Its Prometheus workspace (spec.monitoring): AWS names it, so only the tag fences it; AMP authorizes CreateWorkspace on no resource.
  {
    reason: 'creates its Prometheus workspace with its tag',
    action: 'aps:CreateWorkspace',
    resource: '*',
    context: creating('team-a'),
    want: 'Allowed',
  },
  {
    reason: 'deletes its Prometheus workspace',
    action: 'aps:DeleteWorkspace',
    resource: arn.workspace('ws-0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d'),
    context: tagged('team-a'),
    want: 'Allowed',
  },
  {
    reason: 'cannot create an untagged Prometheus workspace',
    action: 'aps:CreateWorkspace',
    resource: '*',
    want: 'ImplicitlyDenied',
  },
  {
    reason: "cannot delete team-b's Prometheus workspace (and its metrics)",
    action: 'aps:DeleteWorkspace',
    resource: arn.workspace('ws-0b0b0b0b-4e5f-4a6b-8c7d-0e1f2a3b4c5d'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot remove its tag from its Prometheus workspace',
    action: 'aps:UntagResource',
    resource: arn.workspace('ws-0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d'),
    context: { ...tagged('team-a'), 'aws:TagKeys': [TAG] },
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot remove its tag from its VPC',
    action: 'ec2:DeleteTags',
    resource: arn.vpc('vpc-0a0a0a0a0a0a0a0a0'),
    context: { ...tagged('team-a'), 'aws:TagKeys': [TAG] },
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot touch what the platform tags as its own',
    action: 'ec2:DeleteVpc',
    resource: arn.vpc('vpc-0c0c0c0c0c0c0c0c0'),
    context: tagged('platform'),
    want: 'ExplicitlyDenied',
  },
  // Roles: passes only its own, assumes none of the platform's or other teams'.
  {
    reason: "cannot pass the providers' role",
    action: 'iam:PassRole',
    resource: arn.role('eks-gitops/crossplane-providers'),
    context: { ...tagged('platform'), 'iam:PassedToService': 'eks.amazonaws.com' },
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot pass team-b's roles",
    action: 'iam:PassRole',
    resource: arn.role('team-b-8c1d2e3f-cluster'),
    context: { ...tagged('team-b'), 'iam:PassedToService': 'eks.amazonaws.com' },
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot assume team-b's role",
    action: 'sts:AssumeRole',
    resource: arn.role('eks-gitops/tenant-team-b'),
    context: tagged('platform'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot change team-b's role",
    action: 'iam:UpdateAssumeRolePolicy',
    resource: arn.role('eks-gitops/tenant-team-b'),
    context: tagged('platform'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot change team-b's roles",
    action: 'iam:AttachRolePolicy',
    resource: arn.role('team-b-8c1d2e3f-nodes'),
    context: { ...tagged('team-b'), 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' },
    want: 'ExplicitlyDenied',
  },
  // Its boundary: it cannot lose it, widen it, or create a role without it.
  {
    reason: 'cannot remove its boundary',
    action: 'iam:DeleteRolePermissionsBoundary',
    resource: arn.role('eks-gitops/tenant-team-a'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot replace its boundary',
    action: 'iam:PutRolePermissionsBoundary',
    resource: arn.role('eks-gitops/tenant-team-a'),
    context: { 'iam:PermissionsBoundary': 'arn:aws:iam::aws:policy/AdministratorAccess' },
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot widen its boundary',
    action: 'iam:CreatePolicyVersion',
    resource: arn.boundary('team-a'),
    context: tagged('platform'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot grant itself more',
    action: 'iam:PutRolePolicy',
    resource: arn.role('eks-gitops/tenant-team-a'),
    context: tagged('platform'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot remove the boundary of a role it created',
    action: 'iam:DeleteRolePermissionsBoundary',
    resource: arn.role('team-a-3f9c2a71-cluster'),
    context: tagged('team-a'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot create a role without its boundary',
    action: 'iam:CreateRole',
    resource: arn.role('team-a-3f9c2a71-free'),
    context: creating('team-a'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "cannot create a role under team-b's boundary",
    action: 'iam:CreateRole',
    resource: arn.role('team-a-3f9c2a71-free'),
    context: creating('team-a', { 'iam:PermissionsBoundary': arn.boundary('team-b') }),
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'cannot create an IAM user (no boundary reaches it)',
    action: 'iam:CreateUser',
    resource: `arn:aws:iam::${ACCOUNT}:user/team-a-escape`,
    want: 'ImplicitlyDenied',
  },
];

describe("team-a's role (eks-gitops/tenant-team-a, under its boundary)", () => {
  it.each(TEAM_ROLE.map((r) => [r.reason, r] as const))('%s', async (_, row) => {
    expect(await decide(teamA(), row.action, row.resource, row.context)).toBe(row.want);
  });

  it("may list VPCs, team-b's among them: EC2's Describe actions take no resource or tag condition in IAM (a known limit, flux/README.md)", async () => {
    expect(await decide(teamA(), 'ec2:DescribeVpcs', '*')).toBe('Allowed');
  });
});

/** A role team-a creates with every permission, as its boundary caps it. */
const CREATED_ROLE: Row[] = [
  { reason: 'its own cluster: yes', action: 'eks:DescribeCluster', resource: arn.cluster('team-a-3f9c2a71'), context: tagged('team-a'), want: 'Allowed' },
  {
    reason: "team-b's cluster: no",
    action: 'eks:DeleteCluster',
    resource: arn.cluster('team-b-8c1d2e3f'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "team-b's key: no",
    action: 'kms:Decrypt',
    resource: arn.key('2b3c4d5e-bbbb-4ccc-8ddd-222222222222'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: "team-b's role: no hop",
    action: 'sts:AssumeRole',
    resource: arn.role('team-b-8c1d2e3f-pods'),
    context: tagged('team-b'),
    want: 'ExplicitlyDenied',
  },
  { reason: 'an untagged role of the account: no hop', action: 'sts:AssumeRole', resource: arn.role('OrganizationAdmin'), want: 'ExplicitlyDenied' },
  { reason: 'an IAM user: no', action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/escape`, want: 'ImplicitlyDenied' },
  { reason: 'an access key: no', action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/escape`, want: 'ImplicitlyDenied' },
  { reason: 'its own boundary removed: no', action: 'iam:DeleteRolePermissionsBoundary', resource: arn.role('team-a-3f9c2a71-pods'), want: 'ExplicitlyDenied' },
  {
    reason: 'an unbounded role: no',
    action: 'iam:CreateRole',
    resource: arn.role('team-a-3f9c2a71-free'),
    context: creating('team-a'),
    want: 'ExplicitlyDenied',
  },
  {
    reason: 'S3, or any service a cluster does not use: no',
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::platform-state/terraform.tfstate',
    want: 'ImplicitlyDenied',
  },
];

describe('a role team-a creates, with AdministratorAccess, under its boundary', () => {
  it.each(CREATED_ROLE.map((r) => [r.reason, r] as const))('%s', async (_, row) => {
    expect(await decide(teamCreatedRole('team-a'), row.action, row.resource, row.context)).toBe(row.want);
  });
});

describe("the providers' role (eks-gitops/crossplane-providers)", () => {
  const providers = () => roleOf('eks-gitops/crossplane-providers');
  const rows: Row[] = [
    { reason: "assumes team-a's role", action: 'sts:AssumeRole', resource: arn.role('eks-gitops/tenant-team-a'), want: 'Allowed' },
    { reason: 'keeps the fence: a tenant role', action: 'iam:PutRolePolicy', resource: arn.role('eks-gitops/tenant-team-a'), want: 'Allowed' },
    { reason: 'keeps the fence: a boundary', action: 'iam:CreatePolicyVersion', resource: arn.boundary('team-a'), want: 'Allowed' },
    {
      reason: 'passes no role',
      action: 'iam:PassRole',
      resource: arn.role('eks-gitops/tenant-team-a'),
      context: { 'iam:PassedToService': 'eks.amazonaws.com' },
      want: 'ExplicitlyDenied',
    },
    { reason: 'assumes no role outside the fence', action: 'sts:AssumeRole', resource: arn.role('OrganizationAdmin'), want: 'ImplicitlyDenied' },
    {
      reason: "touches no team's cluster itself",
      action: 'eks:DeleteCluster',
      resource: arn.cluster('team-a-3f9c2a71'),
      context: tagged('team-a'),
      want: 'ImplicitlyDenied',
    },
    {
      reason: "touches no team's VPC itself",
      action: 'ec2:DeleteVpc',
      resource: arn.vpc('vpc-0a0a0a0a0a0a0a0a0'),
      context: tagged('team-a'),
      want: 'ImplicitlyDenied',
    },
    { reason: 'touches no role outside the fence', action: 'iam:AttachRolePolicy', resource: arn.role('team-a-3f9c2a71-nodes'), want: 'ImplicitlyDenied' },
  ];
  it.each(rows.map((r) => [r.reason, r] as const))('%s', async (_, row) => {
    expect(await decide(providers(), row.action, row.resource, row.context)).toBe(row.want);
  });
});

describe("Flux's role (eks-gitops/flux-controllers)", () => {
  const flux = () => roleOf('eks-gitops/flux-controllers');
  const rows: Row[] = [
    { reason: 'looks up a workload cluster', action: 'eks:DescribeCluster', resource: arn.cluster('team-b-8c1d2e3f'), want: 'Allowed' },
    { reason: 'changes no cluster', action: 'eks:UpdateClusterConfig', resource: arn.cluster('team-b-8c1d2e3f'), want: 'ImplicitlyDenied' },
    {
      reason: 'decrypts nothing (a team’s spec.decryption gets nothing from it)',
      action: 'kms:Decrypt',
      resource: arn.key('2b3c4d5e-bbbb-4ccc-8ddd-222222222222'),
      want: 'ImplicitlyDenied',
    },
    { reason: "assumes no team's role", action: 'sts:AssumeRole', resource: arn.role('eks-gitops/tenant-team-a'), want: 'ImplicitlyDenied' },
  ];
  it.each(rows.map((r) => [r.reason, r] as const))('%s', async (_, row) => {
    expect(await decide(flux(), row.action, row.resource, row.context)).toBe(row.want);
  });
});

describe('who may assume which role (trust policies)', () => {
  const podIdentity = (namespace: string, serviceAccount: string) => ({
    'aws:RequestTag/kubernetes-namespace': namespace,
    'aws:RequestTag/kubernetes-service-account': serviceAccount,
  });
  const service = { arn: 'pods.eks.amazonaws.com', policies: [] };

  it("team-a's role: the providers' role, and no other team's role nor Flux's", async () => {
    const target = roleOf('eks-gitops/tenant-team-a');
    expect(await assume(roleOf('eks-gitops/crossplane-providers'), target)).toBe('Allowed');
    expect(await assume(roleOf('eks-gitops/tenant-team-b'), target)).not.toBe('Allowed');
    expect(await assume(roleOf('eks-gitops/flux-controllers'), target)).not.toBe('Allowed');
    expect(await assume(teamCreatedRole('team-b'), target)).not.toBe('Allowed');
  });

  it("the providers' role: only the providers' pods (crossplane-system/provider-aws), through EKS Pod Identity", async () => {
    const target = roleOf('eks-gitops/crossplane-providers');
    expect(await assume(service, target, podIdentity('crossplane-system', 'provider-aws'))).toBe('Allowed');
    expect(await assume(service, target, podIdentity('team-a', 'flux-reconciler'))).not.toBe('Allowed');
    expect(await assume(teamA(), target)).not.toBe('Allowed');
  });

  it("Flux's role: only kustomize-controller and helm-controller in flux-system", async () => {
    const target = roleOf('eks-gitops/flux-controllers');
    expect(await assume(service, target, podIdentity('flux-system', 'kustomize-controller'))).toBe('Allowed');
    expect(await assume(service, target, podIdentity('flux-system', 'helm-controller'))).toBe('Allowed');
    expect(await assume(service, target, podIdentity('flux-system', 'source-controller'))).not.toBe('Allowed');
    expect(await assume(service, target, podIdentity('team-a', 'default'))).not.toBe('Allowed');
  });
});

describe('flux/README.md "Security model"', () => {
  it("lists every refusal tried here, with IAM's answer", () => {
    const readme = readFileSync(join(REPO_ROOT, 'flux', 'README.md'), 'utf8');
    const tables: [string, Row[]][] = [
      ["team-a's role", TEAM_ROLE],
      ['a role team-a creates', CREATED_ROLE],
    ];
    for (const [who, rows] of tables)
      for (const r of rows.filter((r) => r.want !== 'Allowed'))
        expect(readme).toContain(`| ${who} | ${r.reason} | \`${r.action}\` | ${r.want} | \`aws-fence\` |`);
  });
});
