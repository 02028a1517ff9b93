import { describe, expect, it } from 'vitest';
import { resolveZones } from 'function-eks-cluster/src/network/zones.js';

describe('resolveZones', () => {
  it.each([
    { inputs: ['a', 'b', 'c'], keys: ['a', 'b', 'c'], names: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
    { inputs: ['c', 'a', 'b'], keys: ['a', 'b', 'c'], names: ['us-west-2a', 'us-west-2b', 'us-west-2c'] },
    { inputs: ['us-west-2b', 'a'], keys: ['a', 'b'], names: ['us-west-2a', 'us-west-2b'] },
    { inputs: ['usw2-az10', 'usw2-az2'], keys: ['usw2-az2', 'usw2-az10'], names: [undefined, undefined] },
  ])('$inputs resolve to $keys', ({ inputs, keys, names }) => {
    const { zones, errors } = resolveZones('us-west-2', inputs);
    expect(errors).toEqual([]);
    expect(zones.map((z) => z.key)).toEqual(keys);
    expect(zones.map((z) => z.name)).toEqual(names);
  });

  it.each([
    { inputs: ['a', 'a'], path: 'spec.network.availabilityZones[1]', text: 'list each zone once' },
    { inputs: ['a', 'us-west-2a'], path: 'spec.network.availabilityZones[1]', text: 'same zone as' },
    { inputs: ['a', 'usw2-az1'], path: 'spec.network.availabilityZones', text: 'mixes zone names and zone IDs' },
    { inputs: ['eu-west-1a', 'b'], path: 'spec.network.availabilityZones[0]', text: 'another region' },
    { inputs: ['zone-1', 'b'], path: 'spec.network.availabilityZones[0]', text: 'is not a zone' },
    { inputs: ['A', 'b'], path: 'spec.network.availabilityZones[0]', text: 'is not a zone' },
  ])('$inputs: $text', ({ inputs, path, text }) => {
    const { errors } = resolveZones('us-west-2', inputs);
    expect(errors).toContainEqual(expect.objectContaining({ path, message: expect.stringContaining(text) }));
  });
});
