/**
 * The promises of docs/guarantees.md, over thousands of generated XRs and
 * observed states. Each property names the promise it keeps.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from '../src/api/schema-builder.js';
import { compose, type Composition } from '../src/compose/compose.js';
import { dig } from '../src/ground/observed.js';
import { blockSize, mustParseCidr, overlaps, contains } from '../src/network/cidr.js';
import {
  EXISTING_VPC_ID,
  existingSubnetId,
  FLUX_ROLE_ARN,
  isTooSmall,
  mustCompose,
  observedFrom,
  observeNotReady,
  passOf,
  reconcileToReady,
  simulateTeardown,
  xrArb,
  xrDocument,
  type XRShape,
} from 'function-eks-cluster/testing';
import { CLUSTER_KEY } from '../src/eks/cluster.js';
import { REGIONAL_NAT_KEY, SINGLE_NAT_KEY } from '../src/network/nat.js';
import { IGW_KEY, PUBLIC_ROUTE_TABLE_KEY, VPC_KEY } from '../src/network/resources.js';
import { FLOW_LOG_GROUP_KEY, FLOW_LOG_ROLE_KEY } from '../src/network/flow-logs.js';
import { CLUSTER_FACTS_KEY } from '../src/lifecycle/cluster-facts.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);
const params = { numRuns: RUNS };

function fp(body: JsonObject, ...path: (string | number)[]): Json | undefined {
  return dig(body, 'spec', 'forProvider', ...path);
}

function byKey(result: Composition): Map<string, JsonObject> {
  return new Map(result.resources.map((r) => [r.key, r.body]));
}

function keyOfName(result: Composition, name: string): string | undefined {
  return result.resources.find((r) => dig(r.body, 'metadata', 'name') === name)?.key;
}

/** Every name a resource refers to, with the field it came from. */
function references(value: Json | undefined, field = ''): { field: string; name: string }[] {
  if (Array.isArray(value)) return value.flatMap((v) => references(v, field));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    if (key === 'providerConfigRef') return [];
    if (key.endsWith('Ref') || key === 'resourceRef') return typeof dig(child, 'name') === 'string' ? [{ field: key, name: String(dig(child, 'name')) }] : [];
    if (key.endsWith('Refs') && Array.isArray(child)) return child.map((c) => ({ field: key, name: String(dig(c, 'name')) }));
    return references(child, key);
  });
}

function selectors(value: Json | undefined): JsonObject[] {
  if (Array.isArray(value)) return value.flatMap(selectors);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key.endsWith('Selector') && typeof child === 'object' && child !== null && !Array.isArray(child) ? [child] : selectors(child),
  );
}

/** Generated XRs reconciled to all-Ready; XRs too big for their VPC are skipped (their error is tested below). */
function readyComposition(shape: XRShape): Composition | undefined {
  const { result } = reconcileToReady(xrDocument(shape));
  if (isTooSmall(result)) return undefined;
  return mustCompose(result);
}

