// The Kubernetes rights of a team, pinned: the Role its ServiceAccount
// flux-reconciler reconciles with (flux/workload-clusters/tenant/rbac.yaml),
// rule by rule. Widening it is a decision to make here, in review, with
// flux/README.md "Security model"; tenancy-apiserver.test.ts shows what the
// API server then refuses.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './lib/tools.js';

const RBAC = join(REPO_ROOT, 'flux', 'workload-clusters', 'tenant', 'rbac.yaml');
const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

const documents = () => parseAllDocuments(readFileSync(RBAC, 'utf8')).map((d) => d.toJS() as Record<string, unknown>);

describe("a team's Kubernetes rights", () => {
  it('are one ServiceAccount, one Role and one RoleBinding in its namespace: no ClusterRole, no ClusterRoleBinding', () => {
    expect(documents().map((d) => `${d.kind} ${(d.metadata as Record<string, string>).namespace}/${(d.metadata as Record<string, string>).name}`)).toEqual([
      'ServiceAccount ${team}/flux-reconciler',
      'Role ${team}/flux-reconciler',
      'RoleBinding ${team}/flux-reconciler',
    ]);
  });

  it('are exactly these rules', () => {
    const role = documents().find((d) => d.kind === 'Role');
    expect(role?.rules).toEqual([
      { apiGroups: ['eks.gitops.dev'], resources: ['eksclusters'], verbs: ALL },
      { apiGroups: ['kustomize.toolkit.fluxcd.io'], resources: ['kustomizations'], verbs: ALL },
      { apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: ALL },
      { apiGroups: ['source.toolkit.fluxcd.io'], resources: ['helmrepositories', 'ocirepositories'], verbs: ALL },
      { apiGroups: ['source.toolkit.fluxcd.io'], resources: ['gitrepositories'], verbs: READ },
      { apiGroups: [''], resources: ['configmaps'], verbs: ALL },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['${team}-kubeconfig'], verbs: READ },
      { apiGroups: ['iam.aws.m.upbound.io'], resources: ['roles', 'rolepolicyattachments'], verbs: ALL },
      { apiGroups: ['eks.aws.m.upbound.io'], resources: ['podidentityassociations'], verbs: ALL },
      { apiGroups: ['protection.crossplane.io'], resources: ['usages'], verbs: ALL },
    ]);
  });

  it('bind the Role to the ServiceAccount only', () => {
    const binding = documents().find((d) => d.kind === 'RoleBinding');
    expect(binding?.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'flux-reconciler' });
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'flux-reconciler', namespace: '${team}' }]);
  });
});
