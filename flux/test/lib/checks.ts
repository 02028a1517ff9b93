// Consistency checks over what Flux would apply (see graph.ts). Each returns
// the problems it finds, as sentences a person can act on; [] means it passes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BOOTSTRAP_OBJECTS, MANAGEMENT, type Applied, type Graph } from './graph.js';
import { get, groupOf, idOf, isObject, str, type Dict, type K8sObject } from './objects.js';
import { CONFIGURATION_META, CROSSPLANE_CORE_MODULE, CRDS_SCRIPT, PROMETHEUS_SCRIPT } from './tools.js';
import type { Validation } from './validate.js';

// The Secret the function writes, the ConfigMap of delivery mode AWSIdentity and
// the XR's kind: one definition each, imported, so the two cannot drift.
import {
  API_GROUP,
  API_VERSION,
  CLUSTER_FACTS,
  KIND,
  KUBECONFIG_SECRET_KEY as KUBECONFIG_KEY,
  kubeconfigConfigMapName,
  kubeconfigSecretName,
  reconcileToReady,
  type JsonObject,
} from 'workshop';

export { KUBECONFIG_KEY, kubeconfigSecretName };

const XR_API_VERSION = `${API_GROUP}/${API_VERSION}`;
const XR_KIND = KIND;
const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';
const HELM_API = 'helm.toolkit.fluxcd.io/v2';

const key = (apiVersionOrGroup: string, kind: string, namespace: string | undefined, name: string): string =>
  `${apiVersionOrGroup}|${kind}|${namespace ?? ''}|${name}`;

/** Objects by kind (API group, not version) in one cluster, bootstrap objects included. */
function index(graph: Graph, cluster: string): Set<string> {
  const out = new Set<string>();
  for (const a of graph.applied) {
    if (a.cluster === cluster) out.add(key(groupOf(a.object.apiVersion), a.object.kind, a.object.metadata.namespace, a.object.metadata.name));
  }
  if (cluster === MANAGEMENT) {
    for (const b of BOOTSTRAP_OBJECTS) out.add(key(groupOf(b.apiVersion), b.kind, b.namespace, b.name));
  }
  return out;
}

const management = (graph: Graph): Applied[] => graph.applied.filter((a) => a.cluster === MANAGEMENT);
const ofKind = (graph: Graph, apiVersion: string, kind: string): K8sObject[] =>
  management(graph)
    .map((a) => a.object)
    .filter((o) => o.apiVersion === apiVersion && o.kind === kind);

/**
 * Every path Flux follows builds; every kustomization directory is reached,
 * as a Flux Kustomization's path or as a directory resource of one.
 */
export function checkPaths(graph: Graph, kustomizationDirs: string[], includes: (dir: string) => string[]): string[] {
  const problems = [...graph.errors];
  const reached = new Set<string>();
  const visit = (dir: string) => {
    if (reached.has(dir)) return;
    reached.add(dir);
    includes(dir).forEach(visit);
  };
  graph.paths.forEach(visit);
  for (const dir of kustomizationDirs) {
    if (!reached.has(dir)) problems.push(`${dir} has a kustomization.yaml but no Flux Kustomization applies it`);
  }
  return problems;
}

/** The same object applied twice to one cluster (e.g. a copied folder not renamed). */
export function checkDuplicates(graph: Graph): string[] {
  const owners = new Map<string, Applied>();
  const problems: string[] = [];
  for (const a of graph.applied) {
    const k = `${a.cluster}|${key(groupOf(a.object.apiVersion), a.object.kind, a.object.metadata.namespace, a.object.metadata.name)}`;
    const first = owners.get(k);
    if (first) problems.push(`${idOf(a.object)} in ${a.cluster} is applied by both ${first.appliedBy} and ${a.appliedBy}`);
    else owners.set(k, a);
  }
  return problems;
}

/**
 * Every kubeConfig.secretRef names the Secret the function writes for an
 * EKSCluster in the same namespace (<name>-kubeconfig, key kubeconfig), every
 * kubeConfig.configMapRef the ConfigMap it composes for an EKSCluster there
 * whose spec.delivery.mode is AWSIdentity (<name>-kubeconfig), and
 * whatever uses it waits for that EKSCluster: a Kustomization with a kubeConfig
 * (or the Kustomization that applies a HelmRelease with one) dependsOn a
 * Kustomization that applies the EKSCluster and gates on its Ready condition.
 */
