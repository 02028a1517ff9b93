// Builds a Flux Kustomization's path with the real tool: `flux build
// kustomization --dry-run` (the Flux CLI, scripts/tools/flux-cli.sh), which runs
// kustomize-controller's own build: a kustomization.yaml generated when the
// folder has none, the Kustomization's targetNamespace, patches, images and
// commonMetadata, kustomize, its owner labels, and the post-build substitution.
// In dry-run the CLI skips postBuild.substituteFrom, so the values it would bring
// (found by graph.ts and inputs.ts, which must know where each comes from) are
// handed to it as postBuild.substitute.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { get, isObject, parseObjects, type K8sObject } from './objects.js';
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
 * given Flux Kustomization would build it. Without substitute, its postBuild is
 * left out; with it, postBuild.substitute holds those values (what
 * postBuild.substituteFrom would bring included: in dry-run the CLI skips
 * substituteFrom) and the CLI substitutes as kustomize-controller does, strict
 * (its default, feature gate StrictPostBuildSubstitutions). Run in root, so, as
 * in kustomize-controller, nothing outside the tree can be loaded.
 */
export function fluxBuild(root: string, path: string, ks: K8sObject, substitute?: Record<string, string>): string {
  const spec = isObject(ks.spec) ? { ...ks.spec } : {};
  const postBuild = isObject(spec.postBuild) ? spec.postBuild : {};
  delete spec.postBuild;
  if (substitute) spec.postBuild = { ...(postBuild.substituteStrategy ? { substituteStrategy: postBuild.substituteStrategy } : {}), substitute };
  const namespace = ks.metadata.namespace ?? 'flux-system';
  const tmp = mkdtempSync(join(tmpdir(), 'flux-build-'));
  const file = join(tmp, 'kustomization.yaml');
  writeFileSync(file, stringify({ ...ks, metadata: { name: ks.metadata.name, namespace }, spec }));
  const strict = substitute ? ['--strict-substitute'] : [];
  try {
    return execFileSync(
      fluxBinary(),
      [
        'build',
        'kustomization',
        ks.metadata.name,
        '--namespace',
        namespace,
        '--path',
        path,
        '--kustomization-file',
        file,
        '--dry-run',
        '--in-memory-build',
        ...strict,
      ],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`flux build kustomization ${path} failed: ${(e.stderr || e.message).replace(/^✗ /gm, '').trim()}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Flux substitutes every object but those labelled or annotated kustomize.toolkit.fluxcd.io/substitute: disabled. */
function substituted(o: K8sObject): boolean {
  const optOut = (m: unknown) => (m as Record<string, string> | undefined)?.['kustomize.toolkit.fluxcd.io/substitute'] === 'disabled';
  return !optOut(o.metadata.labels) && !optOut(o.metadata.annotations);
}

const asText = (o: K8sObject): string => stringify(o, { lineWidth: 0 });

/** How `flux envsubst --strict` and the build name a variable without a value. */
const NOT_SET = /variable not set \(strict mode\): "([^"]+)"/;

/**
 * ${var:?message} (and ${var?message}) reads as "fail when unset" in a shell,
 * but Flux's envsubst substitutes the message as the value: a policy of this
 * repository refuses it (the unescaped form only: $${...} stays as written).
 */
const FAILS_IN_SHELL_ONLY = /(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/;

/** Variables each text needs, by the text: every walk of the tree asks again for the same built paths. */
const required = new Map<string, string[]>();

/**
 * The variables Flux needs a value for to substitute these objects (those
 * referenced without a default), as the Flux CLI finds them: `flux envsubst
 * --strict` names the first variable it has no value for, so it runs again,
 * each time with one more of them set, until it substitutes everything.
 */
export function requiredVariables(objects: K8sObject[], origin: string): string[] {
  const texts = objects.filter(substituted).map((o) => ({ o, text: asText(o) }));
  for (const { o, text } of texts) {
    const m = FAILS_IN_SHELL_ONLY.exec(text);
    if (m)
      throw new Error(
        `${origin}: ${o.kind} ${o.metadata.name}: \${${m[1]}:?...} does not fail in Flux: its envsubst substitutes the message as the value; make the variable required (postBuild.substituteFrom, not optional) instead`,
      );
  }
  const input = texts.map(({ text }) => text).join('---\n');
  const known = required.get(input);
  if (known) return known;
  const names: string[] = [];
  for (;;) {
    const env = Object.fromEntries(names.map((n) => [n, 'set']));
    const run = spawnSync(fluxBinary(), ['envsubst', '--strict'], { input, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status === 0) break;
    const name = NOT_SET.exec(run.stderr)?.[1];
    if (name === undefined || names.includes(name)) {
      throw new Error(`${origin}: flux envsubst --strict refuses the built objects: ${(run.stderr || String(run.error)).replace(/^✗ /gm, '').trim()}`);
    }
    names.push(name);
  }
  const sorted = names.sort();
  required.set(input, sorted);
  return sorted;
}

/** Substituted builds, by what they substitute: unchanged objects and values substitute the same (postBuild works on the built objects only). */
const substitutions = new Map<string, string>();

/**
 * The objects of a path after Flux's post-build substitution with these values,
 * by the Flux CLI (the build again, substituting). A variable without a value
 * fails, as in kustomize-controller, with where to set it.
 */
export function substitutePath(root: string, path: string, ks: K8sObject, built: K8sObject[], vars: Record<string, string>, origin: string): K8sObject[] {
  const { postBuild, ...spec } = isObject(ks.spec) ? ks.spec : {};
  const key = JSON.stringify([built.map(asText), spec, get(postBuild, 'substituteStrategy') ?? null, vars]);
  let text = substitutions.get(key);
  if (text === undefined) {
    try {
      text = fluxBuild(root, path, ks, vars);
    } catch (err) {
      const message = (err as Error).message;
      const name = NOT_SET.exec(message)?.[1];
      if (name === undefined) throw new Error(`${origin}: ${message}`);
      const object = /var substitution failed for '([^']+)'/.exec(message)?.[1];
      const kind = built.find((o) => o.metadata.name === object && asText(o).includes(`\${${name}`))?.kind;
      throw new Error(
        `${origin}: ${kind ?? 'object'} ${object ?? '?'}: variable \${${name}} has no value (set it in postBuild.substitute, or in a ConfigMap or Secret of postBuild.substituteFrom); Flux says: variable not set (strict mode): "${name}"`,
      );
    }
    substitutions.set(key, text);
  }
  return parseObjects(text, origin);
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
