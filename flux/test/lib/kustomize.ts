// Builds a Flux Kustomization's path the way kustomize-controller does, with
// `kubectl kustomize`: the directory's own kustomization.yaml, or, when it has
// none, a generated one listing its manifests (sub-directories that have a
// kustomization.yaml are included as a whole); then spec.targetNamespace, then
// the post-build substitution (spec.postBuild, see graph.ts for its sources).
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { parse, stringify } from "yaml";
import { parseObjects, type K8sObject } from "./objects.js";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

export const hasKustomization = (dir: string): boolean => KUSTOMIZATION_FILES.some((f) => existsSync(join(dir, f)));

/** The resources kustomize-controller would list for a directory without kustomization.yaml. */
function generatedResources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (hasKustomization(path)) out.push(path);
      else out.push(...generatedResources(path));
    } else if (/\.ya?ml$/.test(entry) && /^apiVersion:/m.test(readFileSync(path, "utf8")) && /^kind:/m.test(readFileSync(path, "utf8"))) {
      out.push(path);
    }
  }
  return out;
}

/** Directories a kustomization.yaml includes (resources and components that are local directories). */
export function includedDirs(dir: string): string[] {
  const file = KUSTOMIZATION_FILES.map((f) => join(dir, f)).find((f) => existsSync(f));
  // Without one, kustomize-controller generates it: its sub-directories with a kustomization.yaml are resources.
  if (!file) return generatedResources(dir).filter((p) => statSync(p).isDirectory());
  const k = parse(readFileSync(file, "utf8")) as { resources?: unknown; components?: unknown } | null;
  const entries = [k?.resources, k?.components].flatMap((v) => (Array.isArray(v) ? v : [])).filter((v): v is string => typeof v === "string");
  return entries.map((e) => join(dir, e)).filter((p) => existsSync(p) && statSync(p).isDirectory());
}

export function kubectlKustomize(dir: string): string {
  try {
    return execFileSync("kubectl", ["kustomize", "--load-restrictor", "LoadRestrictionsNone", dir], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl kustomize ${dir} failed: ${(e.stderr ?? e.message).trim()}`);
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
    if (op?.endsWith("?")) {
      throw new Error(`${origin}: \${${name}${op}...} does not fail in Flux: its envsubst substitutes the message as the value; make the variable required (postBuild.substituteFrom, not optional) instead`);
    }
    if (op !== undefined && op !== ":") return value || (word ?? "");
    if (value === undefined) {
      throw new Error(`${origin}: variable \${${name}} has no value (set it in postBuild.substitute, or in a ConfigMap or Secret of postBuild.substituteFrom); Flux says: variable not set (strict mode): "${name}"`);
    }
    if (op === undefined) return value;
    const [offset = 0, length] = (word ?? "").split(":").map(Number);
    return value.slice(offset, length === undefined ? undefined : length < 0 ? length : offset + length);
  });
}

/** Flux substitutes every object but those labelled or annotated kustomize.toolkit.fluxcd.io/substitute: disabled. */
function substituted(o: K8sObject): boolean {
  const optOut = (m: unknown) => (m as Record<string, string> | undefined)?.["kustomize.toolkit.fluxcd.io/substitute"] === "disabled";
  return !optOut(o.metadata.labels) && !optOut(o.metadata.annotations);
}

const asText = (o: K8sObject): string => stringify(o, { lineWidth: 0 });

/** The variables Flux needs a value for to substitute these objects: those referenced without an operator bringing a word. */
export function requiredVariables(objects: K8sObject[]): string[] {
  const names = new Set<string>();
  for (const o of objects.filter(substituted)) {
    for (const m of asText(o).matchAll(VARIABLE)) if (!m[1] && (m[3] === undefined || m[3] === ":")) names.add(m[2] as string);
  }
  return [...names].sort();
}

/** Flux's post-build substitution of built objects, one object at a time. */
export function substituteObjects(objects: K8sObject[], vars: Record<string, string>, origin: string): K8sObject[] {
  return objects.map((o) => (substituted(o) ? (parseObjects(substitute(asText(o), vars, `${origin}: ${o.kind} ${o.metadata.name}`), origin)[0] as K8sObject) : o));
}

export interface BuildOptions {
  targetNamespace?: string;
  substitute?: Record<string, string>;
  /** For messages: what asked for this build. */
  origin?: string;
}

export function buildPath(dir: string, opts: BuildOptions = {}): K8sObject[] {
  const origin = opts.origin ?? dir;
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${origin}: path ${dir} does not exist`);
  let text: string;
  if (hasKustomization(dir) && !opts.targetNamespace) {
    text = kubectlKustomize(dir);
  } else {
    const tmp = mkdtempSync(join(tmpdir(), "flux-build-"));
    try {
      const resources = hasKustomization(dir) ? [dir] : generatedResources(dir);
      const kustomization: Record<string, unknown> = {
        apiVersion: "kustomize.config.k8s.io/v1beta1",
        kind: "Kustomization",
        resources: resources.map((r) => relative(tmp, r)),
      };
      if (opts.targetNamespace) kustomization.namespace = opts.targetNamespace;
      writeFileSync(join(tmp, "kustomization.yaml"), stringify(kustomization));
      text = kubectlKustomize(tmp);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const objects = parseObjects(text, origin);
  return opts.substitute ? substituteObjects(objects, opts.substitute, origin) : objects;
}
