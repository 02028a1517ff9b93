// The manifests in this repository, as Flux would apply them from
// `flux bootstrap --path=flux/clusters/management`, validated offline.
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, type Analysis } from './lib/analyze.js';
import { MANAGEMENT } from './lib/graph.js';
import { get } from './lib/objects.js';
import { REPO_ROOT } from './lib/tools.js';
import { defaultClusterName } from 'function-eks-cluster/testing';

let analysis: Analysis;
beforeAll(async () => {
  analysis = await analyze(REPO_ROOT);
});

const checks: [string, string][] = [
  ['builds', 'every kustomization directory builds with flux build kustomization'],
  ['paths', 'every Flux Kustomization path builds, and every kustomization directory is applied by one'],
  [
    'schemas',
    'every object validates against its schema (kubeconform strict; crossplane resource validate against the Crossplane and provider-aws CRDs and our XRD)',
  ],
  ['duplicates', 'no object is applied twice to the same cluster'],
  [
    'kubeconfigRefs',
    "every kubeConfig names its EKSCluster's Secret (key kubeconfig) or, with delivery mode AWSIdentity, its ConfigMap <EKSCluster>-kubeconfig, in its namespace, gated on the EKSCluster being Ready; no release beside an EKSCluster lacks one",
  ],
  ['references', 'every dependsOn, sourceRef and reference target exists'],
  ['pinned', 'every chart, package and image version is pinned'],
  ['secrets', 'no plaintext Secret data, no AWS keys, no static provider credentials'],
  ['namespaces', 'every namespace used is created in the cluster that uses it'],
  ['clusterNames', 'each workload cluster folder names one cluster everywhere'],
  ['handMadeInputs', "what reads a cluster's facts reads no input made by hand, and nothing in Git copies a fact"],
  ['versions', 'Flux installs the provider-aws and Crossplane versions whose CRDs the schemas check uses'],
  ['inputs', "an input the user provides is required (substituteFrom, not optional); a known input's value in Git has its format"],
  ['placeholders', 'no value Flux applies is a placeholder (all-zero IDs, example accounts, changeme)'],
  ['iamRoleNames', 'every IAM role has a valid AWS name (at most 64 characters), unique in the account'],
  [
    'activation',
    "every managed resource kind Flux applies or the function composes for Flux's EKSClusters is activated by the chart's default policy and the Configuration's, and its provider installed",
  ],
  [
    'tenancy',
    "every Kustomization and HelmRelease reconciles as a named ServiceAccount, refers to nothing in another namespace, and a team's applies only into its namespace with its own AWS identity",
  ],
];

