/**
 * Pod networking when VPC addresses run out (spec.network.podSubnets: custom
 * networking in a secondary block; spec.network.prefixDelegation): what is
 * composed, the address plan's invariants, and what is refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/api/schema-builder.js';
import { compose } from '../src/compose/compose.js';
import { dig } from '../src/ground/observed.js';
import { contains, formatCidr, mustParseCidr, overlaps } from '../src/network/cidr.js';
import { planPodSubnets, podSubnetKey } from '../src/network/pod-subnets.js';
import { resolveZones } from '../src/network/zones.js';
import { converge, SimulatedWorld } from '../dev/aws-world.js';
import { exampleShape, mustCompose, xrDocument } from '../dev/xrs.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

type Spec = JsonObject & { network: JsonObject };
function xrWith(edit: (spec: Spec) => void, shape = exampleShape({ zones: ['a', 'b', 'c'] })): JsonObject {
  const xr = xrDocument(shape);
  edit(xr.spec as Spec);
  return xr;
}
const pods = (spec: Spec) => (spec.network.podSubnets = { cidr: '100.64.0.0/16' });
const byKind = (resources: { key: string; body: JsonObject }[], kind: string) => resources.filter((r) => r.body.kind === kind);
const forProvider = (body: JsonObject) => dig(body, 'spec', 'forProvider') as JsonObject;
/** The desired state once everything is Ready (add-ons wait for the cluster). */
function settled(xr: JsonObject) {
  const world = new SimulatedWorld();
  const run = converge(world, xr);
  expect(run.settled).toBe(true);
  return mustCompose(compose({ composite: run.xr, observed: world.observed() }));
}
const cniValues = (resources: { key: string; body: JsonObject }[]) => {
  const values = forProvider(resources.find((r) => r.key === 'addon-vpc-cni')!.body).configurationValues;
  return values === undefined ? undefined : (JSON.parse(String(values)) as { env: Record<string, string> });
};

describe('custom networking composes a secondary block, a pod subnet per zone and the CNI switches', () => {
  it('the block, three pod subnets inside it routed by their zone’s private table, and vpc-cni configured', () => {
    const result = settled(xrWith(pods));
    const association = result.resources.find((r) => r.key === 'vpc-cidr-pods')!;
    expect(association.body.kind).toBe('VPCIPv4CidrBlockAssociation');
    expect(forProvider(association.body).cidrBlock).toBe('100.64.0.0/16');
    const podSubnets = byKind(result.resources, 'Subnet').filter((r) => r.key.startsWith('subnet-pods-'));
    expect(podSubnets.map((r) => [r.key, forProvider(r.body).cidrBlock])).toEqual([
      ['subnet-pods-a', '100.64.0.0/19'],
      ['subnet-pods-b', '100.64.32.0/19'],
      ['subnet-pods-c', '100.64.64.0/19'],
    ]);
    // No Karpenter discovery or load balancer tag: nodes and load balancers stay in the private subnets.
    for (const s of podSubnets)
      expect(Object.keys(forProvider(s.body).tags as JsonObject).filter((t) => t.startsWith('karpenter') || t.includes('elb'))).toEqual([]);
    const rta = result.resources.find((r) => r.key === 'rta-pods-b')!;
    expect(dig(rta.body, 'spec', 'forProvider', 'routeTableIdRef', 'name')).toBe('team-a-rt-private-b');
    expect(cniValues(result.resources)).toEqual({ env: { AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true', ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone' } });
    // Each pod subnet is deleted before the block it lies in.
    expect(result.resources.map((r) => r.key)).toContain('usage-subnet-pods-a-uses-vpc-cidr-pods');
    // Node groups are labelled with how their pods are addressed.
    const group = byKind(result.resources, 'NodeGroup')[0]!;
    expect(dig(group.body, 'spec', 'forProvider', 'labels', 'eks.gitops.dev/pod-network')).toBe('custom-networking');
    // The facts name the pod subnets by zone, for the ENIConfigs.
    const facts = result.resources.find((r) => r.key === 'cluster-facts')!.body.data as Record<string, string>;
    expect(facts.pod_subnet_zones).toBe('us-west-2a,us-west-2b,us-west-2c');
    expect(facts.pod_subnet_ids!.split(',')).toEqual(['a', 'b', 'c'].map((z) => facts[`pod_subnet_id_${z}`]));
    expect(facts.pod_cidr).toBe('100.64.0.0/16');
  });

  it('prefix delegation adds its variables to the user’s own configurationValues', () => {
    const result = settled(
      xrWith((spec) => {
        spec.network.prefixDelegation = true;
        spec.addons = [{ name: 'vpc-cni', configurationValues: '{"env":{"WARM_IP_TARGET":"5"},"init":{"env":{"DISABLE_TCP_EARLY_DEMUX":"true"}}}' }];
      }),
    );
    expect(cniValues(result.resources)).toEqual({
      env: { WARM_IP_TARGET: '5', ENABLE_PREFIX_DELEGATION: 'true', WARM_PREFIX_TARGET: '1' },
      init: { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } },
    });
  });

  it('an XR without the switches composes no configurationValues and no pod network', () => {
    const result = settled(xrWith(() => {}));
    expect(cniValues(result.resources)).toBeUndefined();
    expect(result.resources.filter((r) => r.key.includes('pods'))).toEqual([]);
  });

  it('with the VPC endpoints, their security group lets HTTPS in from the pod block too', () => {
    const result = mustCompose(compose({ composite: xrWith((spec) => (pods(spec), (spec.network.vpcEndpoints = 'Enabled'))), observed: {} }));
    const rule = result.resources.find((r) => r.key === 'vpce-sg-https-pods');
    expect(rule && forProvider(rule.body).cidrIpv4).toBe('100.64.0.0/16');
  });
});

