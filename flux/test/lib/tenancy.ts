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
//  - a team's namespace carries the tenant label the AWS identity policy
//    selects on, and its EKSClusters use the team's ProviderConfig.
// The API server's own refusals are tested against a real kube-apiserver
// (flux/test/tenancy-rbac.test.ts) and by the end-to-end test.
import { MANAGEMENT, type Graph } from './graph.js';
import { get, idOf, isObject, str, type K8sObject } from './objects.js';

const TENANT_LABEL = 'toolkit.fluxcd.io/tenant';
/** ServiceAccounts `flux bootstrap` creates in flux-system, bound to cluster-admin. */
const CONTROLLER_ACCOUNTS = ['kustomize-controller', 'helm-controller'];
const FLUX_NAMESPACE = 'flux-system';

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
  for (const ns of tenantNamespaces) {
    const namespace = applied.find((a) => a.object.apiVersion === 'v1' && a.object.kind === 'Namespace' && a.object.metadata.name === ns)?.object;
    const labels = get(namespace, 'metadata.labels');
    if (namespace && !(isObject(labels) && typeof labels[TENANT_LABEL] === 'string')) {
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
