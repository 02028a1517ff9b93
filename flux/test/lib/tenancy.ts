// The multi-tenancy fence, checked on what Flux would apply (graph.ts). The
// management cluster's Flux runs with the lockdown of
// flux/clusters/management/flux-system/kustomization.yaml: a Kustomization or
// HelmRelease without spec.serviceAccountName impersonates "default", which
// may do nothing, and references across namespaces are refused. So:
//  - every Kustomization and HelmRelease names its ServiceAccount: in
//    flux-system a controller's own (created by bootstrap), elsewhere one that
//    Git creates in its namespace (a team's, flux/workload-clusters/tenant);
//  - no sourceRef, chart source or dependsOn names another namespace;
//  - what a team's Kustomization applies stays in its namespace;
//  - a team's namespace carries the tenant label the admission policies
//    select on, and its EKSClusters use the team's ProviderConfig;
//  - no team's name is another's followed by "-": a team's EKS cluster and IAM
//    role names start with "<team>-" (policy tenant-eks-cluster, the team's AWS
//    role), which must name no other team's; team names are at most 26
//    characters (so role names keep the prefix) and none is "platform".
// The API server's own refusals (RBAC and the admission policies, tried as a
// team) are tested against a real kube-apiserver in
// flux/test/tenancy-apiserver.test.ts, the team's Role in
// flux/test/tenant-role.test.ts, and the Flux controllers' in the end-to-end test.
import { MANAGEMENT, type Graph } from './graph.js';
import { get, idOf, isObject, str, type K8sObject } from './objects.js';

const TENANT_LABEL = 'toolkit.fluxcd.io/tenant';
/** ServiceAccounts `flux bootstrap` creates in flux-system, bound to cluster-admin. */
const CONTROLLER_ACCOUNTS = ['kustomize-controller', 'helm-controller'];
const FLUX_NAMESPACE = 'flux-system';
/** The value of the tag eks-gitops/tenant on the platform's own AWS resources (flux/infrastructure/aws-iam). */
const PLATFORM_TAG = 'platform';
/**
 * The longest team name whose IAM roles still start with "<team>-", which the
 * team's AWS role requires of every role it creates or touches
 * (flux/workload-clusters/tenant/aws-iam.yaml): the function cuts the cluster
 * name in a role's name to 64 - 8 (its id) - 27 (the longest purpose, pi-<24>)
 * - 2 = 27 characters, apps/monitoring to 32.
 */
const TEAM_NAME_MAX = 26;

const isTenant = (namespace: K8sObject): boolean => {
  const labels = get(namespace, 'metadata.labels');
  return isObject(labels) && typeof labels[TENANT_LABEL] === 'string';
};

