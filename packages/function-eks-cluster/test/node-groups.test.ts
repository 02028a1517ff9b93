/** What EKS fixes at node group creation is changed by a replacement group, Ready before the old one goes; the rest in place. */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { validXr } from './support/bad-inputs.js';
import { mustCompose, observedFrom, reconcileToReady } from 'workshop';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';

type Group = Record<string, unknown>;

function withGroup(change: (g: Group) => void, zones?: string[]): JsonObject {
  const xr = validXr();
  const spec = xr.spec as { nodeGroups: Group[]; network: { availabilityZones: string[] } };
  change(spec.nodeGroups[0]!);
  if (zones) spec.network.availabilityZones = zones;
  return xr;
}

const existing = reconcileToReady(validXr()).observed;
const forProvider = (result: ReturnType<typeof mustCompose>, field: string) =>
  dig(result.resources.find((r) => r.key === 'nodegroup-general')!.body, 'spec', 'forProvider', field);

describe('an existing node group', () => {
  it.each([
    { change: 'instance types', xr: withGroup((g) => (g.instanceTypes = ['m7i.xlarge'])), field: 'instanceTypes', old: ['m7i.large'], now: ['m7i.xlarge'] },
    { change: 'capacity type', xr: withGroup((g) => (g.capacityType = 'SPOT')), field: 'capacityType', old: 'ON_DEMAND', now: 'SPOT' },
    {
      change: 'AMI type',
      xr: withGroup((g) => (g.amiType = 'BOTTLEROCKET_x86_64')),
      field: 'amiType',
      old: 'AL2023_x86_64_STANDARD',
      now: 'BOTTLEROCKET_x86_64',
    },
    { change: 'disk size', xr: withGroup((g) => (g.diskSize = 100)), field: 'diskSize', old: 50, now: 100 },
    {
      change: 'zones (a zone named in its availabilityZones)',
      xr: withGroup((g) => (g.availabilityZones = ['a', 'b', 'c', 'd']), ['a', 'b', 'c', 'd']),
      field: 'subnetIdRefs',
      old: ['a', 'b', 'c'].map((z) => ({ name: `team-a-subnet-private-${z}` })),
      now: ['a', 'b', 'c', 'd'].map((z) => ({ name: `team-a-subnet-private-${z}` })),
    },
  ])('gets a replacement for a new $change, and keeps its own until the replacement is Ready', ({ xr, field, old, now }) => {
    const result = mustCompose(compose({ composite: xr, observed: existing }));
    const groups = result.resources.filter((r) => r.body.kind === 'NodeGroup');
    const replacement = groups.find((r) => r.key !== 'nodegroup-general')!;
    expect(groups.map((r) => r.key)).toEqual([replacement.key, 'nodegroup-general']);
    expect(replacement.key).toMatch(/^nodegroup-general-[0-9a-f]{6}$/);
    expect(dig(replacement.body, 'metadata', 'annotations', 'crossplane.io/external-name')).toBe(replacement.key.replace('nodegroup-', ''));
    expect(forProvider(result, field)).toEqual(old);
    expect(dig(replacement.body, 'spec', 'forProvider', field)).toEqual(now);
    expect(result.warnings).toContainEqual(
      expect.stringMatching(new RegExp(`^nodegroup-general is replaced by ${replacement.key} \\(.+ -> .+\\): .* once ${replacement.key} is Ready$`)),
    );
    // Once the replacement is Ready, the old group is left out: Crossplane deletes it and EKS drains it.
    const ready = mustCompose(compose({ composite: xr, observed: { ...existing, ...observedFrom(result, [replacement.key]) } }));
    expect(ready.resources.filter((r) => r.body.kind === 'NodeGroup').map((r) => r.key)).toEqual([replacement.key]);
    expect(ready.warnings).toEqual([]);
  });

  it('of an XR composed by an earlier release, a fixed field it does not report is no reason to replace it', () => {
    const older = structuredClone(existing);
    delete ((older['nodegroup-general']!.spec as JsonObject).forProvider as JsonObject).diskSize;
    const result = mustCompose(compose({ composite: validXr(), observed: older }));
    expect(result.resources.filter((r) => r.body.kind === 'NodeGroup').map((r) => r.key)).toEqual(['nodegroup-general']);
  });

  it.each([
    {
      change: 'sizes',
      xr: withGroup((g) => {
        g.minSize = 3;
        g.maxSize = 9;
      }),
      field: 'scalingConfig',
      applied: { minSize: 3, maxSize: 9 },
    },
    { change: 'labels', xr: withGroup((g) => (g.labels = { team: 'a' })), field: 'labels', applied: { team: 'a', 'eks.gitops.dev/node-group': 'general' } },
  ])('takes a change of $change in place, without a warning', ({ xr, field, applied }) => {
    const result = mustCompose(compose({ composite: xr, observed: existing }));
    expect(forProvider(result, field)).toEqual(applied);
    expect(result.warnings).toEqual([]);
  });

  it('a zone added to the network keeps a group that names no zones where it is, and says how to spread it', () => {
    const result = mustCompose(compose({ composite: withGroup(() => {}, ['a', 'b', 'c', 'd']), observed: existing }));
    expect(result.resources.filter((r) => r.body.kind === 'NodeGroup').map((r) => r.key)).toEqual(['nodegroup-general']);
    expect(forProvider(result, 'subnetIdRefs')).toEqual(['a', 'b', 'c'].map((z) => ({ name: `team-a-subnet-private-${z}` })));
    expect(result.warnings).toContainEqual(expect.stringMatching(/^node group general keeps its subnets: .*team-a-subnet-private-d.* availabilityZones/));
  });

  it('a new node group gets every zone', () => {
    const xr = withGroup(() => {}, ['a', 'b', 'c', 'd']);
    (xr.spec as { nodeGroups: Group[] }).nodeGroups.push({ name: 'zone-d-too' });
    const result = mustCompose(compose({ composite: xr, observed: existing }));
    const refs = dig(result.resources.find((r) => r.key === 'nodegroup-zone-d-too')?.body, 'spec', 'forProvider', 'subnetIdRefs');
    expect(refs).toEqual(['a', 'b', 'c', 'd'].map((z) => ({ name: `team-a-subnet-private-${z}` })));
  });
});

