/**
 * Prometheus in part 2 (apps/monitoring). Its chart repository,
 * prometheus-community.github.io, cannot be reached here:
 * scripts/tools/prometheus.sh packages the same chart version from the
 * repository's Go module (.tools/charts/prometheus-<version>.tgz, its
 * dependencies vendored) and the run serves it from a Helm repository on
 * 127.0.0.1, where the overlay points the team's HelmRepository
 * (e2e/README.md). What the release puts into the workload API server is read
 * back and held to the cluster's facts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, type JsonObject, type Kube } from 'workshop';
import { HELM_RELEASE } from './flux.js';
import { startHelmRepository, type HelmRepository } from './helm-repository.js';
import { managed, nameOf } from './objects.js';

/** Where the chart's objects go: targetNamespace and releaseName of apps/monitoring/base/release.yaml. */
const NAMESPACE = 'monitoring';
const RELEASE = 'prometheus';
/** The server's Deployment and ConfigMap: the chart names both <release>-server. */
const SERVER = { namespace: NAMESPACE, name: `${RELEASE}-server` };
/** The Helm release's storage (storageNamespace): gone once Helm has uninstalled it. */
const STORAGE = { apiVersion: 'v1', kind: 'Secret', namespace: NAMESPACE, name: `sh.helm.release.v1.${RELEASE}.v1` } as const;

/** The HelmRelease of apps/monitoring/base/release.yaml. */
function release(): JsonObject {
  return parse(readFileSync(join(REPO_ROOT, 'apps', 'monitoring', 'base', 'release.yaml'), 'utf8')) as JsonObject;
}

/** The Prometheus chart at the version apps/monitoring's HelmRelease pins, on 127.0.0.1. */
export function startPrometheusChartRepository(): Promise<HelmRepository> {
  const chart = ((release().spec as JsonObject).chart as JsonObject).spec as JsonObject;
  return startHelmRepository(String(chart.chart), String(chart.version), 'scripts/tools/prometheus.sh');
}

/**
 * The release installed into the workload API server, configured from the
 * cluster's facts: the chart version pinned, the server's ConfigMap writing to
 * the facts' amp_remote_write_url signed with SigV4 for the facts' region and
 * labelled with the cluster's name, and the server running as the service
 * account the PodIdentityAssociation of apps/monitoring names. Returns what it
 * saw, for the timeline.
 */
export async function expectPrometheusFromFacts(kube: Kube, workload: Kube, team: string, version: string): Promise<string[]> {
  const facts = (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: team, name: `${team}-cluster-facts` })).data as Record<string, string>;
  const hr = await kube.get({ ...HELM_RELEASE, namespace: team, name: RELEASE });
  const installed = ((hr.status as JsonObject).history as JsonObject[] | undefined)?.[0];
  if (installed?.chartName !== 'prometheus' || installed.chartVersion !== version)
    throw new Error(`HelmRelease ${team}/${RELEASE} installed ${String(installed?.chartName)} ${String(installed?.chartVersion)}, not prometheus ${version}`);

  const config = await workload.get({ apiVersion: 'v1', kind: 'ConfigMap', ...SERVER });
  const prometheus = parse(String((config.data as Record<string, string>)['prometheus.yml'])) as JsonObject;
  const remoteWrite = (prometheus.remote_write as JsonObject[] | undefined) ?? [];
  const labels = ((prometheus.global as JsonObject | undefined)?.external_labels ?? {}) as Record<string, string>;
  const deployment = await workload.get({ apiVersion: 'apps/v1', kind: 'Deployment', ...SERVER });
  const pod = ((deployment.spec as JsonObject).template as JsonObject).spec as JsonObject;
  const association = (await managed(kube, team)).find((o) => o.kind === 'PodIdentityAssociation' && nameOf(o).endsWith('-prometheus'));
  const granted = (association?.spec as JsonObject | undefined)?.forProvider as JsonObject | undefined;
  const expected: [string, unknown, string][] = [
    ['remote_write url', remoteWrite[0]?.url, facts.amp_remote_write_url!],
    ['remote_write sigv4 region', (remoteWrite[0]?.sigv4 as JsonObject | undefined)?.region, facts.region!],
    ['external label cluster', labels.cluster, facts.cluster_name!],
    ["server's service account", `${NAMESPACE}/${String(pod.serviceAccountName)}`, `${String(granted?.namespace)}/${String(granted?.serviceAccount)}`],
  ];
  for (const [what, value, want] of expected) {
    if (remoteWrite.length !== 1 || !want || value !== want)
      throw new Error(`${what} is ${String(value)}, expected ${String(want)} (${remoteWrite.length} remote_write)`);
  }
  await workload.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: NAMESPACE, name: String(pod.serviceAccountName) });
  const objects: string[] = [];
  for (const kind of ['Deployment', 'DaemonSet'])
    for (const o of await workload.list({ apiVersion: 'apps/v1', kind, namespace: NAMESPACE })) objects.push(`${kind} ${nameOf(o)}`);
  return [
    `HelmRelease ${team}/${RELEASE}: chart prometheus ${version} installed`,
    `in the workload API server, namespace ${NAMESPACE}: ${objects.join(', ')}; ConfigMap ${SERVER.name} (prometheus.yml): remote_write ${String(remoteWrite[0]!.url)} (= amp_remote_write_url), sigv4 region ${String(facts.region)} (= region), external label cluster ${String(labels.cluster)} (= cluster_name); the server runs as ${expected[3]![1] as string}, the service account PodIdentityAssociation ${nameOf(association!)} names`,
  ];
}

/** True once Helm has uninstalled the release: its HelmRelease, the server's Deployment and ConfigMap and the release's storage are gone. */
export async function prometheusGone(kube: Kube, workload: Kube, team: string): Promise<boolean> {
  const left = [
    await kube.find({ ...HELM_RELEASE, namespace: team, name: RELEASE }),
    await workload.find({ apiVersion: 'apps/v1', kind: 'Deployment', ...SERVER }),
    await workload.find({ apiVersion: 'v1', kind: 'ConfigMap', ...SERVER }),
    await workload.find(STORAGE),
  ];
  return left.every((o) => o === undefined);
}
