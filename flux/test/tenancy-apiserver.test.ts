/**
 * The tenancy fence tried from inside, against a real kube-apiserver (etcd and
 * kube-apiserver on loopback, RBAC and admission as on the management cluster).
 * Installed: Crossplane's CRDs and the XRD's CRD (Crossplane core creates it,
 * configuration/test/support/composite-crd.ts), the CRDs of Flux and of the
 * provider-aws kinds a team can name; then what Git applies for the platform,
 * as flux/test/lib/graph.ts walks it: the admission policies
 * (flux/infrastructure/provider-config) and the grants of team-a and team-b
 * (flux/workload-clusters/tenant), with the tenancy facts. Then, impersonating
 * team-a's ServiceAccount flux-reconciler as kustomize-controller and
 * helm-controller do:
 *  - everything team-a's folder applies is accepted (the legal path);
 *  - every escape in ESCAPES is refused, with the message it names.
 * flux/README.md "Security model" lists the same escapes (a test below keeps
 * them in step). Needs .tools/bin/etcd, kube-apiserver and crossplane-core (`npm run tools`).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compositeCrdFromCore } from 'configuration/test/support/composite-crd.js';
import { crdsDir, Kube, KubeError, ProcessGroup, startControlPlane, XRD_PATH, type ApiServer, type JsonObject } from 'workshop';
import { MANAGEMENT, walk, type Applied } from './lib/graph.js';
import { INPUTS } from './lib/inputs.js';
import { REPO_ROOT } from './lib/tools.js';

const TEAM = 'team-a';
const OTHER = 'team-b';
const TEAM_USER = `system:serviceaccount:${TEAM}:flux-reconciler`;
const ACCOUNT = INPUTS.aws_account_id!.testValue;
const ADMIN = 'tenancy-test';
const API_VERSION = 'eks.gitops.dev/v1alpha1';

/** The CRDs a team's objects (and the escapes) name, besides Crossplane's and the XRD's. */
const CRD_FILES: [string[], RegExp][] = [
  [['flux'], /\.ya?ml$/],
  [['provider-aws', 'family'], /providerconfigs\.yaml$/],
  [['provider-aws', 'iam'], /_(roles|policies|rolepolicyattachments)\.yaml$/],
  [['provider-aws', 'eks'], /_podidentityassociations\.yaml$/],
  [['provider-aws', 'ec2'], /_vpcs\.yaml$/],
];

let group: ProcessGroup;
let dir: string;
let plane: ApiServer;
let admin: Kube;
let team: Kube;
let applied: Applied[];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const clone = <T>(o: T): T => structuredClone(o);

/** What Git applies to the management cluster from a path (as the walk substituted it). */
const fromPath = (path: string, appliedBy?: RegExp) =>
  applied.filter((a) => a.cluster === MANAGEMENT && a.path === path && (!appliedBy || appliedBy.test(a.appliedBy))).map((a) => clone(a.object as JsonObject));
/** What the team's own Kustomizations apply to the management cluster. */
const teamObjects = () =>
  applied.filter((a) => a.cluster === MANAGEMENT && a.appliedBy.startsWith(`Kustomization ${TEAM}/`)).map((a) => clone(a.object as JsonObject));
const teamObject = (kind: string, name?: string) => {
  const found = teamObjects().find((o) => o.kind === kind && (!name || (o.metadata as JsonObject).name === name));
  if (!found) throw new Error(`team-a's folder applies no ${kind} ${name ?? ''}`);
  return found;
};
const spec = (o: JsonObject) => o.spec as JsonObject;
const nameOf = (o: JsonObject) => String((o.metadata as JsonObject).name);

async function applyAll(kube: Kube, objects: JsonObject[]): Promise<void> {
  for (const o of objects) await kube.apply(o, ADMIN);
}

