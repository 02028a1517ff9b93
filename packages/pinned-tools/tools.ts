/**
 * Where the pinned external tools are: scripts/tools/*.sh builds them into
 * .tools/bin and extracts CRDs into .tools/crds (`npm test` runs them first;
 * `npm run tools` alone does too). A missing tool is an error, never a skip.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The repository's root, where .tools/ is. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const TOOLS_DIR = join(REPO_ROOT, '.tools');
const CRDS_DIR = join(TOOLS_DIR, 'crds');

/** The path of a tool in .tools/bin; throws with the way to get it. */
export function tool(
  name:
    | 'crossplane'
    | 'crossplane-core'
    | 'registry'
    | 'crane'
    | 'cosign'
    | 'syft'
    | 'etcd'
    | 'kube-apiserver'
    | 'kube-controller-manager'
    | 'kubectl'
    | 'helm'
    | 'source-controller'
    | 'kustomize-controller'
    | 'helm-controller'
    | 'flux',
): string {
  const path = join(TOOLS_DIR, 'bin', name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run tools\` (npm test runs it first)`);
  return path;
}

/** A folder under .tools/crds (see scripts/tools/crds.sh); throws with the way to get it. */
export function crdsDir(...parts: string[]): string {
  const path = join(CRDS_DIR, ...parts);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run tools\` (npm test runs it first)`);
  return path;
}
