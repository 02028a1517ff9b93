// How Crossplane runs our composition function, as flux/ sets it: the Function's
// DeploymentRuntimeConfig, its PodDisruptionBudget, and the optional monitoring
// of docs/monitoring. Each check returns sentences a person can act on; [] means
// the pieces agree with each other, with the image's heap bound and with the
// function's own flags (imported, so they cannot drift).
import { ENVIRONMENT_VARIABLES, memoryLimitMiB, parseConfig } from 'workshop';
import { get, str, type K8sObject } from './objects.js';

/** The label Crossplane puts on every pod of a Function (value: the Function's name), whatever the revision. */
export const FUNCTION_POD_LABEL = 'pkg.crossplane.io/function';
/** Crossplane's name for a package's own container in the Deployment it builds; a runtime config's container of this name merges into it. */
export const RUNTIME_CONTAINER = 'package-runtime';
/** The port Crossplane calls a function on (and the function's default address). */
export const GRPC_PORT = 9443;

export interface FunctionRuntimeInputs {
  /** The objects flux/infrastructure/packages applies. */
  packages: K8sObject[];
  /** The namespace Crossplane and its package runtimes run in (the chart's targetNamespace). */
  crossplaneNamespace: string;
  /** docs/monitoring: the PodMonitor and the PrometheusRule. */
  monitoring: K8sObject[];
}

const mib = (quantity: unknown): number | undefined => {
  const m = /^(\d+)(Mi|Gi)$/.exec(String(quantity ?? ''));
  return m ? Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1) : undefined;
};

const portOf = (address: string): number => Number(address.slice(address.lastIndexOf(':') + 1));

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function checkSpread(drc: K8sObject, podLabels: Record<string, string>, where: string): string[] {
  const problems: string[] = [];
  const replicas = Number(get(drc, 'spec.deploymentTemplate.spec.replicas') ?? 1);
  if (replicas < 2)
    problems.push(`${where}: spec.deploymentTemplate.spec.replicas is ${replicas}: set 2 or more, so that a node's loss or drain leaves one serving`);
  const constraints = get(drc, 'spec.deploymentTemplate.spec.template.spec.topologySpreadConstraints');
  for (const key of ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']) {
    const constraint = (Array.isArray(constraints) ? constraints : []).find((c) => get(c, 'topologyKey') === key);
    if (!constraint) problems.push(`${where}: no topologySpreadConstraints entry with topologyKey ${key}: spread the replicas over nodes and zones`);
    else if (!same(get(constraint, 'labelSelector.matchLabels'), podLabels))
      problems.push(
        `${where}: the ${key} spread selects ${JSON.stringify(get(constraint, 'labelSelector.matchLabels'))}, not the function's pods ${JSON.stringify(podLabels)}`,
      );
  }
  return problems;
}

/**
 * The function's container environment: every variable is a setting the
 * function reads (a misspelt one would be ignored, leaving the default), and
 * the function accepts their values (it would otherwise exit at startup).
 */
export function checkEnvironment(drc: K8sObject, where: string): string[] {
  const containers = get(drc, 'spec.deploymentTemplate.spec.template.spec.containers');
  const env = get(
    (Array.isArray(containers) ? containers : []).find((c) => get(c, 'name') === RUNTIME_CONTAINER),
    'env',
  );
  const entries = (Array.isArray(env) ? env : []).map((e) => [str(get(e, 'name')) ?? '', str(get(e, 'value')) ?? ''] as const);
  const problems = entries
    .filter(([name]) => !ENVIRONMENT_VARIABLES.includes(name))
    .map(([name]) => `${where}: env ${name} is no setting of the function, which would ignore it: use one of ${ENVIRONMENT_VARIABLES.join(', ')}`);
  const parsed = parseConfig([], Object.fromEntries(entries));
  if (parsed.ok === false) problems.push(`${where}: the function would refuse its environment and exit at startup: ${parsed.message}`);
  return problems;
}

