// What Flux would apply, starting from the bootstrap path: the flux-system
// Kustomization (created by `flux bootstrap`) applies flux/clusters/management;
// every Kustomization found there is followed to its path, and so on. Each
// applied object is recorded with the cluster it lands in: "management", or
// the workload cluster a kubeConfig.secretRef or configMapRef points at. Post-build
// substitution takes its values from Git (postBuild.substitute, and
// ConfigMaps/Secrets Git applies), from what the function composes for an
// EKSCluster Git applies (its cluster facts ConfigMap, docs/cluster-facts.md,
// as a reconcile to Ready through the simulated AWS writes it) and, for the
// substituteFrom sources the user creates (required inputs), from the test
// values of inputs.ts; Graph.inputs lists every source.
import { INPUTS, postBuildVariables, substituteFromOf, type Reference, type SourceLookup, type SubstituteSource } from './inputs.js';
import { buildPath, plainKustomization, substitutePath } from './kustomize.js';
import { get, isObject, str, type K8sObject } from './objects.js';
import { API_GROUP, API_VERSION, KIND, reconcileToReady, type JsonObject } from 'function-eks-cluster/testing';

const BOOTSTRAP_PATH = 'flux/clusters/management';
export const MANAGEMENT = 'management';

/** Objects `flux bootstrap` creates outside this tree, in the management cluster. */
export const BOOTSTRAP_OBJECTS = [
  { apiVersion: 'v1', kind: 'Namespace', name: 'flux-system' },
  { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system' },
  { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', name: 'flux-system', namespace: 'flux-system' },
];

export interface Applied {
  object: K8sObject;
  /** "management" or "workload:<namespace>/<kubeconfig secret>". */
  cluster: string;
  /** The Kustomization that applies it ("bootstrap" for the entry path). */
  appliedBy: string;
  /** Repository-relative path it was built from. */
  path: string;
  /** As built from Git, before postBuild substitution (only when substitution changed it). */
  source?: K8sObject;
}

export interface Graph {
  applied: Applied[];
  /** Repository-relative paths that were built. */
  paths: Set<string>;
  /** Problems met while walking (a path that does not build, an unknown source...). */
  errors: string[];
  /** Every postBuild.substituteFrom source, in Git or to be provided by the user. */
  inputs: SubstituteSource[];
}

const isFluxKustomization = (o: K8sObject): boolean => o.kind === 'Kustomization' && o.apiVersion.startsWith('kustomize.toolkit.fluxcd.io/');

function clusterOf(o: K8sObject): string {
  // A kubeconfig Secret, or a ConfigMap naming the EKS cluster Flux reaches with its AWS identity.
  const ref = str(get(o, 'spec.kubeConfig.secretRef.name')) ?? str(get(o, 'spec.kubeConfig.configMapRef.name'));
  return ref ? `workload:${o.metadata.namespace ?? ''}/${ref}` : MANAGEMENT;
}

/**
 * Why a Kustomization's path cannot be followed, or undefined: its source must
 * be this repository, the bootstrap GitRepository flux-system/flux-system or a
 * GitRepository Git applies on the URL of the input git_repository_url (a
 * team's source), and the path must be in that source's artifact (a team's
 * source leaves out, with spec.ignore, everything but its folder and apps/).
 */
function sourceProblem(ks: K8sObject, path: string, applied: Applied[]): string | undefined {
  const ref = get(ks, 'spec.sourceRef');
  const namespace = str(get(ref, 'namespace')) ?? ks.metadata.namespace;
  const name = str(get(ref, 'name'));
  const onlyThis = 'only paths of this repository (GitRepository flux-system/flux-system, or a GitRepository on ${git_repository_url}) can be followed';
  if (get(ref, 'kind') !== 'GitRepository') return onlyThis;
  if (namespace === 'flux-system' && name === 'flux-system') return undefined;
  const source = applied.find(
    ({ object: o, cluster }) => cluster === MANAGEMENT && o.kind === 'GitRepository' && o.metadata.name === name && o.metadata.namespace === namespace,
  )?.object;
  if (!source || get(source, 'spec.url') !== INPUTS.git_repository_url?.testValue) return onlyThis;
  const ignore = str(get(source, 'spec.ignore'));
  if (ignore && ignored(ignore, path)) return `path ./${path} is not in the artifact of GitRepository ${namespace}/${name}: its spec.ignore leaves it out`;
  return undefined;
}

/**
 * Whether a GitRepository's spec.ignore (gitignore syntax, anchored patterns)
 * leaves a folder out: source-controller skips a directory whose last matching
 * rule ignores it, and everything under it.
 */
function ignored(ignore: string, path: string): boolean {
  const rules = ignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negated = l.startsWith('!');
      const glob = (negated ? l.slice(1) : l).replace(/^\//, '').replace(/\/$/, '');
      return {
        negated,
        re: new RegExp(
          `^${glob
            .split('*')
            .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*')}$`,
        ),
      };
    });
  const parts = path.split('/');
  return parts.some((_, i) => {
    const dir = parts.slice(0, i + 1).join('/');
    const last = rules.filter((r) => r.re.test(dir)).at(-1);
    return last !== undefined && !last.negated;
  });
}

const isEksCluster = (o: K8sObject): boolean => o.apiVersion === `${API_GROUP}/${API_VERSION}` && o.kind === KIND;

/** Compositions by the XR's content: every check walks the tree again, and a reconcile to Ready takes a second. */
const compositions = new Map<string, K8sObject[]>();

/** What the function composes for an EKSCluster once it is Ready (nothing when it refuses the spec: a check reports that). */
function composedObjects(xr: K8sObject): K8sObject[] {
  const id = JSON.stringify(xr);
  let objects = compositions.get(id);
  if (!objects) {
    const { result } = reconcileToReady(xr as unknown as JsonObject);
    objects = result.ok ? result.resources.map((r) => r.body as unknown as K8sObject) : [];
    compositions.set(id, objects);
  }
  return objects;
}

export function walk(root: string): Graph {
  const graph: Graph = { applied: [], paths: new Set(), errors: [], inputs: [] };
  const queue: { path: string; cluster: string; appliedBy: string; ks: K8sObject }[] = [
    { path: BOOTSTRAP_PATH, cluster: MANAGEMENT, appliedBy: 'bootstrap', ks: plainKustomization(BOOTSTRAP_PATH) },
  ];
  const matching = (ref: Reference, namespace: string) => (o: K8sObject) =>
    o.apiVersion === 'v1' && o.kind === ref.kind && o.metadata.name === ref.name && o.metadata.namespace === namespace;
  const inGit: SourceLookup = (ref, namespace) => graph.applied.find(({ object: o, cluster }) => cluster === MANAGEMENT && matching(ref, namespace)(o))?.object;
  const composed: SourceLookup = (ref, namespace) =>
    graph.applied
      .filter(({ object: o, cluster }) => cluster === MANAGEMENT && isEksCluster(o) && o.metadata.namespace === namespace)
      .flatMap(({ object: xr }) => composedObjects(xr))
      .find(matching(ref, namespace));
  const lookup: SourceLookup = (ref, namespace) => inGit(ref, namespace) ?? composed(ref, namespace);
  // A path whose substituteFrom sources Git has not applied yet waits while
  // other paths may still apply them; what is still missing then is an input.
  const ready = (ks: K8sObject) => substituteFromOf(ks).every((ref) => lookup(ref, ks.metadata.namespace ?? '') !== undefined);
  const seen = new Set<string>();
  while (queue.length > 0) {
    const next = Math.max(
      0,
      queue.findIndex((q) => ready(q.ks)),
    );
    const item = queue.splice(next, 1)[0] as (typeof queue)[number];
    const ks = item.ks;
    const origin = `${item.appliedBy} (path ${item.path})`;
    let objects: K8sObject[];
    let built: K8sObject[] = [];
    try {
      objects = buildPath(root, item.path, ks, origin);
      built = objects;
      if (isObject(get(ks, 'spec.postBuild'))) {
        const { vars, sources } = postBuildVariables(ks, objects, lookup);
        for (const source of sources) if (source.inGit && inGit(source, source.namespace) === undefined) source.composed = true;
        graph.inputs.push(...sources);
        objects = substitutePath(root, item.path, ks, objects, vars, origin);
      }
    } catch (err) {
      graph.errors.push((err as Error).message);
      continue;
    }
    graph.paths.add(item.path);
    objects.forEach((object, i) =>
      graph.applied.push({
        object,
        cluster: item.cluster,
        appliedBy: item.appliedBy,
        path: item.path,
        ...(built[i] !== undefined && JSON.stringify(built[i]) !== JSON.stringify(object) ? { source: built[i] } : {}),
      }),
    );
    for (const object of objects) {
      if (!isFluxKustomization(object) || item.cluster !== MANAGEMENT) continue;
      const id = `${object.metadata.namespace}/${object.metadata.name}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const path = (str(get(object, 'spec.path')) ?? './').replace(/^\.?\//, '').replace(/\/$/, '');
      const problem = sourceProblem(object, path, graph.applied);
      if (problem) {
        graph.errors.push(`Kustomization ${id}: ${problem}`);
        continue;
      }
      queue.push({
        path,
        cluster: clusterOf(object),
        appliedBy: `Kustomization ${id}`,
        ks: object,
      });
    }
  }
  return graph;
}
