/**
 * A private-only cluster (nat: None) starts, because nodes
 * reach ECR, S3, STS, EC2, CloudWatch Logs and the EKS API through VPC
 * endpoints. Before this change none were composed and such nodes never joined.
 */
import fc from 'fast-check';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose, type Composition } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { usageKey } from 'function-eks-cluster/src/ground/deletion-order.js';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { exampleShape, isTooSmall, mustCompose, observeNotReady, reconcileToReady, requestFor, xrArb, xrDocument, type XRShape } from 'workshop';
import { ENDPOINT_HTTPS_RULE_KEY, ENDPOINT_SECURITY_GROUP_KEY } from 'function-eks-cluster/src/network/endpoints.js';
import { VPC_KEY } from 'function-eks-cluster/src/network/resources.js';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 1000);

const SHAPE = exampleShape({
  name: 'vault',
  namespace: 'security',
  vpcCidr: '10.40.0.0/20',
  zones: ['a', 'b', 'c'],
  nat: 'None',
  isolated: true,
  nodeGroups: [{ name: 'system', minSize: 2, maxSize: 4 }],
});

const INTERFACES = ['ec2', 'ecr.api', 'ecr.dkr', 'eks', 'eks-auth', 'logs', 'sts'];

function settled(shape: XRShape, start: Record<string, JsonObject> = {}) {
  const { result, observed, waves } = reconcileToReady(xrDocument(shape), start);
  return { composition: mustCompose(result), observed, waves };
}

const fp = (body: JsonObject | undefined, ...path: string[]): Json | undefined => dig(body, 'spec', 'forProvider', ...path);
const ofKind = (c: Composition, kind: string) => c.resources.filter((r) => r.body.kind === kind);
const body = (c: Composition, key: string) => c.resources.find((r) => r.key === key)?.body;
const refName = (b: JsonObject | undefined, field: string) => String(fp(b, field, 'name'));