export function checkKubeconfigRefs(graph: Graph): string[] {
  const problems: string[] = [];
  const xrs = ofKind(graph, XR_API_VERSION, XR_KIND);
  const kustomizations = ofKind(graph, KUSTOMIZE_API, 'Kustomization');
  const appliers = new Map(management(graph).map((a) => [a.object, a.appliedBy]));
  const gates = (ks: K8sObject, xr: K8sObject): boolean => {
    const exprs = get(ks, 'spec.healthCheckExprs');
    const applies = graph.applied.some((a) => a.object === xr && a.appliedBy === `Kustomization ${ks.metadata.namespace}/${ks.metadata.name}`);
    const gated =
      get(ks, 'spec.wait') === true &&
      Array.isArray(exprs) &&
      exprs.some(
        (e) =>
          get(e, 'apiVersion') === XR_API_VERSION &&
          get(e, 'kind') === XR_KIND &&
          /Ready/.test(str(get(e, 'current')) ?? '') &&
          typeof get(e, 'failed') === 'string',
      );
    return applies && gated;
  };
  const waitsFor = (ks: K8sObject, xr: K8sObject): boolean => {
    const deps = get(ks, 'spec.dependsOn');
    return (Array.isArray(deps) ? deps : []).some((d) => {
      const ns = str(get(d, 'namespace')) ?? ks.metadata.namespace;
      const dep = kustomizations.find((k) => k.metadata.name === get(d, 'name') && k.metadata.namespace === ns);
      return dep !== undefined && gates(dep, xr);
    });
  };
  for (const o of management(graph).map((a) => a.object)) {
    if (!((o.apiVersion === KUSTOMIZE_API && o.kind === 'Kustomization') || (o.apiVersion === HELM_API && o.kind === 'HelmRelease'))) continue;
    const ref = get(o, 'spec.kubeConfig.secretRef');
    const configMapRef = get(o, 'spec.kubeConfig.configMapRef');
    let xr: K8sObject | undefined;
    if (configMapRef !== undefined) {
      const name = str(get(configMapRef, 'name')) ?? '';
      xr = xrs.find((x) => x.metadata.namespace === o.metadata.namespace && kubeconfigConfigMapName(x.metadata.name) === name);
      if (!xr) {
        problems.push(`${idOf(o)}: kubeConfig.configMapRef "${name}" is not <name>-kubeconfig of an EKSCluster in namespace ${o.metadata.namespace}`);
        continue;
      }
      if (get(xr, 'spec.delivery.mode') !== 'AWSIdentity') {
        problems.push(
          `${idOf(o)}: kubeConfig.configMapRef "${name}" names a ConfigMap the function composes only with spec.delivery.mode AWSIdentity, which ${idOf(xr)} does not set; set it (with fluxRoleArn) or use secretRef`,
        );
        continue;
      }
    } else {
      if (ref === undefined) {
        // Beside an EKSCluster, a release without kubeConfig lands in the management cluster itself.
        const cluster = o.kind === 'HelmRelease' ? xrs.find((x) => x.metadata.namespace === o.metadata.namespace) : undefined;
        if (cluster)
          problems.push(
            `${idOf(o)}: no spec.kubeConfig, so helm-controller would install it into the management cluster, not ${idOf(cluster)}'s; apply the overlay of its delivery mode (e.g. apps/monitoring/kubeconfig-secret or aws-identity, not apps/monitoring/base)`,
          );
        continue;
      }
      const name = str(get(ref, 'name')) ?? '';
      if (get(ref, 'key') !== KUBECONFIG_KEY) problems.push(`${idOf(o)}: kubeConfig.secretRef.key must be "${KUBECONFIG_KEY}" (Flux would read "value")`);
      xr = xrs.find((x) => x.metadata.namespace === o.metadata.namespace && kubeconfigSecretName(x.metadata.name) === name);
      if (!xr) {
        problems.push(`${idOf(o)}: kubeConfig.secretRef "${name}" is not <name>-kubeconfig of an EKSCluster in namespace ${o.metadata.namespace}`);
        continue;
      }
      if (get(xr, 'spec.delivery.mode') === 'AWSIdentity') {
        problems.push(
          `${idOf(o)}: kubeConfig.secretRef "${name}": ${idOf(xr)} has spec.delivery.mode AWSIdentity, so no kubeconfig Secret is written; use configMapRef with the same name`,
        );
        continue;
      }
    }
    const gateKeeper =
      o.kind === 'Kustomization' ? o : kustomizations.find((k) => appliers.get(o) === `Kustomization ${k.metadata.namespace}/${k.metadata.name}`);
    if (!gateKeeper || !waitsFor(gateKeeper, xr)) {
      problems.push(
        `${idOf(o)}: ${o.kind === 'Kustomization' ? 'it' : `the Kustomization applying it (${appliers.get(o)})`} must dependsOn the Kustomization that applies ${idOf(xr)} with wait and a healthCheckExprs entry (current: Ready, failed) for it`,
      );
    }
  }
  return problems;
}

