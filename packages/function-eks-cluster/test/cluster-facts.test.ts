/**
 * The cluster's facts for Flux (src/lifecycle/cluster-facts.ts): what the
 * ConfigMap holds once a cluster has converged through the simulated AWS, that
 * every key is documented and is a Flux variable name, that it agrees with the
 * XR's status, and that it is kept current on day 2.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import type { EKSClusterStatus } from 'function-eks-cluster/src/api/eks-cluster.js';
import { CLUSTER_FACTS, CLUSTER_FACTS_KEY, clusterFactsName } from 'function-eks-cluster/src/lifecycle/cluster-facts.js';
import { TIERS } from 'function-eks-cluster/src/network/subnet-plan.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { converge, SimulatedWorld } from 'workshop/aws-world.js';
import { exampleShape, xrArb, xrDocument, type XRShape } from 'workshop/xrs.js';

/** Flux's postBuild variable names (kustomize-controller validates them against this). */
const FLUX_VARIABLE = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
/** The keys of the platform's ConfigMap `tenant` (flux/workload-clusters/tenant/facts.yaml), read by the same Kustomizations. */
const TENANT_KEYS = ['team', 'permissions_boundary_arn', 'flux_role_arn'];

function documented(key: string): boolean {
  return CLUSTER_FACTS.some((f) => new RegExp(`^${f.key.replace(/<tier>/g, `(${TIERS.join('|')})`).replace(/<[a-z]+>/g, '[A-Za-z0-9_]+')}$`).test(key));
}

function converged(shape: XRShape) {
  const world = new SimulatedWorld();
  const run = converge(world, xrDocument(shape));
  return { world, run, facts: world.observed()[CLUSTER_FACTS_KEY] as JsonObject | undefined };
}

const dataOf = (cm: JsonObject | undefined) => (cm?.data ?? {}) as Record<string, string>;
const statusOf = (run: ReturnType<typeof converged>['run']) => (run.result.ok ? run.result.status : undefined) as EKSClusterStatus;

describe('the cluster facts ConfigMap', () => {
  it('is not composed before the cluster exists: its facts are not known yet', () => {
    const result = compose({ composite: xrDocument(exampleShape()), observed: {} });
    expect(result.ok && result.resources.map((r) => r.key)).not.toContain(CLUSTER_FACTS_KEY);
  });

  it('holds, once Ready, every fact an app needs, equal to what the status says', () => {
    const { run, facts } = converged(
      exampleShape({ karpenter: true, podIdentityRoles: [{ name: 'external-dns', policyArns: ['arn:aws:iam::aws:policy/AmazonRoute53FullAccess'] }] }),
    );
    expect(run.settled).toBe(true);
    const status = statusOf(run);
    expect(facts?.metadata).toMatchObject({ name: clusterFactsName('team-a'), namespace: 'team-a' });
    const data = dataOf(facts);
    const subnetIds = (tier: string) =>
      status
        .subnets!.filter((s) => s.tier === tier)
        .map((s) => s.id)
        .join(',');
    expect(data).toMatchObject({
      cluster_name: status.cluster!.name,
      cluster_arn: status.cluster!.arn,
      cluster_endpoint: status.cluster!.endpoint,
      cluster_version: status.cluster!.version,
      oidc_issuer: status.cluster!.oidcIssuer,
      region: 'us-west-2',
      partition: 'aws',
      vpc_id: status.vpcId,
      vpc_cidr: '10.10.0.0/16',
      private_subnet_ids: subnetIds('private'),
      public_subnet_ids: subnetIds('public'),
      karpenter_interruption_queue: status.karpenter!.interruptionQueue,
      karpenter_node_role_name: status.karpenter!.nodeRoleName,
      // What Karpenter's Pod Identity association names: apps/karpenter installs the controller as exactly this.
      karpenter_namespace: 'kube-system',
      karpenter_service_account: 'karpenter',
    });
    expect(data.account_id).toBe(status.cluster!.arn!.split(':')[4]);
    expect(data.cluster_security_group_id).toMatch(/^sg-/);
    expect(data.karpenter_controller_role_arn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(data.pod_identity_role_arn_external_dns).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(data.private_subnet_id_a).toBe(status.subnets!.find((s) => s.tier === 'private' && s.zone === 'us-west-2a')!.id);
  });

  it('every key of every converged XR is documented, a Flux variable name, and none shadows the platform tenant facts', () => {
    fc.assert(
      fc.property(xrArb, (shape) => {
        const { run, facts } = converged(shape);
        if (!run.settled) return;
        const keys = Object.keys(dataOf(facts));
        expect(keys.length).toBeGreaterThan(0);
        for (const key of keys) {
          expect(documented(key), `${key} is not in CLUSTER_FACTS (docs/cluster-facts.md)`).toBe(true);
          expect(key).toMatch(FLUX_VARIABLE);
          expect(TENANT_KEYS).not.toContain(key);
        }
        for (const always of CLUSTER_FACTS.filter((f) => f.when === undefined && !f.key.includes('<'))) expect(keys).toContain(always.key);
        for (const value of Object.values(dataOf(facts))) expect(value).not.toBe('');
      }),
      { numRuns: 40 },
    );
  });

  it('is kept current: a zone added on day 2 appears in it once its subnets exist', () => {
    const { world, run } = converged(exampleShape());
    const xr = run.xr;
    const grown = {
      ...xr,
      spec: { ...(xr.spec as JsonObject), network: { ...((xr.spec as JsonObject).network as JsonObject), availabilityZones: ['a', 'b', 'c'] } },
    };
    const after = converge(world, grown);
    expect(after.settled, JSON.stringify(after.result.ok ? after.result.status.waitingFor : after.result.errors)).toBe(true);
    const data = dataOf(world.observed()[CLUSTER_FACTS_KEY] as JsonObject);
    expect(data.private_subnet_id_c).toMatch(/^subnet-/);
    expect(data.private_subnet_ids?.split(',')).toHaveLength(3);
  });

  it('with an existing network, names the VPC and subnets the spec gives', () => {
    const { run, facts } = converged(exampleShape({ existing: true }));
    expect(run.settled).toBe(true);
    const spec = (xrDocument(exampleShape({ existing: true })).spec as JsonObject).network as JsonObject;
    const existing = spec.existing as JsonObject;
    expect(dataOf(facts)).toMatchObject({ vpc_id: existing.vpcId, private_subnet_ids: (existing.privateSubnetIds as string[]).join(',') });
    expect(dataOf(facts).vpc_cidr).toBeUndefined();
  });
});
