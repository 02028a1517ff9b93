/**
 * The Flux controllers of the v2.9.5 set (source, kustomize, helm), built from
 * their Go modules by scripts/tools/flux-controllers.sh, run as processes
 * against the management API server with every listener on 127.0.0.1, and
 * bootstrapped on a Git URL as `flux bootstrap --path=flux/clusters/management`
 * would: a GitRepository and a Kustomization named flux-system.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import {
  crdsDir,
  freePort,
  REPO_ROOT,
  tool,
  waitFor,
  yamlDocuments,
  type JsonObject,
  type Kube,
  type ObjectRef,
  type ProcessGroup,
  type Started,
} from 'workshop';
import { condition, isTrue } from './objects.js';

export const FLUX_NAMESPACE = 'flux-system';
const FIELD_MANAGER = 'e2e-flux-bootstrap';
export const KUSTOMIZATION = { apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' } as const;
export const GIT_REPOSITORY = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository' } as const;
export const HELM_RELEASE = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease' } as const;

/** Server-side applies Flux's CRDs and waits until they are served. */
async function installCrds(kube: Kube): Promise<number> {
  const dir = crdsDir('flux');
  const crds = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => yamlDocuments(readFileSync(join(dir, f), 'utf8')))
    .filter((d) => d.kind === 'CustomResourceDefinition');
  for (const crd of crds) await kube.apply(crd, FIELD_MANAGER);
  for (const crd of crds) {
    const name = String((crd.metadata as JsonObject).name);
    await waitFor(
      `CRD ${name} established`,
      async () => {
        const current = await kube.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
        return isTrue(current, 'Established') ? true : undefined;
      },
      60_000,
    );
  }
  return crds.length;
}

/**
 * The flags flux/clusters/management/flux-system/kustomization.yaml adds to a
 * controller's Deployment (the multi-tenancy lockdown), read from its patches,
 * so the run locks Flux down exactly as a bootstrap of this tree would.
 */
function lockdownArgs(controller: string): string[] {
  const file = join(REPO_ROOT, 'flux', 'clusters', 'management', 'flux-system', 'kustomization.yaml');
  const patches = ((parse(readFileSync(file, 'utf8')) as JsonObject).patches ?? []) as { patch: string; target?: { kind?: string; name?: string } }[];
  const args: string[] = [];
  for (const { patch, target } of patches) {
    if (target?.kind !== 'Deployment' || !new RegExp(`^(?:${target.name ?? '.*'})$`).test(controller)) continue;
    for (const op of parse(patch) as { op: string; path: string; value: unknown }[]) {
      if (op.op === 'add' && op.path === '/spec/template/spec/containers/0/args/-') args.push(String(op.value));
    }
  }
  if (args.length === 0) throw new Error(`${file}: no flags for ${controller}`);
  return args;
}

/** What the bootstrap's gotk-components.yaml grants the controllers: their own ServiceAccounts, cluster-admin (the platform's Kustomizations name them). */
const CONTROLLER_ACCOUNTS = ['kustomize-controller', 'helm-controller'];

/**
 * Starts the three controllers. `requeueDependency` is how soon a
 * Kustomization or HelmRelease waiting on a `dependsOn` looks again (30 s by
 * default): the run shortens it rather than editing any interval in flux/.
 * Returns helm-controller's process too: the run pauses it to show what holds
 * a teardown while it does not uninstall (e2e/README.md, part 2).
 */
