// Runs the whole offline analysis of a repository tree (the real one, or a
// modified copy in a temp dir): walk what Flux would apply, validate every
// object, run every consistency check.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  checkClusterNames,
  checkDuplicates,
  checkHandMadeInputs,
  checkIamRoleNames,
  checkKubeconfigRefs,
  checkNamespaces,
  checkNoSecrets,
  checkPaths,
  checkPinned,
  checkReferences,
  checkVersions,
} from './checks.js';
import { checkActivation } from './activation.js';
import { walk, type Graph } from './graph.js';
import { checkInputs, checkPlaceholders } from './inputs.js';
import { plainKustomization, fluxBuild, hasKustomization, includedDirs } from './kustomize.js';
import { checkTenancy } from './tenancy.js';
import { validateObjects, type Validator } from './validate.js';

export const MANIFEST_ROOTS = ['flux', 'apps'];

function walkDirs(dir: string, out: string[]): void {
  out.push(dir);
  for (const entry of readdirSync(dir)) {
    if (entry.startsWith('.') || entry === 'node_modules') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walkDirs(path, out);
  }
}

/** Repository-relative directories under flux/ and apps/. */
function manifestDirs(root: string): string[] {
  const out: string[] = [];
  for (const top of MANIFEST_ROOTS) walkDirs(join(root, top), out);
  return out.map((d) => relative(root, d));
}

/** YAML files under flux/ and apps/ with their text. */
export function manifestTexts(root: string): Map<string, string> {
  const texts = new Map<string, string>();
  for (const dir of manifestDirs(root)) {
    for (const entry of readdirSync(join(root, dir))) {
      const file = join(dir, entry);
      if (/\.ya?ml$/.test(entry) && statSync(join(root, file)).isFile()) texts.set(file, readFileSync(join(root, file), 'utf8'));
    }
  }
  return texts;
}

export interface Analysis {
  graph: Graph;
  /** Check name -> problems. */
  problems: Record<string, string[]>;
}

/** `validator`: the apiserver the objects are dry-run against (startValidator, one per test file). */
export async function analyze(root: string, validator: Validator): Promise<Analysis> {
  const kustomizationDirs = manifestDirs(root).filter((d) => hasKustomization(join(root, d)));
  const graph = walk(root);
  // Every kustomization directory builds: the walk built some as their
  // Kustomization does; each of the others (and those that failed there) plainly.
  const builds: string[] = [];
  for (const dir of kustomizationDirs.filter((d) => !graph.paths.has(d))) {
    try {
      fluxBuild(root, dir, plainKustomization(dir));
    } catch (err) {
      builds.push((err as Error).message);
    }
  }
  const objects = graph.applied.map((a) => a.object);
  const schemas = await validateObjects(graph.applied, root, validator);
  return {
    graph,
    problems: {
      builds,
      paths: checkPaths(graph, kustomizationDirs, (dir) => includedDirs(join(root, dir)).map((d) => relative(root, d))),
      schemas: schemas.problems,
      duplicates: checkDuplicates(graph),
      kubeconfigRefs: checkKubeconfigRefs(graph),
      references: checkReferences(graph),
      pinned: checkPinned(graph),
      secrets: checkNoSecrets(graph, manifestTexts(root)),
      namespaces: checkNamespaces(graph, schemas),
      clusterNames: checkClusterNames(graph),
      handMadeInputs: checkHandMadeInputs(graph),
      versions: checkVersions(graph, root),
      inputs: checkInputs(graph.inputs, objects),
      placeholders: checkPlaceholders(objects),
      iamRoleNames: checkIamRoleNames(graph),
      tenancy: checkTenancy(graph),
      activation: checkActivation(graph, root),
    },
  };
}