/** The kind a managed resource's *Ref field must name, where the field says it. */
const MR_REF_KINDS: Record<string, string> = { roleRef: 'Role', roleArnRef: 'Role', clusterNameRef: 'Cluster', vpcIdRef: 'VPC', subnetIdRef: 'Subnet' };

interface Composed {
  name: string;
  namespace: string;
  apiVersion: string;
  kind: string;
}

/** What the function composes for every EKSCluster Flux applies, once everything is Ready: refs may name these too. */
export function composedByFunction(graph: Graph): Composed[] {
  return ofKind(graph, XR_API_VERSION, XR_KIND).flatMap((xr) => {
    const { result } = reconcileToReady(xr as unknown as JsonObject);
    if (!result.ok) return [];
    return result.resources.map((r) => ({
      name: String(get(r.body, 'metadata.name')),
      namespace: String(get(r.body, 'metadata.namespace')),
      apiVersion: String(r.body.apiVersion),
      kind: String(r.body.kind),
    }));
  });
}

/** Every dependsOn, sourceRef, chart source, runtimeConfigRef and managed-resource *Ref names an existing object. */
export function checkReferences(graph: Graph): string[] {
  const problems: string[] = [];
  const composed = composedByFunction(graph);
  const mgmt = index(graph, MANAGEMENT);
  const exists = (group: string, kind: string, ns: string | undefined, name: unknown) => typeof name === 'string' && mgmt.has(key(group, kind, ns, name));
  for (const o of management(graph).map((a) => a.object)) {
    const ns = o.metadata.namespace;
    const group = groupOf(o.apiVersion);
    if (group === 'kustomize.toolkit.fluxcd.io' || group === 'helm.toolkit.fluxcd.io') {
      const deps = get(o, 'spec.dependsOn');
      for (const d of Array.isArray(deps) ? deps : []) {
        const depNs = str(get(d, 'namespace')) ?? ns;
        if (!exists(group, o.kind, depNs, get(d, 'name'))) problems.push(`${idOf(o)}: dependsOn ${o.kind} ${depNs}/${String(get(d, 'name'))} does not exist`);
      }
    }
    const sources: [unknown, string][] = [];
    if (o.kind === 'Kustomization' && group === 'kustomize.toolkit.fluxcd.io') sources.push([get(o, 'spec.sourceRef'), 'sourceRef']);
    if (o.kind === 'HelmRelease') {
      sources.push([get(o, 'spec.chart.spec.sourceRef'), 'chart.spec.sourceRef']);
      sources.push([get(o, 'spec.chartRef'), 'chartRef']);
    }
    for (const [ref, field] of sources) {
      if (!isObject(ref)) continue;
      const refNs = str(ref.namespace) ?? ns;
      if (!exists('source.toolkit.fluxcd.io', String(ref.kind), refNs, ref.name)) {
        problems.push(`${idOf(o)}: ${field} ${String(ref.kind)} ${refNs}/${String(ref.name)} does not exist`);
      }
    }
    if (group === 'pkg.crossplane.io' && isObject(get(o, 'spec.runtimeConfigRef'))) {
      const name = get(o, 'spec.runtimeConfigRef.name');
      if (!exists('pkg.crossplane.io', 'DeploymentRuntimeConfig', undefined, name)) {
        problems.push(`${idOf(o)}: runtimeConfigRef DeploymentRuntimeConfig ${String(name)} does not exist`);
      }
    }
    const forProvider = get(o, 'spec.forProvider');
    if (isObject(forProvider)) {
      for (const [field, ref] of Object.entries(forProvider)) {
        if (!field.endsWith('Ref') || !isObject(ref)) continue;
        const refNs = str(ref.namespace) ?? ns;
        const kind = MR_REF_KINDS[field];
        const found =
          management(graph).some(
            (a) =>
              a.object.metadata.name === ref.name &&
              a.object.metadata.namespace === refNs &&
              isObject(get(a.object, 'spec.forProvider')) &&
              (!kind || a.object.kind === kind),
          ) || composed.some((c) => c.name === ref.name && c.namespace === refNs && (!kind || c.kind === kind));
        if (!found)
          problems.push(
            `${idOf(o)}: forProvider.${field} names ${String(ref.name)}, no ${kind ?? 'managed resource'} of that name in ${refNs}, in Git or composed by the function`,
          );
      }
    }
  }
  return problems;
}

