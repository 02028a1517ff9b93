// The composition function as a production service: flux/ gives it a
// DeploymentRuntimeConfig (replicas spread over nodes and zones, memory from
// the image's heap bound, metrics) and a PodDisruptionBudget, and
// docs/monitoring scrapes and alerts on it; test/lib/function-runtime.ts checks
// that they agree. Their schemas: manifests.test.ts ("schemas").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkEnvironment, checkFunctionRuntime, type FunctionRuntimeInputs } from './lib/function-runtime.js';
import { get, parseObjects, type K8sObject } from './lib/objects.js';
import { REPO_ROOT } from './lib/tools.js';

const PACKAGES = join(REPO_ROOT, 'flux', 'infrastructure', 'packages');
const MONITORING = join(REPO_ROOT, 'docs', 'monitoring');

/** The objects of a folder's kustomization.yaml, file by file in its order: what Flux applies from it. */
function kustomizationObjects(dir: string): K8sObject[] {
  const { resources } = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  return resources.flatMap((file) => parseObjects(readFileSync(join(dir, file), 'utf8'), file));
}

function inputs(): FunctionRuntimeInputs {
  const release = parseObjects(readFileSync(join(REPO_ROOT, 'flux', 'infrastructure', 'crossplane', 'release.yaml'), 'utf8'), 'release.yaml');
  return {
    packages: kustomizationObjects(PACKAGES),
    crossplaneNamespace: String(get(release[0], 'spec.targetNamespace')),
    monitoring: ['pod-monitor.yaml', 'prometheus-rule.yaml'].flatMap((f) => parseObjects(readFileSync(join(MONITORING, f), 'utf8'), f)),
  };
}

/** An object of known shape that a case reaches into to break it. */
type Breakable = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test mutations reach into known shapes

/** A copy of the inputs with one object changed in place. */
function changed(kind: string, change: (o: Breakable) => void): FunctionRuntimeInputs {
  const copy = structuredClone(inputs());
  const target = [...copy.packages, ...copy.monitoring].find((o) => o.kind === kind);
  if (!target) throw new Error(`no ${kind} to change`);
  change(target);
  return copy;
}

/** The runtime container of a DeploymentRuntimeConfig. */
const container = (drc: Breakable): Breakable => drc.spec.deploymentTemplate.spec.template.spec.containers[0];

describe('the function as a production service', () => {
  it('has a runtime config, a disruption budget and monitoring that agree with each other, the image and the function', () => {
    expect(checkFunctionRuntime(inputs())).toEqual([]);
  });

  const cases: { reason: string; inputs: () => FunctionRuntimeInputs; expected: RegExp }[] = [
    {
      reason: 'the Function without runtimeConfigRef runs with Crossplane defaults',
      inputs: () => changed('Function', (fn) => delete fn.spec.runtimeConfigRef),
      expected: /has no spec\.runtimeConfigRef: Crossplane would run it with its defaults/,
    },
    {
      reason: 'one replica',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => (drc.spec.deploymentTemplate.spec.replicas = 1)),
      expected: /replicas is 1: set 2 or more/,
    },
    {
      reason: 'no spread over zones',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => drc.spec.deploymentTemplate.spec.template.spec.topologySpreadConstraints.pop()),
      expected: /no topologySpreadConstraints entry with topologyKey topology\.kubernetes\.io\/zone/,
    },
    {
      reason: 'a memory limit that no longer follows the heap bound',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => (container(drc).resources.limits.memory = '512Mi')),
      expected: /memory limit is 512Mi, but the image's heap bound gives 256Mi/,
    },
    {
      reason: 'a memory request below the limit',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => (container(drc).resources.requests.memory = '128Mi')),
      expected: /memory request 128Mi differs from its limit/,
    },
    {
      reason: 'a CPU limit',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => (container(drc).resources.limits.cpu = '500m')),
      expected: /has a CPU limit: remove it/,
    },
    {
      reason: 'metrics served on another port than the one declared',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => (container(drc).env[0].value = ':9090')),
      expected: /the container port named metrics is 8080, but METRICS_ADDRESS serves on 9090/,
    },
    {
      reason: 'metrics not turned on',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => (container(drc).env = [])),
      expected: /METRICS_ADDRESS undefined turns no metrics on/,
    },
    {
      reason: 'a misspelt setting, which the function would ignore',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => container(drc).env.push({ name: 'MAX_CONECTIONS', value: '128' })),
      expected: /env MAX_CONECTIONS is no setting of the function, which would ignore it: use one of .*MAX_CONNECTIONS/,
    },
    {
      reason: 'a connection limit the function refuses at startup',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => container(drc).env.push({ name: 'HANDSHAKE_TIMEOUT', value: '10' })),
      expected: /the function would refuse its environment and exit at startup: handshake timeout "10" must be a duration/,
    },
    {
      reason: 'a readiness probe on the wrong port',
      inputs: () => changed('DeploymentRuntimeConfig', (drc) => (container(drc).readinessProbe.tcpSocket.port = 8443)),
      expected: /readiness probe knocks on 8443, but the function serves gRPC on 9443/,
    },
    {
      reason: 'a disruption budget that selects other pods',
      inputs: () => changed('PodDisruptionBudget', (pdb) => (pdb.spec.selector.matchLabels = { app: 'function' })),
      expected: /no PodDisruptionBudget selects the function's pods/,
    },
    {
      reason: 'a disruption budget that allows no eviction',
      inputs: () => changed('PodDisruptionBudget', (pdb) => (pdb.spec.maxUnavailable = 0)),
      expected: /must keep at least 1 and allow at least 1 eviction/,
    },
    {
      reason: 'an alert on a job the PodMonitor does not make',
      inputs: () => changed('PrometheusRule', (rule) => (rule.spec.groups[0].rules[0].expr = 'sum(up{job="function"}) < 1')),
      expected: /selects job="function", but the PodMonitor's targets have job="crossplane-system\/function-eks-cluster"/,
    },
    {
      reason: 'a memory alert on another limit',
      inputs: () =>
        changed('PrometheusRule', (rule) => {
          const memory = rule.spec.groups[0].rules.find((r: { alert: string }) => r.alert === 'FunctionEksClusterMemoryHigh');
          memory.expr = memory.expr.replace('(256 * 1024 * 1024)', '(512 * 1024 * 1024)');
        }),
      expected: /divides by 512 MiB, but the function's memory limit is 256 MiB/,
    },
  ];
  it.each(cases)('finds $reason', ({ inputs: broken, expected }) => {
    expect(checkFunctionRuntime(broken()).join('\n')).toMatch(expected);
  });

  it("docs/operations.md's runtime config with connection limits sets settings the function reads and accepts", () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
    const example = /### Connection limits[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example, 'docs/operations.md has a yaml example under "Connection limits"').toBeDefined();
    const [drc] = parseObjects(example!, 'docs/operations.md');
    expect(get(drc, 'kind')).toBe('DeploymentRuntimeConfig');
    const env = get(container(drc as Breakable), 'env') as { name: string }[];
    expect(env.map((e) => e.name)).toEqual(expect.arrayContaining(['MAX_CONNECTIONS', 'HANDSHAKE_TIMEOUT', 'IDLE_TIMEOUT']));
    expect(checkEnvironment(drc!, 'docs/operations.md')).toEqual([]);
  });
});