describe('refused, naming the field, the value and the fix', () => {
  it.each([
    {
      reason: 'a block overlapping the VPC',
      edit: (s: Spec) => (s.network.podSubnets = { cidr: '10.10.128.0/17' }),
      path: 'spec.network.podSubnets.cidr',
      says: 'overlaps',
    },
    {
      reason: 'a private range AWS does not associate with this VPC’s',
      edit: (s: Spec) => (s.network.podSubnets = { cidr: '192.168.0.0/16' }),
      path: 'spec.network.podSubnets.cidr',
      says: '100.64.0.0/10',
    },
    {
      reason: 'a block too large',
      edit: (s: Spec) => (s.network.podSubnets = { cidr: '100.64.0.0/10' }),
      path: 'spec.network.podSubnets.cidr',
      says: '/16 to /24',
    },
    {
      reason: 'pod subnets too large for the zones',
      edit: (s: Spec) => (s.network.podSubnets = { cidr: '100.64.0.0/16', prefixLength: 17 }),
      path: 'spec.network.podSubnets.prefixLength',
      says: 'cannot hold 3',
    },
    {
      reason: 'Auto Mode',
      edit: (s: Spec) => ((s.network.prefixDelegation = true), (s.autoMode = { enabled: true }), (s.nodeGroups = [])),
      path: 'spec.network.prefixDelegation',
      says: 'Auto Mode',
    },
    {
      reason: 'custom networking with IPv6 pods (EKS has it for IPv4 pods only)',
      edit: (s: Spec) => (pods(s), (s.network.ipFamily = 'IPv6')),
      path: 'spec.network.podSubnets',
      says: 'ipFamily DualStack',
    },
    {
      reason: 'prefix delegation with IPv6 pods (always in prefix mode)',
      edit: (s: Spec) => ((s.network.prefixDelegation = true), (s.network.ipFamily = 'IPv6')),
      path: 'spec.network.prefixDelegation',
      says: 'prefix delegation is always on',
    },
    {
      reason: 'vpc-cni switched off',
      edit: (s: Spec) => (pods(s), (s.addons = [{ name: 'vpc-cni', enabled: false }])),
      path: 'spec.addons[0].enabled',
      says: 'remove enabled: false',
    },
    {
      reason: 'the user setting a variable a switch sets',
      edit: (s: Spec) => (
        (s.network.prefixDelegation = true),
        (s.addons = [{ name: 'vpc-cni', configurationValues: '{"env":{"ENABLE_PREFIX_DELEGATION":"false"}}' }])
      ),
      path: 'spec.addons[0].configurationValues',
      says: 'remove it',
    },
    {
      reason: 'configurationValues that are not a JSON object',
      edit: (s: Spec) => (pods(s), (s.addons = [{ name: 'vpc-cni', configurationValues: 'env: {}' }])),
      path: 'spec.addons[0].configurationValues',
      says: 'as JSON',
    },
  ])('$reason', ({ edit, path, says }) => {
    const result = compose({ composite: xrWith(edit), observed: {} });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => e.path)).toContain(path);
    expect(errors.find((e) => e.path === path)!.message).toContain(says);
  });

  it('custom networking in an existing network', () => {
    const xr = xrDocument(exampleShape({ existing: true }));
    ((xr.spec as Spec).network as JsonObject).podSubnets = { cidr: '100.64.0.0/16' };
    const result = compose({ composite: xr, observed: {} });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['spec.network.podSubnets']);
  });
});