const EXACT_SEMVER = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const DIGEST = /@sha256:[a-f0-9]{64}$/;

function imageProblem(image: string): string | undefined {
  if (DIGEST.test(image)) return undefined;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  if (tag === '') return `image ${image} has no tag or digest`;
  if (tag === 'latest' || tag.includes('$')) return `image ${image} is not pinned`;
  if (!/\d/.test(tag)) return `image ${image}: tag "${tag}" is not a version`;
  return undefined;
}

/** Images anywhere in a value (pod specs, Helm values): fields named "image" holding a string. */
function images(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => images(v, out));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'image' && typeof v === 'string') out.push(v);
      else images(v, out);
    }
  }
  return out;
}

/** Every chart, package and image version is exact: no latest, no ranges, no empty versions. */
export function checkPinned(graph: Graph): string[] {
  const problems: string[] = [];
  for (const { object: o } of graph.applied) {
    const group = groupOf(o.apiVersion);
    if (o.kind === 'HelmRelease' && group === 'helm.toolkit.fluxcd.io') {
      const chart = get(o, 'spec.chart.spec');
      if (isObject(chart)) {
        const version = str(chart.version) ?? '';
        if (!EXACT_SEMVER.test(version)) problems.push(`${idOf(o)}: chart ${String(chart.chart)} version "${version}" is not an exact version`);
      }
    }
    if (o.kind === 'HelmChart' && !EXACT_SEMVER.test(str(get(o, 'spec.version')) ?? '')) problems.push(`${idOf(o)}: chart version is not an exact version`);
    if (o.kind === 'OCIRepository') {
      const ref = get(o, 'spec.ref');
      if (!isObject(ref) || !(ref.digest || EXACT_SEMVER.test(str(ref.tag) ?? '') || EXACT_SEMVER.test(str(ref.semver) ?? ''))) {
        problems.push(`${idOf(o)}: spec.ref must be an exact tag, semver or digest`);
      }
    }
    if (group === 'pkg.crossplane.io' && ['Provider', 'Function', 'Configuration'].includes(o.kind)) {
      const pkg = str(get(o, 'spec.package')) ?? '';
      const tag = pkg.includes('@sha256:') ? 'digest' : pkg.slice(pkg.lastIndexOf(':') + 1);
      if (!DIGEST.test(pkg) && (!pkg.includes(':') || !EXACT_SEMVER.test(tag)))
        problems.push(`${idOf(o)}: package ${pkg} is not pinned to an exact version or digest`);
      // A tag can be pushed again; a digest names exactly what a release pushed (configuration/scripts/pins.ts).
      else if (o.kind !== 'Provider' && !DIGEST.test(pkg))
        problems.push(`${idOf(o)}: package ${pkg} is not pinned by digest: use the line npm run publish printed for the release`);
    }
    for (const image of images(o.spec)) {
      const problem = imageProblem(image);
      if (problem) problems.push(`${idOf(o)}: ${problem}`);
    }
  }
  return problems;
}

const AWS_ACCESS_KEY = /\b(AKIA|ASIA)[0-9A-Z]{16}\b/;

