/**
 * The expectation a reviewer reads (support/summary.ts) drops only what follows
 * a convention: a value that breaks one must show, or a change of behaviour
 * could pass unread. The renders themselves: render.test.ts.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject, Rendered } from 'workshop';
import { NOT_SET, renderSummary, SAME } from './support/summary.js';

const XR: JsonObject = { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', metadata: { name: 'a', namespace: 'team' }, spec: { region: 'eu-west-1' } };

/** A composed resource `key` as Crossplane renders it, with `forProvider` and the rest of `spec`. */
function composed(key: string, kind: string, forProvider: JsonObject, spec: JsonObject = {}, metadata: JsonObject = {}): JsonObject {
  return {
    apiVersion: kind === 'Usage' ? 'protection.crossplane.io/v1beta1' : 'ec2.aws.m.upbound.io/v1beta1',
    kind,
    metadata: {
      name: `a-${key}`,
      namespace: 'team',
      annotations: { 'crossplane.io/composition-resource-name': key },
      labels: { 'crossplane.io/composite': 'a' },
      ownerReferences: [{ apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', name: 'a', uid: 'u' }],
      ...metadata,
    },
    spec: {
      ...(kind === 'Usage' ? {} : { forProvider, managementPolicies: ['*'], providerConfigRef: { kind: 'ClusterProviderConfig', name: 'default' } }),
      ...spec,
    },
  };
}

const vpc = (forProvider: JsonObject = {}) =>
  composed('vpc', 'VPC', { region: 'eu-west-1', cidrBlock: '10.0.0.0/16', tags: { Name: 'c1-vpc', 'eks.gitops.dev/cluster': 'c1' }, ...forProvider });
const usage = (by: string, of: JsonObject = { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'VPC', resourceRef: { name: 'a-vpc' } }) =>
  composed(
    `usage-igw-uses-vpc`,
    'Usage',
    {},
    { by: { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'InternetGateway', resourceRef: { name: by } }, of, replayDeletion: true },
  );
const igw = composed('igw', 'InternetGateway', { region: 'eu-west-1', vpcIdRef: { name: 'a-vpc' }, tags: { Name: 'c1-igw', 'eks.gitops.dev/cluster': 'c1' } });

const rendered = (...resources: JsonObject[]): Rendered => ({ xr: { ...XR, status: {} }, composed: resources, results: [], stdout: '' });
/** The last step's composed resources, as a reviewer reads them. */
const lastStep = (...resources: JsonObject[]) =>
  (parse(renderSummary([{ step: '9-all-ready', rendered: rendered(...resources) }])) as { '9-all-ready': { composed: JsonObject } })['9-all-ready'].composed;

describe('renderSummary: conventions dropped, anything else shown', () => {
  it.each([
    {
      reason: 'Crossplane bookkeeping, the XR region, the usual tags: only the kind and what the function decided',
      resources: [vpc()],
      key: 'vpc',
      shown: { kind: 'VPC ec2.aws.m.upbound.io/v1beta1', cidrBlock: '10.0.0.0/16' },
    },
    {
      reason: 'a region other than the XR one shows',
      resources: [vpc({ region: 'us-east-1' })],
      key: 'vpc',
      shown: { kind: 'VPC ec2.aws.m.upbound.io/v1beta1', cidrBlock: '10.0.0.0/16', region: 'us-east-1' },
    },
    {
      reason: 'a Name tag off the <cluster>-<key> convention shows, and so does any other tag',
      resources: [vpc({ tags: { Name: 'other', 'eks.gitops.dev/cluster': 'c1', team: 'x' } })],
      key: 'vpc',
      shown: { kind: 'VPC ec2.aws.m.upbound.io/v1beta1', cidrBlock: '10.0.0.0/16', 'tags.Name': 'other', 'tags.team': 'x' },
    },
    {
      reason: 'a Usage whose name says its ends is one line',
      resources: [vpc(), igw, usage('a-igw')],
      key: 'usage-igw-uses-vpc',
      shown: 'Usage protection.crossplane.io/v1beta1',
    },
    {
      reason: 'a Usage naming another resource than its name says shows both ends',
      resources: [vpc(), igw, usage('a-vpc')],
      key: 'usage-igw-uses-vpc',
      shown: {
        kind: 'Usage protection.crossplane.io/v1beta1',
        'spec.by.apiVersion': 'ec2.aws.m.upbound.io/v1beta1',
        'spec.by.kind': 'InternetGateway',
        'spec.by.resourceRef.name': 'a-vpc',
        'spec.of.apiVersion': 'ec2.aws.m.upbound.io/v1beta1',
        'spec.of.kind': 'VPC',
        'spec.of.resourceRef.name': 'a-vpc',
      },
    },
    {
      reason: 'JSON in a string is spelled out field by field',
      resources: [composed('role', 'Role', { region: 'eu-west-1', assumeRolePolicy: '{"Statement":[{"Effect":"Allow"}]}' })],
      key: 'role',
      shown: { kind: 'Role ec2.aws.m.upbound.io/v1beta1', 'assumeRolePolicy(json).Statement.0.Effect': 'Allow' },
    },
    {
      reason: 'metadata the function sets shows',
      resources: [composed('vpc', 'VPC', { region: 'eu-west-1' }, {}, { labels: { 'crossplane.io/composite': 'a', tier: 'net' } })],
      key: 'vpc',
      shown: { kind: 'VPC ec2.aws.m.upbound.io/v1beta1', 'metadata.labels.tier': 'net' },
    },
  ])('$reason', ({ resources, key, shown }) => {
    expect(lastStep(...resources)[key]).toEqual(shown);
  });

  it('a step before the last shows only what differs from the last', () => {
    const text = renderSummary([
      { step: '1-nothing-observed', rendered: rendered(vpc({ enableDnsSupport: true }), igw) },
      { step: '9-all-ready', rendered: rendered(vpc({ cidrBlock: '10.1.0.0/16', ipv6: true }), igw) },
    ]);
    const first = (parse(text) as { '1-nothing-observed': { composed: JsonObject } })['1-nothing-observed'].composed;
    expect(first).toEqual({
      igw: SAME,
      vpc: { kind: 'VPC ec2.aws.m.upbound.io/v1beta1', cidrBlock: '10.0.0.0/16', enableDnsSupport: true, ipv6: NOT_SET },
    });
  });
});
