// Builds a Flux Kustomization's path with the real tool: `flux build
// kustomization --dry-run` (the Flux CLI, scripts/tools/flux-cli.sh), which runs
// kustomize-controller's own build: a kustomization.yaml generated when the
// folder has none, the Kustomization's targetNamespace, patches, images and
// commonMetadata, kustomize, and its owner labels. The post-build substitution
// stays here (substituteObjects): in dry-run the CLI skips substituteFrom, and
// the analysis must know where each variable comes from (graph.ts, inputs.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { isObject, parseObjects, type K8sObject } from './objects.js';
import { fluxBinary } from './tools.js';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export const hasKustomization = (dir: string): boolean => KUSTOMIZATION_FILES.some((f) => existsSync(join(dir, f)));

/**
 * Directories a folder includes as a whole: the local directories its
 * kustomization.yaml lists (resources, components) or, without one, the
 * sub-directories with a kustomization.yaml that kustomize-controller's
 * generated one lists (found through plain sub-directories).
 */
export function includedDirs(dir: string): string[] {
  const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  if (!file) {
    return readdirSync(dir)
      .sort()
      .map((entry) => join(dir, entry))
      .filter((path) => statSync(path).isDirectory())
      .flatMap((path) => (hasKustomization(path) ? [path] : includedDirs(path)));
  }
  const k = parse(readFileSync(file, 'utf8')) as { resources?: unknown; components?: unknown } | null;
  const entries = [k?.resources, k?.components].flatMap((v) => (Array.isArray(v) ? v : [])).filter((v): v is string => typeof v === 'string');
  return entries.map((e) => join(dir, e)).filter((p) => existsSync(p) && statSync(p).isDirectory());
}

/**
 * `flux build kustomization` of one path of a tree (relative to root) as the
 * given Flux Kustomization would build it, without its postBuild. Run in root,
 * so, as in kustomize-controller, nothing outside the tree can be loaded.
 */
export function fluxBuild(root: string, path: string, ks: K8sObject): string {
  const spec = isObject(ks.spec) ? { ...ks.spec } : {};
  delete spec.postBuild;
  const namespace = ks.metadata.namespace ?? 'flux-system';
  const tmp = mkdtempSync(join(tmpdir(), 'flux-build-'));
  const file = join(tmp, 'kustomization.yaml');
  writeFileSync(file, stringify({ ...ks, metadata: { name: ks.metadata.name, namespace }, spec }));
  try {
    return execFileSync(
      fluxBinary(),
      ['build', 'kustomization', ks.metadata.name, '--namespace', namespace, '--path', path, '--kustomization-file', file, '--dry-run', '--in-memory-build'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`flux build kustomization ${path} failed: ${(e.stderr || e.message).replace(/^✗ /gm, '').trim()}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * A variable reference as Flux's envsubst (github.com/fluxcd/pkg/envsubst) reads
 * it: $${...} is an escape; ${name}; ${name:offset[:length]}; and the operators
 * that bring their own word for an unset variable, -, =, +, ? (with or without
 * a colon). Groups: 1 escape, 2 name, 3 operator, 4 its word.
 */
const VARIABLE = /(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?]|:(?=-?\d))([^}]*))?\}/g;

/**
 * Flux's post-build substitution as kustomize-controller v1.9 runs it: strict
 * (feature gate StrictPostBuildSubstitutions, on by default), so a variable
 * without a value fails the build unless an operator brings a word, which
 * Flux's envsubst uses when the value is unset or empty. ${var:?message} is
 * refused here: Flux does not fail on it, it substitutes the message.
 */
export function substitute(text: string, vars: Record<string, string>, origin: string): string {
  return text.replace(VARIABLE, (match, escape: string, name: string, op: string | undefined, word: string | undefined) => {
    if (escape) return match.slice(1);
    const value = vars[name];
    if (op?.endsWith('?')) {
      throw new Error(
        `${origin}: \${${name}${op}...} does not fail in Flux: its envsubst substitutes the message as the value; make the variable required (postBuild.substituteFrom, not optional) instead`,
      );
    }
    if (op !== undefined && op !== ':') return value || (word ?? '');
    if (value === undefined) {
      throw new Error(
        `${origin}: variable \${${name}} has no value (set it in postBuild.substitute, or in a ConfigMap or Secret of postBuild.substituteFrom); Flux says: variable not set (strict mode): "${name}"`,
      );
    }
    if (op === undefined) return value;
    const [offset = 0, length] = (word ?? '').split(':').map(Number);
    return value.slice(offset, length === undefined ? undefined : length < 0 ? length : offset + length);
  });
}

/** Flux substitutes every object but those labelled or annotated kustomize.toolkit.fluxcd.io/substitute: disabled. */
function substituted(o: K8sObject): boolean {
  const optOut = (m: unknown) => (m as Record<string, string> | undefined)?.['kustomize.toolkit.fluxcd.io/substitute'] === 'disabled';
  return !optOut(o.metadata.labels) && !optOut(o.metadata.annotations);
}

const asText = (o: K8sObject): string => stringify(o, { lineWidth: 0 });

/** The variables Flux needs a value for to substitute these objects: those referenced without an operator bringing a word. */
export function requiredVariables(objects: K8sObject[]): string[] {
  const names = new Set<string>();
  for (const o of objects.filter(substituted)) {
    for (const m of asText(o).matchAll(VARIABLE)) if (!m[1] && (m[3] === undefined || m[3] === ':')) names.add(m[2] as string);
  }
  return [...names].sort();
}

/** Flux's post-build substitution of built objects, one object at a time. */
export function substituteObjects(objects: K8sObject[], vars: Record<string, string>, origin: string): K8sObject[] {
  return objects.map((o) =>
    substituted(o) ? (parseObjects(substitute(asText(o), vars, `${origin}: ${o.kind} ${o.metadata.name}`), origin)[0] as K8sObject) : o,
  );
}

/**
 * The objects a Flux Kustomization builds from its path in a tree (path
 * relative to root), before post-build substitution.
 */
export function buildPath(root: string, path: string, ks: K8sObject, origin: string = path): K8sObject[] {
  const dir = join(root, path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${origin}: path ${dir} does not exist`);
  return parseObjects(fluxBuild(root, path, ks), origin);
}

/**
 * A Kustomization of this repository (GitRepository flux-system) with nothing
 * but a path: the one `flux bootstrap` creates for its path (graph.ts), and the
 * plain build of any folder (analyze.ts).
 */
export function plainKustomization(path: string): K8sObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'flux-system', namespace: 'flux-system' },
    spec: { interval: '10m', path: `./${path}`, prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
  };
}