async function untilEstablished(names: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const name of names) {
    for (;;) {
      const crd = await admin.find({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
      const conditions = ((crd?.status as JsonObject | undefined)?.conditions as JsonObject[] | undefined) ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established`);
      await sleep(200);
    }
  }
}

/** Retries what the API server answers before a new CRD or policy is served (404, 429) or compiled. */
async function eventually<T>(call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof KubeError) || ![404, 429].includes(error.status) || Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

/** The API server's answer to a call that must fail: status and Status message. */
async function refusal(call: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof KubeError)) throw error;
    let message = error.body;
    try {
      message = String((JSON.parse(error.body) as JsonObject).message);
    } catch {
      // Not a Status: keep the body.
    }
    return { status: error.status, message };
  }
  throw new Error('the API server accepted it');
}

beforeAll(async () => {
  applied = walk(REPO_ROOT).applied;
  dir = mkdtempSync(join(tmpdir(), 'tenancy-apiserver-'));
  group = new ProcessGroup(dir);
  const controlPlane = await startControlPlane(group, { dir, clusters: ['management'], readyTimeoutMs: 180_000 });
  plane = controlPlane.primary;
  admin = new Kube(plane.kubeconfigYaml);
  team = new Kube(plane.kubeconfigYaml, TEAM_USER);
  await compositeCrdFromCore(group, controlPlane, dir);

  const crds: JsonObject[] = [];
  for (const [parts, pattern] of CRD_FILES) {
    const folder = crdsDir(...parts);
    for (const file of readdirSync(folder).filter((f) => pattern.test(f))) crds.push(parse(readFileSync(join(folder, file), 'utf8')) as JsonObject);
  }
  await applyAll(admin, crds);
  await untilEstablished(crds.map((c) => String((c.metadata as JsonObject).name)));

  // The platform: its namespaces, the tenancy facts (flux/README.md, "Bootstrap"),
  // the admission policies, then each team's grant.
  for (const name of ['flux-system', 'crossplane-system']) await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, ADMIN);
  const facts = Object.fromEntries(['git_repository_url', 'git_branch', 'aws_account_id'].map((k) => [k, INPUTS[k]!.testValue]));
  await admin.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tenancy', namespace: 'flux-system' }, data: facts }, ADMIN);
  for (const o of fromPath('flux/infrastructure/provider-config')) await eventually(() => admin.apply(o, ADMIN));
  const grants = fromPath('flux/workload-clusters/tenant');
  // Namespaces first: a Kustomization applies them before what they hold.
  await applyAll(
    admin,
    grants.filter((o) => o.kind === 'Namespace'),
  );
  for (const o of grants.filter((o) => o.kind !== 'Namespace')) await eventually(() => admin.apply(o, ADMIN));
  await untilEnforced();
}, 300_000);

/**
 * Admission policies take effect a moment after they are created: waits until
 * each refuses a probe of the team's. A probe accepted meanwhile is removed at
 * once (an object that exists may keep what it has: the policies would then
 * let the same probe through as an update).
 */
async function untilEnforced(): Promise<void> {
  const probeXr = { apiVersion: API_VERSION, kind: 'EKSCluster', namespace: TEAM, name: 'probe' };
  const probeRepository = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', namespace: TEAM, name: 'probe' };
  const probes: [string, () => Promise<unknown>][] = [
    [
      'tenant-eks-cluster',
      () =>
        team.apply(
          xr((s) => (s.clusterName = 'team-b-probe'), 'probe'),
          'probe',
        ),
    ],
    [
      'tenant-aws-identity',
      () =>
        team.apply(
          xr((s) => (s.providerConfigKind = 'ClusterProviderConfig'), 'probe'),
          'probe',
        ),
    ],
    ['tenant-platform-configmaps', () => team.mergePatch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: TEAM, name: 'tenant' }, { data: { team: TEAM } })],
    [
      'tenant-flux-sources',
      () =>
        team.apply(
          {
            apiVersion: probeRepository.apiVersion,
            kind: probeRepository.kind,
            metadata: { name: 'probe', namespace: TEAM },
            spec: { interval: '1h', url: 'https://charts.example.org' },
          },
          'probe',
        ),
    ],
  ];
  const deadline = Date.now() + 120_000;
  for (const [name, probe] of probes) {
    for (;;) {
      try {
        await probe();
        await admin.delete(probeXr);
        await admin.delete(probeRepository);
      } catch (error) {
        if (error instanceof KubeError && error.body.includes(`ValidatingAdmissionPolicy '${name}'`)) break;
      }
      if (Date.now() > deadline) throw new Error(`the admission policy ${name} was never enforced`);
      await sleep(250);
    }
  }
}

afterAll(async () => {
  await group?.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("the team's legal path", () => {
  it("everything team-a's folder applies to the management cluster is accepted as team-a/flux-reconciler", async () => {
    const objects = teamObjects();
    expect(objects.map((o) => `${o.kind} ${(o.metadata as JsonObject).name}`).sort()).toEqual(
      [
        'EKSCluster team-a',
        'HelmRelease karpenter',
        'HelmRelease pod-networking',
        'HelmRelease prometheus',
        'HelmRepository prometheus-community',
        'Kustomization eks-cluster',
        'Kustomization karpenter',
        'Kustomization karpenter-nodes',
        'Kustomization monitoring',
        'Kustomization pod-networking',
        'Kustomization web',
        'OCIRepository karpenter',
        'PodIdentityAssociation team-a-prometheus',
        'Role team-a-prometheus-remote-write',
        'RolePolicyAttachment team-a-prometheus-remote-write-policy',
        'Usage karpenter-held-by-karpenter-nodes',
        'Usage team-a-held-by-karpenter-nodes',
        'Usage team-a-held-by-pod-networking',
        'Usage team-a-held-by-prometheus',
      ].sort(),
    );
    // Policies compile asynchronously after they are created: the first calls may see none yet.
    for (const o of objects) await eventually(() => team.apply(o, 'kustomize-controller'));
  });

  it('the team reads its kubeconfig Secret and its Git source, and writes its own ConfigMaps', async () => {
    await admin.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${TEAM}-kubeconfig`, namespace: TEAM }, stringData: { kubeconfig: 'x' } }, ADMIN);
    await team.get({ apiVersion: 'v1', kind: 'Secret', namespace: TEAM, name: `${TEAM}-kubeconfig` });
    await team.get({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', namespace: TEAM, name: TEAM });
    await team.apply(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${TEAM}-web-settings`, namespace: TEAM },
        data: { greeting: 'hello' },
      },
      'kustomize-controller',
    );
  });

  it("Crossplane (not the team) writes the function's kubeconfig ConfigMap for the team's own cluster", async () => {
    await admin.apply(remoteClusterConfigMap(`${TEAM}-kubeconfig`, TEAM), ADMIN);
  });
});

/** A Flux reference to an EKS cluster reached with the platform's Flux role (delivery mode AWSIdentity). */
function remoteClusterConfigMap(name: string, clusterOf: string, address?: string): JsonObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: TEAM },
    data: { provider: 'aws', cluster: `arn:aws:eks:us-west-2:${ACCOUNT}:cluster/${clusterOf}-3f9c2a71`, ...(address ? { address } : {}) },
  };
}

const policy = (name: string) => `ValidatingAdmissionPolicy '${name}' with binding '${name}' denied request: `;
const forbidden = (verb: string, resource: string, where: string) =>
  new RegExp(`User "${TEAM_USER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" cannot ${verb} resource "${resource}" in API group "${where}`);

/** team-a's EKSCluster from Git with one change: what a team's folder could commit. */
function xr(change: (spec: JsonObject) => void, name = 'escape'): JsonObject {
  const o = teamObject('EKSCluster');
  (o.metadata as JsonObject).name = name;
  change(spec(o));
  return o;
}

interface Escape {
  /** What the team tries, as flux/README.md "Security model" lists it. */
  what: string;
  /** What refuses it. */
  refusedBy: string;
  attempt: () => Promise<unknown>;
  status: number;
  message: RegExp;
}

const ESCAPES: Escape[] = [
  // RBAC: the team's Role (flux/workload-clusters/tenant/rbac.yaml).
  {
    what: 'a ClusterRole (any cluster-scoped object)',
    refusedBy: 'RBAC',
    attempt: () =>
      team.apply(
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'team-a-escape' },
          rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
        },
        'kustomize-controller',
      ),
    status: 403,
    message: forbidden('patch', 'clusterroles', 'rbac.authorization.k8s.io" at the cluster scope'),
  },
  {
    what: 'a Role or RoleBinding in its own namespace (granting itself more)',
    refusedBy: 'RBAC',
    attempt: () =>
      team.apply(
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'RoleBinding',
          metadata: { name: 'team-a-admin', namespace: TEAM },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
          subjects: [{ kind: 'ServiceAccount', name: 'flux-reconciler', namespace: TEAM }],
        },
        'kustomize-controller',
      ),
    status: 403,
    message: forbidden('patch', 'rolebindings', `rbac.authorization.k8s.io" in the namespace "${TEAM}"`),
  },
  {
    what: 'a ServiceAccount of its own',
    refusedBy: 'RBAC',
    attempt: () => team.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'mine', namespace: TEAM } }, 'kustomize-controller'),
    status: 403,
    message: forbidden('patch', 'serviceaccounts', `" in the namespace "${TEAM}"`),
  },
  {
    what: 'a token of its ServiceAccount (to act outside Flux)',
    refusedBy: 'RBAC',
    attempt: () =>
      team.call('POST', `/api/v1/namespaces/${TEAM}/serviceaccounts/flux-reconciler/token`, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: [] },
      }),
    status: 403,
    message: forbidden('create', 'serviceaccounts/token', `" in the namespace "${TEAM}"`),
  },
  {
    what: 'a ProviderConfig of its own (e.g. PodIdentity without assumeRoleChain: the platform’s AWS identity)',
    refusedBy: 'RBAC',
    attempt: () =>
      team.apply(
        {
          apiVersion: 'aws.m.upbound.io/v1beta1',
          kind: 'ProviderConfig',
          metadata: { name: 'platform', namespace: TEAM },
          spec: { credentials: { source: 'PodIdentity' } },
        },
        'kustomize-controller',
      ),
    status: 403,
    message: forbidden('patch', 'providerconfigs', `aws.m.upbound.io" in the namespace "${TEAM}"`),
  },
  {
    what: 'changing its own ProviderConfig (its AWS role)',
    refusedBy: 'RBAC',
    attempt: () =>
      team.mergePatch({ apiVersion: 'aws.m.upbound.io/v1beta1', kind: 'ProviderConfig', namespace: TEAM, name: 'default' }, { spec: { assumeRoleChain: [] } }),
    status: 403,
    message: forbidden('patch', 'providerconfigs', `aws.m.upbound.io" in the namespace "${TEAM}"`),
  },
  {
    what: 'a Secret other than its kubeconfig (read), or any Secret (write)',
    refusedBy: 'RBAC',
    attempt: () =>
      team.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mine', namespace: TEAM }, stringData: { a: 'b' } }, 'kustomize-controller'),
    status: 403,
    message: forbidden('patch', 'secrets', `" in the namespace "${TEAM}"`),
  },
  {
    what: 'anything in another team’s namespace',
    refusedBy: 'RBAC',
    attempt: () =>
      team.apply(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-a-was-here', namespace: OTHER }, data: { from: TEAM } },
        'kustomize-controller',
      ),
    status: 403,
    message: forbidden('patch', 'configmaps', `" in the namespace "${OTHER}"`),
  },
  {
    what: 'workloads on the management cluster (a Pod)',
    refusedBy: 'RBAC',
    attempt: () =>
      team.apply(
        { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'miner', namespace: TEAM }, spec: { containers: [{ name: 'm', image: 'busybox' }] } },
        'kustomize-controller',
      ),
    status: 403,
    message: forbidden('patch', 'pods', `" in the namespace "${TEAM}"`),
  },
  {
    what: 'a Git or Bucket source of its own (fetching anywhere)',
    refusedBy: 'RBAC',
    attempt: () =>
      team.apply(
        {
          apiVersion: 'source.toolkit.fluxcd.io/v1',
          kind: 'GitRepository',
          metadata: { name: 'elsewhere', namespace: TEAM },
          spec: { interval: '5m', url: 'https://git.example.org/elsewhere.git' },
        },
        'kustomize-controller',
      ),
    status: 403,
    message: forbidden('patch', 'gitrepositories', `source.toolkit.fluxcd.io" in the namespace "${TEAM}"`),
  },
  {
    what: 'removing the tenant label from its namespace (leaving the policies)',
    refusedBy: 'RBAC',
    attempt: () => team.mergePatch({ apiVersion: 'v1', kind: 'Namespace', name: TEAM }, { metadata: { labels: { 'toolkit.fluxcd.io/tenant': null } } }),
    status: 403,
    message: forbidden('patch', 'namespaces', `" in the namespace "${TEAM}"`),
  },
  // Admission: flux/infrastructure/provider-config.
  {
    what: 'an EKSCluster on the platform’s ClusterProviderConfig',
    refusedBy: 'tenant-aws-identity',
    attempt: () =>
      team.apply(
        xr((s) => (s.providerConfigKind = 'ClusterProviderConfig')),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(`${policy('tenant-aws-identity')}in tenant namespace team-a, EKSCluster escape must use the team's ProviderConfig`),
  },
  {
    what: 'a managed resource on the platform’s ClusterProviderConfig',
    refusedBy: 'tenant-aws-identity',
    attempt: () => {
      const role = teamObject('Role');
      spec(role).providerConfigRef = { kind: 'ClusterProviderConfig', name: 'default' };
      return team.apply(role, 'kustomize-controller');
    },
    status: 403,
    message: new RegExp(`${policy('tenant-aws-identity')}in tenant namespace team-a, Role team-a-prometheus-remote-write must use the team's ProviderConfig`),
  },
  {
    what: 'another team’s EKS cluster by name (spec.clusterName)',
    refusedBy: 'tenant-eks-cluster (and the function)',
    attempt: () =>
      team.apply(
        xr((s) => (s.clusterName = 'team-b-3f9c2a71')),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(
      `${policy('tenant-eks-cluster')}spec.clusterName: "team-b-3f9c2a71" does not start with "team-a-": in tenant namespace team-a an EKSCluster may only name EKS clusters of its own team`,
    ),
  },
  {
    what: 'no permissions boundary, or another one',
    refusedBy: 'tenant-eks-cluster',
    attempt: () =>
      team.apply(
        xr((s) => delete s.permissionsBoundaryArn),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(
      `${policy('tenant-eks-cluster')}spec.permissionsBoundaryArn: is missing: in tenant namespace team-a set it to arn:aws:iam::${ACCOUNT}:policy/eks-gitops-tenant-team-a-boundary`,
    ),
  },
  {
    what: 'another team’s tag on its AWS resources',
    refusedBy: 'tenant-eks-cluster',
    attempt: () =>
      team.apply(
        xr((s) => (s.tags = { 'eks-gitops/tenant': OTHER })),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(`${policy('tenant-eks-cluster')}spec.tags: eks-gitops/tenant is "team-b": in tenant namespace team-a set eks-gitops/tenant: team-a`),
  },
  {
    what: 'another principal as Flux’s role (spec.delivery.fluxRoleArn)',
    refusedBy: 'tenant-eks-cluster',
    attempt: () =>
      team.apply(
        xr((s) => (s.delivery = { mode: 'AWSIdentity', fluxRoleArn: `arn:aws:iam::${ACCOUNT}:role/eks-gitops/tenant-team-b` })),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(`${policy('tenant-eks-cluster')}spec.delivery.fluxRoleArn: ".*tenant-team-b" is not the platform's Flux role`),
  },
  {
    what: 'a KMS key of another account',
    refusedBy: 'tenant-eks-cluster (in the account: IAM, by tag)',
    attempt: () =>
      team.apply(
        xr((s) => (s.encryption = { enabled: true, kmsKeyArn: 'arn:aws:kms:us-west-2:999988887777:key/0e3e8b1c-5d2a-4c1b-9f77-3b2d1c0a9e8f' })),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(`${policy('tenant-eks-cluster')}spec.encryption.kmsKeyArn: ".*" is not a key of account ${ACCOUNT}`),
  },
  {
    what: "a KMS key of another account for the nodes' root volumes",
    refusedBy: 'tenant-eks-cluster (in the account: IAM, by tag)',
    attempt: () =>
      team.apply(
        xr((s) => {
          s.nodeGroups = [
            { name: 'general', launchTemplate: { rootVolume: { kmsKeyArn: 'arn:aws:kms:us-west-2:999988887777:key/0e3e8b1c-5d2a-4c1b-9f77-3b2d1c0a9e8f' } } },
          ];
        }),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(`${policy('tenant-eks-cluster')}spec.nodeGroups\\[\\].launchTemplate.rootVolume.kmsKeyArn: .* is not a key of account ${ACCOUNT}`),
  },
  {
    what: 'a prefix list as the source of a security-group rule (IAM cannot tell whose it is)',
    refusedBy: 'tenant-eks-cluster',
    attempt: () =>
      team.apply(
        xr((s) => (s.securityGroupRules = { cluster: [{ prefixListId: 'pl-0b0b0b0b0b0b0b0b0', fromPort: 443 }] })),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(`${policy('tenant-eks-cluster')}spec.securityGroupRules: prefix list pl-0b0b0b0b0b0b0b0b0 cannot be checked as the team's own`),
  },
  {
    what: 'an existing VPC (spec.network.existing)',
    refusedBy: 'tenant-eks-cluster',
    attempt: () =>
      team.apply(
        xr((s) => {
          s.network = { existing: { vpcId: 'vpc-0a1b2c3d4e5f60718', privateSubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-1a1b2c3d4e5f60718'] } };
        }),
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(`${policy('tenant-eks-cluster')}spec.network.existing: VPC vpc-0a1b2c3d4e5f60718 cannot be checked as the team's own`),
  },
  {
    what: 'changing the platform’s facts (ConfigMap tenant)',
    refusedBy: 'tenant-platform-configmaps',
    attempt: () =>
      team.mergePatch(
        { apiVersion: 'v1', kind: 'ConfigMap', namespace: TEAM, name: 'tenant' },
        { data: { permissions_boundary_arn: `arn:aws:iam::${ACCOUNT}:policy/eks-gitops-tenant-team-b-boundary` } },
      ),
    status: 403,
    message: new RegExp(
      `${policy('tenant-platform-configmaps')}ConfigMap team-a/tenant holds the platform's facts for team team-a .*: the team cannot update it`,
    ),
  },
  {
    what: 'a remote-cluster ConfigMap of its own (Flux’s AWS identity at another cluster or address)',
    refusedBy: 'tenant-platform-configmaps',
    attempt: () => team.apply(remoteClusterConfigMap('elsewhere', OTHER, 'https://203.0.113.10'), 'kustomize-controller'),
    status: 403,
    message: new RegExp(`${policy('tenant-platform-configmaps')}ConfigMap team-a/elsewhere has data.provider, a Flux reference to a remote cluster`),
  },
  {
    what: 'pointing the function’s kubeconfig ConfigMap at another cluster',
    refusedBy: 'tenant-platform-configmaps',
    attempt: () => team.apply(remoteClusterConfigMap(`${TEAM}-kubeconfig`, OTHER), 'kustomize-controller'),
    status: 403,
    message: new RegExp(`${policy('tenant-platform-configmaps')}ConfigMap team-a/team-a-kubeconfig has data.provider`),
  },
  {
    what: 'forging the cluster facts its apps substitute (ConfigMap <EKSCluster>-cluster-facts)',
    refusedBy: 'tenant-platform-configmaps',
    attempt: () =>
      team.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `${TEAM}-cluster-facts`, namespace: TEAM },
          data: { cluster_resource_name: 'team-b-cluster' },
        },
        'kustomize-controller',
      ),
    status: 403,
    message: new RegExp(`${policy('tenant-platform-configmaps')}ConfigMap team-a/team-a-cluster-facts holds the facts the function composes for an EKSCluster`),
  },
  {
    what: 'a HelmRepository the platform does not allow',
    refusedBy: 'tenant-flux-sources',
    attempt: () => {
      const repository = teamObject('HelmRepository');
      spec(repository).url = 'https://charts.example.org';
      return team.apply(repository, 'kustomize-controller');
    },
    status: 403,
    message: new RegExp(`${policy('tenant-flux-sources')}spec.url: "https://charts.example.org" is not a chart repository the platform allows teams`),
  },
  {
    what: 'a HelmRepository that sends a Secret of its namespace',
    refusedBy: 'tenant-flux-sources',
    attempt: () => {
      const repository = teamObject('HelmRepository');
      spec(repository).secretRef = { name: `${TEAM}-kubeconfig` };
      return team.apply(repository, 'kustomize-controller');
    },
    status: 403,
    message: new RegExp(`${policy('tenant-flux-sources')}spec.secretRef: in tenant namespace team-a a chart source \\(HelmRepository\\) names no Secret`),
  },
  {
    what: 'an OCIRepository the platform does not allow',
    refusedBy: 'tenant-flux-sources',
    attempt: () => {
      const repository = teamObject('OCIRepository');
      spec(repository).url = 'oci://registry.example.org/charts/anything';
      return team.apply(repository, 'kustomize-controller');
    },
    status: 403,
    message: new RegExp(
      `${policy('tenant-flux-sources')}spec.url: "oci://registry.example.org/charts/anything" is not a chart repository the platform allows teams`,
    ),
  },
  {
    what: 'an OCIRepository that pulls with a ServiceAccount of its namespace',
    refusedBy: 'tenant-flux-sources',
    attempt: () => {
      const repository = teamObject('OCIRepository');
      spec(repository).serviceAccountName = 'flux-reconciler';
      return team.apply(repository, 'kustomize-controller');
    },
    status: 403,
    message: new RegExp(
      `${policy('tenant-flux-sources')}spec.serviceAccountName: in tenant namespace team-a a chart source \\(OCIRepository\\) names no Secret or ServiceAccount`,
    ),
  },
  // Each of the team's Usages (apps/karpenter's, apps/monitoring's, apps/pod-networking's), pointed at another team's EKSCluster.
  ...(
    [
      ['apps/karpenter', `${TEAM}-held-by-karpenter-nodes`],
      ['apps/monitoring', `${TEAM}-held-by-prometheus`],
      ['apps/pod-networking', `${TEAM}-held-by-pod-networking`],
    ] as const
  ).map(([app, name]) => ({
    what: `a Usage holding an object of another namespace (blocking its deletion), as ${app}'s`,
    refusedBy: 'tenant-usages',
    attempt: () => {
      const usage = teamObject('Usage', name);
      ((spec(usage).of as JsonObject).resourceRef as JsonObject).namespace = OTHER;
      return team.apply(usage, 'kustomize-controller');
    },
    status: 403,
    message: new RegExp(`${policy('tenant-usages')}spec.of: namespace "team-b": in tenant namespace team-a a Usage holds only objects of its own namespace`),
  })),
];

describe('escapes, tried as team-a/flux-reconciler', () => {
  it.each(ESCAPES.map((e) => [e.what, e] as const))('refused: %s', async (_, escape) => {
    const { status, message } = await refusal(escape.attempt());
    expect(message).toMatch(escape.message);
    expect(status).toBe(escape.status);
  });

  it("keeps the team's Role exactly as flux/workload-clusters/tenant/rbac.yaml has it", async () => {
    const role = await admin.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespace: TEAM, name: 'flux-reconciler' });
    expect(role.rules).toEqual(fromPath('flux/workload-clusters/tenant', /tenant-team-a/).find((o) => o.kind === 'Role')?.rules);
  });

  it("another team's ProviderConfig cannot be named: the served schemas have no namespace for it, so it is looked up in the object's own", async () => {
    type Schema = { properties?: Record<string, Schema> };
    const served = await admin.list({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' });
    const specOf = (crd: JsonObject) =>
      ((crd.spec as JsonObject).versions as { schema: { openAPIV3Schema: Schema } }[])[0]!.schema.openAPIV3Schema.properties!.spec!;
    const managed = served.filter(
      (crd) => /\.aws\.m\.upbound\.io$/.test(String((crd.spec as JsonObject).group)) && (crd.spec as JsonObject).scope === 'Namespaced',
    );
    expect(managed.length).toBeGreaterThan(0);
    for (const crd of managed) expect(Object.keys(specOf(crd).properties!.providerConfigRef!.properties!).sort(), nameOf(crd)).toEqual(['kind', 'name']);
    const xr = served.find((crd) => (crd.spec as JsonObject).group === 'eks.gitops.dev')!;
    expect(
      Object.keys(specOf(xr).properties!)
        .filter((k) => k.startsWith('providerConfig'))
        .sort(),
    ).toEqual(['providerConfigKind', 'providerConfigName']);
  });

  it("the XRD's description of spec.clusterName states the rule: the policy that enforces it and the namespaces it selects", () => {
    type Schema = { properties?: Record<string, Schema>; description?: string };
    const xrd = parse(readFileSync(XRD_PATH, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
    const description = xrd.spec.versions[0]!.schema.openAPIV3Schema.properties?.spec?.properties?.clusterName?.description ?? '';
    const policy = fromPath('flux/infrastructure/provider-config').find(
      (o) => o.kind === 'ValidatingAdmissionPolicy' && (o.metadata as JsonObject).name === 'tenant-eks-cluster',
    );
    const selector = (((spec(policy!).matchConstraints as JsonObject).namespaceSelector as JsonObject).matchExpressions as JsonObject[])[0]!;
    expect(description).toContain(`in a tenant namespace (label ${String(selector.key)}) the admission policy tenant-eks-cluster refuses any other name`);
    expect(description).toContain('must start with "<namespace>-"');
  });

  it('flux/README.md "Security model" lists every escape tried here, with what refuses it', () => {
    const readme = readFileSync(join(REPO_ROOT, 'flux', 'README.md'), 'utf8');
    for (const e of ESCAPES) expect(readme).toContain(`| ${e.what} | ${e.refusedBy} |`);
  });
});