/** No Secret carries data in Git, no AWS keys anywhere, no static provider credentials. */
export function checkNoSecrets(graph: Graph, rawTexts: Map<string, string>): string[] {
  const problems: string[] = [];
  for (const { object: o } of graph.applied) {
    if (o.apiVersion === 'v1' && o.kind === 'Secret' && (isObject(o.data) || isObject(o.stringData)) && !isObject(o.sops)) {
      problems.push(`${idOf(o)}: plaintext Secret data in Git (use SOPS, or let a controller write the Secret)`);
    }
    if (o.kind.endsWith('ProviderConfig') && groupOf(o.apiVersion).endsWith('upbound.io')) {
      const source = get(o, 'spec.credentials.source');
      if (source !== 'PodIdentity' && source !== 'IRSA' && source !== 'WebIdentity') {
        problems.push(`${idOf(o)}: credentials.source ${String(source)}: use PodIdentity or IRSA, never static keys`);
      }
    }
  }
  for (const [file, text] of rawTexts) {
    if (AWS_ACCESS_KEY.test(text) || /aws_secret_access_key/i.test(text)) problems.push(`${file}: looks like an AWS access key`);
  }
  return problems;
}

/**
 * Every namespaced object has a namespace, and every namespace used is created
 * in the cluster that uses it: by a Namespace object applied there, by
 * bootstrap (flux-system), or by a HelmRelease with install.createNamespace.
 */
export function checkNamespaces(graph: Graph, schemas: Pick<Validation, 'scopeOf' | 'xrdError'>): string[] {
  const problems: string[] = [];
  const created = new Map<string, Set<string>>();
  const create = (cluster: string, ns: string) => created.set(cluster, (created.get(cluster) ?? new Set()).add(ns));
  create(MANAGEMENT, 'flux-system');
  for (const { object: o, cluster } of graph.applied) {
    if (o.apiVersion === 'v1' && o.kind === 'Namespace') create(cluster, o.metadata.name);
    if (o.kind === 'HelmRelease' && get(o, 'spec.install.createNamespace') === true) {
      const target = str(get(o, 'spec.targetNamespace')) ?? o.metadata.namespace ?? '';
      create(remoteOf(o) ?? cluster, target);
    }
  }
  const need = (cluster: string, ns: string, what: string) => {
    if (!created.get(cluster)?.has(ns)) problems.push(`${what} uses namespace ${ns} in ${cluster}, which nothing creates there`);
  };
  for (const { object: o, cluster } of graph.applied) {
    const scope = schemas.scopeOf(o);
    if (scope === undefined) {
      problems.push(
        `${idOf(o)} (${o.apiVersion}): unknown kind, scope cannot be checked${schemas.xrdError && o.apiVersion === XR_API_VERSION ? ` (${schemas.xrdError})` : ''}`,
      );
      continue;
    }
    const ns = o.metadata.namespace;
    if (scope === 'Namespaced' && !ns) problems.push(`${idOf(o)} in ${cluster}: namespaced but has no namespace (set one, or targetNamespace)`);
    if (scope === 'Cluster' && ns) problems.push(`${idOf(o)} in ${cluster}: cluster-scoped but has a namespace`);
    if (scope === 'Namespaced' && ns) need(cluster, ns, idOf(o));
    if (o.kind === 'HelmRelease') {
      const target = str(get(o, 'spec.targetNamespace'));
      const storage = str(get(o, 'spec.storageNamespace'));
      for (const t of [target, storage]) if (t) need(remoteOf(o) ?? cluster, t, `${idOf(o)} (release)`);
    }
  }
  return problems;
}

function remoteOf(o: K8sObject): string | undefined {
  const name = str(get(o, 'spec.kubeConfig.secretRef.name')) ?? str(get(o, 'spec.kubeConfig.configMapRef.name'));
  return name ? `workload:${o.metadata.namespace ?? ''}/${name}` : undefined;
}

/**
 * The facts the function derives for an EKSCluster (names it computes, ARNs,
 * the endpoint): a value like one of these written in Git was copied from the
 * status. IDs AWS assigns are random there and simulated here, so a copy of
 * one cannot be recognised; names the function computes are the same in both.
 */
const DERIVED_FACT = /^(cluster_name|cluster_arn|cluster_endpoint|oidc_issuer|oidc_provider_arn|karpenter_[a-z_]+_(queue|name|arn)|pod_identity_role_arn_\w+)$/;

