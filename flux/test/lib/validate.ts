// Schema validation of every applied object by a real kube-apiserver, of the
// Kubernetes version the workload clusters run (scripts/tools/kube-apiserver.sh):
// a server-side apply dry run (dryRun=All, fieldValidation=Strict) of each
// object, as `kubectl apply --server-side --dry-run=server` sends it. The
// apiserver serves Crossplane's CRDs (`crossplane core init`), our XR's CRD as
// Crossplane core derives it from the XRD (configuration/test/support/
// composite-crd.ts), and the CRDs of Flux, Karpenter and the provider-aws
// family members, each installed from the pinned modules (scripts/tools/
// crds.sh, flux-controllers.sh, karpenter.sh) when an object first needs it.
// It refuses unknown fields, wrong types, enum and CEL violations, and kinds no
// CRD defines. Scopes for the namespace check come from its discovery.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { compositeCrdFromCore } from 'configuration/test/support/composite-crd.js';
import { crdsDir, Kube, KubeError, ProcessGroup, startControlPlane, waitFor, yamlDocuments, type JsonObject } from 'workshop';
import type { Applied } from './graph.js';
import { get, groupOf, idOf, type K8sObject } from './objects.js';
import { REPO_ROOT, XRD_PATH } from './tools.js';

export type Scope = 'Namespaced' | 'Cluster';

const FIELD_MANAGER = 'flux-test-dry-run';
/** Dry runs in flight at once: enough to keep the apiserver busy on two cores. */
const CONCURRENCY = 8;

interface Resource {
  plural: string;
  scope: Scope;
}

/** A kube-apiserver with the CRDs installed, shared by the analyses of one test file. */
export interface Validator {
  kube: Kube;
  /** The XRD text Crossplane core derived the served XR CRD from. */
  xrdText: string;
  /** "apiVersion" -> kind -> resource, from discovery; cleared when a CRD is installed. */
  discovery: Map<string, Map<string, Resource> | undefined>;
  /** "group/Kind" of the CRDs installed here, and of those found in no pinned module. */
  installed: Set<string>;
  missing: Set<string>;
  namespaces: Set<string>;
  stop(): Promise<void>;
}

