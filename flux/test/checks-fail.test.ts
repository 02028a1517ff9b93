// Every check can fail: each case breaks one thing in a copy of the tree and
// expects the named check to say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from './lib/analyze.js';
import { commitMonitoringInput, copyTree, copyWorkloadCluster, type TreeCopy } from './lib/tree.js';
import { startValidator, type Validator } from './lib/validate.js';

const MGMT = 'flux/clusters/management/infrastructure.yaml';
const DELIVERY = 'flux/workload-clusters/team-a/delivery.yaml';
const TEAM_B_DELIVERY = 'flux/workload-clusters/team-b/delivery.yaml';
const TEAM_B_CLUSTER = 'flux/workload-clusters/team-b/eks-cluster/eks-cluster.yaml';
const EKS_CLUSTER = 'flux/workload-clusters/team-a/eks-cluster/eks-cluster.yaml';
const CROSSPLANE_RELEASE = 'flux/infrastructure/crossplane/release.yaml';

interface Case {
  name: string;
  breakIt: (t: TreeCopy) => void;
  check: string;
  expected: RegExp;
}

const TEAM_A = 'flux/workload-clusters/team-a/kustomization.yaml';
/** Adds a file to team-a's folder (applied as team-a's ServiceAccount). */
const teamFile = (t: TreeCopy, name: string, text: string) => {
  t.write(`flux/workload-clusters/team-a/${name}`, text);
  t.edit(TEAM_A, '  - delivery.yaml\n', `  - delivery.yaml\n  - ${name}\n`);
};

