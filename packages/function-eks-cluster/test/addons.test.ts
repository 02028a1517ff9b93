/** The default add-ons: what a workload cluster needs to run the apps Flux delivers, in the order nodes allow. */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { validXr } from './support/bad-inputs.js';
import { mustCompose, reconcileToReady } from 'workshop';

function addon(result: ReturnType<typeof mustCompose>, name: string): JsonObject | undefined {
  return result.resources.find((r) => r.key === `addon-${name}`)?.body;
}

describe('metrics-server', () => {
  // apps/web/hpa.yaml scales on the metrics API, which nothing else installs.
  it('is a default add-on, installed once a node group is Ready, like coredns', () => {
    const { result, waves } = reconcileToReady(validXr());
    const composed = mustCompose(result);
    expect(dig(addon(composed, 'metrics-server'), 'spec', 'forProvider', 'addonName')).toBe('metrics-server');
    const waveOf = (key: string) => waves.findIndex((w) => w.includes(key));
    expect(waveOf('addon-metrics-server')).toBeGreaterThan(waveOf('nodegroup-general'));
    expect(waveOf('addon-metrics-server')).toBe(waveOf('addon-coredns'));
  });

  it('can be left out like any default add-on', () => {
    const xr = validXr();
    (xr.spec as JsonObject).addons = [{ name: 'metrics-server', enabled: false }];
    const { result } = reconcileToReady(xr);
    expect(addon(mustCompose(result), 'metrics-server')).toBeUndefined();
    expect(addon(mustCompose(compose({ composite: xr, observed: {} })), 'metrics-server')).toBeUndefined();
  });
});
