/**
 * IPv6 addressing (src/network/cidr6.ts, src/network/ipv6-plan.ts): the text
 * AWS writes, and the /64 plan's invariants over generated zone and tier sets:
 * blocks never overlap, always fit the VPC's /56, and never move when zones or
 * tiers are added.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contains6, formatCidr6, parseCidr6 } from 'function-eks-cluster/src/network/cidr6.js';
import { checkIpv6Zones, subnetIpv6Block, subnetIpv6Index } from 'function-eks-cluster/src/network/ipv6-plan.js';
import { TIERS, type Tier } from 'function-eks-cluster/src/network/subnet-plan.js';
import { resolveZones, type Zone } from 'function-eks-cluster/src/network/zones.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

describe('IPv6 CIDR text', () => {
  it.each([
    { reason: 'an Amazon-provided /56', text: '2600:1f14:abc:de00::/56', expected: '2600:1f14:abc:de00::/56' },
    { reason: 'upper case and leading zeros, as RFC 5952 writes neither', text: '2600:1F14:0ABC:DE05:0:0:0:0/64', expected: '2600:1f14:abc:de05::/64' },
    { reason: 'the whole space', text: '::/0', expected: '::/0' },
    { reason: 'a single zero group is not shortened', text: '2600:0:1:2:3:4:5:0/128', expected: '2600:0:1:2:3:4:5:0/128' },
    { reason: 'the longest zero run is the one shortened', text: '2600:0:0:1:0:0:0:0/64', expected: '2600:0:0:1::/64' },
  ])('reads and writes $reason', ({ text, expected }) => {
    expect(formatCidr6(parseCidr6(text)!)).toBe(expected);
  });

  it.each([
    { reason: 'host bits set', text: '2600:1f14:abc:de01::/56' },
    { reason: 'no prefix length', text: '2600:1f14:abc:de00::' },
    { reason: 'a prefix length above 128', text: '::/129' },
    { reason: 'two "::"', text: '2600::1::/64' },
    { reason: 'nine groups', text: '1:2:3:4:5:6:7:8:9/64' },
    { reason: 'a group of five digits', text: '2600:1f14a::/64' },
    { reason: 'an IPv4 CIDR', text: '10.0.0.0/16' },
  ])('refuses $reason', ({ text }) => {
    expect(parseCidr6(text)).toBeUndefined();
  });

  it('contains6: a /64 of the /56, not one beside it, nor the /56 in the /64', () => {
    const vpc = parseCidr6('2600:1f14:abc:de00::/56')!;
    expect(contains6(vpc, parseCidr6('2600:1f14:abc:deff::/64')!)).toBe(true);
    expect(contains6(vpc, parseCidr6('2600:1f14:abc:df00::/64')!)).toBe(false);
    expect(contains6(parseCidr6('2600:1f14:abc:de00::/64')!, vpc)).toBe(false);
  });
});

/** A region's zones as users write them: suffix letters, or zone IDs with their numbers. */
const zonesArb: fc.Arbitrary<Zone[]> = fc
  .oneof(
    fc.uniqueArray(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), { minLength: 1, maxLength: 6 }),
    fc.uniqueArray(fc.integer({ min: 1, max: 84 }), { minLength: 1, maxLength: 6 }).map((ns) => ns.map((n) => `usw2-az${n}`)),
  )
  .map((inputs) => resolveZones('us-west-2', inputs).zones);
const tiersArb = fc.subarray([...TIERS], { minLength: 1 });
const vpcBlockArb = fc.bigInt({ min: 0n, max: (1n << 56n) - 1n }).map((n) => formatCidr6({ base: n << 72n, prefixLength: 56 }));

function plan(vpc: string, zones: readonly Zone[], tiers: readonly Tier[]): Map<string, string> {
  const block = parseCidr6(vpc)!;
  return new Map(tiers.flatMap((tier) => zones.map((zone) => [`${tier}-${zone.key}`, subnetIpv6Block(block, tier, zone)] as const)));
}

describe('the /64 plan', () => {
  it('never overlaps, and every block is a /64 of the VPC’s /56', () => {
    fc.assert(
      fc.property(vpcBlockArb, zonesArb, tiersArb, (vpc, zones, tiers) => {
        expect(checkIpv6Zones(zones, 'zones')).toEqual([]);
        const blocks = [...plan(vpc, zones, tiers).values()];
        expect(new Set(blocks).size).toBe(blocks.length);
        for (const b of blocks) {
          const parsed = parseCidr6(b)!;
          expect(parsed.prefixLength).toBe(64);
          expect(contains6(parseCidr6(vpc)!, parsed)).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('is stable when zones or tiers are added: every block planned before is planned again', () => {
    fc.assert(
      fc.property(vpcBlockArb, zonesArb, tiersArb, zonesArb, tiersArb, (vpc, zones, tiers, moreZones, moreTiers) => {
        const byKey = new Map([...zones, ...moreZones].map((z) => [z.key, z]));
        const kind = zones[0]!.id ? 'id' : 'name';
        const allZones = [...byKey.values()].filter((z) => (z.id ? 'id' : 'name') === kind);
        const before = plan(vpc, zones, tiers);
        const after = plan(vpc, allZones, [...new Set([...tiers, ...moreTiers])]);
        for (const [key, block] of before) expect(after.get(key)).toBe(block);
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    { reason: 'zone a of the private tier', tier: 'private' as const, zone: 'a', index: 1 },
    { reason: 'zone a of the public tier, after the private share', tier: 'public' as const, zone: 'a', index: 85 },
    { reason: 'the last zone ID of the isolated tier: still inside the /56', tier: 'isolated' as const, zone: 'usw2-az84', index: 252 },
  ])('index: $reason', ({ tier, zone, index }) => {
    expect(subnetIpv6Index(tier, resolveZones('us-west-2', [zone]).zones[0]!)).toBe(index);
  });

  it('a zone ID beyond the planned numbers is refused, naming the fix', () => {
    const zones = resolveZones('us-west-2', ['usw2-az85', 'usw2-az1']).zones;
    expect(checkIpv6Zones(zones, 'spec.network.availabilityZones')).toEqual([
      {
        path: 'spec.network.availabilityZones',
        message: expect.stringMatching(/^zone "usw2-az85" has number 85, beyond the 84 zones per tier .*; write the zone by name/),
      },
    ]);
  });
});