/** Each derived fact of the EKSClusters in a namespace, by value (values shorter than 8 characters say too little). */
function derivedFacts(graph: Graph, namespace: string): Map<string, string> {
  const facts = new Map<string, string>();
  for (const xr of ofKind(graph, XR_API_VERSION, XR_KIND).filter((x) => x.metadata.namespace === namespace)) {
    const { result } = reconcileToReady(xr as unknown as JsonObject);
    if (!result.ok) continue;
    const configMap = result.resources.find((r) => r.body.kind === 'ConfigMap' && String(get(r.body, 'metadata.name')).endsWith('-cluster-facts'));
    const data = get(configMap?.body, 'data');
    for (const [key, value] of Object.entries(isObject(data) ? data : {})) {
      if (DERIVED_FACT.test(key) && typeof value === 'string' && value.length >= 8) facts.set(value, `${key} of ${idOf(xr)}`);
    }
  }
  return facts;
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (isObject(value)) Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/**
 * A workload-cluster folder names one cluster everywhere: its EKSCluster is
 * named like its namespace (one folder, one namespace, one cluster), and no
 * Kustomization copies a fact of that cluster by hand, into postBuild.substitute
 * or into what it applies: the function composes them (ConfigMap
 * <EKSCluster>-cluster-facts, docs/cluster-facts.md), so a copy can only go stale.
 */
export function checkClusterNames(graph: Graph): string[] {
  const problems: string[] = [];
  // What a team's Kustomizations apply, as written in Git (before substitution), holds no derived fact.
  const byNamespace = new Map<string, Map<string, string>>();
  for (const { object, source, appliedBy } of graph.applied) {
    const namespace = /^Kustomization ([^/]+)\//.exec(appliedBy)?.[1];
    if (!namespace || (object.apiVersion === XR_API_VERSION && object.kind === XR_KIND)) continue;
    if (!byNamespace.has(namespace)) byNamespace.set(namespace, derivedFacts(graph, namespace));
    const facts = byNamespace.get(namespace)!;
    const written = strings(source ?? object);
    for (const [value, fact] of facts) {
      if (written.some((w) => w.includes(value)))
        problems.push(
          `${idOf(object)} (${appliedBy}): "${value}" is the ${fact}, copied by hand; write \${${fact.split(' ')[0]}} and read it from the ConfigMap <EKSCluster name>-cluster-facts the function composes (postBuild.substituteFrom, docs/cluster-facts.md)`,
        );
    }
  }
  for (const xr of ofKind(graph, XR_API_VERSION, XR_KIND)) {
    if (xr.metadata.name !== xr.metadata.namespace) problems.push(`${idOf(xr)}: name it like its namespace (one folder, one namespace, one cluster)`);
  }
  const facts = new Set(CLUSTER_FACTS.filter((f) => !f.key.includes('<')).map((f) => f.key));
  for (const ks of ofKind(graph, KUSTOMIZE_API, 'Kustomization')) {
    const vars = get(ks, 'spec.postBuild.substitute');
    for (const name of isObject(vars) ? Object.keys(vars) : []) {
      if (facts.has(name))
        problems.push(
          `${idOf(ks)}: postBuild.substitute.${name} is copied by hand; read it from the ConfigMap <EKSCluster name>-cluster-facts the function composes (postBuild.substituteFrom, docs/cluster-facts.md)`,
        );
    }
  }
  return problems;
}

/** Whether a variable is a key of the cluster facts (a key with `<...>` stands for a family of keys). */
const FACT_KEY = new RegExp(`^(${CLUSTER_FACTS.map((f) => f.key.replace(/<[^>]+>/g, '\\w+')).join('|')})$`);

/**
 * A cluster needs no input made by hand: a Kustomization that reads its
 * cluster's facts (the ConfigMap the function composes) reads nothing else a
 * person makes outside Git (such as the former <cluster>-monitoring with the
 * Prometheus workspace: the function composes the workspace, spec.monitoring),
 * and no ConfigMap in Git copies a fact: Flux takes a later source's value over
 * the facts', so a copy would silently win and go stale.
 */
export function checkHandMadeInputs(graph: Graph): string[] {
  const problems: string[] = [];
  for (const ks of new Set(graph.inputs.map((s) => s.kustomization))) {
    const sources = graph.inputs.filter((s) => s.kustomization === ks);
    const facts = sources.find((s) => s.composed);
    if (!facts) continue;
    for (const s of sources.filter((x) => !x.composed)) {
      const where = `${ks}: substituteFrom ${s.kind} ${s.namespace}/${s.name}`;
      if (!s.inGit) {
        problems.push(
          `${where} is made by hand, outside Git, but every value of this cluster comes from ${facts.kind} ${facts.name} the function composes (docs/cluster-facts.md; its Prometheus workspace with spec.monitoring.enabled of the EKSCluster): remove it from substituteFrom`,
        );
        continue;
      }
      const copied = Object.keys(s.values).filter((k) => FACT_KEY.test(k));
      if (copied.length > 0)
        problems.push(
          `${where} copies ${copied.join(', ')} of the cluster's facts by hand, and would win over ${facts.name}: remove ${copied.length > 1 ? 'them' : 'it'}`,
        );
    }
  }
  return problems;
}

const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * IAM role names are global to the AWS account and at most 64 characters
 * ([\w+=,.@-]): every IAM Role Git applies has such an AWS name (its
 * crossplane.io/external-name, else its metadata.name), and no two share one.
 */
export function checkIamRoleNames(graph: Graph): string[] {
  const problems: string[] = [];
  const owners = new Map<string, K8sObject>();
  // In the order of their ids, so a pair reads the same whatever order the builds list them in.
  const objects = management(graph)
    .map((a) => a.object)
    .sort((x, y) => idOf(x).localeCompare(idOf(y)));
  for (const o of objects) {
    if (groupOf(o.apiVersion) !== 'iam.aws.m.upbound.io' || o.kind !== 'Role') continue;
    const name = str((o.metadata.annotations as Dict | undefined)?.['crossplane.io/external-name']) ?? o.metadata.name;
    if (!IAM_ROLE_NAME.test(name))
      problems.push(`${idOf(o)}: AWS role name "${name}" (${name.length} characters) is not a valid IAM role name (at most 64 of [A-Za-z0-9+=,.@_-])`);
    const first = owners.get(name);
    if (first) problems.push(`${idOf(o)} and ${idOf(first)} have the same AWS role name "${name}": IAM names are global to the account`);
    else owners.set(name, o);
  }
  return problems;
}

/** NAME=value of a shell script (the tool scripts pin versions that way), or undefined. */
function shellVariable(text: string | undefined, name: string): string | undefined {
  return text === undefined ? undefined : new RegExp(`^${name}=(\\S+)$`, 'm').exec(text)?.[1];
}

/** The version a go.mod requires a module at (a line "path version" of its require block, or "require path version"), or undefined. */
function goRequire(text: string | undefined, module: string): string | undefined {
  const path = module.replace(/[.]/g, '\\.');
  return text === undefined ? undefined : new RegExp(`^(?:require\\s+|\\s+)${path}\\s+(\\S+)`, 'm').exec(text)?.[1];
}

/** A package reference (registry/repository[:tag][@sha256:digest]) split into repository and tag ("" when none). */
function splitPackage(pkg: string): { repository: string; tag: string } {
  const ref = pkg.replace(/@sha256:[a-f0-9]+$/, '');
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref, tag: '' };
}

