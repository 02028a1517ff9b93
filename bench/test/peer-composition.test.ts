/** The benchmark peer's Composition: field paths and patches as patch-and-transform reads them. */
import { describe, expect, it } from 'vitest';
import { fieldPath, template } from '../peer-composition.js';

describe('fieldPath', () => {
  it.each([
    { reason: 'plain keys are joined by dots', path: ['spec', 'forProvider', 'region'], want: 'spec.forProvider.region' },
    { reason: 'indexes go in brackets', path: ['spec', 'subnetIdRefs', 0, 'name'], want: 'spec.subnetIdRefs[0].name' },
    {
      reason: 'keys with dots, slashes or dashes go in brackets',
      path: ['metadata', 'annotations', 'crossplane.io/external-name'],
      want: 'metadata.annotations[crossplane.io/external-name]',
    },
    { reason: 'a dashed key is not an identifier', path: ['spec', 'tags', 'cost-center'], want: 'spec.tags[cost-center]' },
  ])('$reason', ({ path, want }) => {
    expect(fieldPath(path)).toBe(want);
  });
});

describe('template', () => {
  const xr = { metadata: { name: 'payments', namespace: 'team-payments' }, spec: { region: 'us-west-2', tags: { team: 'payments' }, types: ['m7i.large'] } };
  const body = {
    apiVersion: 'ec2.aws.m.upbound.io/v1beta1',
    kind: 'Subnet',
    metadata: { name: 'payments-subnet-a', namespace: 'team-payments' },
    spec: {
      forProvider: {
        region: 'us-west-2',
        availabilityZone: 'us-west-2a',
        cidrBlock: '10.0.0.0/19',
        tags: { team: 'payments', tier: 'private' },
        types: ['m7i.large'],
        count: 3,
      },
    },
  };
  const t = template('subnet-a', body, xr);

  it('keeps in the base what does not come from the XR: kind, CIDRs, literals, numbers', () => {
    expect(t.base).toEqual({
      apiVersion: 'ec2.aws.m.upbound.io/v1beta1',
      kind: 'Subnet',
      metadata: {},
      spec: { forProvider: { cidrBlock: '10.0.0.0/19', tags: { tier: 'private' }, count: 3 } },
    });
  });

  it.each([
    {
      reason: 'a value equal to an XR field is copied from it',
      to: 'spec.forProvider.region',
      want: { type: 'FromCompositeFieldPath', fromFieldPath: 'spec.region' },
    },
    {
      reason: 'the XR field with the same key wins over an earlier one with the same value',
      to: 'spec.forProvider.tags.team',
      want: { fromFieldPath: 'spec.tags.team' },
    },
    {
      reason: 'a string holding the XR name is combined, the first XR field holding it wins',
      to: 'metadata.name',
      want: { type: 'CombineFromComposite', combine: { variables: [{ fromFieldPath: 'metadata.name' }], strategy: 'string', string: { fmt: '%s-subnet-a' } } },
    },
    {
      reason: 'a string built on the region is combined',
      to: 'spec.forProvider.availabilityZone',
      want: { combine: { variables: [{ fromFieldPath: 'spec.region' }], strategy: 'string', string: { fmt: '%sa' } } },
    },
    { reason: 'an array equal to an XR array is copied whole', to: 'spec.forProvider.types', want: { fromFieldPath: 'spec.types' } },
  ])('$reason', ({ to, want }) => {
    expect(t.patches.filter((p) => p.toFieldPath === to)).toEqual([expect.objectContaining(want)]);
  });
});
