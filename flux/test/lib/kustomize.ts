// Builds a Flux Kustomization's path the way kustomize-controller does, with
// `kubectl kustomize`: the directory's own kustomization.yaml, or, when it has
// none, a generated one listing its manifests (sub-directories that have a
// kustomization.yaml are included as a whole); then spec.targetNamespace, then
// spec.postBuild.substitute.
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
  if (!file) return [];
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

/** Flux's variable substitution: ${var}, ${var:=default}, ${var:-default}; $${var} stays literal. */
export function substitute(text: string, vars: Record<string, string>, origin: string): string {
  return text.replace(/(\$?)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[=-]([^}]*))?\}/g, (match, escape: string, name: string, fallback?: string) => {
    if (escape) return match.slice(1);
    const value = vars[name] ?? fallback;
    if (value === undefined) throw new Error(`${origin}: variable \${${name}} has no value (postBuild.substitute)`);
    return value;
  });
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
  if (!opts.substitute) return objects;
  // Flux substitutes per object and skips those that opt out.
  return objects.map((o) => {
    const annotations = (o.metadata.annotations ?? {}) as Record<string, string>;
    if (annotations["kustomize.toolkit.fluxcd.io/substitute"] === "disabled") return o;
    return parseObjects(substitute(stringify(o, { lineWidth: 0 }), opts.substitute ?? {}, `${origin}: ${o.kind} ${o.metadata.name}`), origin)[0] as K8sObject;
  });
}