/** The existing node group as its provider reports it, running `desired` nodes now. */
function runningNodes(desired: number, shape: 'object' | 'list' = 'object'): Record<string, JsonObject> {
  const observed = structuredClone(existing);
  const group = observed['nodegroup-general']!;
  const atProvider = (group.status as JsonObject).atProvider as JsonObject;
  const scaling = { minSize: 2, maxSize: 6, desiredSize: desired };
  // The v2 CRD (.tools/crds/provider-aws/eks/eks.aws.m.upbound.io_nodegroups.yaml) has an object; older providers a one-item list.
  atProvider.scalingConfig = shape === 'object' ? scaling : [scaling];
  return observed;
}

describe('scaling an existing node group', () => {
  it.each(['object', 'list'] as const)('raising minSize above the live desired size (%s) raises desiredSize in the same update', (shape) => {
    const result = mustCompose(
      compose({
        composite: withGroup((g) => {
          g.minSize = 4;
        }),
        observed: runningNodes(2, shape),
      }),
    );
    expect(forProvider(result, 'scalingConfig')).toEqual({ minSize: 4, maxSize: 6, desiredSize: 4 });
  });

  it('lowering maxSize below the live desired size lowers desiredSize in the same update', () => {
    const result = mustCompose(
      compose({
        composite: withGroup((g) => {
          g.minSize = 1;
          g.maxSize = 3;
        }),
        observed: runningNodes(5),
      }),
    );
    expect(forProvider(result, 'scalingConfig')).toEqual({ minSize: 1, maxSize: 3, desiredSize: 3 });
  });

  it.each([
    { live: 4, min: 4, max: 6 },
    { live: 5, min: 3, max: 6 },
    { live: 6, min: 2, max: 6 },
  ])('leaves desiredSize to the autoscaler while the live $live nodes lie within $min to $max', ({ live, min, max }) => {
    const result = mustCompose(
      compose({
        composite: withGroup((g) => {
          g.minSize = min;
          g.maxSize = max;
        }),
        observed: runningNodes(live),
      }),
    );
    expect(forProvider(result, 'scalingConfig')).toEqual({ minSize: min, maxSize: max });
  });

  it('leaves desiredSize out when the live size is not reported yet', () => {
    const result = mustCompose(
      compose({
        composite: withGroup((g) => {
          g.minSize = 4;
        }),
        observed: existing,
      }),
    );
    expect(forProvider(result, 'scalingConfig')).toEqual({ minSize: 4, maxSize: 6 });
  });
});

describe('an existing cluster', () => {
  it('keeps the control-plane subnets it was created in when a zone is added; new node groups get the new zone', () => {
    const xr = withGroup(() => {}, ['a', 'b', 'c', 'd']);
    const result = mustCompose(compose({ composite: xr, observed: existing }));
    const cluster = result.resources.find((r) => r.key === CLUSTER_KEY)!.body;
    expect(dig(cluster, 'spec', 'forProvider', 'vpcConfig', 'subnetIdRefs')).toEqual(['a', 'b', 'c'].map((z) => ({ name: `team-a-subnet-private-${z}` })));
    expect(result.resources.map((r) => r.key)).toContain('subnet-private-d');
  });

  it('a new cluster starts in every zone', () => {
    const result = mustCompose(reconcileToReady(withGroup(() => {}, ['a', 'b', 'c', 'd'])).result);
    const cluster = result.resources.find((r) => r.key === CLUSTER_KEY)!.body;
    expect(dig(cluster, 'spec', 'forProvider', 'vpcConfig', 'subnetIdRefs')).toEqual(['a', 'b', 'c', 'd'].map((z) => ({ name: `team-a-subnet-private-${z}` })));
  });
});
