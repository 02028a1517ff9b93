/**
 * Egress for the private subnets: which NAT gateways exist, where they live,
 * and which one each zone's private route table points at.
 *
 * - None: no NAT; private subnets have no route out of the VPC.
 * - Single: one zonal NAT in one public subnet, shared by every zone. The zone
 *   is kept once the NAT exists, so adding a zone never moves (replaces) it.
 * - HighlyAvailable: one zonal NAT per zone; a zone loses egress only with its own NAT.
 * - Regional: one regional NAT gateway that AWS spreads across zones by itself.
 */
import type { NatMode } from '../api/eks-cluster.js';
import type { Zone } from './zones.js';

export type NatGateway =
  | { readonly key: string; readonly mode: 'zonal'; readonly zone: Zone; readonly eipKey: string; readonly publicSubnetKey: string }
  | { readonly key: string; readonly mode: 'regional' };

export interface NatPlan {
  readonly gateways: readonly NatGateway[];
  /** NAT gateway key that a zone's private default route targets; absent when mode is None. */
  readonly routeTarget: ReadonlyMap<string, string>;
}

export const SINGLE_NAT_KEY = 'nat';
export const REGIONAL_NAT_KEY = 'nat-regional';

function zonal(key: string, zone: Zone): NatGateway {
  return { key, mode: 'zonal', zone, eipKey: key.replace(/^nat/, 'eip'), publicSubnetKey: `subnet-public-${zone.key}` };
}

/**
 * @param zones canonical order
 * @param existingSingleNatZone zone key of the Single NAT if it already exists
 */
export function planNat(mode: NatMode, zones: readonly Zone[], existingSingleNatZone?: string): NatPlan {
  switch (mode) {
    case 'None':
      return { gateways: [], routeTarget: new Map() };
    case 'Single': {
      const home = zones.find((z) => z.key === existingSingleNatZone) ?? zones[0]!;
      return { gateways: [zonal(SINGLE_NAT_KEY, home)], routeTarget: new Map(zones.map((z) => [z.key, SINGLE_NAT_KEY])) };
    }
    case 'HighlyAvailable': {
      const gateways = zones.map((z) => zonal(`nat-${z.key}`, z));
      return { gateways, routeTarget: new Map(zones.map((z) => [z.key, `nat-${z.key}`])) };
    }
    case 'Regional':
      return {
        gateways: [{ key: REGIONAL_NAT_KEY, mode: 'regional' }],
        routeTarget: new Map(zones.map((z) => [z.key, REGIONAL_NAT_KEY])),
      };
  }
}