describe('a private-only cluster gets what its nodes need from AWS', () => {
  const { composition, waves } = settled(SHAPE);

  it('an S3 gateway endpoint on every private route table (failed before: nat None composed no endpoint, so nodes could not pull image layers)', () => {
    const s3 = body(composition, 'vpce-s3');
    expect(fp(s3)).toMatchObject({ serviceName: 'com.amazonaws.us-west-2.s3', vpcEndpointType: 'Gateway', vpcIdRef: { name: 'vault-vpc' } });
    const tables = ofKind(composition, 'VPCEndpointRouteTableAssociation').map((r) => [
      refName(r.body, 'vpcEndpointIdRef'),
      refName(r.body, 'routeTableIdRef'),
    ]);
    expect(tables.sort()).toEqual(['a', 'b', 'c'].map((z) => ['vault-vpce-s3', `vault-rt-private-${z}`]));
  });

  it('an interface endpoint with private DNS per service, in every private subnet and only there, behind the endpoint security group (failed before: none existed)', () => {
    const interfaces = ofKind(composition, 'VPCEndpoint').filter((r) => fp(r.body, 'vpcEndpointType') === 'Interface');
    expect(interfaces.map((r) => fp(r.body, 'serviceName')).sort()).toEqual(INTERFACES.map((s) => `com.amazonaws.us-west-2.${s}`));
    for (const endpoint of interfaces) {
      const name = String(dig(endpoint.body, 'metadata', 'name'));
      expect(fp(endpoint.body, 'privateDnsEnabled')).toBe(true);
      const subnets = ofKind(composition, 'VPCEndpointSubnetAssociation').filter((r) => refName(r.body, 'vpcEndpointIdRef') === name);
      expect(subnets.map((r) => refName(r.body, 'subnetIdRef')).sort()).toEqual(['a', 'b', 'c'].map((z) => `vault-subnet-private-${z}`));
      const groups = ofKind(composition, 'VPCEndpointSecurityGroupAssociation').filter((r) => refName(r.body, 'vpcEndpointIdRef') === name);
      expect(groups.map((r) => fp(r.body))).toEqual([
        { region: 'us-west-2', vpcEndpointIdRef: { name }, securityGroupIdRef: { name: 'vault-vpce-sg' }, replaceDefaultAssociation: true },
      ]);
    }
  });

  it('the security group lets HTTPS in from the VPC CIDR, nothing else', () => {
    expect(fp(body(composition, ENDPOINT_SECURITY_GROUP_KEY))).toMatchObject({ vpcIdRef: { name: 'vault-vpc' } });
    expect(ofKind(composition, 'SecurityGroupIngressRule').map((r) => fp(r.body))).toEqual([
      expect.objectContaining({ securityGroupIdRef: { name: 'vault-vpce-sg' }, cidrIpv4: '10.40.0.0/20', ipProtocol: 'tcp', fromPort: 443, toPort: 443 }),
    ]);
  });

  it('node groups are created only once every endpoint and association is Ready, and wait while one is not', () => {
    const waveOf = (key: string) => waves.findIndex((w) => w.includes(key));
    const endpointKeys = composition.resources.filter((r) => r.key.startsWith('vpce-')).map((r) => r.key);
    expect(endpointKeys.length).toBe(2 + 1 + 3 + INTERFACES.length * (2 + 3));
    for (const key of endpointKeys) expect(waveOf('nodegroup-system')).toBeGreaterThan(waveOf(key));

    const { observed } = reconcileToReady(xrDocument(SHAPE), {}, 3);
    const beforeNodes = { ...observed };
    delete beforeNodes['nodegroup-system'];
    beforeNodes['vpce-ecr-dkr-subnet-private-b'] = observeNotReady(body(composition, 'vpce-ecr-dkr-subnet-private-b')!, 'ReconcileError', 'simulated failure');
    const held = mustCompose(compose({ composite: xrDocument(SHAPE), observed: beforeNodes }));
    expect(held.resources.map((r) => r.key)).not.toContain('nodegroup-system');
    expect(held.status.waitingFor).toContain('nodegroup-system: waits for vpce-ecr-dkr-subnet-private-b');
    expect(held.conditions.find((c) => c.type === 'NetworkReady')).toMatchObject({ status: 'False' });
  });

  it('status lists every endpoint with its service, type and, once created, its ID', () => {
    const endpoints = composition.status.vpcEndpoints ?? [];
    expect(endpoints.map((e) => e.service).sort()).toEqual([...INTERFACES, 's3'].map((s) => `com.amazonaws.us-west-2.${s}`).sort());
    for (const e of endpoints) expect(e.id).toMatch(/^vpce-[0-9a-f]{17}$/);
    expect(endpoints.find((e) => e.service?.endsWith('.s3'))?.type).toBe('Gateway');
    const first = mustCompose(compose({ composite: xrDocument(SHAPE), observed: {} }));
    expect(first.status.vpcEndpoints?.every((e) => e.id === undefined)).toBe(true);
  });

  it('deletion order: every endpoint outlives its associations and the VPC, subnets, route tables and security group outlive what is in them', () => {
    const usages = new Set(ofKind(composition, 'Usage').map((r) => r.key));
    const expected = [
      ...['vpce-s3', ...INTERFACES.map((s) => `vpce-${s.replace('.', '-')}`)].map((by) => ({ of: VPC_KEY, by })),
      { of: VPC_KEY, by: ENDPOINT_SECURITY_GROUP_KEY },
      { of: ENDPOINT_SECURITY_GROUP_KEY, by: ENDPOINT_HTTPS_RULE_KEY },
      ...['a', 'b', 'c'].flatMap((z) => [
        { of: `rt-private-${z}`, by: `vpce-s3-rt-private-${z}` },
        { of: 'vpce-s3', by: `vpce-s3-rt-private-${z}` },
        ...INTERFACES.map((s) => ({ of: `subnet-private-${z}`, by: `vpce-${s.replace('.', '-')}-subnet-private-${z}` })),
      ]),
      ...INTERFACES.flatMap((s) => [
        { of: ENDPOINT_SECURITY_GROUP_KEY, by: `vpce-${s.replace('.', '-')}-sg` },
        { of: `vpce-${s.replace('.', '-')}`, by: `vpce-${s.replace('.', '-')}-sg` },
      ]),
    ];
    for (const edge of expected) expect(usages, `${edge.by} uses ${edge.of}`).toContain(usageKey(edge));
  });
});