function checkContainer(drc: K8sObject, where: string): string[] {
  const containers = get(drc, 'spec.deploymentTemplate.spec.template.spec.containers');
  const container = (Array.isArray(containers) ? containers : []).find((c) => get(c, 'name') === RUNTIME_CONTAINER);
  if (!container) return [`${where}: no container named ${RUNTIME_CONTAINER}, so nothing merges into the function's container`];
  const problems: string[] = [];
  const limit = mib(get(container, 'resources.limits.memory'));
  const expected = memoryLimitMiB();
  if (limit !== expected)
    problems.push(
      `${where}: ${RUNTIME_CONTAINER} memory limit is ${String(get(container, 'resources.limits.memory'))}, but the image's heap bound gives ${expected}Mi (packages/function-image/memory-budget.ts): set ${expected}Mi`,
    );
  if (mib(get(container, 'resources.requests.memory')) !== limit)
    problems.push(
      `${where}: ${RUNTIME_CONTAINER} memory request ${String(get(container, 'resources.requests.memory'))} differs from its limit: request what the process may take`,
    );
  if (get(container, 'resources.limits.cpu') !== undefined)
    problems.push(`${where}: ${RUNTIME_CONTAINER} has a CPU limit: remove it; a throttled single thread stalls every request`);
  problems.push(...checkEnvironment(drc, where));

  const env = get(container, 'env');
  const metricsEnv = str(
    get(
      (Array.isArray(env) ? env : []).find((e) => get(e, 'name') === 'METRICS_ADDRESS'),
      'value',
    ),
  );
  const parsed = parseConfig([], { METRICS_ADDRESS: metricsEnv });
  if (parsed.ok !== true || parsed.config.metricsAddress === '') {
    problems.push(
      `${where}: METRICS_ADDRESS ${JSON.stringify(metricsEnv)} turns no metrics on${parsed.ok === false ? ` (${parsed.message})` : ''}: set it, e.g. ":8080"`,
    );
    return problems;
  }
  const metricsPort = portOf(parsed.config.metricsAddress);
  const ports = get(container, 'ports');
  const declared = (Array.isArray(ports) ? ports : []).find((p) => get(p, 'name') === 'metrics');
  if (get(declared, 'containerPort') !== metricsPort)
    problems.push(`${where}: the container port named metrics is ${String(get(declared, 'containerPort'))}, but METRICS_ADDRESS serves on ${metricsPort}`);
  const annotated = get(drc, 'spec.deploymentTemplate.spec.template.metadata.annotations');
  const annotatedPort = (annotated as Record<string, unknown> | undefined)?.['prometheus.io/port'];
  if (annotatedPort !== undefined && annotatedPort !== String(metricsPort))
    problems.push(`${where}: annotation prometheus.io/port is ${String(annotatedPort)}, but METRICS_ADDRESS serves on ${metricsPort}`);
  const probePort = get(container, 'readinessProbe.tcpSocket.port');
  const defaults = parseConfig([], {});
  const grpcPort = defaults.ok === true ? portOf(defaults.config.address) : GRPC_PORT;
  if (probePort !== undefined && probePort !== grpcPort)
    problems.push(`${where}: the readiness probe knocks on ${String(probePort)}, but the function serves gRPC on ${grpcPort}`);
  return problems;
}

function checkDisruptionBudget(pdbs: K8sObject[], podLabels: Record<string, string>, replicas: number, namespace: string): string[] {
  const pdb = pdbs.find((p) => same(get(p, 'spec.selector.matchLabels'), podLabels));
  if (!pdb) return [`no PodDisruptionBudget selects the function's pods ${JSON.stringify(podLabels)}: add one with maxUnavailable: 1`];
  const problems: string[] = [];
  const where = `PodDisruptionBudget ${pdb.metadata.namespace ?? ''}/${pdb.metadata.name}`;
  if (pdb.metadata.namespace !== namespace) problems.push(`${where} is not in ${namespace}, where Crossplane runs the function's pods`);
  const maxUnavailable = get(pdb, 'spec.maxUnavailable');
  const minAvailable = get(pdb, 'spec.minAvailable');
  const keeps = typeof maxUnavailable === 'number' ? replicas - maxUnavailable : typeof minAvailable === 'number' ? minAvailable : undefined;
  if (keeps === undefined || keeps < 1 || keeps >= replicas)
    problems.push(`${where}: with ${replicas} replicas it must keep at least 1 and allow at least 1 eviction (maxUnavailable: 1)`);
  return problems;
}

