/**
 * A team's AWS identity: every managed resource uses the provider config the XR
 * names (a team's namespaced ProviderConfig, resolved by the provider in the
 * XR's own namespace, or the platform's ClusterProviderConfig), and every IAM
 * role composed carries the XR's permissions boundary, whatever else the XR
 * asks for.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROVIDER_CONFIG_KINDS } from 'function-eks-cluster/src/api/eks-cluster.js';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { exampleShape, isTooSmall, mustCompose, reconcileToReady, xrArb, xrDocument } from 'workshop';

const isManaged = (body: JsonObject) => String(body.apiVersion).includes('.aws.m.upbound.io/');

describe("provider config: every managed resource carries the XR's choice", () => {
  it('spec.providerConfigRef is {kind: providerConfigKind, name: providerConfigName} on every managed resource, at every step', () => {
    fc.assert(
      fc.property(
        xrArb,
        fc.option(fc.constantFrom(...PROVIDER_CONFIG_KINDS), { nil: undefined }),
        fc.option(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), { nil: undefined }),
        fc.integer({ min: 0, max: 4 }),
        (shape, kind, name, rounds) => {
          const xr = xrDocument(shape);
          const spec = xr.spec as JsonObject;
          if (kind) spec.providerConfigKind = kind;
          if (name) spec.providerConfigName = name;
          const { result } = reconcileToReady(xr, {}, rounds);
          if (isTooSmall(result)) return;
          const managed = mustCompose(result).resources.filter((r) => isManaged(r.body));
          expect(managed.length).toBeGreaterThan(0);
          for (const r of managed) {
            expect(dig(r.body, 'spec', 'providerConfigRef'), r.key).toEqual({ kind: kind ?? 'ClusterProviderConfig', name: name ?? 'default' });
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  const cases = [
    {
      reason: 'a team names its own namespaced ProviderConfig',
      spec: { providerConfigKind: 'ProviderConfig', providerConfigName: 'aws' },
      want: { kind: 'ProviderConfig', name: 'aws' },
    },
    {
      reason: 'the kind alone: the team ProviderConfig named default',
      spec: { providerConfigKind: 'ProviderConfig' },
      want: { kind: 'ProviderConfig', name: 'default' },
    },
    { reason: 'nothing set: the platform ClusterProviderConfig default, as before', spec: {}, want: { kind: 'ClusterProviderConfig', name: 'default' } },
  ];
  it.each(cases)('$reason', ({ spec, want }) => {
    const xr = xrDocument(exampleShape({ encryption: true }));
    Object.assign(xr.spec as JsonObject, spec);
    const managed = mustCompose(reconcileToReady(xr, {}, 3).result).resources.filter((r) => isManaged(r.body));
    for (const r of managed) expect(dig(r.body, 'spec', 'providerConfigRef'), r.key).toEqual(want);
  });

  // The tenancy rule (src/compose/xr.ts): on a team's ProviderConfig the EKS cluster name carries the namespace.
  const names = [
    { reason: "a team's own name, prefixed by its namespace", spec: { providerConfigKind: 'ProviderConfig', clusterName: 'team-a-prod' }, composes: true },
    { reason: "a team's default name (namespace team-a, name team-a)", spec: { providerConfigKind: 'ProviderConfig' }, composes: true },
    {
      reason: "another team's cluster, on the team's ProviderConfig",
      spec: { providerConfigKind: 'ProviderConfig', clusterName: 'team-b-prod' },
      composes: false,
    },
    { reason: 'the namespace without its separator is not a prefix', spec: { providerConfigKind: 'ProviderConfig', clusterName: 'team-ab' }, composes: false },
    { reason: "the platform's ClusterProviderConfig keeps any name (examples, XRs outside tenancy)", spec: { clusterName: 'prod' }, composes: true },
  ];
  it.each(names)('cluster name: $reason', ({ spec, composes }) => {
    const xr = xrDocument(exampleShape()); // team-a/team-a
    Object.assign(xr.spec as JsonObject, spec);
    const { result } = reconcileToReady(xr, {}, 1);
    if (composes) expect(mustCompose(result).resources.length).toBeGreaterThan(0);
    else expect(() => mustCompose(result)).toThrow(/spec\.clusterName.* may only name EKS clusters of its own namespace/);
  });

  it('every IAM role composed carries spec.permissionsBoundaryArn; without it, none has a boundary', () => {
    const boundary = 'arn:aws:iam::210987654321:policy/eks-gitops-tenant-boundary';
    fc.assert(
      fc.property(xrArb, fc.boolean(), (shape, bounded) => {
        const xr = xrDocument(shape);
        if (bounded) (xr.spec as JsonObject).permissionsBoundaryArn = boundary;
        const { result } = reconcileToReady(xr, {}, 1);
        if (isTooSmall(result)) return;
        const roles = mustCompose(result).resources.filter((r) => r.body.kind === 'Role' && String(r.body.apiVersion).startsWith('iam.aws.m.upbound.io/'));
        expect(roles.length).toBeGreaterThan(0);
        for (const r of roles) expect(dig(r.body, 'spec', 'forProvider', 'permissionsBoundary'), r.key).toBe(bounded ? boundary : undefined);
      }),
      { numRuns: 60 },
    );
  });
});