describe('spec.network.vpcEndpoints', () => {
  const cases: { reason: string; nat: XRShape['nat']; mode?: XRShape['vpcEndpoints']; endpoints: boolean; notice?: string }[] = [
    { reason: 'Auto (the default) turns them on without NAT: failed before, nothing was composed', nat: 'None', endpoints: true },
    { reason: 'Auto leaves a cluster with NAT gateways as it was', nat: 'HighlyAvailable', endpoints: false },
    { reason: 'Auto leaves a cluster with a regional NAT as it was', nat: 'Regional', mode: 'Auto', endpoints: false },
    { reason: 'Enabled adds them beside a NAT gateway, keeping AWS API traffic off it', nat: 'Single', mode: 'Enabled', endpoints: true },
    {
      reason: 'Disabled without NAT composes none and warns that nodes cannot reach AWS',
      nat: 'None',
      mode: 'Disabled',
      endpoints: false,
      notice: 'NoRouteToAws',
    },
    { reason: 'Disabled with NAT composes none and says nothing', nat: 'Single', mode: 'Disabled', endpoints: false },
  ];
  it.each(cases)('$reason', ({ nat, mode, endpoints, notice }) => {
    const { composition } = settled({ ...SHAPE, nat, ...(mode ? { vpcEndpoints: mode } : {}) });
    expect(ofKind(composition, 'VPCEndpoint').length).toBe(endpoints ? 1 + INTERFACES.length : 0);
    expect(composition.resources.some((r) => r.key.startsWith('vpce-'))).toBe(endpoints);
    expect(composition.status.vpcEndpoints !== undefined).toBe(endpoints);
    expect(composition.notices.filter((n) => n.reason !== 'PrivateEndpointOnly').map((n) => n.reason)).toEqual(notice ? [notice] : []);
  });

  it('Auto keeps existing endpoints when a NAT gateway is added later; Disabled removes them', () => {
    const { composition: before, observed } = settled(SHAPE);
    const withNat = mustCompose(compose({ composite: xrDocument({ ...SHAPE, nat: 'Single' }), observed }));
    const keys = new Set(withNat.resources.map((r) => r.key));
    for (const r of before.resources.filter((x) => x.key.startsWith('vpce-'))) expect(keys, r.key).toContain(r.key);
    const disabledXr = xrDocument({ ...SHAPE, nat: 'Single', vpcEndpoints: 'Disabled' });
    const ofEndpoints = (r: { key: string }) => /^vpce-/.test(r.key) || /-uses-vpce-|^usage-vpce-/.test(r.key);
    const disabled = mustCompose(compose({ composite: disabledXr, observed }));
    // What the endpoints' associations use stays, as observed, until they are gone (lifecycle/leaving.ts), and says so; no Usage stays.
    const leaving = disabled.resources.filter(ofEndpoints);
    expect(leaving.filter((r) => r.key.startsWith('usage-'))).toEqual([]);
    for (const r of leaving) expect(disabled.status.waitingFor).toContainEqual(expect.stringMatching(new RegExp(`^${r.key}: no longer wanted`)));
    const usersGone = Object.fromEntries(Object.entries(observed).filter(([key]) => !/^vpce-/.test(key) || leaving.some((r) => r.key === key)));
    expect(mustCompose(compose({ composite: disabledXr, observed: usersGone })).resources.filter(ofEndpoints)).toEqual([]);
  });

  it('China: ECR and EC2 are named cn.com.amazonaws.<region>.<service>, the others com.amazonaws', () => {
    const { composition } = settled({ ...SHAPE, region: 'cn-north-1' });
    const names = ofKind(composition, 'VPCEndpoint')
      .map((r) => String(fp(r.body, 'serviceName')))
      .sort();
    expect(names).toEqual(
      [
        'cn.com.amazonaws.cn-north-1.ec2',
        'cn.com.amazonaws.cn-north-1.ecr.api',
        'cn.com.amazonaws.cn-north-1.ecr.dkr',
        'com.amazonaws.cn-north-1.eks',
        'com.amazonaws.cn-north-1.eks-auth',
        'com.amazonaws.cn-north-1.logs',
        'com.amazonaws.cn-north-1.s3',
        'com.amazonaws.cn-north-1.sts',
      ].sort(),
    );
  });
});