function checkMonitoring(monitoring: K8sObject[], podLabels: Record<string, string>, namespace: string, limitMiB: number | undefined): string[] {
  const problems: string[] = [];
  const podMonitor = monitoring.find((o) => o.kind === 'PodMonitor');
  if (!podMonitor) return ['docs/monitoring has no PodMonitor'];
  if (podMonitor.metadata.namespace !== namespace) problems.push(`PodMonitor ${podMonitor.metadata.name}: not in ${namespace}, where the function's pods run`);
  if (!same(get(podMonitor, 'spec.selector.matchLabels'), podLabels))
    problems.push(`PodMonitor ${podMonitor.metadata.name}: does not select the function's pods ${JSON.stringify(podLabels)}`);
  const endpoints = get(podMonitor, 'spec.podMetricsEndpoints');
  if (!(Array.isArray(endpoints) ? endpoints : []).some((e) => get(e, 'port') === 'metrics'))
    problems.push(`PodMonitor ${podMonitor.metadata.name}: scrapes no port named metrics`);
  // The Prometheus Operator names a PodMonitor's targets' job <namespace>/<name>.
  const job = `job="${podMonitor.metadata.namespace ?? ''}/${podMonitor.metadata.name}"`;
  const rule = monitoring.find((o) => o.kind === 'PrometheusRule');
  const groups = get(rule, 'spec.groups');
  for (const r of (Array.isArray(groups) ? groups : []).flatMap((g) => {
    const rules = get(g, 'rules');
    return Array.isArray(rules) ? rules : [];
  })) {
    const expr = String(get(r, 'expr') ?? '');
    for (const selector of expr.match(/job="[^"]*"/g) ?? []) {
      if (selector !== job) problems.push(`PrometheusRule alert ${String(get(r, 'alert'))}: selects ${selector}, but the PodMonitor's targets have ${job}`);
    }
    const denominator = /\/ \((\d+) \* 1024 \* 1024\)/.exec(expr);
    if (denominator && Number(denominator[1]) !== limitMiB)
      problems.push(
        `PrometheusRule alert ${String(get(r, 'alert'))}: divides by ${denominator[1]} MiB, but the function's memory limit is ${String(limitMiB)} MiB`,
      );
  }
  return problems;
}

export function checkFunctionRuntime({ packages, crossplaneNamespace, monitoring }: FunctionRuntimeInputs): string[] {
  const fn = packages.find((o) => o.apiVersion === 'pkg.crossplane.io/v1' && o.kind === 'Function');
  if (!fn) return ['flux/infrastructure/packages applies no Function'];
  const ref = get(fn, 'spec.runtimeConfigRef');
  const drc = packages.find((o) => o.kind === 'DeploymentRuntimeConfig' && o.metadata.name === get(ref, 'name'));
  if (!drc || get(ref, 'kind') !== 'DeploymentRuntimeConfig' || get(ref, 'apiVersion') !== 'pkg.crossplane.io/v1beta1') {
    const what =
      ref === undefined ? 'has no spec.runtimeConfigRef' : `spec.runtimeConfigRef ${JSON.stringify(ref)} names no DeploymentRuntimeConfig applied with it`;
    return [`Function ${fn.metadata.name} ${what}: Crossplane would run it with its defaults (one replica, no limits, no metrics)`];
  }
  const podLabels = { [FUNCTION_POD_LABEL]: fn.metadata.name };
  const where = `DeploymentRuntimeConfig ${drc.metadata.name}`;
  const replicas = Number(get(drc, 'spec.deploymentTemplate.spec.replicas') ?? 1);
  const containers = get(drc, 'spec.deploymentTemplate.spec.template.spec.containers');
  const container = (Array.isArray(containers) ? containers : []).find((c) => get(c, 'name') === RUNTIME_CONTAINER);
  return [
    ...checkSpread(drc, podLabels, where),
    ...checkContainer(drc, where),
    ...checkDisruptionBudget(
      packages.filter((o) => o.kind === 'PodDisruptionBudget'),
      podLabels,
      replicas,
      crossplaneNamespace,
    ),
    ...checkMonitoring(monitoring, podLabels, crossplaneNamespace, mib(get(container, 'resources.limits.memory'))),
  ];
}
