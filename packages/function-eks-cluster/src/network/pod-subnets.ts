/**
 * Pod subnets for VPC CNI custom networking (spec.network.podSubnets): one
 * per zone, carved from a secondary block associated with the VPC, never from
 * the VPC's primary block (subnet-plan.ts plans that one).
 *
 * Same stability rules as the primary plan: a pod subnet that exists keeps
 * its CIDR, new ones take the lowest free aligned block in canonical zone
 * order, and the default size leaves room for the most zones the API allows,
 * so a zone added later never re-addresses another.
 */
import type { FieldError } from '../api/validate.js';
import { blockSize, contains, formatCidr, lowestFreeBlock, mustParseCidr, overlaps, parseCidr, type Cidr } from './cidr.js';
import { compareKeys, type Zone } from './zones.js';

/** The tier word pod subnets carry in keys, labels and tags. */
export const POD_TIER = 'pods';

/** Room for six zones (the API's maximum): 2^3 slots. */
const DEFAULT_OFFSET = 3;
const SMALLEST_SUBNET_PREFIX = 28;

export interface PlannedPodSubnet {
  readonly key: string;
  readonly zone: Zone;
  readonly cidr: Cidr;
}

export interface PodSubnetPlanInput {
  /** The secondary block. */
  readonly block: Cidr;
  /** The VPC's primary block, which no pod subnet may touch. */
  readonly vpc: Cidr;
  readonly zones: readonly Zone[];
  /** spec.network.podSubnets.prefixLength, when set. */
  readonly prefixLength?: number;
  /** CIDRs of pod subnets that exist already, by key. */
  readonly pinned: ReadonlyMap<string, Cidr>;
}

export type PodSubnetPlanResult = { ok: true; subnets: PlannedPodSubnet[] } | { ok: false; errors: FieldError[] };

export function podSubnetKey(zone: Pick<Zone, 'key'>): string {
  return `subnet-${POD_TIER}-${zone.key}`;
}

export function defaultPodPrefixLength(blockPrefixLength: number): number {
  return Math.min(blockPrefixLength + DEFAULT_OFFSET, SMALLEST_SUBNET_PREFIX);
}

export function planPodSubnets(input: PodSubnetPlanInput): PodSubnetPlanResult {
  const { block, vpc, zones, pinned } = input;
  const cidr = formatCidr(block);
  const prefixLength = input.prefixLength ?? defaultPodPrefixLength(block.prefixLength);
  if (overlaps(block, vpc)) {
    return {
      ok: false,
      errors: [
        { path: 'spec.network.podSubnets.cidr', message: `${cidr} overlaps the VPC block ${formatCidr(vpc)}; use a block outside it, e.g. 100.64.0.0/16` },
      ],
    };
  }
  if (prefixLength <= block.prefixLength) {
    return {
      ok: false,
      errors: [
        {
          path: 'spec.network.podSubnets.prefixLength',
          message: `/${prefixLength} is not smaller than the pod block ${cidr}; use a prefix length above ${block.prefixLength}`,
        },
      ],
    };
  }
  const strays = [...pinned.entries()].filter(([, c]) => !contains(block, c));
  if (strays.length > 0) {
    return {
      ok: false,
      errors: [
        {
          path: 'spec.network.podSubnets.cidr',
          message: `existing pod subnets ${strays.map(([k, c]) => `${k} (${formatCidr(c)})`).join(', ')} lie outside ${cidr}; the pod block cannot change under existing pod subnets: restore the previous cidr, or take spec.network.podSubnets out first`,
        },
      ],
    };
  }
  const taken = [...pinned.values()];
  const subnets: PlannedPodSubnet[] = [];
  for (const zone of [...zones].sort((a, b) => compareKeys(a.key, b.key))) {
    const key = podSubnetKey(zone);
    const pin = pinned.get(key);
    const chosen = pin ?? lowestFreeBlock(block, prefixLength, taken);
    if (!chosen) {
      const fits = Math.floor(Math.log2(blockSize(block.prefixLength) / blockSize(prefixLength)));
      return {
        ok: false,
        errors: [
          {
            path: 'spec.network.podSubnets.prefixLength',
            message: `${cidr} cannot hold ${zones.length} pod subnets of /${prefixLength}; use a prefix length of /${block.prefixLength + Math.ceil(Math.log2(zones.length))} or more, or a larger block (it holds ${2 ** fits} today)`,
          },
        ],
      };
    }
    if (!pin) taken.push(chosen);
    subnets.push({ key, zone, cidr: chosen });
  }
  // Back in the zones' given (canonical) order.
  const order = new Map(zones.map((z, i) => [z.key, i]));
  return { ok: true, subnets: subnets.sort((a, b) => order.get(a.zone.key)! - order.get(b.zone.key)!) };
}

/**
 * The private ranges AWS restricts a secondary block to by the VPC's primary
 * block: one in such a range is associated only with a VPC whose primary block
 * is in the same range; 100.64.0.0/10 and public ranges go with any ("IPv4
 * CIDR block association restrictions",
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html).
 */
const RESTRICTED_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '198.19.0.0/16'].map((text) => ({ text, cidr: mustParseCidr(text) }));

/** spec.network.podSubnets.cidr on its own and against the VPC block: what AWS would refuse to associate. */
export function checkPodBlock(text: string, vpc: Cidr | undefined): FieldError[] {
  const path = 'spec.network.podSubnets.cidr';
  const parsed = parseCidr(text);
  if (!parsed.ok) return [{ path, message: `${JSON.stringify(text)} ${parsed.reason}` }];
  const block = parsed.cidr;
  if (block.prefixLength < 16 || block.prefixLength > 24) {
    return [{ path, message: `${text} has prefix /${block.prefixLength}; use /16 to /24 (AWS associates /16 to /28, and pods need room), e.g. 100.64.0.0/16` }];
  }
  if (!vpc) return [];
  if (overlaps(block, vpc)) return [{ path, message: `${text} overlaps the VPC block ${formatCidr(vpc)}; use a block outside it, e.g. 100.64.0.0/16` }];
  const range = RESTRICTED_RANGES.find((r) => contains(r.cidr, block));
  if (range && !contains(range.cidr, vpc)) {
    return [
      {
        path,
        message: `${text} lies in ${range.text}, which AWS associates only with a VPC whose primary block is in that range too (the VPC's is ${formatCidr(vpc)}); use a block in 100.64.0.0/10, e.g. 100.64.0.0/16`,
      },
    ];
  }
  return [];
}