describe('a private API endpoint', () => {
  const cases = [
    {
      reason: 'public off: the function cannot tell whether the management cluster reaches the VPC, and warns (failed before: no warning)',
      public: false,
      warned: true,
    },
    { reason: 'public on: nothing to say', public: true, warned: false },
  ];
  it.each(cases)('$reason', ({ public: isPublic, warned }) => {
    const xr = xrDocument(SHAPE);
    (xr.spec as JsonObject).endpointAccess = { public: isPublic, private: true };
    const rsp = runFunction(requestFor(xr, {}, 'private-endpoint'));
    const warning = rsp.results.find((r) => r.reason === 'PrivateEndpointOnly');
    expect(warning !== undefined).toBe(warned);
    if (!warning) return;
    expect(warning.severity).toBe(Severity.SEVERITY_WARNING);
    expect(warning.message).toMatch(/inside VPC 10\.40\.0\.0\/20 only .*\(VPC peering, a Transit Gateway, or the management cluster in the same VPC\)/);
  });
});

describe('invariants with endpoints, over generated XRs', () => {
  it('adding a zone only adds associations: every existing endpoint resource is composed again unchanged', () => {
    fc.assert(
      fc.property(xrArb, fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), (shape, zone) => {
        if (shape.zones.includes(zone)) return;
        const first = reconcileToReady(xrDocument(shape));
        if (isTooSmall(first.result)) return;
        const before = mustCompose(first.result);
        const after = compose({ composite: xrDocument({ ...shape, zones: [...shape.zones, zone] }), observed: first.observed });
        if (isTooSmall(after)) return;
        const next = new Map(mustCompose(after).resources.map((r) => [r.key, r.body]));
        for (const r of before.resources.filter((x) => x.key.startsWith('vpce-'))) expect(next.get(r.key), r.key).toEqual(r.body);
        const added = [...next.keys()].filter((k) => k.startsWith('vpce-') && !before.resources.some((r) => r.key === k));
        for (const key of added) expect(key, 'a new zone adds only its own associations').toMatch(new RegExp(`-(subnet|rt)-private-${zone}$`));
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it('every reference of an endpoint resource is a Usage, so the VPC, subnets, route tables and security group go last', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const { result } = reconcileToReady(xrDocument(shape));
        if (isTooSmall(result)) return;
        const composition = mustCompose(result);
        const usages = new Set(ofKind(composition, 'Usage').map((r) => r.key));
        const prefix = `${shape.name}-`;
        for (const r of composition.resources.filter((x) => x.key.startsWith('vpce-') && x.body.kind !== 'Usage')) {
          for (const [field, value] of Object.entries(fp(r.body) as JsonObject)) {
            if (!field.endsWith('Ref')) continue;
            const of = String(dig(value, 'name')).slice(prefix.length);
            expect(usages, `${r.key}.${field}`).toContain(usageKey({ of, by: r.key }));
          }
        }
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
