/**
 * The CustomResourceDefinition of our XR as Crossplane itself derives it from
 * the XRD: the pinned Crossplane core (.tools/bin/crossplane-core,
 * scripts/tools/crossplane-core.sh) runs against a test kube-apiserver —
 * `core init` installs Crossplane's CRDs, `core start` runs its controllers —
 * until its definition controller has created the CRD from the XRD and both
 * are Established. Core is then stopped, so the apiserver alone answers the
 * tests: no XR controller adds finalizers or writes status meanwhile.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { crdsDir, freePort, Kube, tool, waitFor, type ControlPlane, type JsonObject, type ProcessGroup } from 'workshop';
import { XRD_FILE } from './paths.js';

const NAMESPACE = 'crossplane-system';
const FIELD_MANAGER = 'composite-crd-test';

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

const conditionsOf = (o: JsonObject | undefined): Condition[] => ((o?.status as JsonObject | undefined)?.conditions as Condition[] | undefined) ?? [];
const established = (o: JsonObject | undefined) => conditionsOf(o).some((c) => c.type === 'Established' && c.status === 'True');

/** `core init`: Crossplane's CRDs from the pinned core module, webhooks off. Retried: its first run can race its own CRDs. */
async function initCore(kubeconfigFile: string): Promise<void> {
  const args = ['core', 'init', `--namespace=${NAMESPACE}`, '--enable-webhooks=false'];
  // These by their environment variables: the flags' names are spelt oddly (--cr-ds-path, --tlsca-secret-name).
  const env = {
    PATH: process.env.PATH ?? '',
    KUBECONFIG: kubeconfigFile,
    CRDS_PATH: crdsDir('crossplane'),
    TLS_CA_SECRET_NAME: 'crossplane-root-ca',
    TLS_CLIENT_SECRET_NAME: 'crossplane-tls-client',
  };
  let last = '';
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await promisify(execFile)(tool('crossplane-core'), args, { env, timeout: 60_000 });
      return;
    } catch (error) {
      last = String((error as { stderr?: string }).stderr ?? error);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error(`crossplane core init failed 5 times; last:\n${last.slice(-2000)}`);
}

/**
 * Installs configuration's XRD into the control plane's first apiserver through
 * Crossplane core and resolves with the CRD core created, as the apiserver
 * stores it. `dir` holds core's log, certificates and package cache.
 */
export async function compositeCrdFromCore(group: ProcessGroup, plane: ControlPlane, dir: string): Promise<{ crd: JsonObject; xrd: JsonObject }> {
  const kube = new Kube(plane.primary.kubeconfigYaml);
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }, FIELD_MANAGER);
  await initCore(plane.primary.kubeconfigFile);

  // Core loads a client certificate for calling functions at start; none is called here.
  const clientCerts = join(dir, 'crossplane-tls-client');
  mkdirSync(clientCerts, { recursive: true });
  writeFileSync(join(clientCerts, 'ca.crt'), plane.pki.ca);
  writeFileSync(join(clientCerts, 'tls.crt'), plane.pki.admin.cert);
  writeFileSync(join(clientCerts, 'tls.key'), plane.pki.admin.key);
  const cache = join(dir, 'crossplane-xpkg-cache');
  mkdirSync(cache, { recursive: true });
  const args = [
    'core',
    'start',
    `--namespace=${NAMESPACE}`,
    `--xpkg-cache-dir=${cache}`,
    `--tls-client-certs-dir=${clientCerts}`,
    `--metrics-port=${await freePort()}`,
    `--health-probe-port=${await freePort()}`,
    '--enable-webhooks=false',
  ];
  const env = { PATH: process.env.PATH ?? '', KUBECONFIG: plane.primary.kubeconfigFile };
  const core = group.start('crossplane', tool('crossplane-core'), args, env);
  try {
    const xrd = parse(readFileSync(XRD_FILE, 'utf8')) as JsonObject;
    const spec = xrd.spec as { group: string; names: { plural: string } };
    const name = `${spec.names.plural}.${spec.group}`;
    const xrdRef = { apiVersion: String(xrd.apiVersion), kind: String(xrd.kind), name: String((xrd.metadata as JsonObject).name) };
    // The XRD kind is installed by init but may not be served for a moment: waitFor retries what fails.
    await waitFor('the XRD applied', () => kube.apply(xrd, FIELD_MANAGER), 30_000, group);
    const crd = await waitFor(
      `CRD ${name} created by Crossplane and Established`,
      async () => {
        const found = await kube.find({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
        return established(found) ? found : undefined;
      },
      90_000,
      group,
    );
    const stored = await waitFor(
      `XRD ${xrdRef.name} Established`,
      async () => {
        const found = await kube.find(xrdRef);
        return established(found) ? found : undefined;
      },
      30_000,
      group,
    );
    return { crd, xrd: stored };
  } catch (error) {
    throw new Error(`${(error as Error).message}\ncrossplane core's log:\n${core.tail(40)}`);
  } finally {
    await core.stop();
  }
}
