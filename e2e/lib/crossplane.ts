/**
 * Crossplane core v2.4.0 as processes against the management API server, as
 * its Helm chart runs it in a pod (`core init`, then `core start`), with the
 * external package runtime: the test, not Crossplane, runs the function, and
 * tells Crossplane where it serves by writing the revision's status as a
 * package runtime would. Crossplane's Usage webhook runs on loopback and is
 * registered with the API server, so Usages really block deletions.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { crdsDir, freePort, tool, waitFor, type JsonObject, type Kube, type Pki, type ProcessGroup, type Started } from 'workshop';

export const NAMESPACE = 'crossplane-system';
const RUNTIME_MANAGER = 'e2e-package-runtime';

export interface Crossplane {
  process(): Started;
  /** Kills core (SIGKILL, as a crashed pod) and starts it again. */
  restart(): Promise<void>;
  webhookPort: number;
}

/** `crossplane core init`: CRDs and the TLS secrets. Its first run can race its own CRDs; it is retried until it succeeds. */
export async function initCore(kubeconfigFile: string, logDir: string, extraArgs: string[] = []): Promise<number> {
  const env = {
    PATH: process.env.PATH ?? '',
    KUBECONFIG: kubeconfigFile,
    POD_NAMESPACE: NAMESPACE,
    TLS_CA_SECRET_NAME: 'crossplane-root-ca',
    TLS_CLIENT_SECRET_NAME: 'crossplane-tls-client',
    ENABLE_WEBHOOKS: 'false',
    CRDS_PATH: crdsDir('crossplane'),
  };
  let attempts = 0;
  let last = '';
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    attempts++;
    try {
      await promisify(execFile)(tool('crossplane-core'), ['core', 'init', ...extraArgs], { env, timeout: 60_000 });
      return attempts;
    } catch (error) {
      last = String((error as { stderr?: string }).stderr ?? error);
      writeFileSync(join(logDir, `crossplane-init-${attempts}.log`), last);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error(`crossplane core init did not succeed in 120 s (${attempts} attempts); last:\n${last.slice(-2000)}`);
}

/**
 * Core's package cache for a start in `dir`. Core also keeps Sigstore's trust
 * roots there: it sets TUF_ROOT to <cache>/.sigstore/root itself (v2.4.0).
 */
export function xpkgCacheDir(dir: string): string {
  return join(dir, 'xpkg-cache');
}

/** Starts `crossplane core start` and registers the Usage webhook; resolves once /readyz answers. */
export async function startCore(
  group: ProcessGroup,
  kube: Kube,
  options: { kubeconfigFile: string; dir: string; pki: Pki; extraArgs?: string[]; extraEnv?: Record<string, string> },
): Promise<Crossplane> {
  const clientCerts = join(options.dir, 'tls-client');
  mkdirSync(clientCerts, { recursive: true });
  writeFileSync(join(clientCerts, 'ca.crt'), options.pki.ca);
  writeFileSync(join(clientCerts, 'tls.crt'), options.pki.client.cert);
  writeFileSync(join(clientCerts, 'tls.key'), options.pki.client.key);
  const serverCerts = join(options.dir, 'tls-server');
  mkdirSync(serverCerts, { recursive: true });
  for (const f of ['ca.crt', 'tls.crt', 'tls.key']) copyFileSync(join(options.pki.serverDir, f), join(serverCerts, f));
  const cache = xpkgCacheDir(options.dir);
  mkdirSync(cache, { recursive: true });
  const [webhookPort, metricsPort, healthPort] = [await freePort(), await freePort(), await freePort()];
  const args = [
    'core',
    'start',
    `--namespace=${NAMESPACE}`,
    `--xpkg-cache-dir=${cache}`,
    '--package-runtime=Function=External;Provider=External',
    '--enable-webhooks',
    `--webhook-port=${webhookPort}`,
    `--metrics-port=${metricsPort}`,
    `--health-probe-port=${healthPort}`,
    `--tls-server-certs-dir=${serverCerts}`,
    `--tls-client-certs-dir=${clientCerts}`,
    '--enable-usages',
    // With the defaults the XR's watch circuit breaker opens within a second of a
    // first composition of ~120 resources and suppresses reconciles for minutes.
    '--circuit-breaker-burst=10000',
    '--circuit-breaker-refill-rate=1000',
    '--circuit-breaker-cooldown=10s',
    '--poll-interval=15s',
    ...(options.extraArgs ?? []),
  ];
  // Flags win over the environment, so the loopback ports and folders above hold whatever the env says.
  const env = {
    ...options.extraEnv,
    PATH: process.env.PATH ?? '',
    KUBECONFIG: options.kubeconfigFile,
    POD_NAMESPACE: NAMESPACE,
    POD_SERVICE_ACCOUNT: 'crossplane',
  };
  let current = group.start('crossplane', tool('crossplane-core'), args, env);
  const ready = () =>
    waitFor(
      'Crossplane /readyz',
      async () => {
        const answer = await fetch(`http://127.0.0.1:${healthPort}/readyz`, { signal: AbortSignal.timeout(2000) });
        return answer.ok ? true : undefined;
      },
      90_000,
      group,
    );
  await ready();

  // The chart's webhook configuration, pointed at the loopback webhook server.
  const webhook = parse(readFileSync(join(crdsDir('webhooks'), 'usage.yaml'), 'utf8')) as JsonObject;
  for (const w of webhook.webhooks as JsonObject[]) {
    const path = ((w.clientConfig as JsonObject).service as JsonObject).path;
    w.clientConfig = { url: `https://127.0.0.1:${webhookPort}${String(path)}`, caBundle: options.pki.ca.toString('base64') };
  }
  await kube.apply(webhook, 'e2e');

  return {
    process: () => current,
    webhookPort,
    restart: async () => {
      await current.kill();
      current = group.start('crossplane', tool('crossplane-core'), args, env);
      await ready();
    },
  };
}

/**
 * Plays the package runtime for every revision of `kind` (FunctionRevision,
 * ProviderRevision) whose status lacks it, or only those `only` names: the
 * endpoint where the test serves the function (functions only), the TLS Secret
 * name and RuntimeHealthy=True. Returns the names it patched.
 */
export async function playPackageRuntime(
  kube: Kube,
  kind: 'FunctionRevision' | 'ProviderRevision',
  endpoint?: string,
  only: (name: string) => boolean = () => true,
): Promise<string[]> {
  const revisions = (await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind })).filter((r) => only(String((r.metadata as JsonObject).name)));
  const patched: string[] = [];
  for (const r of revisions) {
    const status = (r.status ?? {}) as JsonObject;
    const healthy = ((status.conditions as JsonObject[] | undefined) ?? []).some((c) => c.type === 'RuntimeHealthy' && c.status === 'True');
    if (healthy && status.tlsServerSecretName && (!endpoint || status.endpoint === endpoint)) continue;
    const name = String((r.metadata as JsonObject).name);
    await kube.apply(
      {
        apiVersion: 'pkg.crossplane.io/v1',
        kind,
        metadata: { name },
        status: {
          ...(endpoint ? { endpoint } : {}),
          tlsServerSecretName: 'e2e-runtime-tls',
          conditions: [{ type: 'RuntimeHealthy', status: 'True', reason: 'HealthyPackageRevision', lastTransitionTime: new Date().toISOString() }],
        },
      },
      RUNTIME_MANAGER,
      'status',
    );
    patched.push(name);
  }
  return patched;
}

