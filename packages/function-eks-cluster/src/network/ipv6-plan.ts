/**
 * IPv6 addressing of a composed network (spec.network.ipFamily DualStack or
 * IPv6): Amazon gives the VPC a /56 (assignGeneratedIpv6CidrBlock), known only
 * once the VPC reports it, and each subnet gets one of its 256 /64s.
 *
 * A subnet's /64 is a function of its tier and zone alone (subnetIpv6Index),
 * so adding a zone or a tier never moves another subnet's block, whatever
 * order anything is listed or created in; a subnet that has a block keeps it.
 * AWS lets a subnet's IPv6 block be associated in place, but once a subnet
 * assigns IPv6 addresses on creation the provider replaces it when the block
 * changes (workshop/aws-rules/immutable.ts), so a block is never moved.
 */
import type { FieldError } from '../api/validate.js';
import type { Tier } from './subnet-plan.js';
import type { Zone } from './zones.js';
import { formatCidr6, nthBlock6, type Cidr6 } from './cidr6.js';

/** The prefix length of the Amazon-provided VPC block, and of every subnet's block. */
export const VPC_IPV6_PREFIX = 56;
export const SUBNET_IPV6_PREFIX = 64;

/** Zone numbers 1..ZONE_SLOTS fit each tier's share of the 256 /64s; tiers take consecutive shares. */
const ZONE_SLOTS = 84;
const TIER_SHARE: Readonly<Record<Tier, number>> = { private: 0, public: 1, isolated: 2 };

/**
 * The number of a zone within its region: the letter of a name (a = 1), or
 * the number of a zone ID (usw2-az4 = 4). Both are fixed for the zone's life.
 */
export function zoneNumber(zone: Zone): number {
  const id = zone.id ? /-az(\d+)$/.exec(zone.id) : null;
  if (id) return Number(id[1]);
  return zone.key.charCodeAt(0) - 'a'.charCodeAt(0) + 1;
}

/** Which /64 of the VPC's /56 a subnet takes: its tier's share, then its zone's number. */
export function subnetIpv6Index(tier: Tier, zone: Zone): number {
  return TIER_SHARE[tier] * ZONE_SLOTS + zoneNumber(zone);
}

/** Every zone has a /64 in each tier, or says which cannot. */
export function checkIpv6Zones(zones: readonly Zone[], path: string): FieldError[] {
  return zones
    .filter((z) => zoneNumber(z) < 1 || zoneNumber(z) > ZONE_SLOTS)
    .map((z) => ({
      path,
      message: `zone ${JSON.stringify(z.input)} has number ${zoneNumber(z)}, beyond the ${ZONE_SLOTS} zones per tier an IPv6 /56 is planned for; write the zone by name (a, b, ...) or use ipFamily IPv4`,
    }));
}

/** The /64 of a subnet inside the VPC's /56. */
export function subnetIpv6Block(vpcBlock: Cidr6, tier: Tier, zone: Zone): string {
  return formatCidr6(nthBlock6(vpcBlock, SUBNET_IPV6_PREFIX, subnetIpv6Index(tier, zone)));
}
