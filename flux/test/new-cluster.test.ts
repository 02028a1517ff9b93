// Adding a workload cluster is copying one folder and changing its name:
// nothing else, no input by hand (its Prometheus workspace is composed by the
// function and read from its facts, like every other value of the cluster).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, type Analysis } from './lib/analyze.js';
import { MANAGEMENT } from './lib/graph.js';
import { get } from './lib/objects.js';
import { copyTree, copyWorkloadCluster, type TreeCopy } from './lib/tree.js';
import { startValidator, type Validator } from './lib/validate.js';
import { defaultClusterName } from 'workshop';

// As long as a team's name may be (flux/test/lib/tenancy.ts): AWS names derived from it must still fit.
const LONG = 'observability-prod-euc1-01';

let tree: TreeCopy;
let analysis: Analysis;
let validator: Validator;
beforeAll(async () => {
  validator = await startValidator();
  tree = copyTree();
  copyWorkloadCluster(tree, 'team-a', 'team-c');
  copyWorkloadCluster(tree, 'team-a', LONG);
  analysis = await analyze(tree.root, validator);
}, 300_000);
afterAll(async () => {
  tree?.dispose();
  await validator?.stop();
});

describe('more workload clusters copied from team-a: team-c, and one with a long name', () => {
  it('passes every check', () => {
    expect(analysis.problems).toEqual(Object.fromEntries(Object.keys(analysis.problems).map((k) => [k, []])));
  });

  it('is a cluster of its own: EKSCluster, kubeconfig reference and apps in namespace team-c', () => {
    const objects = analysis.graph.applied.map((a) => a.object);
    const xr = objects.find((o) => o.kind === 'EKSCluster' && o.metadata.namespace === 'team-c');
    expect(xr?.metadata.name).toBe('team-c');
    const web = objects.find((o) => o.kind === 'Kustomization' && o.metadata.namespace === 'team-c' && o.metadata.name === 'web');
    expect(get(web, 'spec.kubeConfig.secretRef.name')).toBe('team-c-kubeconfig');
    expect(get(web, 'spec.path')).toBe('./apps/web');
    const deployments = analysis.graph.applied.filter((a) => a.object.kind === 'Deployment').map((a) => a.cluster);
    // team-b, in the tree already, is reached through a ConfigMap of the same name (delivery mode AWSIdentity).
    expect(deployments.sort()).toEqual(
      [
        'workload:team-a/team-a-kubeconfig',
        'workload:team-b/team-b-kubeconfig',
        'workload:team-c/team-c-kubeconfig',
        `workload:${LONG}/${LONG}-kubeconfig`,
      ].sort(),
    );
  });

  it("needs no input for any cluster, and each cluster's Prometheus writes to its own workspace, from its facts", () => {
    expect(analysis.graph.inputs.filter((i) => !i.inGit).map((i) => `${i.namespace}/${i.name}`)).toEqual(expect.arrayContaining(['flux-system/tenancy']));
    expect(analysis.graph.inputs.filter((i) => !i.inGit && i.name !== 'tenancy')).toEqual([]);
    const monitoring = analysis.graph.inputs.filter((i) => i.kustomization.endsWith('/monitoring') && i.composed);
    expect(monitoring.map((i) => i.name).sort()).toEqual(['team-a', 'team-b', 'team-c', LONG].map((c) => `${c}-cluster-facts`).sort());
    // team-b, in the tree already, is reached as Flux's AWS identity: its release through its kubeconfig ConfigMap.
    const teamB = analysis.graph.applied.find((a) => a.object.kind === 'HelmRelease' && a.object.metadata.namespace === 'team-b');
    expect(teamB?.cluster).toBe(MANAGEMENT);
    expect(get(teamB?.object, 'spec.kubeConfig')).toEqual({ configMapRef: { name: 'team-b-kubeconfig' } });
    // Each release writes where its own cluster's facts say (the simulated AWS names workspaces alike across clusters).
    const releases = analysis.graph.applied.filter((a) => a.object.kind === 'HelmRelease' && a.object.metadata.name === 'prometheus');
    expect(releases).toHaveLength(4);
    for (const { object } of releases) {
      const url = String((get(object, 'spec.values.server.remoteWrite') as { url: string }[])[0]?.url);
      const facts = monitoring.find((i) => i.namespace === object.metadata.namespace);
      expect(url).toBe(facts?.values.amp_remote_write_url);
      expect(url).toMatch(
        /^https:\/\/aps-workspaces\.us-west-2\.amazonaws\.com\/workspaces\/ws-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\/api\/v1\/remote_write$/,
      );
    }
  });

  it('gives each team its own AWS role, at most 64 characters even for a long team name', () => {
    const roles = analysis.graph.applied
      .filter((a) => a.object.kind === 'ProviderConfig')
      .map((a) => String((get(a.object, 'spec.assumeRoleChain') as { roleARN: string }[])[0]?.roleARN))
      .sort();
    expect(roles).toEqual([
      `arn:aws:iam::210987654321:role/eks-gitops/tenant-${LONG.slice(0, 57)}`,
      'arn:aws:iam::210987654321:role/eks-gitops/tenant-team-a',
      'arn:aws:iam::210987654321:role/eks-gitops/tenant-team-b',
      'arn:aws:iam::210987654321:role/eks-gitops/tenant-team-c',
    ]);
    for (const arn of roles) expect(arn.slice(arn.lastIndexOf('/') + 1).length).toBeLessThanOrEqual(64);
  });

  it('gives each monitoring role its own AWS name, at most 64 characters even for a long cluster name', () => {
    const names = analysis.graph.applied
      .filter((a) => a.object.kind === 'Role' && a.object.apiVersion.startsWith('iam.aws.m.upbound.io/') && a.object.metadata.namespace !== 'crossplane-system')
      .map((a) => (a.object.metadata.annotations as Record<string, string>)['crossplane.io/external-name'] ?? '')
      .sort();
    // The EKS cluster's name (the cluster facts' cluster_name), cut to 32 characters.
    const expected = [LONG, 'team-a', 'team-b', 'team-c'].map((team) => `${defaultClusterName(team, team).slice(0, 32)}-us-west-2-prometheus`).sort();
    expect(names).toEqual(expected);
    for (const name of names) expect(name.length).toBeLessThanOrEqual(64);
  });
});
