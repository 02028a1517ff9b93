// What a Flux Kustomization substitutes (spec.postBuild) and where each value
// comes from: postBuild.substitute in Git, or the ConfigMaps and Secrets of
// postBuild.substituteFrom. A source that Git does not apply is a required
// input: the user creates it per cluster (flux/README.md says how). The
// analysis renders with a realistic test value for each such input, from
// INPUTS below, so that every other check still sees real-looking objects.
import { requiredVariables } from './kustomize.js';
import { get, idOf, isObject, str, type K8sObject } from './objects.js';

export interface InputSpec {
  /** What the value is, for messages: the person reading them has to go and find it. */
  what: string;
  pattern: RegExp;
  /** A realistic value the analysis renders with when the input is not in Git; never a user's value. */
  testValue: string;
}

/** Every variable a required input may provide. A new one needs an entry: the analysis refuses to render without a test value. */
export const INPUTS: Record<string, InputSpec> = {
  // The tenancy ConfigMap flux-system/tenancy, one per management cluster (flux/README.md, "Bootstrap").
  git_repository_url: {
    what: "the URL of this repository as the GitRepository flux-system/flux-system has it (kubectl -n flux-system get gitrepository flux-system -o jsonpath='{.spec.url}')",
    pattern: /^(https?|ssh):\/\/\S+$/,
    testValue: 'https://git.example.org/platform/eks-gitops.git',
  },
  git_branch: {
    what: 'the branch the GitRepository flux-system/flux-system follows (flux bootstrap --branch)',
    pattern: /^[\w./-]+$/,
    testValue: 'main',
  },
  aws_account_id: {
    what: "the 12-digit ID of the AWS account that holds the teams' IAM roles (aws sts get-caller-identity --query Account)",
    pattern: /^\d{12}$/,
    testValue: '210987654321',
  },
};

/** One postBuild.substituteFrom entry of one Kustomization, resolved. */
export interface SubstituteSource {
  /** "Kustomization <namespace>/<name>": who reads it. */
  kustomization: string;
  kind: string;
  namespace: string;
  name: string;
  optional: boolean;
  /**
   * Applied from Git to the management cluster in that namespace, or composed
   * there by the function for an EKSCluster Git applies (`composed`: its cluster
   * facts, docs/cluster-facts.md); otherwise the user must create it.
   */
  inGit: boolean;
  composed?: boolean;
  /** The variables the path takes from it (for a source outside Git: those nothing in Git provides). */
  keys: string[];
  /** Its data as Flux reads it (Git), or the test values of its keys (outside Git). */
  values: Record<string, string>;
}

export interface Reference {
  kind: string;
  name: string;
  optional: boolean;
}

/** Finds the ConfigMap or Secret a reference names in a namespace, among what Git applies to the management cluster. */
export type SourceLookup = (ref: Reference, namespace: string) => K8sObject | undefined;

export function substituteFromOf(ks: K8sObject): Reference[] {
  const refs = get(ks, 'spec.postBuild.substituteFrom');
  return (Array.isArray(refs) ? refs : []).map((r) => ({
    kind: str(get(r, 'kind')) ?? '',
    name: str(get(r, 'name')) ?? '',
    optional: get(r, 'optional') === true,
  }));
}

/** A ConfigMap's or Secret's data as Flux's substitution reads it (Secret data decoded; newlines dropped). */
function dataOf(o: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (data: unknown, decode: boolean) => {
    if (!isObject(data)) return;
    for (const [k, v] of Object.entries(data)) out[k] = (decode ? Buffer.from(String(v), 'base64').toString('utf8') : String(v)).replaceAll('\n', '');
  };
  add(o.data, o.kind === 'Secret');
  add(o.stringData, false);
  return out;
}

/**
 * The variables Flux would substitute in a Kustomization's built objects, and
 * the sources they come from. Throws when a variable must come from a source
 * outside Git and INPUTS has no test value for it.
 */