/** Starts etcd, kube-apiserver and (until it has made our XR's CRD) Crossplane core. */
export async function startValidator(): Promise<Validator> {
  const dir = mkdtempSync(join(tmpdir(), 'flux-validator-'));
  const group = new ProcessGroup(dir);
  try {
    const plane = await startControlPlane(group, { dir, clusters: ['validator'], readyTimeoutMs: 180_000 });
    await compositeCrdFromCore(group, plane, dir);
    return {
      kube: new Kube(plane.primary.kubeconfigYaml),
      xrdText: readFileSync(join(REPO_ROOT, XRD_PATH), 'utf8'),
      discovery: new Map(),
      installed: new Set(),
      missing: new Set(),
      namespaces: new Set(),
      stop: async () => {
        await group.stopAll();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await group.stopAll();
    throw error;
  }
}

async function resources(v: Validator, apiVersion: string): Promise<Map<string, Resource> | undefined> {
  if (v.discovery.has(apiVersion)) return v.discovery.get(apiVersion);
  let found: Map<string, Resource> | undefined;
  try {
    const list = await v.kube.call('GET', apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`);
    found = new Map();
    for (const r of (list.resources as { name: string; kind: string; namespaced: boolean }[] | undefined) ?? []) {
      if (!r.name.includes('/')) found.set(r.kind, { plural: r.name, scope: r.namespaced ? 'Namespaced' : 'Cluster' });
    }
  } catch (error) {
    if (!(error instanceof KubeError && error.status === 404)) throw error;
  }
  v.discovery.set(apiVersion, found);
  return found;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(entry) ? [path] : [];
  });
}

/**
 * The pinned CRD of a group and kind, installed and Established; false when no
 * pinned module has one. CRD files are named <group>_<plural>.yaml, so only
 * that group's files are read.
 */
async function install(v: Validator, group: string, kind: string): Promise<boolean> {
  const id = `${group}/${kind}`;
  if (v.installed.has(id)) return true;
  if (v.missing.has(id)) return false;
  const files = [crdsDir('flux'), crdsDir('karpenter'), crdsDir('provider-aws')]
    .flatMap(yamlFiles)
    .filter((f) => f.slice(f.lastIndexOf('/') + 1).startsWith(`${group}_`));
  const crd = files
    .flatMap((f) => yamlDocuments(readFileSync(f, 'utf8')))
    .find((d) => d.kind === 'CustomResourceDefinition' && get(d, 'spec.names.kind') === kind);
  if (!crd) {
    v.missing.add(id);
    return false;
  }
  const name = String(get(crd, 'metadata.name'));
  await v.kube.apply(crd, FIELD_MANAGER);
  await waitFor(
    `CRD ${name} Established`,
    async () => {
      const got = await v.kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
      const conditions = (get(got, 'status.conditions') as { type: string; status: string }[] | undefined) ?? [];
      return conditions.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
    },
    60_000,
  );
  v.installed.add(id);
  v.discovery.clear();
  return true;
}

/** The Status message of a refusal, or its body. */
function messageOf(error: KubeError): string {
  try {
    return String((JSON.parse(error.body) as JsonObject).message);
  } catch {
    return error.body;
  }
}

async function ensureNamespace(v: Validator, name: string): Promise<void> {
  if (v.namespaces.has(name)) return;
  await v.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, FIELD_MANAGER);
  v.namespaces.add(name);
}

/** The apiserver's refusal of one object, or undefined when it would accept it. */
async function dryRun(v: Validator, o: K8sObject, resource: Resource): Promise<string | undefined> {
  const base = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`;
  // A namespaced object without a namespace (the namespace check reports it) is validated in default.
  const namespace = resource.scope === 'Namespaced' ? (o.metadata.namespace ?? 'default') : undefined;
  if (namespace) await ensureNamespace(v, namespace);
  const body = namespace ? { ...o, metadata: { ...o.metadata, namespace } } : o;
  const path = `${base}${namespace ? `/namespaces/${namespace}` : ''}/${resource.plural}/${encodeURIComponent(o.metadata.name)}`;
  const query = `dryRun=All&fieldValidation=Strict&force=true&fieldManager=${FIELD_MANAGER}`;
  try {
    await v.kube.call('PATCH', `${path}?${query}`, body, 'application/apply-patch+yaml');
    return undefined;
  } catch (error) {
    if (!(error instanceof KubeError)) throw error;
    return `${error.status} ${messageOf(error)}`;
  }
}

/** Why the analysed tree's XRD cannot be the one the apiserver serves, if it cannot. */
function xrdProblem(root: string, v: Validator): string | undefined {
  const file = join(root, XRD_PATH);
  if (!existsSync(file)) return `${XRD_PATH} not found: the EKSCluster XRD is generated by packages/function-eks-cluster`;
  const text = readFileSync(file, 'utf8');
  const xrd = parse(text) as unknown;
  if (get(xrd, 'apiVersion') !== 'apiextensions.crossplane.io/v2' || get(xrd, 'kind') !== 'CompositeResourceDefinition') {
    return `${XRD_PATH} is not an apiextensions.crossplane.io/v2 CompositeResourceDefinition`;
  }
  if (text !== v.xrdText) return `${XRD_PATH} differs from the repository's, whose CRD the validating apiserver serves`;
  return undefined;
}

export interface Validation {
  /** Schema problems of every applied object; empty when all validate. */
  problems: string[];
  /** The kind's scope as the apiserver serves it; undefined for a kind it does not serve. */
  scopeOf(o: K8sObject): Scope | undefined;
  /** Why the tree's XRD could not be used, if it could not. */
  xrdError?: string;
}

export async function validateObjects(applied: Applied[], root: string, v: Validator): Promise<Validation> {
  const objects = applied.map((a) => a.object);
  const xrdError = xrdProblem(root, v);
  const xrGroup = String(get(parse(v.xrdText), 'spec.group'));
  const unserved = (o: K8sObject) => xrdError !== undefined && groupOf(o.apiVersion) === xrGroup;
  // Every kind's CRD first, so discovery below sees them all.
  for (const o of objects) {
    if (unserved(o)) continue;
    const served = (await resources(v, o.apiVersion))?.get(o.kind);
    if (!served && groupOf(o.apiVersion)) await install(v, groupOf(o.apiVersion), o.kind);
  }
  const resourceOf = async (o: K8sObject) => (unserved(o) ? undefined : (await resources(v, o.apiVersion))?.get(o.kind));
  const scopes = new Map<K8sObject, Scope | undefined>();
  const problems: (string | undefined)[] = new Array<string | undefined>(objects.length);
  let next = 0;
  const worker = async () => {
    while (next < objects.length) {
      const i = next++;
      const o = objects[i]!;
      const resource = await resourceOf(o);
      scopes.set(o, resource?.scope);
      if (!resource) {
        problems[i] = `${idOf(o)} (${o.apiVersion}): no CRD defines this kind${unserved(o) ? ` (${xrdError})` : ''}`;
        continue;
      }
      const refusal = await dryRun(v, o, resource);
      if (refusal) problems[i] = `${idOf(o)} (${o.apiVersion}): refused by the apiserver (server-side dry run): ${refusal}`;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return {
    problems: [...(xrdError ? [xrdError] : []), ...problems.filter((p): p is string => p !== undefined)],
    scopeOf: (o) => scopes.get(o),
    xrdError,
  };
}
