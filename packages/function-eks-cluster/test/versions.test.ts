/** Upgrades walk one minor version at a time; nodes follow the control plane; downgrades are refused. */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/api/schema-builder.js';
import { compose } from '../src/compose/compose.js';
import { dig } from '../src/ground/observed.js';
import { validXr } from './support/bad-inputs.js';
import { mustCompose, reconcileToReady } from 'function-eks-cluster/testing';
import { CLUSTER_KEY } from '../src/eks/cluster.js';

function runningAt(version: string): Record<string, JsonObject> {
  const xr = validXr();
  (xr.spec as { kubernetesVersion: string }).kubernetesVersion = version;
  const { observed } = reconcileToReady(xr);
  ((observed[CLUSTER_KEY]!.status as JsonObject).atProvider as JsonObject).version = version;
  return observed;
}

function wanting(version: string): JsonObject {
  const xr = validXr();
  (xr.spec as { kubernetesVersion: string }).kubernetesVersion = version;
  return xr;
}

const versionOf = (result: ReturnType<typeof mustCompose>, key: string) =>
  dig(result.resources.find((r) => r.key === key)!.body, 'spec', 'forProvider', 'version');

describe('Kubernetes versions', () => {
  it.each([
    { running: '1.33', wanted: '1.33', controlPlane: '1.33', nodes: '1.33', note: false },
    { running: '1.33', wanted: '1.34', controlPlane: '1.34', nodes: '1.33', note: false },
    { running: '1.32', wanted: '1.34', controlPlane: '1.33', nodes: '1.32', note: true },
    { running: '1.30', wanted: '1.34', controlPlane: '1.31', nodes: '1.30', note: true },
  ])('running $running, wanting $wanted: control plane $controlPlane, nodes $nodes', ({ running, wanted, controlPlane, nodes, note }) => {
    const result = mustCompose(compose({ composite: wanting(wanted), observed: runningAt(running) }));
    expect(versionOf(result, CLUSTER_KEY)).toBe(controlPlane);
    expect(versionOf(result, 'nodegroup-general')).toBe(nodes);
    expect(result.status.cluster?.version).toBe(running);
    expect(result.warnings.some((w) => w.includes('one minor version at a time'))).toBe(note);
  });

  it('a new cluster gets the wanted version everywhere', () => {
    const { result } = reconcileToReady(wanting('1.33'));
    const composition = mustCompose(result);
    expect(versionOf(composition, CLUSTER_KEY)).toBe('1.33');
    expect(versionOf(composition, 'nodegroup-general')).toBe('1.33');
  });

  it('refuses a downgrade, naming the running version', () => {
    const result = compose({ composite: wanting('1.32'), observed: runningAt('1.33') });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { path: 'spec.kubernetesVersion', message: '"1.32" is older than the 1.33 the cluster runs; EKS cannot downgrade, set it back to "1.33"' },
    ]);
  });
});
