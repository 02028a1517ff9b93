/** What EKS fixes at node group creation is kept, with a warning that says how to get the change. */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/api/schema-builder.js';
import { compose } from '../src/compose/compose.js';
import { dig } from '../src/compose/observed.js';
import { validXr } from './support/bad-inputs.js';
import { mustCompose, reconcileToReady } from './support/claims.js';

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
    { change: 'instance types', xr: withGroup((g) => (g.instanceTypes = ['m7i.xlarge'])), field: 'instanceTypes', kept: ['m7i.large'] },
    { change: 'capacity type', xr: withGroup((g) => (g.capacityType = 'SPOT')), field: 'capacityType', kept: 'ON_DEMAND' },
    { change: 'AMI type', xr: withGroup((g) => (g.amiType = 'BOTTLEROCKET_x86_64')), field: 'amiType', kept: 'AL2023_x86_64_STANDARD' },
    { change: 'disk size', xr: withGroup((g) => (g.diskSize = 100)), field: 'diskSize', kept: 50 },
    { change: 'zones (a zone added)', xr: withGroup(() => {}, ['a', 'b', 'c', 'd']), field: 'subnetIdRefs', kept: [{ name: 'team-a-subnet-private-a' }, { name: 'team-a-subnet-private-b' }, { name: 'team-a-subnet-private-c' }] },
  ])('keeps its $change and says how to change them', ({ xr, field, kept }) => {
    const result = mustCompose(compose({ composite: xr, observed: existing }));
    expect(forProvider(result, field)).toEqual(kept);
    expect(result.warnings).toContainEqual(expect.stringMatching(/^nodegroup-general keeps its .* add a node group with a new name and remove this one$/));
  });

  it.each([
    { change: 'sizes', xr: withGroup((g) => { g.minSize = 3; g.maxSize = 9; }), field: 'scalingConfig', applied: { minSize: 3, maxSize: 9 } },
    { change: 'labels', xr: withGroup((g) => (g.labels = { team: 'a' })), field: 'labels', applied: { team: 'a', 'eks.gitops.dev/node-group': 'general' } },
  ])('takes a change of $change in place, without a warning', ({ xr, field, applied }) => {
    const result = mustCompose(compose({ composite: xr, observed: existing }));
    expect(forProvider(result, field)).toEqual(applied);
    expect(result.warnings).toEqual([]);
  });

  it('a new node group gets every zone', () => {
    const xr = withGroup(() => {}, ['a', 'b', 'c', 'd']);
    (xr.spec as { nodeGroups: Group[] }).nodeGroups.push({ name: 'zone-d-too' });
    const result = mustCompose(compose({ composite: xr, observed: existing }));
    const refs = dig(result.resources.find((r) => r.key === 'nodegroup-zone-d-too')?.body, 'spec', 'forProvider', 'subnetIdRefs');
    expect(refs).toEqual(['a', 'b', 'c', 'd'].map((z) => ({ name: `team-a-subnet-private-${z}` })));
  });
});