describe('the pod subnet plan', () => {
  const zoneArb = fc.shuffledSubarray(['a', 'b', 'c', 'd', 'e', 'f'], { minLength: 1, maxLength: 6 });
  const blockArb = fc.constantFrom('100.64.0.0/16', '100.64.0.0/20', '100.127.255.0/24', '10.200.0.0/16');
  const vpcArb = fc.constantFrom('10.0.0.0/16', '10.10.0.0/16', '172.16.0.0/16');

  it('never overlaps the VPC, gives each zone one subnet inside the block, pairwise apart', () => {
    fc.assert(
      fc.property(blockArb, vpcArb, zoneArb, (blockText, vpcText, inputs) => {
        const { zones } = resolveZones('us-west-2', inputs);
        const block = mustParseCidr(blockText);
        const vpc = mustParseCidr(vpcText);
        const plan = planPodSubnets({ block, vpc, zones, pinned: new Map() });
        if (!plan.ok) return;
        expect(plan.subnets.map((s) => s.zone.key)).toEqual(zones.map((z) => z.key));
        for (const [i, s] of plan.subnets.entries()) {
          expect(contains(block, s.cidr)).toBe(true);
          expect(overlaps(s.cidr, vpc)).toBe(false);
          for (const t of plan.subnets.slice(i + 1)) expect(overlaps(s.cidr, t.cidr)).toBe(false);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('is stable when zones are added: every existing pod subnet keeps its CIDR, with the default size no plan ever fails', () => {
    fc.assert(
      fc.property(blockArb, zoneArb, zoneArb, (blockText, before, added) => {
        const block = mustParseCidr(blockText);
        const vpc = mustParseCidr('10.0.0.0/16');
        const first = planPodSubnets({ block, vpc, zones: resolveZones('us-west-2', before).zones, pinned: new Map() });
        if (!first.ok) throw new Error(JSON.stringify(first.errors));
        const pinned = new Map(first.subnets.map((s) => [s.key, s.cidr]));
        const all = [...new Set([...before, ...added])];
        const second = planPodSubnets({ block, vpc, zones: resolveZones('us-west-2', all).zones, pinned });
        if (!second.ok) throw new Error(JSON.stringify(second.errors));
        for (const s of first.subnets) {
          expect(formatCidr(second.subnets.find((t) => t.key === podSubnetKey(s.zone))!.cidr)).toBe(formatCidr(s.cidr));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