export async function startFlux(
  group: ProcessGroup,
  kube: Kube,
  options: { kubeconfigFile: string; storageDir: string; requeueDependency: string },
): Promise<{ crds: number; helmController: Started }> {
  const crds = await installCrds(kube);
  mkdirSync(options.storageDir, { recursive: true });
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: FLUX_NAMESPACE } }, FIELD_MANAGER);
  const env = { PATH: process.env.PATH ?? '', KUBECONFIG: options.kubeconfigFile, RUNTIME_NAMESPACE: FLUX_NAMESPACE };
  const common = async () => {
    const health = await freePort();
    return {
      health,
      args: [
        '--watch-all-namespaces=true',
        `--metrics-addr=127.0.0.1:${await freePort()}`,
        `--health-addr=127.0.0.1:${health}`,
        '--log-encoding=console',
        '--events-addr=',
      ],
    };
  };
  const storagePort = await freePort();
  const source = await common();
  group.start(
    'source-controller',
    tool('source-controller'),
    [...source.args, `--storage-path=${options.storageDir}`, `--storage-addr=127.0.0.1:${storagePort}`, `--storage-adv-addr=127.0.0.1:${storagePort}`],
    env,
  );
  const kustomize = await common();
  group.start(
    'kustomize-controller',
    tool('kustomize-controller'),
    [...kustomize.args, ...lockdownArgs('kustomize-controller'), `--requeue-dependency=${options.requeueDependency}`],
    env,
  );
  const helm = await common();
  const helmController = group.start(
    'helm-controller',
    tool('helm-controller'),
    [...helm.args, ...lockdownArgs('helm-controller'), `--requeue-dependency=${options.requeueDependency}`],
    env,
  );
  for (const [name, port] of [
    ['source-controller', source.health],
    ['kustomize-controller', kustomize.health],
    ['helm-controller', helm.health],
  ] as const) {
    await waitFor(
      `${name} /readyz`,
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) })).ok ? true : undefined),
      60_000,
      group,
    );
  }
  return { crds, helmController };
}

/**
 * What `flux bootstrap` leaves in the cluster, minus the controllers' own
 * manifests (they run as processes): the flux-system GitRepository on `url`
 * and the flux-system Kustomization on `path`. `patches` are the overlay the
 * environment forces (see e2e/README.md): applied to what `path`
 * builds, never written into flux/.
 */
export async function bootstrap(kube: Kube, options: { url: string; branch: string; path: string; patches: JsonObject[] }): Promise<void> {
  for (const name of CONTROLLER_ACCOUNTS)
    await kube.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: FLUX_NAMESPACE } }, FIELD_MANAGER);
  await kube.apply(
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'cluster-reconciler-flux-system' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: CONTROLLER_ACCOUNTS.map((name) => ({ kind: 'ServiceAccount', name, namespace: FLUX_NAMESPACE })),
    },
    FIELD_MANAGER,
  );
  await kube.apply(
    {
      ...GIT_REPOSITORY,
      metadata: { name: FLUX_NAMESPACE, namespace: FLUX_NAMESPACE },
      spec: { interval: '1m', ref: { branch: options.branch }, url: options.url, timeout: '60s' },
    },
    FIELD_MANAGER,
  );
  await kube.apply(
    {
      ...KUSTOMIZATION,
      metadata: { name: FLUX_NAMESPACE, namespace: FLUX_NAMESPACE },
      spec: {
        // As the patch in flux/clusters/management/flux-system/kustomization.yaml sets it.
        serviceAccountName: 'kustomize-controller',
        interval: '10m',
        path: options.path,
        prune: true,
        sourceRef: { kind: 'GitRepository', name: FLUX_NAMESPACE },
        patches: options.patches,
      },
    },
    FIELD_MANAGER,
  );
}

/** `flux reconcile`: asks the controller to reconcile `ref` now instead of at its interval. */
export async function requestReconcile(kube: Kube, ref: ObjectRef): Promise<void> {
  await kube.mergePatch(ref, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': new Date().toISOString() } } });
}

/** A Flux object's Ready condition as one line: `True` or `False (reason): message`. */
export function readyLine(o: JsonObject | undefined): string {
  const ready = condition(o, 'Ready');
  if (!ready) return 'no Ready condition yet';
  return ready.status === 'True' ? 'True' : `${ready.status} (${ready.reason ?? ''}): ${ready.message ?? ''}`;
}