describe('invariant 1: a computed, valid network', () => {
  it('subnets are aligned, inside the VPC, pairwise disjoint and /16../28', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const result = compose({ composite: xrDocument(shape), observed: {} });
        if (isTooSmall(result)) return;
        const { subnets } = mustCompose(result);
        const vpc = mustParseCidr(shape.vpcCidr);
        for (const s of subnets) {
          expect(s.cidr.base % blockSize(s.cidr.prefixLength)).toBe(0);
          expect(contains(vpc, s.cidr)).toBe(true);
          expect(s.cidr.prefixLength).toBeGreaterThanOrEqual(16);
          expect(s.cidr.prefixLength).toBeLessThanOrEqual(28);
        }
        for (let i = 0; i < subnets.length; i++) for (let j = i + 1; j < subnets.length; j++) expect(overlaps(subnets[i]!.cidr, subnets[j]!.cidr)).toBe(false);
        expect(subnets.filter((s) => s.tier === 'private').length).toBe(shape.zones.length);
        expect(subnets.filter((s) => s.tier === 'public').length).toBe(shape.zones.length);
      }),
      params,
    );
  });

  it('an XR that cannot fit gets one actionable error naming vpcCidr', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const result = compose({ composite: xrDocument({ ...shape, privatePrefix: 19, vpcCidr: '10.0.0.0/18' }), observed: {} });
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.errors).toHaveLength(1);
        expect(result.errors[0]!.path).toBe('spec.network.vpcCidr');
        expect(result.errors[0]!.message).toMatch(/cannot hold .* use a \/\d+ or larger VPC/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('invariant 2: nothing is destroyed by accident', () => {
  it('is deterministic', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const xr = xrDocument(shape);
        expect(compose({ composite: xr, observed: {} })).toEqual(compose({ composite: structuredClone(xr), observed: {} }));
      }),
      params,
    );
  });

  it('does not depend on the order of zones, node groups or admins', () => {
    fc.assert(
      fc.property(xrArb, fc.integer(), (shape, seed) => {
        const rotate = <T>(list: T[]) => (list.length === 0 ? list : [...list.slice(seed % list.length), ...list.slice(0, seed % list.length)].reverse());
        const shuffled = {
          ...shape,
          zones: rotate(shape.zones),
          nodeGroups: rotate(shape.nodeGroups),
          admins: rotate(shape.admins),
          podIdentityRoles: rotate((shape.podIdentityRoles ?? []).map((r) => ({ ...r, policyArns: rotate(r.policyArns) }))),
        };
        const a = compose({ composite: xrDocument(shape), observed: {} });
        const b = compose({ composite: xrDocument(shuffled), observed: {} });
        if (!a.ok || !b.ok) {
          expect(b.ok).toBe(a.ok);
          return;
        }
        // Node groups are listed in the user's order; everything else must be identical.
        const sortByKey = (c: Composition) => [...c.resources].sort((x, y) => x.key.localeCompare(y.key));
        expect(sortByKey(b)).toEqual(sortByKey(a));
        expect(b.subnets).toEqual(a.subnets);
      }),
      params,
    );
  });

  it('adding a zone or a node group keeps every existing resource, its name and its CIDR', () => {
    fc.assert(
      fc.property(xrArb, fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), (shape, newZone) => {
        const before = readyComposition(shape);
        if (!before) return;
        const { observed } = reconcileToReady(xrDocument(shape));
        const grown: XRShape = {
          ...shape,
          zones: shape.zones.includes(newZone) || shape.zones.length >= 6 ? shape.zones : [newZone, ...shape.zones],
          // Auto Mode has no node groups to add to.
          nodeGroups: shape.autoMode
            ? []
            : [
                { name: 'added', minSize: 1, maxSize: 2 },
                // An empty list means the default node group, which must stay.
                ...(shape.nodeGroups.length > 0 ? shape.nodeGroups.filter((g) => g.name !== 'added') : [{ name: 'default', minSize: 2, maxSize: 6 }]),
              ],
        };
        const after = compose({ composite: xrDocument(grown), observed });
        if (isTooSmall(after)) return;
        const next = mustCompose(after);
        const afterKeys = byKey(next);
        for (const r of before.resources) {
          expect(afterKeys.has(r.key)).toBe(true);
          expect(dig(afterKeys.get(r.key), 'metadata', 'name')).toBe(dig(r.body, 'metadata', 'name'));
        }
        for (const s of before.subnets) expect(next.subnets.find((n) => n.key === s.key)?.cidr).toEqual(s.cidr);
        for (const nat of before.resources.filter((r) => r.body.kind === 'NATGateway')) {
          expect(fp(afterKeys.get(nat.key)!, 'subnetIdRef')).toEqual(fp(nat.body, 'subnetIdRef'));
        }
        // EKS cannot move an existing node group to other subnets: it stays where it is.
        for (const ng of before.resources.filter((r) => r.body.kind === 'NodeGroup')) {
          expect(fp(afterKeys.get(ng.key)!, 'subnetIdRefs')).toEqual(fp(ng.body, 'subnetIdRefs'));
        }
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('a zone added to a live cluster replaces no node group: converged, each is the one that was there, in its subnets', () => {
    fc.assert(
      fc.property(xrArb, fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), (shape, newZone) => {
        if (shape.autoMode || shape.zones.includes(newZone) || shape.zones.length >= 6) return;
        const first = reconcileToReady(xrDocument(shape));
        if (isTooSmall(first.result)) return;
        const before = mustCompose(first.result);
        const grown: XRShape = { ...shape, zones: [newZone, ...shape.zones] };
        const second = reconcileToReady(xrDocument(grown), first.observed);
        if (isTooSmall(second.result)) return;
        const after = byKey(mustCompose(second.result));
        for (const ng of before.resources.filter((r) => r.body.kind === 'NodeGroup')) {
          expect(after.has(ng.key)).toBe(true);
          expect(fp(after.get(ng.key)!, 'subnetIdRefs')).toEqual(fp(ng.body, 'subnetIdRefs'));
        }
        expect([...after.values()].filter((b) => b.kind === 'NodeGroup')).toHaveLength(before.resources.filter((r) => r.body.kind === 'NodeGroup').length);
      }),
      { numRuns: Math.ceil(RUNS / 20) },
    );
  });

  it('a zone added to a live cluster is removed only through spec.network.allowZoneRemoval, and then only its own resources go', () => {
    fc.assert(
      fc.property(xrArb, fc.nat(), (shape, pick) => {
        if (shape.zones.length < 3) return;
        const removed = shape.zones[pick % shape.zones.length]!;
        const kept = shape.zones.filter((z) => z !== removed);
        // Node groups that stay out of the removed zone: one inside it must be replaced first (bad-input corpus).
        const groups = shape.autoMode ? [] : shape.nodeGroups.length > 0 ? shape.nodeGroups : [{ name: 'default', minSize: 2, maxSize: 6 }];
        // The zone is added to a live cluster: the control plane keeps the subnets it was created in, so this one can go again.
        const created: XRShape = { ...shape, zones: kept, nodeGroups: groups.map((g) => ({ ...g, zones: kept.slice(0, 2) })) };
        const grown: XRShape = { ...created, zones: shape.zones };
        const first = reconcileToReady(xrDocument(created));
        if (isTooSmall(first.result)) return;
        const second = reconcileToReady(xrDocument(grown), first.observed);
        if (isTooSmall(second.result)) return;
        const before = mustCompose(second.result);
        const { observed } = second;
        const shrunk: XRShape = { ...grown, zones: kept };
        const refused = compose({ composite: xrDocument(shrunk), observed });
        expect(refused.ok).toBe(false);
        if (!refused.ok) expect(refused.errors.map((e) => e.path)).toEqual(['spec.network.availabilityZones']);
        const allowed = xrDocument(shrunk);
        ((allowed.spec as JsonObject).network as JsonObject).allowZoneRemoval = true;
        const next = mustCompose(compose({ composite: allowed, observed }));
        const keys = new Set(next.resources.map((r) => r.key));
        // A subnet of the zone that its NAT gateway or route table association still uses stays, as observed, until they are gone (lifecycle/leaving.ts).
        for (const k of [...keys].filter((k) => new RegExp(`^subnet-[a-z]+-${removed}$`).test(k)))
          expect(next.status.waitingFor).toContainEqual(expect.stringMatching(new RegExp(`^${k}: no longer wanted; deleted once`)));
        for (const s of before.subnets.filter((x) => x.zone.key !== removed)) expect(next.subnets.find((n) => n.key === s.key)?.cidr).toEqual(s.cidr);
        for (const r of before.resources.filter((x) => !x.key.includes(`-${removed}`) && x.key !== `nat-${removed}`)) expect(keys.has(r.key), r.key).toBe(true);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('an observed subnet keeps its CIDR when subnet sizes change', () => {
    fc.assert(
      fc.property(xrArb, fc.integer({ min: 1, max: 8 }), (shape, offset) => {
        const newPrefix = Math.min(Number(shape.vpcCidr.split('/')[1]) + offset, 28);
        const first = compose({ composite: xrDocument(shape), observed: {} });
        if (isTooSmall(first)) return;
        // The subnets of an IPv6 network wait for the VPC's /56 (src/network/resources.ts): compose again once the first response exists.
        const once = mustCompose(first);
        const subnetsHeld = once.subnets.some((s) => !once.resources.some((r) => r.key === s.key));
        const before = subnetsHeld ? mustCompose(compose({ composite: xrDocument(shape), observed: observedFrom(once) })) : once;
        const observed = observedFrom(
          before,
          before.subnets.map((s) => s.key),
        );
        const after = compose({ composite: xrDocument({ ...shape, privatePrefix: newPrefix }), observed });
        expect(after.ok).toBe(true);
        const next = mustCompose(after);
        for (const s of before.subnets) expect(next.subnets.find((n) => n.key === s.key)!.cidr).toEqual(s.cidr);
        const changed = before.subnets.some((s) => s.tier === 'private' && s.cidr.prefixLength !== newPrefix);
        expect(next.warnings.length > 0).toBe(changed);
      }),
      params,
    );
  });

  it('whatever subset exists, in whatever state, every existing resource is composed again', () => {
    fc.assert(
      fc.property(xrArb, fc.infiniteStream(fc.constantFrom('absent', 'ready', 'failing')), (shape, states) => {
        const full = readyComposition(shape);
        if (!full) return;
        const observed: Record<string, JsonObject> = {};
        const ready = observedFrom(full);
        let everyResourceReady = true;
        for (const r of full.resources) {
          const state = states.next().value;
          if (state === 'ready') observed[r.key] = ready[r.key]!;
          if (state === 'failing') observed[r.key] = observeNotReady(r.body, 'ReconcileError', 'simulated failure');
          everyResourceReady &&= state === 'ready';
        }
        const next = mustCompose(compose({ composite: xrDocument(shape), observed }));
        const composed = new Set(next.resources.map((r) => r.key));
        for (const key of Object.keys(observed)) expect(composed.has(key)).toBe(true);
        expect(next.allReady).toBe(everyResourceReady);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

describe('invariant 3: no cross-wiring', () => {
  it('every reference names a resource composed in the same response; no selectors', () => {
    fc.assert(
      fc.property(xrArb, fc.integer({ min: 0, max: 6 }), (shape, rounds) => {
        const { result } = reconcileToReady(xrDocument(shape), {}, rounds);
        if (isTooSmall(result)) return;
        const composition = mustCompose(result);
        const names = new Set(composition.resources.map((r) => String(dig(r.body, 'metadata', 'name'))));
        for (const r of composition.resources) {
          for (const ref of references(dig(r.body, 'spec'))) expect(names, `${r.key}.${ref.field} -> ${ref.name}`).toContain(ref.name);
          expect(selectors(dig(r.body, 'spec'))).toEqual([]);
          expect(dig(r.body, 'metadata', 'namespace')).toBe(shape.namespace);
        }
      }),
      // Up to six rounds per XR, each over every resource: half the runs keep it in its time on a loaded machine.
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

describe('invariant 4: correct private networking', () => {
  it('nodes only in private subnets; private egress to the NAT of the same zone (or the shared one); public to the IGW', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const composition = readyComposition(shape);
        if (!composition) return;
        const bodies = byKey(composition);
        const refKeys = (body: JsonObject, ...path: string[]) =>
          ((fp(body, ...path) as JsonObject[] | undefined) ?? []).map((ref) => keyOfName(composition, String(ref.name)));
        for (const r of composition.resources.filter((x) => x.body.kind === 'NodeGroup')) {
          const subnets = refKeys(r.body, 'subnetIdRefs');
          expect(subnets.length).toBeGreaterThan(0);
          for (const key of subnets) expect(key).toMatch(/^subnet-private-/);
        }
        for (const key of refKeys(bodies.get(CLUSTER_KEY)!, 'vpcConfig', 'subnetIdRefs')) expect(key).toMatch(/^subnet-private-/);
        for (const zone of shape.zones) {
          const route = bodies.get(`route-private-${zone}-default`);
          const expected = { None: undefined, Single: SINGLE_NAT_KEY, HighlyAvailable: `nat-${zone}`, Regional: REGIONAL_NAT_KEY }[shape.nat];
          if (expected === undefined) expect(route).toBeUndefined();
          else expect(keyOfName(composition, String(fp(route!, 'natGatewayIdRef', 'name')))).toBe(expected);
          const association = bodies.get(`rta-private-${zone}`)!;
          expect(keyOfName(composition, String(fp(association, 'routeTableIdRef', 'name')))).toBe(`rt-private-${zone}`);
          expect(keyOfName(composition, String(fp(bodies.get(`rta-public-${zone}`)!, 'routeTableIdRef', 'name')))).toBe(PUBLIC_ROUTE_TABLE_KEY);
          const tags = fp(bodies.get(`subnet-private-${zone}`)!, 'tags') as JsonObject;
          expect(tags['kubernetes.io/role/internal-elb']).toBe('1');
          expect(tags[`kubernetes.io/cluster/${composition.status.cluster?.name}`]).toBe('shared');
          expect(tags['karpenter.sh/discovery']).toBe(composition.status.cluster?.name);
          expect((fp(bodies.get(`subnet-public-${zone}`)!, 'tags') as JsonObject)['kubernetes.io/role/elb']).toBe('1');
        }
        expect(keyOfName(composition, String(fp(bodies.get('route-public-default')!, 'gatewayIdRef', 'name')))).toBe(IGW_KEY);
        for (const nat of composition.resources.filter((r) => r.body.kind === 'NATGateway' && r.key !== REGIONAL_NAT_KEY)) {
          expect(keyOfName(composition, String(fp(nat.body, 'subnetIdRef', 'name')))).toMatch(/^subnet-public-/);
        }
      }),
      params,
    );
  });
});

describe('invariant 5: ordered lifecycle', () => {
  it('vpc-cni before node groups, node groups before coredns; Usages order every deletion', () => {
    fc.assert(
      fc.property(xrArb, fc.boolean(), (shape, namespaceDeleted) => {
        const { result, waves } = reconcileToReady(xrDocument(shape));
        if (isTooSmall(result)) return;
        const composition = mustCompose(result);
        const waveOf = (key: string) => waves.findIndex((w) => w.includes(key));
        const nodeGroups = waves.flat().filter((k) => k.startsWith('nodegroup-'));
        for (const ng of nodeGroups) {
          expect(waveOf(ng)).toBeGreaterThan(waveOf('addon-vpc-cni'));
          expect(waveOf('addon-coredns')).toBeGreaterThan(waveOf(ng));
          expect(waves.flat()).toContain(`usage-${ng}-uses-cluster`);
        }
        expect(waveOf(CLUSTER_KEY)).toBeGreaterThan(waveOf(VPC_KEY));
        for (const zone of shape.zones) {
          expect(waves.flat()).toContain(`usage-subnet-private-${zone}-uses-vpc`);
          expect(waves.flat()).toContain(`usage-cluster-uses-subnet-private-${zone}`);
        }

        // Every Usage names composed resources, or the kubeconfig Secret ClusterAuth writes.
        const composed = new Set(composition.resources.map((r) => JSON.stringify([r.body.apiVersion, r.body.kind, dig(r.body, 'metadata', 'name')])));
        const secretName = composition.status.kubeconfigSecret?.name;
        const ofs = [...composed, JSON.stringify(['v1', 'Secret', secretName])];
        const usages = composition.resources.filter((r) => r.body.kind === 'Usage').map((r) => r.body);
        for (const usage of usages) {
          expect(composed.has(usageEnd(usage, 'by'))).toBe(true);
          expect(ofs).toContain(usageEnd(usage, 'of'));
        }
        expect(usageCycle(usages)).toEqual([]);
        // A teardown in the order they allow: AWS refuses nothing, everything goes, the kubeconfig Secret after the Cluster.
        const teardown = simulateTeardown(composition.resources, { namespaceDeleted });
        expect(teardown.refusals).toEqual([]);
        expect(teardown.left).toEqual([]);
        const cluster = passOf(teardown, `Cluster/${shape.name}-cluster`);
        expect(cluster).toBeGreaterThanOrEqual(0);
        // What Flux reaches the cluster through goes after it: the kubeconfig Secret, or the ConfigMap and the Flux role's access entry.
        if (shape.awsIdentity) {
          expect(secretName).toBeUndefined();
          expect(passOf(teardown, `ConfigMap/${shape.name}-kubeconfig`)).toBeGreaterThan(cluster);
          for (const r of composition.resources.filter((x) => x.key.startsWith('access-flux-')))
            expect(passOf(teardown, `${String(r.body.kind)}/${String(dig(r.body, 'metadata', 'name'))}`)).toBeGreaterThan(cluster);
        } else {
          expect(passOf(teardown, `Secret/${secretName}`)).toBeGreaterThan(cluster);
        }
      }),
      params,
    );
    // A teardown played per XR adds a fifth to the reconciling; a busy 2-core machine doubles both (130 s seen under load 25).
  }, 300_000);
});

/** A Usage's end, comparable with the object it names. */
function usageEnd(usage: JsonObject, side: 'of' | 'by'): string {
  const end = dig(usage, 'spec', side);
  return JSON.stringify([dig(end, 'apiVersion'), dig(end, 'kind'), dig(end, 'resourceRef', 'name')]);
}

/** What no order of deletions can free: objects waiting, through Usages, on themselves (Kahn's algorithm). */
function usageCycle(usages: readonly JsonObject[]): string[] {
  const edges = usages.map((u) => ({ of: usageEnd(u, 'of'), by: usageEnd(u, 'by') }));
  const waiting = new Set(edges.flatMap((e) => [e.of, e.by]));
  for (let freed = true; freed;) {
    freed = false;
    for (const node of waiting) {
      if (edges.some((e) => e.of === node && waiting.has(e.by))) continue;
      waiting.delete(node);
      freed = true;
    }
  }
  return [...waiting];
}

describe('invariant 6: honest readiness', () => {
  it('the XR is ready only when every composed resource is, and says what it waits for', () => {
    fc.assert(
      fc.property(xrArb, fc.nat(), (shape, pick) => {
        const composition = readyComposition(shape);
        if (!composition) return;
        expect(composition.allReady).toBe(true);
        expect(composition.resources.every((r) => r.ready)).toBe(true);
        // A ConfigMap is ready by existing: it has no readiness to lose. A Usage is not: Crossplane marks it Available once it protects.
        const candidates = composition.resources.filter((r) => r.body.kind !== 'ConfigMap');
        const victim = candidates[pick % candidates.length]!;
        const observed = observedFrom(composition);
        observed[victim.key] = observeNotReady(victim.body, 'Unavailable', 'simulated outage');
        const next = mustCompose(compose({ composite: xrDocument(shape), observed }));
        expect(next.allReady).toBe(false);
        expect(next.resources.find((r) => r.key === victim.key)!.ready).toBe(false);
        expect(next.status.waitingFor).toContain(
          victim.body.kind === 'Usage' ? 'usages: 1 deletion-order Usage not yet in force (not Available)' : `${victim.key}: Unavailable: simulated outage`,
        );
        // Each condition reports a group of AWS resources; Usages have none, and Crossplane's own Ready says it.
        if (victim.body.kind !== 'Usage') expect(next.conditions.some((c) => c.status === 'False')).toBe(true);
        expect(next.ttlSeconds).toBeLessThan(composition.ttlSeconds);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});

/** Kinds that make up a network: none of them is composed with spec.network.existing. */
const NETWORK_KINDS = /^(VPC|Subnet|InternetGateway|NATGateway|EIP|RouteTable|Route|RouteTableAssociation|VPCEndpoint.*|SecurityGroup.*)$/;

describe('spec.network.existing: nothing of the network is composed', () => {
  const existingArb = xrArb.map((shape) => ({ ...shape, existing: true }));

  it('composes no network resource; the cluster and every node group use exactly the given private subnets; the status says the network is external', () => {
    fc.assert(
      fc.property(existingArb, (shape) => {
        const composition = mustCompose(reconcileToReady(xrDocument(shape)).result);
        expect(composition.resources.filter((r) => NETWORK_KINDS.test(String(r.body.kind))).map((r) => r.key)).toEqual([]);
        const privateIds = shape.zones.map((z) => existingSubnetId('private', z));
        const bodies = byKey(composition);
        expect(fp(bodies.get(CLUSTER_KEY)!, 'vpcConfig', 'subnetIds')).toEqual(privateIds);
        expect(fp(bodies.get(CLUSTER_KEY)!, 'vpcConfig', 'subnetIdRefs')).toBeUndefined();
        for (const r of composition.resources.filter((x) => x.body.kind === 'NodeGroup')) expect(fp(r.body, 'subnetIds')).toEqual(privateIds);
        const flowLog = composition.resources.find((r) => r.body.kind === 'FlowLog');
        expect(flowLog === undefined).toBe(!shape.flowLogs);
        if (flowLog) expect(fp(flowLog.body, 'vpcId')).toBe(EXISTING_VPC_ID);
        expect(composition.status.network?.mode).toBe('Existing');
        expect(composition.status.vpcId).toBe(EXISTING_VPC_ID);
        expect(composition.conditions.find((c) => c.type === 'NetworkReady')).toMatchObject({ status: 'True', reason: 'External' });
        expect(composition.allReady).toBe(true);
        const teardown = simulateTeardown(composition.resources, { namespaceDeleted: false });
        expect(teardown.refusals).toEqual([]);
        expect(teardown.left).toEqual([]);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('adding a node group keeps every existing resource and its subnets; switching to a composed network is refused', () => {
    fc.assert(
      // Auto Mode takes no node groups: the API refuses adding one (test/auto-mode.test.ts).
      fc.property(
        existingArb.filter((s) => !s.autoMode),
        (shape) => {
          const { result, observed } = reconcileToReady(xrDocument(shape));
          const before = mustCompose(result);
          const groups = shape.nodeGroups.length > 0 ? shape.nodeGroups.filter((g) => g.name !== 'added') : [{ name: 'default', minSize: 2, maxSize: 6 }];
          const grown = mustCompose(
            compose({ composite: xrDocument({ ...shape, nodeGroups: [{ name: 'added', minSize: 1, maxSize: 2 }, ...groups] }), observed }),
          );
          const after = byKey(grown);
          for (const r of before.resources) expect(dig(after.get(r.key), 'metadata', 'name')).toBe(dig(r.body, 'metadata', 'name'));
          const switched = compose({ composite: xrDocument({ ...shape, existing: false }), observed });
          expect(switched.ok).toBe(false);
          if (!switched.ok) expect(switched.errors.map((e) => e.path)).toEqual(['spec.network.existing']);
        },
      ),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});

describe('flow logs, lifecycle settings and AWS-identity delivery', () => {
  it('flow logs: one FlowLog on the composed VPC into the composed log group through the composed role, and it goes before the VPC', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const composition = readyComposition({ ...shape, flowLogs: true });
        if (!composition) return;
        const flowLogs = composition.resources.filter((r) => r.body.kind === 'FlowLog');
        expect(flowLogs).toHaveLength(1);
        const body = flowLogs[0]!.body;
        expect(keyOfName(composition, String(fp(body, 'vpcIdRef', 'name')))).toBe(VPC_KEY);
        expect(keyOfName(composition, String(fp(body, 'logDestinationRef', 'name')))).toBe(FLOW_LOG_GROUP_KEY);
        expect(keyOfName(composition, String(fp(body, 'iamRoleArnRef', 'name')))).toBe(FLOW_LOG_ROLE_KEY);
        expect(fp(byKey(composition).get(FLOW_LOG_GROUP_KEY)!, 'retentionInDays')).toBe(30);
        const keys = composition.resources.map((r) => r.key);
        expect(keys).toContain('usage-vpc-flow-log-uses-vpc');
        expect(keys).toContain('usage-vpc-flow-log-uses-vpc-flow-log-group');
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('the support type is always explicit, STANDARD unless asked; deletion protection keeps the cluster and what it uses, and nothing else is refused', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const composition = readyComposition({ ...shape, deletionProtection: true });
        if (!composition) return;
        const cluster = byKey(composition).get(CLUSTER_KEY)!;
        expect(fp(cluster, 'upgradePolicy')).toEqual({ supportType: 'STANDARD' });
        expect(fp(cluster, 'deletionProtection')).toBe(true);
        const teardown = simulateTeardown(composition.resources, { namespaceDeleted: false });
        expect(teardown.refusals.every((r) => r.startsWith(`Cluster/${shape.name}-cluster:`) && r.includes('deletion protection'))).toBe(true);
        expect(teardown.left).toContain(`Cluster/${shape.name}-cluster`);
        expect(teardown.left).toContain(`VPC/${shape.name}-vpc`);
        expect(teardown.left.some((id) => id.startsWith('NodeGroup/'))).toBe(false);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('AWS identity: a ConfigMap <name>-kubeconfig with provider aws and the cluster ARN the status reports, an access entry for the Flux role, no ClusterAuth', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const composition = readyComposition({ ...shape, awsIdentity: true });
        if (!composition) return;
        const configMaps = composition.resources.filter((r) => r.body.kind === 'ConfigMap' && r.key !== CLUSTER_FACTS_KEY);
        expect(configMaps).toHaveLength(1);
        expect(dig(configMaps[0]!.body, 'metadata')).toMatchObject({ name: `${shape.name}-kubeconfig`, namespace: shape.namespace });
        expect(configMaps[0]!.body.data).toEqual({ provider: 'aws', cluster: composition.status.cluster?.arn });
        expect(composition.status.kubeconfigConfigMap).toEqual({ name: `${shape.name}-kubeconfig` });
        expect(composition.resources.some((r) => r.body.kind === 'ClusterAuth')).toBe(false);
        const entries = composition.resources.filter((r) => r.body.kind === 'AccessEntry' && fp(r.body, 'principalArn') === FLUX_ROLE_ARN);
        expect(entries).toHaveLength(1);
        expect(composition.resources.some((r) => r.body.kind === 'AccessPolicyAssociation' && fp(r.body, 'principalArn') === FLUX_ROLE_ARN)).toBe(true);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