const withoutV = (version: string): string => version.replace(/^v/, '');
/** A provider-aws family member's package repository (provider-aws-ec2, ...). */
const PROVIDER_AWS_PACKAGE = /\/provider-aws-[a-z0-9]+$/;

/**
 * Flux installs the versions the schemas check validates against, so a green
 * check speaks for what runs:
 *  - provider-aws: aws_provider_version (clusters/management/infrastructure.yaml)
 *    and the tag of every provider-aws Provider Flux applies are
 *    PROVIDER_AWS_VERSION of scripts/tools/crds.sh (the CRDs validated
 *    against), and configuration/package/crossplane.yaml requires ">=" that version of
 *    each member, so the package cannot install against older CRDs;
 *  - Crossplane: the chart version Flux installs is the version of
 *    github.com/crossplane/crossplane/v2 that scripts/tools/go/crossplane-core/go.mod
 *    requires (the core the render tests run) and CROSSPLANE_VERSION of
 *    scripts/tools/crds.sh (Crossplane's CRDs validated against);
 *  - Prometheus: every HelmRelease of the prometheus chart (apps/monitoring)
 *    pins PROMETHEUS_CHART_VERSION of scripts/tools/prometheus.sh, the chart
 *    the end-to-end run installs (that script fails unless its module commit,
 *    PROMETHEUS_CHARTS_VERSION, holds that chart version).
 */
