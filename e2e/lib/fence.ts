/**
 * What team-a's folder tries in part 2's fence stage, one Kustomization each,
 * and how the API server (RBAC, the admission policies of
 * flux/infrastructure/provider-config) or Flux refuses it. flux/README.md
 * "Security model" lists each one, with flux/test/tenancy-apiserver.test.ts
 * trying the same against the API server alone.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultClusterName, REPO_ROOT, type JsonObject } from 'workshop';

/** The simulated account that holds the teams' IAM roles. */
export const AWS_ACCOUNT_ID = '210987654321';
/** Who team-a's Flux objects reconcile as (flux/workload-clusters/tenant). */
export const TEAM_IDENTITY = 'system:serviceaccount:team-a:flux-reconciler';

export interface FenceAttempt {
  /** What the Kustomization applies. */
  object: JsonObject;
  /** Its source, when not team-a's own GitRepository. */
  sourceRef?: JsonObject;
  /** Leaves out spec.serviceAccountName, which team-a's Kustomizations name (flux-reconciler). */
  noServiceAccount?: true;
  /** What its Ready=False message must say. */
  refusal: RegExp;
}

/** RBAC's answer to team-a's identity writing `resource` (kustomize-controller's dry run patches, its apply may create). */
const forbidden = (resource: string, group: string, where: string) =>
  new RegExp(`forbidden: User "${TEAM_IDENTITY}" cannot \\w+ resource "${resource}" in API group "${group.replaceAll('.', '\\.')}" ${where}`);

/** A policy's answer (its message follows "denied request: "). */
const denied = (policy: string, message: string) => new RegExp(`ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request: ${message}`);

/** A team-a EKSCluster as the tenant policies require (tenant-eks-cluster, tenant-aws-identity), with one change: what is tried. */
function teamXr(name: string, change: JsonObject): JsonObject {
  return {
    apiVersion: 'eks.gitops.dev/v1alpha1',
    kind: 'EKSCluster',
    metadata: { name, namespace: 'team-a' },
    spec: {
      region: 'us-west-2',
      providerConfigKind: 'ProviderConfig',
      permissionsBoundaryArn: `arn:aws:iam::${AWS_ACCOUNT_ID}:policy/eks-gitops-tenant-team-a-boundary`,
      tags: { 'eks-gitops/tenant': 'team-a' },
      network: { vpcCidr: '10.20.0.0/16', availabilityZones: ['a', 'b'], nat: 'Single' },
      ...change,
    },
  };
}

/** The EKS cluster name team-b's EKSCluster (flux/workload-clusters/team-b) gets by default: predictable, so the first one to take. */
const TEAM_B_CLUSTER = defaultClusterName('team-b', 'team-b');

export const FENCE_ATTEMPTS: Record<string, FenceAttempt> = {
  'cluster-role': {
    object: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'team-a-escape' },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    },
    refusal: forbidden('clusterroles', 'rbac.authorization.k8s.io', 'at the cluster scope'),
  },
  'other-team': {
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'team-a-was-here', namespace: 'team-b' }, data: { from: 'team-a' } },
    refusal: forbidden('configmaps', '', 'in the namespace "team-b"'),
  },
  'platform-identity': {
    object: teamXr('team-a-escape', { providerConfigKind: 'ClusterProviderConfig' }),
    refusal: denied(
      'tenant-aws-identity',
      "in tenant namespace team-a, EKSCluster team-a-escape must use the team's ProviderConfig \\(spec.providerConfigKind: ProviderConfig\\), not a ClusterProviderConfig",
    ),
  },
  // A ProviderConfig with the providers' own Pod Identity and no role to assume: the platform's AWS identity.
  'platform-provider-config': {
    object: {
      apiVersion: 'aws.m.upbound.io/v1beta1',
      kind: 'ProviderConfig',
      metadata: { name: 'platform', namespace: 'team-a' },
      spec: { credentials: { source: 'PodIdentity' } },
    },
    refusal: forbidden('providerconfigs', 'aws.m.upbound.io', 'in the namespace "team-a"'),
  },
  // team-b's EKS cluster by its name: the provider would adopt, change and delete it with this XR.
  takeover: {
    object: teamXr('team-a-takeover', { clusterName: TEAM_B_CLUSTER }),
    refusal: denied(
      'tenant-eks-cluster',
      `spec.clusterName: "${TEAM_B_CLUSTER}" does not start with "team-a-": in tenant namespace team-a an EKSCluster may only name EKS clusters of its own team; name it "team-a-<something>" or leave spec.clusterName out`,
    ),
  },
  // Under the lockdown (--default-service-account=default) it reconciles as team-a/default, which may do nothing.
  'no-service-account': {
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'as-default', namespace: 'team-a' } },
    noServiceAccount: true,
    refusal: new RegExp(`forbidden: User "system:serviceaccount:team-a:default" cannot \\w+ resource "configmaps" in API group "" in the namespace "team-a"`),
  },
  'platform-source': {
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unreachable', namespace: 'team-a' } },
    sourceRef: { kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
    refusal: /can't access 'GitRepository\/flux-system\/flux-system', cross-namespace references have been blocked/,
  },
};

/** The Kustomization of team-a that applies `attempt`'s object from `path` in team-a's source (or the attempt's). */
export function fenceKustomization(name: string, attempt: FenceAttempt, path: string): JsonObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'team-a' },
    spec: {
      ...(attempt.noServiceAccount ? {} : { serviceAccountName: 'flux-reconciler' }),
      interval: '10m',
      retryInterval: '1m',
      sourceRef: attempt.sourceRef ?? { kind: 'GitRepository', name: 'team-a' },
      path,
      prune: true,
    },
  };
}

/** flux/README.md's table of escapes names each attempt as e2e `<name>`: throws when one is missing there. */
export function expectListedInReadme(): void {
  const readme = readFileSync(join(REPO_ROOT, 'flux', 'README.md'), 'utf8');
  const missing = Object.keys(FENCE_ATTEMPTS).filter((name) => !readme.includes(`e2e \`${name}\``));
  if (missing.length) throw new Error(`flux/README.md "Every escape tried" lacks the fence attempts ${missing.join(', ')}: add a row naming e2e \`<name>\``);
}
