/**
 * Where pods get addresses under custom networking: the secondary block and
 * the pod subnets (network/pod-subnets.ts), planned against what exists.
 *
 * - The block is fixed once associated: AWS replaces an association whose
 *   CIDR changes (Terraform's cidr_block is ForceNew), and cannot disassociate
 *   it while its subnets exist, so a new block is refused with the way there.
 * - Switched off, the block and the pod subnets stay while a node group
 *   started with custom networking runs: its nodes' network interfaces are in
 *   the pod subnets (AWS refuses to delete a subnet with interfaces). The
 *   replacement groups (eks/node-groups.ts) retire them, and then the pod
 *   subnets go, and the association after them.
 */
import type { FieldError } from '../api/validate.js';
import { POD_NETWORK_LABEL } from '../eks/vpc-cni-config.js';
import { digString, type ObservedState } from '../ground/observed.js';
import { mustParseCidr, parseCidr, type Cidr } from '../network/cidr.js';
import { POD_CIDR_ASSOCIATION_KEY } from '../network/pod-network.js';
import { planPodSubnets, POD_TIER, type PlannedPodSubnet } from '../network/pod-subnets.js';
import type { XR } from './xr.js';

const POD_SUBNET_KEY = new RegExp(`^subnet-${POD_TIER}-(.+)$`);

export type PodNetworkPlan = { ok: true; block?: Cidr; subnets: PlannedPodSubnet[]; kept: boolean } | { ok: false; errors: FieldError[] };

function observedPodSubnets(observed: ObservedState): Map<string, Cidr> {
  const pins = new Map<string, Cidr>();
  for (const [key, resource] of Object.entries(observed.resources)) {
    if (!POD_SUBNET_KEY.test(key)) continue;
    const parsed = parseCidr(digString(resource, 'spec', 'forProvider', 'cidrBlock') ?? digString(resource, 'status', 'atProvider', 'cidrBlock') ?? '');
    if (parsed.ok) pins.set(key, parsed.cidr);
  }
  return pins;
}

/** Whether a node group started with custom networking still exists. */
function customNodesRun(observed: ObservedState): boolean {
  return Object.keys(observed.resources).some(
    (key) =>
      key.startsWith('nodegroup-') && (digString(observed.get(key), 'spec', 'forProvider', 'labels', POD_NETWORK_LABEL) ?? '').includes('custom-networking'),
  );
}

export function planPodNetwork(xr: XR, observed: ObservedState, vpc: Cidr): PodNetworkPlan {
  const associated = digString(observed.get(POD_CIDR_ASSOCIATION_KEY), 'spec', 'forProvider', 'cidrBlock');
  const wanted = xr.spec.network.podSubnets;
  if (wanted && associated && wanted.cidr !== associated) {
    return {
      ok: false,
      errors: [
        {
          path: 'spec.network.podSubnets.cidr',
          message: `changed from ${associated} to ${wanted.cidr}, but AWS cannot change an associated block, nor disassociate it while its pod subnets exist; set it back to ${associated}, or take spec.network.podSubnets out (the node groups are replaced and the pod subnets and block deleted), then set ${wanted.cidr}`,
        },
      ],
    };
  }
  const kept = !wanted && associated !== undefined && customNodesRun(observed);
  const text = wanted?.cidr ?? (kept ? associated : undefined);
  if (text === undefined) return { ok: true, subnets: [], kept: false };
  const block = mustParseCidr(text);
  const pinned = observedPodSubnets(observed);
  const planned = planPodSubnets({ block, vpc, zones: xr.zones, prefixLength: wanted?.prefixLength, pinned });
  if (!planned.ok) return planned;
  // Kept only for the nodes that use them: nothing new is created.
  const subnets = kept ? planned.subnets.filter((s) => pinned.has(s.key)) : planned.subnets;
  return { ok: true, block, subnets, kept };
}