export function checkVersions(graph: Graph, root: string): string[] {
  const problems: string[] = [];
  const read = (file: string) => (existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : undefined);
  const pinned = (file: string, name: string): string | undefined => {
    const value = shellVariable(read(file), name);
    if (value === undefined) problems.push(`${file}: no ${name}=... line`);
    return value;
  };

  const provider = pinned(CRDS_SCRIPT, 'PROVIDER_AWS_VERSION');
  if (provider !== undefined) {
    const against = `PROVIDER_AWS_VERSION ${provider} of ${CRDS_SCRIPT} (the CRDs the schemas check validates against); bump them together`;
    for (const ks of ofKind(graph, KUSTOMIZE_API, 'Kustomization')) {
      const version = get(ks, 'spec.postBuild.substitute.aws_provider_version');
      if (version !== undefined && version !== provider) problems.push(`${idOf(ks)}: aws_provider_version ${String(version)} differs from ${against}`);
    }
    const providers = ofKind(graph, 'pkg.crossplane.io/v1', 'Provider')
      .map((p) => ({ p, ...splitPackage(str(get(p, 'spec.package')) ?? '') }))
      .filter(({ repository }) => PROVIDER_AWS_PACKAGE.test(repository));
    if (providers.length === 0) problems.push(`no provider-aws Provider is applied to ${MANAGEMENT}`);
    for (const { p, tag } of providers) {
      if (tag !== provider) problems.push(`${idOf(p)}: package ${String(get(p, 'spec.package'))} is not at ${against}`);
    }
    const meta = read(CONFIGURATION_META);
    const deps = get(meta === undefined ? undefined : parse(meta), 'spec.dependsOn');
    const members = (Array.isArray(deps) ? deps : []).filter((d) => PROVIDER_AWS_PACKAGE.test(str(get(d, 'provider')) ?? ''));
    if (members.length === 0) problems.push(`${CONFIGURATION_META}: no provider-aws dependency in spec.dependsOn`);
    for (const d of members) {
      const constraint = str(get(d, 'version'));
      if (constraint !== `>=${provider}`)
        problems.push(`${CONFIGURATION_META}: ${String(get(d, 'provider'))} version "${String(constraint)}" must be ">=${provider}", from ${against}`);
    }
  }

  const charts = management(graph)
    .map((a) => a.object)
    .filter((o) => o.apiVersion === HELM_API && o.kind === 'HelmRelease' && get(o, 'spec.chart.spec.chart') === 'crossplane');
  if (charts.length === 0) problems.push(`no HelmRelease of the crossplane chart is applied to ${MANAGEMENT}`);
  const crossplaneModule = 'github.com/crossplane/crossplane/v2';
  const corePin = goRequire(read(CROSSPLANE_CORE_MODULE), crossplaneModule);
  if (corePin === undefined) problems.push(`${CROSSPLANE_CORE_MODULE}: no requirement of ${crossplaneModule}`);
  const crdsPin = pinned(CRDS_SCRIPT, 'CROSSPLANE_VERSION');
  const crossplanePins = [
    { pin: corePin, what: `${crossplaneModule} ${corePin} of ${CROSSPLANE_CORE_MODULE}` },
    { pin: crdsPin, what: `CROSSPLANE_VERSION ${crdsPin} of ${CRDS_SCRIPT}` },
  ];
  for (const { pin, what } of crossplanePins) {
    if (pin === undefined) continue;
    for (const release of charts) {
      const version = str(get(release, 'spec.chart.spec.version')) ?? '';
      if (withoutV(version) !== withoutV(pin)) problems.push(`${idOf(release)}: chart crossplane ${version} differs from ${what}; bump them together`);
    }
  }

  const prometheus = pinned(PROMETHEUS_SCRIPT, 'PROMETHEUS_CHART_VERSION');
  const releases = ofKind(graph, HELM_API, 'HelmRelease').filter((o) => get(o, 'spec.chart.spec.chart') === 'prometheus');
  if (releases.length === 0) problems.push(`no HelmRelease of the prometheus chart is applied to ${MANAGEMENT}`);
  for (const release of prometheus === undefined ? [] : releases) {
    const version = str(get(release, 'spec.chart.spec.version')) ?? '';
    if (version !== prometheus)
      problems.push(
        `${idOf(release)}: chart prometheus ${version} differs from PROMETHEUS_CHART_VERSION ${prometheus} of ${PROMETHEUS_SCRIPT} (the chart the end-to-end run installs); bump them together, with PROMETHEUS_CHARTS_VERSION at a commit of that chart release`,
      );
  }
  return problems;
}