/** The Secret the runtime's tlsServerSecretName names (Crossplane checks it has a tls.crt). */
export async function runtimeTlsSecret(kube: Kube, pki: Pki): Promise<void> {
  const b64 = (b: Buffer) => b.toString('base64');
  await kube.apply(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'e2e-runtime-tls', namespace: NAMESPACE },
      type: 'kubernetes.io/tls',
      data: {
        'tls.crt': b64(readFileSync(join(pki.serverDir, 'tls.crt'))),
        'tls.key': b64(readFileSync(join(pki.serverDir, 'tls.key'))),
        'ca.crt': b64(pki.ca),
      },
    },
    'e2e',
  );
}

/**
 * What the chart's Deployment tells Crossplane: the init container's and the
 * container's arguments after `core init` / `core start`, and the container's
 * literal environment (the TLS Secret names, ...). Values
 * taken from the pod (fieldRef, resourceFieldRef) have no pod to come from.
 */
export function chartDeploymentArgs(deployment: JsonObject): { initArgs: string[]; startArgs: string[]; env: Record<string, string> } {
  const pod = ((deployment.spec as JsonObject).template as JsonObject).spec as JsonObject;
  const init = ((pod.initContainers as JsonObject[] | undefined) ?? []).find(
    (c) => ((c.args as string[] | undefined) ?? []).slice(0, 2).join(' ') === 'core init',
  );
  const main = ((pod.containers as JsonObject[] | undefined) ?? []).find(
    (c) => ((c.args as string[] | undefined) ?? []).slice(0, 2).join(' ') === 'core start',
  );
  if (!main) throw new Error('the crossplane Deployment has no container running `core start`');
  const env: Record<string, string> = {};
  for (const e of (main.env as { name: string; value?: string }[] | undefined) ?? []) if (e.value !== undefined) env[e.name] = e.value;
  // Leader election finds its namespace in the pod's service account mount, which a
  // process outside a pod lacks; one process has no one to elect against anyway.
  delete env.LEADER_ELECTION;
  return { initArgs: ((init?.args as string[] | undefined) ?? []).slice(2), startArgs: (main.args as string[]).slice(2), env };
}

/**
 * A registry mirror, as a platform team configures one for an air-gapped
 * cluster: a Crossplane ImageConfig that sends packages under `prefix` to `to`.
 */
export async function mirrorPackages(kube: Kube, name: string, prefix: string, to: string): Promise<void> {
  await kube.apply(
    {
      apiVersion: 'pkg.crossplane.io/v1beta1',
      kind: 'ImageConfig',
      metadata: { name },
      spec: { matchImages: [{ type: 'Prefix', prefix }], rewriteImage: { prefix: to } },
    },
    'e2e',
  );
}