const isReconciler = (o: K8sObject): boolean =>
  (o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/')) ||
  (o.kind === 'HelmRelease' && o.apiVersion.startsWith('helm.toolkit.fluxcd.io/'));

/** Every namespace a Flux object refers to: sources, chart sources and dependencies. */
function referencedNamespaces(o: K8sObject): { field: string; namespace: string }[] {
  const out: { field: string; namespace: string }[] = [];
  const add = (field: string, ref: unknown) => {
    const ns = str(get(ref, 'namespace'));
    if (ns !== undefined) out.push({ field, namespace: ns });
  };
  add('spec.sourceRef', get(o, 'spec.sourceRef'));
  add('spec.chart.spec.sourceRef', get(o, 'spec.chart.spec.sourceRef'));
  add('spec.chartRef', get(o, 'spec.chartRef'));
  const deps = get(o, 'spec.dependsOn');
  (Array.isArray(deps) ? deps : []).forEach((d, i) => add(`spec.dependsOn[${i}]`, d));
  return out;
}

export function checkTenancy(graph: Graph): string[] {
  const problems: string[] = [];
  const applied = graph.applied.filter((a) => a.cluster === MANAGEMENT);
  const accounts = new Set(
    applied
      .filter((a) => a.object.apiVersion === 'v1' && a.object.kind === 'ServiceAccount')
      .map((a) => `${a.object.metadata.namespace}/${a.object.metadata.name}`),
  );
  const tenantNamespaces = new Set<string>();
  for (const { object: o } of applied) {
    if (!isReconciler(o)) continue;
    const ns = o.metadata.namespace ?? '';
    const account = str(get(o, 'spec.serviceAccountName'));
    if (!account) {
      problems.push(
        `${idOf(o)}: no spec.serviceAccountName: under the lockdown (--default-service-account=default) it would reconcile as ${ns}/default, which may do nothing; name ${ns === FLUX_NAMESPACE ? 'kustomize-controller or helm-controller' : "the team's ServiceAccount (flux-reconciler)"}`,
      );
    } else if (ns === FLUX_NAMESPACE) {
      if (!CONTROLLER_ACCOUNTS.includes(account))
        problems.push(`${idOf(o)}: serviceAccountName ${account} is not a controller's account in flux-system (${CONTROLLER_ACCOUNTS.join(', ')})`);
    } else {
      tenantNamespaces.add(ns);
      if (!accounts.has(`${ns}/${account}`)) problems.push(`${idOf(o)}: serviceAccountName ${account}: no ServiceAccount ${ns}/${account} is applied from Git`);
    }
    for (const { field, namespace } of referencedNamespaces(o)) {
      if (namespace !== ns)
        problems.push(
          `${idOf(o)}: ${field} is in namespace ${namespace}: Flux refuses references across namespaces (--no-cross-namespace-refs); use a source in ${ns}`,
        );
    }
  }
  // What a team's Kustomization applies: only objects in its own namespace.
  for (const { object: o, appliedBy } of applied) {
    const by = applied.find(
      (a) =>
        isReconciler(a.object) && a.object.kind === 'Kustomization' && appliedBy === `Kustomization ${a.object.metadata.namespace}/${a.object.metadata.name}`,
    )?.object;
    if (!by || by.metadata.namespace === FLUX_NAMESPACE) continue;
    if (o.metadata.namespace !== by.metadata.namespace) {
      problems.push(
        `${idOf(o)}: applied by ${idOf(by)}, which reconciles as a team's ServiceAccount: it may only create objects in namespace ${by.metadata.namespace}${o.metadata.namespace ? '' : ' (this one is cluster-scoped)'}`,
      );
    }
  }
  const teams = applied
    .filter((a) => a.object.apiVersion === 'v1' && a.object.kind === 'Namespace' && isTenant(a.object))
    .map((a) => a.object.metadata.name ?? '');
  for (const team of teams) {
    if (team.length > TEAM_NAME_MAX) {
      problems.push(
        `team ${team}: ${team.length} characters; at most ${TEAM_NAME_MAX}, so that the IAM roles composed for its clusters (names cut to IAM's 64 characters) still start with "${team}-", as its AWS role requires; choose a shorter name`,
      );
    }
    if (team === PLATFORM_TAG) {
      problems.push(
        `team ${team}: the tag eks-gitops/tenant: ${PLATFORM_TAG} marks the platform's own AWS resources, which every team's boundary keeps out of reach (flux/workload-clusters/tenant/aws-iam.yaml); name the team otherwise`,
      );
    }
    for (const other of teams.filter((t) => t.startsWith(`${team}-`))) {
      problems.push(
        `teams ${team} and ${other}: ${team}'s EKS cluster names start with "${team}-", so they could name ${other}'s; give one of them a name that does not start with the other's`,
      );
    }
  }
  for (const ns of tenantNamespaces) {
    const namespace = applied.find((a) => a.object.apiVersion === 'v1' && a.object.kind === 'Namespace' && a.object.metadata.name === ns)?.object;
    if (namespace && !isTenant(namespace)) {
      problems.push(
        `${idOf(namespace)}: a team's namespace needs the label ${TENANT_LABEL}, which the AWS identity policy (flux/infrastructure/provider-config) selects on`,
      );
    }
    for (const { object: xr } of applied) {
      if (xr.kind === 'EKSCluster' && xr.metadata.namespace === ns && get(xr, 'spec.providerConfigKind') !== 'ProviderConfig') {
        problems.push(
          `${idOf(xr)}: in a team's namespace set spec.providerConfigKind: ProviderConfig (the team's AWS identity); the API server refuses anything else`,
        );
      }
    }
  }
  return problems;
}