describe('flux/ and apps/', () => {
  it('runs every check listed here', () => {
    expect(Object.keys(analysis.problems).sort()).toEqual(checks.map(([name]) => name).sort());
  });

  it.each(checks)('%s: %s', (name) => {
    expect(analysis.problems[name]).toEqual([]);
  });

  it('delivers the apps to workload cluster team-a only through its kubeconfig Secret', () => {
    const find = (kind: string, ns: string, name: string) =>
      analysis.graph.applied.find((a) => a.object.kind === kind && a.object.metadata.namespace === ns && a.object.metadata.name === name);
    const kubeconfig = { name: 'team-a-kubeconfig', key: 'kubeconfig' };
    expect(find('EKSCluster', 'team-a', 'team-a')?.cluster).toBe(MANAGEMENT);
    expect(get(find('Kustomization', 'team-a', 'web')?.object, 'spec.kubeConfig.secretRef')).toEqual(kubeconfig);
    expect(get(find('HelmRelease', 'team-a', 'prometheus')?.object, 'spec.kubeConfig')).toEqual({ secretRef: kubeconfig });
    // team-b is reached as Flux's AWS identity: its monitoring release too (apps/monitoring/aws-identity).
    expect(get(find('HelmRelease', 'team-b', 'prometheus')?.object, 'spec.kubeConfig')).toEqual({ configMapRef: { name: 'team-b-kubeconfig' } });
    expect(find('Deployment', 'web', 'web')?.cluster).toBe('workload:team-a/team-a-kubeconfig');
  });

  it("requires the platform's tenancy input (flux-system/tenancy), not optional, not in Git, and no input for any cluster", () => {
    expect(analysis.graph.inputs.filter((i) => !i.inGit).map(({ values: _, ...input }) => input)).toEqual([
      {
        kustomization: 'Kustomization flux-system/aws-iam',
        kind: 'ConfigMap',
        namespace: 'flux-system',
        name: 'tenancy',
        optional: false,
        inGit: false,
        keys: ['aws_account_id'],
      },
      {
        kustomization: 'Kustomization flux-system/tenant-team-a',
        kind: 'ConfigMap',
        namespace: 'flux-system',
        name: 'tenancy',
        optional: false,
        inGit: false,
        keys: ['aws_account_id', 'git_branch', 'git_repository_url'],
      },
      {
        kustomization: 'Kustomization flux-system/tenant-team-b',
        kind: 'ConfigMap',
        namespace: 'flux-system',
        name: 'tenancy',
        optional: false,
        inGit: false,
        keys: ['aws_account_id', 'git_branch', 'git_repository_url'],
      },
    ]);
    // The team's folder takes the platform's facts for it from Git (flux/workload-clusters/tenant/facts.yaml).
    const line = (i: (typeof analysis.graph.inputs)[number]) => `${i.kustomization} <- ${i.kind} ${i.namespace}/${i.name}: ${i.keys.join(', ')}`;
    expect(analysis.graph.inputs.filter((i) => i.inGit && !i.composed).map(line)).toEqual([
      'Kustomization team-a/eks-cluster <- ConfigMap team-a/tenant: permissions_boundary_arn, team',
      'Kustomization team-a/monitoring <- ConfigMap team-a/tenant: permissions_boundary_arn, team',
      'Kustomization team-a/karpenter-nodes <- ConfigMap team-a/tenant: team',
      'Kustomization team-a/pod-networking <- ConfigMap team-a/tenant: team',
      'Kustomization team-b/eks-cluster <- ConfigMap team-b/tenant: flux_role_arn, permissions_boundary_arn, team',
      'Kustomization team-b/karpenter-nodes <- ConfigMap team-b/tenant: team',
      'Kustomization team-b/monitoring <- ConfigMap team-b/tenant: permissions_boundary_arn, team',
      'Kustomization team-b/pod-networking <- ConfigMap team-b/tenant: team',
    ]);
    // And the cluster's own facts from what the function composes for its EKSCluster (docs/cluster-facts.md): nothing copied by hand.
    // Karpenter (apps/karpenter) takes every cluster value from them too: names, endpoint, queue, roles, security group.
    expect(analysis.graph.inputs.filter((i) => i.composed).map(line)).toEqual([
      'Kustomization team-a/monitoring <- ConfigMap team-a/team-a-cluster-facts: amp_remote_write_url, cluster_name, cluster_resource_name, ekscluster_name, kubeconfig_name, region',
      'Kustomization team-a/karpenter <- ConfigMap team-a/team-a-cluster-facts: cluster_endpoint, cluster_name, ekscluster_name, karpenter_interruption_queue, karpenter_namespace, karpenter_service_account',
      'Kustomization team-a/karpenter-nodes <- ConfigMap team-a/team-a-cluster-facts: cluster_name, cluster_security_group_id, karpenter_node_role_name',
      // The ENIConfigs (apps/pod-networking): the pod subnets by zone and the security group.
      'Kustomization team-a/pod-networking <- ConfigMap team-a/team-a-cluster-facts: cluster_security_group_id, ekscluster_name, kubeconfig_name, pod_subnet_ids, pod_subnet_zones',
      'Kustomization team-b/karpenter <- ConfigMap team-b/team-b-cluster-facts: cluster_endpoint, cluster_name, ekscluster_name, karpenter_interruption_queue, karpenter_namespace, karpenter_service_account',
      'Kustomization team-b/karpenter-nodes <- ConfigMap team-b/team-b-cluster-facts: cluster_name, cluster_security_group_id, karpenter_node_role_name',
      'Kustomization team-b/monitoring <- ConfigMap team-b/team-b-cluster-facts: amp_remote_write_url, cluster_name, cluster_resource_name, ekscluster_name, kubeconfig_name, region',
      'Kustomization team-b/pod-networking <- ConfigMap team-b/team-b-cluster-facts: cluster_security_group_id, ekscluster_name, kubeconfig_name, pod_subnet_ids, pod_subnet_zones',
    ]);
    const monitoring = analysis.graph.applied.find((a) => a.object.kind === 'Kustomization' && a.object.metadata.name === 'monitoring')?.object;
    expect(get(monitoring, 'spec.postBuild.substitute.amp_workspace_id')).toBeUndefined();
  });

  const holds = [
    { team: 'team-a', reason: 'delivery mode KubeconfigSecret: the Usage keeps the kubeconfig Secret, composed by the EKSCluster' },
    { team: 'team-b', reason: "delivery mode AWSIdentity: the Usage keeps the kubeconfig ConfigMap and Flux's access entry, composed by the EKSCluster" },
  ].flatMap((t) => [
    { ...t, app: 'monitoring', release: 'prometheus' },
    { ...t, app: 'pod-networking', release: 'pod-networking' },
  ]);
  it.each(holds)("holds $team's EKSCluster until Helm has uninstalled $app's release ($reason)", ({ team, app, release }) => {
    const usages = analysis.graph.applied.filter(
      (a) => a.object.kind === 'Usage' && a.object.metadata.namespace === team && a.appliedBy === `Kustomization ${team}/${app}`,
    );
    expect(
      usages.map((a) => ({ cluster: a.cluster, name: a.object.metadata.name, annotations: a.object.metadata.annotations, spec: get(a.object, 'spec') })),
    ).toEqual([
      {
        cluster: MANAGEMENT,
        name: `${team}-held-by-${release}`,
        // Flux must not delete it with the app's Kustomization: the garbage collector does, after the HelmRelease.
        annotations: { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' },
        spec: {
          replayDeletion: true,
          of: { apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', resourceRef: { name: team } },
          by: { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', resourceRef: { name: release } },
        },
      },
    ]);
    // What it holds and what holds it are applied beside it.
    const beside = (kind: string, name: string) =>
      analysis.graph.applied.some((a) => a.object.kind === kind && a.object.metadata.namespace === team && a.object.metadata.name === name);
    expect([beside('EKSCluster', team), beside('HelmRelease', release)]).toEqual([true, true]);
  });

  it("names the monitoring role in AWS by cluster and region, within IAM's 64 characters", () => {
    const role = analysis.graph.applied.find((a) => a.object.kind === 'Role' && a.object.metadata.name === 'team-a-prometheus-remote-write')?.object;
    // The EKS cluster's name, from the cluster facts.
    expect(role?.metadata.annotations).toEqual({ 'crossplane.io/external-name': `${defaultClusterName('team-a', 'team-a')}-us-west-2-prometheus` });
  });
});
