// A throw-away copy of the manifest tree (flux/, apps/, our XRD, and the files
// the versions check reads) to modify in tests.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { MANIFEST_ROOTS } from './analyze.js';
import { ACTIVATION_POLICY, CONFIGURATION_META, CROSSPLANE_CORE_MODULE, CRDS_SCRIPT, PROMETHEUS_SCRIPT, REPO_ROOT, XRD_PATH } from './tools.js';

export interface TreeCopy {
  root: string;
  read(file: string): string;
  write(file: string, text: string): void;
  /** Replaces text in a file; fails when the text is not there, so a test never edits nothing. */
  edit(file: string, from: string | RegExp, to: string): void;
  /** Deletes a file; fails when it is not there. */
  remove(file: string): void;
  dispose(): void;
}

export function copyTree(): TreeCopy {
  const root = mkdtempSync(join(tmpdir(), 'eks-gitops-tree-'));
  for (const top of MANIFEST_ROOTS) {
    cpSync(join(REPO_ROOT, top), join(root, top), {
      recursive: true,
      filter: (src) => basename(src) !== 'node_modules',
    });
  }
  for (const file of [XRD_PATH, CRDS_SCRIPT, CROSSPLANE_CORE_MODULE, PROMETHEUS_SCRIPT, CONFIGURATION_META, ACTIVATION_POLICY]) {
    if (existsSync(join(REPO_ROOT, file))) cpSync(join(REPO_ROOT, file), join(root, file), { recursive: true });
  }
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const write = (file: string, text: string) => {
    mkdirSync(join(root, dirname(file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  return {
    root,
    read,
    write,
    edit(file, from, to) {
      const text = read(file);
      const next = text.replace(from, to);
      if (next === text) throw new Error(`${file}: ${String(from)} not found`);
      write(file, next);
    },
    remove: (file) => rmSync(join(root, file)),
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * Adds a team with its workload cluster the way a person would: the platform's
 * grant (copy <from>.yaml, rename, list it), and the team's folder (copy,
 * rename).
 */
export function copyWorkloadCluster(tree: TreeCopy, from: string, to: string): void {
  const base = 'flux/workload-clusters';
  cpSync(join(tree.root, base, from), join(tree.root, base, to), { recursive: true });
  for (const file of ['kustomization.yaml', 'delivery.yaml', 'eks-cluster/kustomization.yaml', 'eks-cluster/eks-cluster.yaml']) {
    const path = `${base}/${to}/${file}`;
    tree.write(path, tree.read(path).replaceAll(from, to));
  }
  tree.write(`${base}/${to}.yaml`, tree.read(`${base}/${from}.yaml`).replaceAll(from, to));
  tree.edit(`${base}/kustomization.yaml`, `  - ${from}.yaml\n`, `  - ${from}.yaml\n  - ${to}.yaml\n`);
}

/**
 * Commits a cluster's monitoring input into its folder (one of the two ways
 * flux/README.md gives; the other is `kubectl create configmap`).
 */
export function commitMonitoringInput(tree: TreeCopy, cluster: string, workspaceId: string): void {
  const folder = `flux/workload-clusters/${cluster}`;
  tree.write(
    `${folder}/monitoring-input.yaml`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${cluster}-monitoring\n  namespace: ${cluster}\ndata:\n  amp_workspace_id: ${workspaceId}\n`,
  );
  tree.edit(`${folder}/kustomization.yaml`, '  - delivery.yaml\n', '  - delivery.yaml\n  - monitoring-input.yaml\n');
}
