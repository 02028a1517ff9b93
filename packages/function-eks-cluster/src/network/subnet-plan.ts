/**
 * Subnet CIDR planning: one subnet per zone and tier, carved from the VPC.
 *
 * Stability rules (a subnet's CIDR can never change without replacing it):
 * - a subnet that already exists keeps its CIDR (it is "pinned");
 * - new subnets take the lowest free aligned block, largest blocks first,
 *   zones in canonical order, so the result never depends on list order.
 */
import type { FieldError } from '../api/validate.js';
import { blockSize, contains, formatCidr, lowestFreeBlock, overlaps, type Cidr } from './cidr.js';
import { compareKeys, type Zone } from './zones.js';

export const TIERS = ['private', 'public', 'isolated'] as const;
export type Tier = (typeof TIERS)[number];

/** AWS accepts subnets from /16 to /28. */
const SMALLEST_SUBNET_PREFIX = 28;

export interface TierRequest {
  readonly tier: Tier;
  readonly prefixLength: number;
}

export interface PlannedSubnet {
  readonly key: string;
  readonly tier: Tier;
  readonly zone: Zone;
  readonly cidr: Cidr;
}

export interface SubnetPlanInput {
  readonly vpc: Cidr;
  readonly zones: readonly Zone[];
  readonly tiers: readonly TierRequest[];
  /** CIDRs of subnets that exist already, by subnet key. */
  readonly pinned: ReadonlyMap<string, Cidr>;
}

export type SubnetPlanResult = { ok: true; subnets: PlannedSubnet[]; warnings: string[] } | { ok: false; errors: FieldError[] };

function subnetKey(tier: Tier, zone: Zone): string {
  return `subnet-${tier}-${zone.key}`;
}

/** Default sizes relative to the VPC: private subnets are large because every pod takes a VPC address. */
export function defaultPrefixLength(tier: Tier, vpcPrefixLength: number): number {
  const offset = { private: 3, public: 8, isolated: 6 }[tier];
  return Math.min(vpcPrefixLength + offset, SMALLEST_SUBNET_PREFIX);
}

interface Slot {
  key: string;
  tier: Tier;
  zone: Zone;
  prefixLength: number;
}

function allocate(vpc: Cidr, slots: readonly Slot[], pinned: ReadonlyMap<string, Cidr>): Map<string, Cidr> | undefined {
  const taken: Cidr[] = [...pinned.values()];
  const result = new Map<string, Cidr>();
  const fresh = slots
    .filter((s) => !pinned.has(s.key))
    .sort((a, b) => a.prefixLength - b.prefixLength || TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier) || compareKeys(a.zone.key, b.zone.key));
  for (const slot of fresh) {
    const block = lowestFreeBlock(vpc, slot.prefixLength, taken);
    if (!block) return undefined;
    taken.push(block);
    result.set(slot.key, block);
  }
  return result;
}

function checkPins(vpc: Cidr, pinned: ReadonlyMap<string, Cidr>): FieldError[] {
  const errors: FieldError[] = [];
  const entries = [...pinned.entries()];
  for (const [key, cidr] of entries) {
    if (!contains(vpc, cidr)) {
      errors.push({
        path: 'spec.network.vpcCidr',
        message: `existing subnet ${key} (${formatCidr(cidr)}) lies outside the VPC ${formatCidr(vpc)}; the VPC CIDR cannot change under existing subnets, restore the previous vpcCidr`,
      });
    }
  }
  for (let i = 0; i < entries.length; i++) {
    for (let j = i + 1; j < entries.length; j++) {
      const [keyA, a] = entries[i]!;
      const [keyB, b] = entries[j]!;
      if (overlaps(a, b)) {
        errors.push({
          path: 'status.subnets',
          message: `existing subnets ${keyA} (${formatCidr(a)}) and ${keyB} (${formatCidr(b)}) overlap; fix the observed subnets before the function can plan`,
        });
      }
    }
  }
  return errors;
}

function describeDemand(slots: readonly Slot[]): string {
  const counts = new Map<string, number>();
  for (const s of slots) counts.set(`${s.tier} /${s.prefixLength}`, (counts.get(`${s.tier} /${s.prefixLength}`) ?? 0) + 1);
  return [...counts.entries()].map(([what, n]) => `${n} ${what}`).join(' + ');
}

function fitError(input: SubnetPlanInput, slots: readonly Slot[]): FieldError {
  const needed = slots.reduce((sum, s) => sum + blockSize(s.prefixLength), 0);
  const vpcFits = 32 - Math.ceil(Math.log2(needed));
  const privateSlot = slots.find((s) => s.tier === 'private');
  let privateHint = '';
  if (privateSlot) {
    for (let p = privateSlot.prefixLength + 1; p <= SMALLEST_SUBNET_PREFIX; p++) {
      const resized = slots.map((s) => (s.tier === 'private' ? { ...s, prefixLength: p } : s));
      if (allocate(input.vpc, resized, input.pinned)) {
        privateHint = `, or set spec.network.subnets.private.prefixLength to ${p}`;
        break;
      }
    }
  }
  return {
    path: 'spec.network.vpcCidr',
    message: `${formatCidr(input.vpc)} (${blockSize(input.vpc.prefixLength)} addresses) cannot hold ${describeDemand(slots)} subnets (${needed} addresses); use a /${Math.min(vpcFits, input.vpc.prefixLength - 1)} or larger VPC${privateHint}`,
  };
}

export function planSubnets(input: SubnetPlanInput): SubnetPlanResult {
  const errors: FieldError[] = [];
  for (const { tier, prefixLength } of input.tiers) {
    if (prefixLength <= input.vpc.prefixLength) {
      errors.push({
        path: `spec.network.subnets.${tier}.prefixLength`,
        message: `/${prefixLength} is not smaller than the VPC ${formatCidr(input.vpc)}; use a prefix length above ${input.vpc.prefixLength}`,
      });
    }
  }
  errors.push(...checkPins(input.vpc, input.pinned));
  if (errors.length > 0) return { ok: false, errors };

  const slots: Slot[] = input.tiers.flatMap(({ tier, prefixLength }) => input.zones.map((zone) => ({ key: subnetKey(tier, zone), tier, zone, prefixLength })));
  const warnings: string[] = [];
  for (const slot of slots) {
    const pin = input.pinned.get(slot.key);
    if (pin && pin.prefixLength !== slot.prefixLength) {
      warnings.push(
        `${slot.key} exists as ${formatCidr(pin)} and keeps it; spec.network.subnets.${slot.tier}.prefixLength /${slot.prefixLength} applies to new subnets only (re-addressing would replace the subnet)`,
      );
    }
  }
  const allocated = allocate(input.vpc, slots, input.pinned);
  if (!allocated) return { ok: false, errors: [fitError(input, slots)] };
  const subnets = slots.map((slot) => ({
    key: slot.key,
    tier: slot.tier,
    zone: slot.zone,
    cidr: input.pinned.get(slot.key) ?? allocated.get(slot.key)!,
  }));
  return { ok: true, subnets, warnings };
}