export function postBuildVariables(ks: K8sObject, objects: K8sObject[], lookup: SourceLookup): { vars: Record<string, string>; sources: SubstituteSource[] } {
  const namespace = ks.metadata.namespace ?? '';
  const inline = get(ks, 'spec.postBuild.substitute');
  const inlineVars = isObject(inline) ? Object.fromEntries(Object.entries(inline).map(([k, v]) => [k, String(v).replaceAll('\n', '')])) : {};
  const needed = requiredVariables(objects, idOf(ks));
  const vars: Record<string, string> = {};
  const sources: SubstituteSource[] = substituteFromOf(ks).map((ref) => {
    const found = lookup(ref, namespace);
    const values = found ? dataOf(found) : {};
    Object.assign(vars, values);
    return { kustomization: idOf(ks), ...ref, namespace, inGit: found !== undefined, keys: [], values };
  });
  Object.assign(vars, inlineVars);
  for (const source of sources.filter((s) => s.inGit)) source.keys = needed.filter((n) => n in source.values && !(n in inlineVars));
  const missing = needed.filter((n) => !(n in vars));
  const outside = sources.filter((s) => !s.inGit);
  if (outside.length > 0) {
    for (const name of missing) {
      const spec = INPUTS[name];
      if (!spec) {
        const from = outside.map((s) => `${s.kind} ${s.namespace}/${s.name}`).join(' or ');
        throw new Error(
          `${idOf(ks)}: \${${name}} must come from ${from}, which is not in Git, and flux/test/lib/inputs.ts has no test value for ${name}: add one (with its format)`,
        );
      }
      vars[name] = spec.testValue;
    }
    for (const source of outside) {
      source.keys = missing;
      source.values = Object.fromEntries(missing.map((n) => [n, vars[n] as string]));
    }
  }
  return { vars, sources };
}

/**
 * Required inputs are required and well-formed: a substituteFrom source that
 * is not in Git and provides a variable the path needs is not optional (Flux
 * then names the missing ConfigMap or Secret instead of a variable); every
 * value of a known input that Git holds (postBuild.substitute, or a ConfigMap
 * applied from Git) has that input's format.
 */
export function checkInputs(sources: SubstituteSource[], objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const where = (s: SubstituteSource) => `${s.kustomization}: substituteFrom ${s.kind} ${s.namespace}/${s.name}`;
  const malformed = (owner: string, name: string, value: string) => {
    const spec = INPUTS[name];
    if (spec && !spec.pattern.test(value)) problems.push(`${owner}: ${name} "${value}" is not ${spec.what}`);
  };
  for (const s of sources) {
    if (!s.inGit && s.optional && s.keys.length > 0) {
      problems.push(
        `${where(s)} is optional but is the only source of ${s.keys.join(', ')}: make it required (optional: false) so that Flux names it when it is missing`,
      );
    }
    if (s.inGit) for (const name of s.keys) malformed(`${s.kind} ${s.namespace}/${s.name}`, name, s.values[name] ?? '');
  }
  for (const ks of objects) {
    const inline = get(ks, 'spec.postBuild.substitute');
    if (isObject(inline)) for (const [name, value] of Object.entries(inline)) malformed(`${idOf(ks)}: postBuild.substitute`, name, String(value));
  }
  return problems;
}

const PLACEHOLDERS: [RegExp, string][] = [
  [/(?<![0-9a-f])0{8}-0{4}-0{4}-0{4}-0{12}(?![0-9a-f])/i, 'an all-zero ID'],
  [/(?<![0-9a-f])0{12}(?![0-9a-f])/i, 'an all-zero AWS account ID'],
  [/(?<!\d)123456789012(?!\d)/, "the AWS documentation's example account ID"],
  [/^\s*(change[-_ ]?me|replace[-_ ]?me|todo|tbd|fixme|placeholder|dummy|x{3,}|<[^<>]+>)\s*$/i, 'a placeholder'],
];

function strings(value: unknown, path: string, out: [string, string][]): [string, string][] {
  if (typeof value === 'string') out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${path}[${i}]`, out));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) strings(v, path ? `${path}.${k}` : k, out);
  return out;
}

/** No value Flux applies is a placeholder: an all-zero ID, an example account, a "changeme". */
export function checkPlaceholders(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    for (const [path, value] of strings(o, '', [])) {
      const hit = PLACEHOLDERS.find(([re]) => re.test(value));
      if (hit)
        problems.push(
          `${idOf(o)}: ${path} "${value}" is ${hit[1]}, not a real value: make it a required input (postBuild.substituteFrom) the user provides per cluster`,
        );
    }
  }
  return problems;
}