const cases: Case[] = [
  {
    name: "a team's Kustomization without serviceAccountName (it would reconcile as team-a/default)",
    breakIt: (t) => t.edit(DELIVERY, /(  name: web\n  namespace: team-a\nspec:\n)  serviceAccountName: flux-reconciler\n/, '$1'),
    check: 'tenancy',
    expected: /Kustomization team-a\/web: no spec\.serviceAccountName: .*team-a\/default/,
  },
  {
    name: "a team's Kustomization naming a ServiceAccount that does not exist",
    breakIt: (t) => t.edit(DELIVERY, /(  name: web\n  namespace: team-a\nspec:\n)  serviceAccountName: flux-reconciler\n/, '$1  serviceAccountName: admin\n'),
    check: 'tenancy',
    expected: /Kustomization team-a\/web: serviceAccountName admin: no ServiceAccount team-a\/admin/,
  },
  {
    name: 'a platform Kustomization without serviceAccountName',
    breakIt: (t) => t.edit('flux/clusters/management/workload-clusters.yaml', /\n  serviceAccountName: kustomize-controller/, ''),
    check: 'tenancy',
    expected: /Kustomization flux-system\/workload-clusters: no spec\.serviceAccountName/,
  },
  {
    name: "a team's Kustomization using the flux-system source across namespaces",
    breakIt: (t) =>
      t.edit(DELIVERY, /(  name: web\n[\s\S]*?sourceRef:\n    kind: GitRepository\n    name: )team-a\n/, '$1flux-system\n    namespace: flux-system\n'),
    check: 'tenancy',
    expected: /Kustomization team-a\/web: spec\.sourceRef is in namespace flux-system: Flux refuses references across namespaces/,
  },
  {
    name: "a team's Kustomization depending on another namespace's",
    breakIt: (t) =>
      t.edit(
        DELIVERY,
        '  dependsOn:\n    - name: eks-cluster\n',
        '  dependsOn:\n    - name: eks-cluster\n    - name: workload-clusters\n      namespace: flux-system\n',
      ),
    check: 'tenancy',
    expected: /Kustomization team-a\/web: spec\.dependsOn\[1\] is in namespace flux-system/,
  },
  {
    name: "a ClusterRole in a team's folder",
    breakIt: (t) => teamFile(t, 'escape.yaml', 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: team-a-escape\nrules: []\n'),
    check: 'tenancy',
    expected: /ClusterRole team-a-escape: applied by Kustomization team-a\/team-a, .* only create objects in namespace team-a \(this one is cluster-scoped\)/,
  },
  {
    name: "an object in another team's namespace, in a team's folder",
    breakIt: (t) => teamFile(t, 'escape.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: team-a-was-here\n  namespace: team-b\n'),
    check: 'tenancy',
    expected: /ConfigMap team-b\/team-a-was-here: applied by Kustomization team-a\/team-a, .* only create objects in namespace team-a/,
  },
  {
    name: "a team's EKSCluster on the platform's ClusterProviderConfig",
    breakIt: (t) => t.edit(EKS_CLUSTER, 'providerConfigKind: ProviderConfig', 'providerConfigKind: ClusterProviderConfig'),
    check: 'tenancy',
    expected: /EKSCluster team-a\/team-a: in a team's namespace set spec\.providerConfigKind: ProviderConfig/,
  },
  {
    name: "a team whose name starts with another team's and '-' (its EKS cluster names could name the other's)",
    breakIt: (t) => t.edit('flux/workload-clusters/team-b.yaml', 'team: team-b', 'team: team-a-b'),
    check: 'tenancy',
    expected: /teams team-a and team-a-b: team-a's EKS cluster names start with "team-a-", so they could name team-a-b's/,
  },
  {
    name: 'a team whose name is too long for its IAM role names to keep it',
    breakIt: (t) => t.edit('flux/workload-clusters/team-b.yaml', 'team: team-b', 'team: team-b-named-with-31-characters'),
    check: 'tenancy',
    expected: /team team-b-named-with-31-characters: 31 characters; at most 26/,
  },
  {
    name: "a team named platform (the tag value of the platform's own AWS resources)",
    breakIt: (t) => t.edit('flux/workload-clusters/team-b.yaml', 'team: team-b', 'team: platform'),
    check: 'tenancy',
    expected: /team platform: the tag eks-gitops\/tenant: platform marks the platform's own AWS resources/,
  },
  {
    name: "a team's namespace without the tenant label",
    breakIt: (t) => t.edit('flux/workload-clusters/tenant/namespace.yaml', /\n  labels:\n    toolkit\.fluxcd\.io\/tenant: \$\{team\}/, ''),
    check: 'tenancy',
    expected: /Namespace team-a: a team's namespace needs the label toolkit\.fluxcd\.io\/tenant/,
  },
  {
    name: "a team's Kustomization reaching for a path outside its source's artifact",
    breakIt: (t) => t.edit(DELIVERY, 'path: ./apps/web', 'path: ./flux/infrastructure/providers'),
    check: 'paths',
    expected: /Kustomization team-a\/web: path \.\/flux\/infrastructure\/providers is not in the artifact of GitRepository team-a\/team-a/,
  },
  {
    name: 'a kustomization.yaml listing a missing file',
    breakIt: (t) => t.edit('apps/web/kustomization.yaml', '  - hpa.yaml', '  - autoscaler.yaml'),
    check: 'builds',
    expected: /apps\/web.*autoscaler\.yaml/,
  },
  {
    name: 'a kustomization directory nothing applies',
    breakIt: (t) => t.write('apps/orphan/kustomization.yaml', 'resources: []\n'),
    check: 'paths',
    expected: /apps\/orphan has a kustomization\.yaml but no Flux Kustomization applies it/,
  },
  {
    name: 'a Kustomization path that does not exist',
    breakIt: (t) => t.edit(DELIVERY, 'path: ./apps/web', 'path: ./apps/website'),
    check: 'paths',
    expected: /apps\/website does not exist/,
  },
  {
    name: 'an unknown field in a Deployment (strict)',
    breakIt: (t) => t.edit('apps/web/deployment.yaml', 'revisionHistoryLimit:', 'revisionHistoryLimits:'),
    check: 'schemas',
    expected: /Deployment web\/web \(apps\/v1\): refused by the apiserver .*\.spec\.revisionHistoryLimits: field not declared in schema/,
  },
  {
    name: 'a wrong type in a Flux Kustomization',
    breakIt: (t) => t.edit(MGMT, '  prune: true\n  wait: true\n---', '  prune: "yes"\n  wait: true\n---'),
    check: 'schemas',
    expected: /Kustomization flux-system\/crossplane \(kustomize\.toolkit\.fluxcd\.io\/v1\): refused by the apiserver .*\.spec\.prune: expected boolean/,
  },
  {
    name: 'an unknown field in a HelmRelease (strict)',
    breakIt: (t) => t.edit('apps/monitoring/base/release.yaml', '  releaseName: prometheus', '  release: prometheus'),
    check: 'schemas',
    expected: /HelmRelease team-a\/prometheus \(helm\.toolkit\.fluxcd\.io\/v2\): refused by the apiserver .*\.spec\.release: field not declared in schema/,
  },
  {
    name: 'a misspelt field in a Crossplane Provider',
    breakIt: (t) =>
      t.edit(
        'flux/infrastructure/providers/providers.yaml',
        '  package: xpkg.crossplane.io/crossplane-contrib/provider-aws-eks',
        '  packages: xpkg.crossplane.io/crossplane-contrib/provider-aws-eks',
      ),
    check: 'schemas',
    expected: /Provider provider-aws-eks \(pkg\.crossplane\.io\/v1\): refused by the apiserver .*\.spec\.packages: field not declared in schema/,
  },
  {
    name: 'a misspelt field in a DeploymentRuntimeConfig',
    breakIt: (t) => t.edit('flux/infrastructure/providers/runtime-config.yaml', '  deploymentTemplate:', '  deploymentTemplates:'),
    check: 'schemas',
    expected:
      /DeploymentRuntimeConfig provider-aws \(pkg\.crossplane\.io\/v1beta1\): refused by the apiserver .*\.spec\.deploymentTemplates: field not declared in schema/,
  },
  {
    name: 'a ClusterProviderConfig with an unknown credentials source',
    breakIt: (t) => t.edit('flux/infrastructure/provider-config/cluster-provider-config.yaml', 'source: PodIdentity', 'source: AccessKeys'),
    check: 'schemas',
    expected:
      /ClusterProviderConfig default \(aws\.m\.upbound\.io\/v1beta1\): refused by the apiserver .*spec\.credentials\.source: Unsupported value: "AccessKeys"/,
  },
  {
    name: 'a managed resource field of the wrong type',
    breakIt: (t) => t.edit('apps/monitoring/base/remote-write-identity.yaml', '    namespace: monitoring', '    namespace: [monitoring]'),
    check: 'schemas',
    expected:
      /PodIdentityAssociation team-a\/team-a-prometheus \(eks\.aws\.m\.upbound\.io\/v1beta1\): refused by the apiserver .*\.spec\.forProvider\.namespace: expected string/,
  },
  {
    name: 'an EKSCluster value its XRD rejects',
    breakIt: (t) => t.edit(EKS_CLUSTER, 'nat: HighlyAvailable', 'nat: Always'),
    check: 'schemas',
    expected: /EKSCluster team-a\/team-a \(eks\.gitops\.dev\/v1alpha1\): refused by the apiserver .*spec\.network\.nat: Unsupported value: "Always"/,
  },
  {
    name: 'an EKSCluster field its XRD does not have',
    breakIt: (t) => t.edit(EKS_CLUSTER, 'vpcCidr:', 'vpcCIDR:'),
    check: 'schemas',
    expected: /EKSCluster team-a\/team-a \(eks\.gitops\.dev\/v1alpha1\): refused by the apiserver .*\.spec\.network\.vpcCIDR: field not declared in schema/,
  },
  {
    name: 'an EKSCluster without its XRD',
    breakIt: (t) => t.remove('configuration/package/apis/eksclusters/definition.yaml'),
    check: 'schemas',
    expected:
      /EKSCluster team-a\/team-a \(eks\.gitops\.dev\/v1alpha1\): no CRD defines this kind \(configuration\/package\/apis\/eksclusters\/definition\.yaml not found/,
  },
  {
    name: 'a Crossplane kind no CRD defines',
    breakIt: (t) => {
      t.write('apps/web/widget.yaml', 'apiVersion: pkg.crossplane.io/v1\nkind: Widget\nmetadata:\n  name: w\n');
      t.edit('apps/web/kustomization.yaml', '  - hpa.yaml', '  - hpa.yaml\n  - widget.yaml');
    },
    check: 'schemas',
    expected: /Widget web\/w \(pkg\.crossplane\.io\/v1\): no CRD defines this kind/,
  },
  {
    name: 'an object of a kind no validator covers',
    breakIt: (t) => {
      t.write('apps/web/widget.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n');
      t.edit('apps/web/kustomization.yaml', '  - hpa.yaml', '  - hpa.yaml\n  - widget.yaml');
    },
    check: 'schemas',
    expected: /Widget web\/w \(example\.com\/v1\): no CRD defines this kind/,
  },
  {
    name: "a kubeconfig Secret read under Flux's default key",
    breakIt: (t) => t.edit(DELIVERY, '      key: kubeconfig', '      key: value'),
    check: 'kubeconfigRefs',
    expected: /Kustomization team-a\/web: kubeConfig\.secretRef\.key must be "kubeconfig"/,
  },
  {
    name: 'a kubeconfig Secret the function does not write',
    breakIt: (t) => t.edit(DELIVERY, 'name: team-a-kubeconfig', 'name: team-a-admin'),
    check: 'kubeconfigRefs',
    expected: /Kustomization team-a\/web: kubeConfig\.secretRef "team-a-admin"/,
  },
  {
    name: 'a configMapRef to a ConfigMap the function does not compose',
    breakIt: (t) => t.edit(TEAM_B_DELIVERY, '      name: team-b-kubeconfig', '      name: team-b-aws'),
    check: 'kubeconfigRefs',
    expected: /Kustomization team-b\/web: kubeConfig\.configMapRef "team-b-aws" is not <name>-kubeconfig/,
  },
  {
    name: 'a configMapRef to an EKSCluster that delivers through a kubeconfig Secret',
    breakIt: (t) => t.edit(TEAM_B_CLUSTER, /  delivery:\n(.*\n)*/, ''),
    check: 'kubeconfigRefs',
    expected:
      /Kustomization team-b\/web: kubeConfig\.configMapRef "team-b-kubeconfig" names a ConfigMap the function composes only with spec\.delivery\.mode AWSIdentity/,
  },
  {
    name: 'app delivery not gated on the EKSCluster',
    breakIt: (t) =>
      t.edit(DELIVERY, /  dependsOn:\n    - name: eks-cluster\n    - name: karpenter-nodes\n(  interval: 10m\n  retryInterval: 2m\n  timeout: 5m)/, '$1'),
    check: 'kubeconfigRefs',
    expected: /Kustomization team-a\/web: it must dependsOn/,
  },
  {
    name: 'a gate without a failed expression',
    breakIt: (t) => t.edit(DELIVERY, /\n      failed: .*/, ''),
    check: 'kubeconfigRefs',
    expected: /HelmRelease team-a\/prometheus: the Kustomization applying it/,
  },
  {
    name: 'a dependsOn target that does not exist',
    breakIt: (t) => t.edit(MGMT, '    - name: crossplane\n', '    - name: crossplane-core\n'),
    check: 'references',
    expected: /Kustomization flux-system\/crossplane-providers: dependsOn Kustomization flux-system\/crossplane-core does not exist/,
  },
  {
    name: 'a chart source that does not exist',
    breakIt: (t) => t.edit(CROSSPLANE_RELEASE, 'name: crossplane-stable', 'name: crossplane-charts'),
    check: 'references',
    expected: /HelmRelease flux-system\/crossplane: chart\.spec\.sourceRef HelmRepository flux-system\/crossplane-charts does not exist/,
  },
  {
    name: 'a managed resource reference to nothing',
    breakIt: (t) =>
      t.edit(
        'apps/monitoring/base/remote-write-identity.yaml',
        '    roleArnRef:\n      name: ${ekscluster_name}-prometheus-remote-write',
        '    roleArnRef:\n      name: ${ekscluster_name}-prometheus',
      ),
    check: 'references',
    expected: /PodIdentityAssociation team-a\/team-a-prometheus: forProvider\.roleArnRef names team-a-prometheus, no Role/,
  },
  {
    name: 'a chart version range',
    breakIt: (t) => t.edit(CROSSPLANE_RELEASE, 'version: 2.4.0', 'version: ">=2.4.0"'),
    check: 'pinned',
    expected: /HelmRelease flux-system\/crossplane: chart crossplane version ">=2\.4\.0"/,
  },
  {
    name: 'an image on latest',
    breakIt: (t) => t.edit('apps/web/deployment.yaml', 'podinfo:6.14.1', 'podinfo:latest'),
    check: 'pinned',
    expected: /Deployment web\/web: image ghcr\.io\/stefanprodan\/podinfo:latest is not pinned/,
  },
  {
    name: 'a package without a version',
    breakIt: (t) => t.edit('flux/infrastructure/packages/function.yaml', /function-eks-cluster@sha256:\S+ # \S+/, 'function-eks-cluster'),
    check: 'pinned',
    expected: /Function eks-gitops-function-eks-cluster: package .* is not pinned to an exact version or digest/,
  },
  {
    name: 'our Configuration by tag alone',
    breakIt: (t) => t.edit('flux/infrastructure/packages/configuration.yaml', /(configuration-eks-cluster:v[0-9.]+)@sha256:\S+/, '$1'),
    check: 'pinned',
    expected: /Configuration configuration-eks-cluster: package ghcr\.io\/eks-gitops\/configuration-eks-cluster:v[0-9.]+ is not pinned by digest/,
  },
  {
    name: 'a plaintext Secret',
    breakIt: (t) => {
      t.write('apps/web/secret.yaml', 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\nstringData:\n  password: hunter2\n');
      t.edit('apps/web/kustomization.yaml', '  - hpa.yaml', '  - hpa.yaml\n  - secret.yaml');
    },
    check: 'secrets',
    expected: /Secret web\/creds: plaintext Secret data/,
  },
  {
    name: 'an AWS access key in a manifest',
    breakIt: (t) => t.edit(DELIVERY, '        name: team-a-cluster-facts\n', '        name: team-a-cluster-facts\n        # AKIAIOSFODNN7EXAMPLE\n'),
    check: 'secrets',
    expected: /delivery\.yaml: looks like an AWS access key/,
  },
  {
    name: 'a namespace nothing creates',
    breakIt: (t) => t.edit('apps/web/kustomization.yaml', '  - namespace.yaml\n', ''),
    check: 'namespaces',
    expected: /Deployment web\/web uses namespace web in workload:team-a\/team-a-kubeconfig, which nothing creates there/,
  },
  {
    name: 'a Helm release namespace nothing creates',
    breakIt: (t) => t.edit('apps/monitoring/base/release.yaml', '    createNamespace: true\n', ''),
    check: 'namespaces',
    expected: /HelmRelease team-a\/prometheus \(release\) uses namespace monitoring in workload:team-a\/team-a-kubeconfig/,
  },
  {
    name: 'a fact of the cluster copied by hand into postBuild.substitute',
    breakIt: (t) => t.edit(DELIVERY, '  postBuild:\n    # The new cluster', '  postBuild:\n    substitute:\n      region: eu-west-1\n    # The new cluster'),
    check: 'clusterNames',
    expected: /Kustomization team-a\/monitoring: postBuild\.substitute\.region is copied by hand; read it from the ConfigMap <EKSCluster name>-cluster-facts/,
  },
  {
    name: "Karpenter's cluster name copied by hand into its HelmRelease",
    breakIt: (t) => t.edit('apps/karpenter/release.yaml', 'clusterName: ${cluster_name}', 'clusterName: team-a-36394403'),
    check: 'clusterNames',
    expected:
      /HelmRelease team-a\/karpenter \(Kustomization team-a\/karpenter\): "team-a-36394403" is the cluster_name of EKSCluster team-a\/team-a, copied by hand; write \$\{cluster_name\}/,
  },
  {
    name: "Karpenter's node role copied by hand into its EC2NodeClass",
    breakIt: (t) => t.edit('apps/karpenter/nodes/ec2nodeclass.yaml', 'role: ${karpenter_node_role_name}', 'role: team-a-36394403-karpenter-node'),
    check: 'clusterNames',
    expected:
      /EC2NodeClass default \(Kustomization team-a\/karpenter-nodes\): "team-a-36394403-karpenter-node" is the karpenter_node_role_name of EKSCluster team-a\/team-a/,
  },
  {
    name: 'Karpenter delivered to a cluster that does not enable it (its facts have no Karpenter keys)',
    breakIt: (t) => t.edit(EKS_CLUSTER, /  # Karpenter's AWS side[\s\S]*?    enabled: true\n/, ''),
    check: 'paths',
    expected: /Kustomization team-a\/karpenter .*variable \$\{karpenter_[a-z_]+\} has no value/,
  },
  {
    name: 'a copied team grant that was not renamed',
    breakIt: (t) => {
      copyWorkloadCluster(t, 'team-a', 'team-c');
      t.write('flux/workload-clusters/team-c.yaml', t.read('flux/workload-clusters/team-a.yaml'));
    },
    check: 'builds',
    expected: /workload-clusters.*already registered id: .*Kustomization.*tenant-team-a/,
  },
  {
    name: 'two Kustomizations applying the same app to one cluster',
    breakIt: (t) => {
      const web =
        t
          .read(DELIVERY)
          .split('---\n')
          .find((doc) => doc.includes('  name: web\n')) ?? '';
      t.write(DELIVERY, `${t.read(DELIVERY)}---\n${web.replace('  name: web\n', '  name: web-again\n')}`);
    },
    check: 'duplicates',
    expected: /Deployment web\/web in workload:team-a\/team-a-kubeconfig is applied by both Kustomization team-a\/web and Kustomization team-a\/web-again/,
  },
  {
    name: 'a placeholder workspace ID in postBuild.substitute',
    breakIt: (t) =>
      t.edit(
        DELIVERY,
        '  postBuild:\n    # The new cluster',
        '  postBuild:\n    substitute:\n      amp_workspace_id: ws-00000000-0000-0000-0000-000000000000\n    # The new cluster',
      ),
    check: 'placeholders',
    expected: /Kustomization team-a\/monitoring: spec\.postBuild\.substitute\.amp_workspace_id "ws-00000000-0000-0000-0000-000000000000" is an all-zero ID/,
  },
  {
    name: 'a placeholder word in a manifest',
    breakIt: (t) => t.edit('apps/monitoring/base/release.yaml', '          cluster: ${cluster_name}', '          cluster: CHANGEME'),
    check: 'placeholders',
    expected: /HelmRelease team-a\/prometheus: spec\.values\.server\.global\.external_labels\.cluster "CHANGEME" is a placeholder/,
  },
  {
    name: 'a hand-made monitoring input (the former <cluster>-monitoring), outside Git',
    breakIt: (t) =>
      t.edit(
        DELIVERY,
        '        name: team-a-cluster-facts\n        optional: false\n',
        '        name: team-a-cluster-facts\n        optional: false\n      - kind: ConfigMap\n        name: team-a-monitoring\n        optional: false\n',
      ),
    check: 'handMadeInputs',
    expected:
      /Kustomization team-a\/monitoring: substituteFrom ConfigMap team-a\/team-a-monitoring is made by hand, outside Git, but every value of this cluster comes from ConfigMap team-a-cluster-facts/,
  },
  {
    name: 'the workspace ID copied by hand into a ConfigMap in Git, read after the facts',
    breakIt: (t) => {
      commitMonitoringInput(t, 'team-a', 'ws-3f9c2a71-8d4e-4b6a-9e1f-5c7d0b2a4e68');
      t.edit(
        DELIVERY,
        '        name: team-a-cluster-facts\n        optional: false\n',
        '        name: team-a-cluster-facts\n        optional: false\n      - kind: ConfigMap\n        name: team-a-monitoring\n        optional: false\n',
      );
    },
    check: 'handMadeInputs',
    expected: /Kustomization team-a\/monitoring: substituteFrom ConfigMap team-a\/team-a-monitoring copies amp_workspace_id of the cluster's facts by hand/,
  },
  {
    name: 'monitoring delivered to a cluster that does not ask for it (no workspace in its facts)',
    breakIt: (t) => t.edit(EKS_CLUSTER, /  monitoring:\n    enabled: true\n/, ''),
    check: 'paths',
    expected:
      /Kustomization team-a\/monitoring .*HelmRelease prometheus: variable \$\{amp_remote_write_url\} has no value .*Flux says: variable not set \(strict mode\): "amp_remote_write_url"/,
  },
  {
    name: 'a required input of an unknown format',
    breakIt: (t) =>
      t.edit(
        'flux/workload-clusters/tenant/sync.yaml',
        '  url: ${git_repository_url}\n',
        '  url: ${git_repository_url}\n  # ${team_id}\n  timeout: ${team_id}\n',
      ),
    check: 'paths',
    expected:
      /Kustomization flux-system\/tenant-team-a: \$\{team_id\} must come from ConfigMap flux-system\/tenancy, which is not in Git, and flux\/test\/lib\/inputs\.ts has no test value for team_id/,
  },
  {
    name: 'a ${var:?message} that Flux would substitute',
    breakIt: (t) =>
      t.edit('apps/monitoring/base/release.yaml', '        - url: ${amp_remote_write_url}', '        - url: ${amp_remote_write_url:?set the workspace}'),
    check: 'paths',
    expected: /HelmRelease prometheus: \$\{amp_remote_write_url:\?\.\.\.\} does not fail in Flux: its envsubst substitutes the message/,
  },
  {
    name: "monitoring's base applied without a delivery mode's overlay (Prometheus into the management cluster)",
    breakIt: (t) => t.edit(DELIVERY, './apps/monitoring/kubeconfig-secret', './apps/monitoring/base'),
    check: 'kubeconfigRefs',
    expected:
      /HelmRelease team-a\/prometheus: no spec\.kubeConfig, so helm-controller would install it into the management cluster, not EKSCluster team-a\/team-a's/,
  },
  {
    name: "the monitoring release reaching an AWS-identity cluster through a kubeconfig Secret (the other delivery mode's overlay)",
    breakIt: (t) => t.edit(TEAM_B_DELIVERY, './apps/monitoring/aws-identity', './apps/monitoring/kubeconfig-secret'),
    check: 'kubeconfigRefs',
    expected: /HelmRelease team-b\/prometheus: kubeConfig\.secretRef "team-b-kubeconfig": EKSCluster team-b\/team-b has spec\.delivery\.mode AWSIdentity/,
  },
  {
    name: 'two clusters whose monitoring roles share an AWS name',
    breakIt: (t) => {
      copyWorkloadCluster(t, 'team-a', 'observability-platform-production-a');
      copyWorkloadCluster(t, 'team-a', 'observability-platform-production-b');
    },
    check: 'iamRoleNames',
    expected:
      /Role observability-platform-production-b\/observability-platform-production-b-prometheus-remote-write and Role observability-platform-production-a\/.* have the same AWS role name "observability-platform-productio-us-west-2-prometheus"/,
  },
  {
    name: 'a role name longer than IAM allows',
    breakIt: (t) =>
      t.edit(
        'apps/monitoring/base/remote-write-identity.yaml',
        '${cluster_name:0:32}-${region}-prometheus',
        '${cluster_name}-${region}-prometheus-remote-write-to-amazon-managed-prometheus',
      ),
    check: 'iamRoleNames',
    expected:
      /Role team-a\/team-a-prometheus-remote-write: AWS role name "team-a-[0-9a-f]{8}-us-west-2-prometheus-remote-write-to-amazon-managed-prometheus" \(78 characters\) is not a valid IAM role name/,
  },
  {
    name: "the chart's default activations missing a kind the function composes and apps/monitoring applies",
    breakIt: (t) => t.edit(CROSSPLANE_RELEASE, '        - roles.iam.aws.m.upbound.io\n', ''),
    check: 'activation',
    expected:
      /Role .*: roles\.iam\.aws\.m\.upbound\.io is not activated by HelmRelease flux-system\/crossplane \(provider\.defaultActivations\): add the kind to MANAGED_GROUPS/,
  },
  {
    name: "the chart's default activations left out (its default activates every kind)",
    breakIt: (t) => t.edit(CROSSPLANE_RELEASE, /\n    provider:\n      defaultActivations:[\s\S]*$/, '\n'),
    check: 'activation',
    expected: /HelmRelease flux-system\/crossplane: no spec\.values\.provider\.defaultActivations: the chart's default \["\*"\] activates every kind/,
  },
  {
    name: "the Configuration's activation policy missing a kind the function composes",
    breakIt: (t) => t.edit('configuration/package/apis/eksclusters/activation-policy.yaml', '    - nodegroups.eks.aws.m.upbound.io\n', ''),
    check: 'activation',
    expected: /NodeGroup team-\w+\/.* \(composed by the function\): nodegroups\.eks\.aws\.m\.upbound\.io is not activated by the Configuration's policy/,
  },
  {
    name: 'a provider of a composed kind not installed by Flux',
    breakIt: (t) => t.edit('flux/infrastructure/providers/providers.yaml', /# the cluster, node groups[\s\S]*?---\n/, ''),
    check: 'activation',
    expected: /Cluster team-\w+\/.*: its provider provider-aws-eks is not a Provider Flux installs: run npm run gen-api/,
  },
  {
    name: 'Flux installing a provider-aws version the tests have no CRDs for',
    breakIt: (t) => t.edit(MGMT, 'aws_provider_version: v2.7.0', 'aws_provider_version: v2.8.0'),
    check: 'versions',
    expected: /Provider provider-aws-ec2: package .*provider-aws-ec2:v2\.8\.0 is not at PROVIDER_AWS_VERSION v2\.7\.0 of scripts\/tools\/crds\.sh/,
  },
  {
    name: 'CRDs of another provider-aws version than Flux installs',
    breakIt: (t) => t.edit('scripts/tools/crds.sh', 'PROVIDER_AWS_VERSION=v2.7.0', 'PROVIDER_AWS_VERSION=v2.6.0'),
    check: 'versions',
    expected: /Kustomization flux-system\/crossplane-providers: aws_provider_version v2\.7\.0 differs from PROVIDER_AWS_VERSION v2\.6\.0/,
  },
  {
    name: 'the Configuration accepting an older provider-aws',
    breakIt: (t) =>
      t.edit('configuration/package/crossplane.yaml', 'provider-aws-iam\n      version: ">=v2.7.0"', 'provider-aws-iam\n      version: ">=v2.5.0"'),
    check: 'versions',
    expected: /configuration\/package\/crossplane\.yaml: .*provider-aws-iam version ">=v2\.5\.0" must be ">=v2\.7\.0"/,
  },
  {
    name: 'Flux installing another Crossplane chart than the pinned core',
    breakIt: (t) => t.edit(CROSSPLANE_RELEASE, 'version: 2.4.0', 'version: 2.5.0'),
    check: 'versions',
    expected:
      /HelmRelease flux-system\/crossplane: chart crossplane 2\.5\.0 differs from github\.com\/crossplane\/crossplane\/v2 v2\.4\.0 of scripts\/tools\/go\/crossplane-core\/go\.mod/,
  },
  {
    name: 'Crossplane CRDs of another version than the chart',
    breakIt: (t) => t.edit('scripts/tools/crds.sh', 'CROSSPLANE_VERSION=v2.4.0', 'CROSSPLANE_VERSION=v2.3.4'),
    check: 'versions',
    expected: /HelmRelease flux-system\/crossplane: chart crossplane 2\.4\.0 differs from CROSSPLANE_VERSION v2\.3\.4 of scripts\/tools\/crds\.sh/,
  },
  {
    name: 'a Crossplane core of another version than the chart',
    breakIt: (t) =>
      t.edit('scripts/tools/go/crossplane-core/go.mod', 'github.com/crossplane/crossplane/v2 v2.4.0', 'github.com/crossplane/crossplane/v2 v2.3.4'),
    check: 'versions',
    expected:
      /HelmRelease flux-system\/crossplane: chart crossplane 2\.4\.0 differs from github\.com\/crossplane\/crossplane\/v2 v2\.3\.4 of scripts\/tools\/go\/crossplane-core\/go\.mod/,
  },
  {
    name: 'Flux installing another Prometheus chart than the end-to-end run installs',
    breakIt: (t) => t.edit('apps/monitoring/base/release.yaml', 'version: 29.27.0', 'version: 29.28.0'),
    check: 'versions',
    expected: /HelmRelease team-a\/prometheus: chart prometheus 29\.28\.0 differs from PROMETHEUS_CHART_VERSION 29\.27\.0 of scripts\/tools\/prometheus\.sh/,
  },
  {
    name: 'the end-to-end run packaging another Prometheus chart than Flux installs',
    breakIt: (t) => t.edit('scripts/tools/prometheus.sh', 'PROMETHEUS_CHART_VERSION=29.27.0', 'PROMETHEUS_CHART_VERSION=29.26.0'),
    check: 'versions',
    expected: /HelmRelease team-b\/prometheus: chart prometheus 29\.27\.0 differs from PROMETHEUS_CHART_VERSION 29\.26\.0/,
  },
];

let validator: Validator;
beforeAll(async () => {
  validator = await startValidator();
}, 300_000);
afterAll(() => validator?.stop());

describe('each check fails on a broken manifest', () => {
  it.each(cases)('$check: $name', async ({ breakIt, check, expected }) => {
    const tree = copyTree();
    try {
      breakIt(tree);
      const problems = (await analyze(tree.root, validator)).problems[check];
      expect(problems, `no check named ${check}`).toBeDefined();
      expect(
        problems?.some((p) => expected.test(p)),
        `${check} should report ${String(expected)}; it reported:\n${problems?.join('\n')}`,
      ).toBe(true);
    } finally {
      tree.dispose();
    }
  });
});
