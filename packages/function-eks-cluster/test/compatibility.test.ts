/**
 * No release renames what exists: for every XR of the committed fixture
 * (test/compatibility/fixture.json, workshop/compatibility.ts), today's function,
 * composing with the recorded world observed, composes every recorded key with
 * its kind and AWS name. Refresh: `npm run compatibility:refresh -w workshop`.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose, type ComposeResult } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { readFixture, renamesOf, type Release, wantedXrs } from 'workshop/compatibility.js';

const fixture = readFixture();

describe('the compatibility fixture', () => {
  it('holds every example as its file reads now and every generated XR', () => {
    const recorded = new Set(fixture.cases.map((c) => c.id));
    const missing = wantedXrs()
      .map((w) => w.id)
      .filter((id) => !recorded.has(id));
    expect(missing, 'not recorded yet: run npm run compatibility:refresh -w workshop').toEqual([]);
  });

  it.each(fixture.cases.map((c) => [c.id, c] as const))('%s: every recorded key, kind and AWS name is composed again', (_, c) => {
    expect(renamesOf(c.xr, c.resources)).toEqual([]);
  });
});

/** A release that composes what compose() does, then changes each resource with `edit` (which may drop it). */
function releaseEditing(
  edit: (key: string, body: JsonObject, observed: Readonly<Record<string, JsonObject>>) => { key: string; body: JsonObject } | undefined,
): Release {
  return (input) => {
    const result: ComposeResult = compose(input);
    if (!result.ok) return result;
    const resources = result.resources.flatMap((r) => {
      const edited = edit(r.key, structuredClone(r.body), input.observed);
      return edited ? [{ ...r, ...edited }] : [];
    });
    return { ...result, resources };
  };
}

const annotate = (body: JsonObject, name: string) => {
  (body.metadata as JsonObject).annotations = { ...((body.metadata as JsonObject).annotations as JsonObject | undefined), 'crossplane.io/external-name': name };
  return body;
};
const observedName = (observed: Readonly<Record<string, JsonObject>>, key: string) =>
  dig(observed[key], 'metadata', 'annotations', 'crossplane.io/external-name');

describe('a release that renames what exists fails', () => {
  const minimal = fixture.cases.find((c) => c.id.startsWith('examples/minimal.yaml@'))!;
  it.each<{ reason: string; release: Release; fails: RegExp[] }>([
    { reason: "today's function keeps everything", release: compose, fails: [] },
    {
      reason: "a node group's composition key renamed (Crossplane deletes the node group under the old key)",
      release: releaseEditing((key, body) => ({ key: key === 'nodegroup-default' ? 'nodegroup-default-v2' : key, body })),
      fails: [/^nodegroup-default \(NodeGroup\) is no longer composed/],
    },
    {
      reason: 'a resource no longer composed (the kubeconfig)',
      release: releaseEditing((key, body) => (key === 'kubeconfig' ? undefined : { key, body })),
      fails: [/^kubeconfig \(ClusterAuth\) is no longer composed/],
    },
    {
      reason: 'a new naming scheme for clusters applied to the existing cluster (EKS would create a second cluster)',
      release: releaseEditing((key, body) => ({ key, body: key === 'cluster' ? annotate(body, 'eks-team-a') : body })),
      fails: [/^cluster \(Cluster\) is named "eks-team-a" in AWS, was "team-a-[0-9a-f]{8}"/],
    },
    {
      reason: 'the same new naming scheme with a migration: the existing cluster keeps the name read back from the observed state',
      release: releaseEditing((key, body, observed) => ({
        key,
        body: key === 'cluster' ? annotate(body, String(observedName(observed, key) ?? 'eks-team-a')) : body,
      })),
      fails: [],
    },
    {
      reason: "a node group's AWS name changed under the same key",
      release: releaseEditing((key, body) => ({ key, body: key === 'nodegroup-default' ? annotate(body, 'default-v2') : body })),
      fails: [/^nodegroup-default \(NodeGroup\) is named "default-v2" in AWS, was "default"/],
    },
    {
      reason: 'an external name put on a kind AWS names by its ID (the provider would look up "vpc-main" and create a VPC)',
      release: releaseEditing((key, body) => ({ key, body: key === 'vpc' ? annotate(body, 'vpc-main') : body })),
      fails: [/^vpc \(VPC\) is named "vpc-main" in AWS, was "\(none\)"/],
    },
    {
      reason: "an add-on's AWS name (forProvider.addonName) changed",
      release: releaseEditing((key, body) => {
        if (key === 'addon-vpc-cni') ((body.spec as JsonObject).forProvider as JsonObject).addonName = 'amazon-vpc-cni';
        return { key, body };
      }),
      fails: [/^addon-vpc-cni \(Addon\) forProvider\.addonName is "amazon-vpc-cni", was "vpc-cni"/],
    },
    {
      reason: 'a kind moved to another API group (another object to Crossplane)',
      release: releaseEditing((key, body) => ({ key, body: key === 'vpc' ? { ...body, apiVersion: 'ec2.aws.upbound.io/v1beta1' } : body })),
      fails: [/^vpc is composed as VPC of ec2\.aws\.upbound\.io, was VPC of ec2\.aws\.m\.upbound\.io/],
    },
    {
      reason: 'a new version of the same API group is the same object: allowed',
      release: releaseEditing((key, body) => ({ key, body: key === 'vpc' ? { ...body, apiVersion: 'ec2.aws.m.upbound.io/v1beta2' } : body })),
      fails: [],
    },
    {
      reason: 'a new resource for a new feature: the fixture only grows, allowed',
      release: (input) => {
        const result = compose(input);
        if (!result.ok) return result;
        const extra = { ...result.resources.find((r) => r.key === 'igw')!, key: 'igw-new-feature' };
        return { ...result, resources: [...result.resources, extra] };
      },
      fails: [],
    },
  ])('$reason', ({ release, fails }) => {
    const problems = renamesOf(minimal.xr, minimal.resources, release);
    expect(problems).toHaveLength(fails.length);
    fails.forEach((pattern, i) => expect(problems[i]).toMatch(pattern));
  });
});
