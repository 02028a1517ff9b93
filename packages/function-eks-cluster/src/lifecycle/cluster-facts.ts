/**
 * The new cluster's facts, for Flux: the ConfigMap <xr-name>-cluster-facts in
 * the EKSCluster's namespace. A Kustomization of that cluster reads it with
 * `postBuild.substituteFrom` (flux/workload-clusters/team-a/delivery.yaml), so
 * no app carries a value copied by hand from the XR's status.
 *
 * Its keys are fixed and documented (CLUSTER_FACTS, the table in
 * docs/cluster-facts.md is generated from it). It is composed once the cluster
 * exists (the ARN, the endpoint and the OIDC issuer are known only then) and
 * rewritten on every reconcile, so a zone or a Pod Identity role added later
 * appears in it. A key whose value AWS has not given yet is left out rather
 * than written empty: Flux's strict substitution then names the missing
 * variable instead of applying an empty one. Apps read it only after the
 * EKSCluster is Ready, when every value is known.
 *
 * Like the kubeconfig (eks/kubeconfig.ts, eks/flux-access.ts) it is kept by the
 * Cluster: Flux prunes the apps from the cluster while it can still read them.
 */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { CLUSTER_KEY } from '../eks/cluster.js';
import { OIDC_PROVIDER_KEY } from '../eks/oidc.js';
import { karpenterStatus, KARPENTER_ROLE_KEY } from '../eks/karpenter.js';
import { podIdentityRoleKey } from '../eks/pod-identity.js';
import { monitoringTarget } from '../eks/monitoring.js';
import { VPC_KEY } from '../network/resources.js';
import { TIERS, type PlannedSubnet } from '../network/subnet-plan.js';
import type { PlannedPodSubnet } from '../network/pod-subnets.js';
import { digString } from '../ground/observed.js';
import { resourceName } from '../ground/managed.js';
import { kubeconfigSecretName } from '../eks/kubeconfig.js';

export const CLUSTER_FACTS_KEY = 'cluster-facts';

export function clusterFactsName(xrName: string): string {
  return `${xrName}-cluster-facts`;
}

/** One key of the ConfigMap; `<...>` in a key stands for a part the spec names. */
export interface ClusterFact {
  readonly key: string;
  readonly description: string;
  /** When the key is present; always, once the ConfigMap exists, when unset. */
  readonly when?: string;
}

/**
 * Every key the ConfigMap may hold, in the order docs/cluster-facts.md lists
 * them. Keys are Flux variable names (letters, digits, underscores), and none
 * is a key of the platform's ConfigMap `tenant` (flux/workload-clusters/tenant/facts.yaml),
 * which the same Kustomizations read.
 */
export const CLUSTER_FACTS: readonly ClusterFact[] = [
  { key: 'ekscluster_name', description: "The EKSCluster's own name (metadata.name), for names on the management cluster." },
  {
    key: 'cluster_resource_name',
    description: 'The managed resource of the EKS cluster (kind Cluster, eks.aws.m.upbound.io), for a `clusterNameRef` of a resource Flux applies beside it.',
  },
  { key: 'kubeconfig_name', description: 'The Secret (KubeconfigSecret) or ConfigMap (AWSIdentity) Flux reaches the new cluster with.' },
  { key: 'cluster_name', description: 'The EKS cluster name (spec.clusterName or the default), as AWS knows it.' },
  { key: 'cluster_arn', description: 'The EKS cluster ARN.' },
  { key: 'cluster_endpoint', description: "The Kubernetes API server's URL." },
  { key: 'cluster_version', description: 'The Kubernetes minor the control plane runs, e.g. 1.36.' },
  { key: 'cluster_security_group_id', description: 'The security group EKS made for the cluster; every node carries it.' },
  { key: 'region', description: 'The AWS region (spec.region).' },
  { key: 'partition', description: 'The AWS partition: aws, aws-cn or aws-us-gov.' },
  { key: 'account_id', description: "The AWS account ID, from the cluster's ARN." },
  { key: 'oidc_issuer', description: "The cluster's OIDC issuer URL (service-account tokens)." },
  { key: 'oidc_provider_arn', description: 'The IAM OIDC provider of the issuer, for IAM roles for service accounts (IRSA).' },
  { key: 'vpc_id', description: "The VPC's ID (spec.network.existing.vpcId with an existing network)." },
  { key: 'vpc_cidr', description: "The VPC's IPv4 block.", when: 'the network is composed' },
  {
    key: '<tier>_subnet_ids',
    description: 'The subnet IDs of a tier (private, public, isolated), comma-separated, in zone order.',
    when: 'the tier has subnets (private always)',
  },
  {
    key: '<tier>_subnet_id_<zone>',
    description: "One subnet's ID, by tier and zone key (the zone's letter, a, or its ID with `-` as `_`, usw2_az1).",
    when: 'the network is composed',
  },
  { key: 'pod_cidr', description: 'The secondary block pods take addresses from (custom networking).', when: 'spec.network.podSubnets' },
  {
    key: 'pod_subnet_ids',
    description: 'The pod subnet IDs, comma-separated, in the order of pod_subnet_zones: the subnet of each ENIConfig apps/pod-networking writes.',
    when: 'spec.network.podSubnets',
  },
  {
    key: 'pod_subnet_zones',
    description:
      "The zone names of the pod subnets, comma-separated (us-west-2a, as nodes' topology.kubernetes.io/zone label says; for zones given by ID, as AWS reports them): each ENIConfig's name.",
    when: 'spec.network.podSubnets',
  },
  { key: 'pod_subnet_id_<zone>', description: "One pod subnet's ID, by zone key, as `<tier>_subnet_id_<zone>`.", when: 'spec.network.podSubnets' },
  { key: 'karpenter_interruption_queue', description: 'The SQS queue Karpenter reads interruption events from.', when: 'spec.karpenter.enabled' },
  { key: 'karpenter_node_role_name', description: "The IAM role of Karpenter's nodes, for an EC2NodeClass.", when: 'spec.karpenter.enabled' },
  { key: 'karpenter_controller_role_arn', description: "The IAM role of Karpenter's controller (Pod Identity).", when: 'spec.karpenter.enabled' },
  {
    key: 'karpenter_namespace',
    description: "The namespace Karpenter's controller runs in: its Pod Identity association names it (spec.karpenter.namespace).",
    when: 'spec.karpenter.enabled',
  },
  {
    key: 'karpenter_service_account',
    description: "The service account of Karpenter's controller: its Pod Identity association names it (spec.karpenter.serviceAccount).",
    when: 'spec.karpenter.enabled',
  },
  {
    key: 'amp_workspace_id',
    description: 'The Amazon Managed Service for Prometheus workspace Prometheus writes to: the one composed for the cluster, or spec.monitoring.workspaceId.',
    when: 'spec.monitoring.enabled',
  },
  {
    key: 'amp_remote_write_url',
    description: "The workspace's remote-write URL (its Prometheus endpoint and api/v1/remote_write), for Prometheus' remoteWrite.",
    when: 'spec.monitoring.enabled',
  },
  {
    key: 'pod_identity_role_arn_<role>',
    description: 'The IAM role of each spec.podIdentity.roles entry, by its name with `-` as `_`.',
    when: 'spec.podIdentity.roles',
  },
];

/** A part of a key from a name the spec gives (a zone, a role): Flux variable names hold letters, digits and `_`. */
export function factKeyPart(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function present(entries: [string, string | undefined][]): Record<string, string> {
  return Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

function networkFacts(ctx: ComposeContext, subnets: readonly PlannedSubnet[]): [string, string | undefined][] {
  const existing = ctx.spec.network.existing;
  if (existing) {
    return [
      ['vpc_id', existing.vpcId],
      ['private_subnet_ids', existing.privateSubnetIds.join(',')],
      ['public_subnet_ids', (existing.publicSubnetIds ?? []).join(',')],
    ];
  }
  const id = (s: PlannedSubnet) => ctx.observed.atProvider(s.key, 'id');
  const byTier = TIERS.map((tier): [string, string | undefined] => {
    const ids = subnets.filter((s) => s.tier === tier).map(id);
    return [`${tier}_subnet_ids`, ids.length > 0 && ids.every((i) => i !== undefined) ? ids.join(',') : undefined];
  });
  return [
    ['vpc_id', ctx.observed.atProvider(VPC_KEY, 'id')],
    ['vpc_cidr', ctx.spec.network.vpcCidr],
    ...byTier,
    ...subnets.map((s): [string, string | undefined] => [`${s.tier}_subnet_id_${factKeyPart(s.zone.key)}`, id(s)]),
  ];
}

/** Custom networking's pod subnets: the lists in one zone order, each complete or absent. */
function podNetworkFacts(ctx: ComposeContext, pods: readonly PlannedPodSubnet[]): [string, string | undefined][] {
  if (pods.length === 0) return [];
  const ids = pods.map((s) => ctx.observed.atProvider(s.key, 'id'));
  const zones = pods.map((s) => s.zone.name ?? ctx.observed.atProvider(s.key, 'availabilityZone'));
  const all = (values: (string | undefined)[]) => (values.every((v) => v !== undefined) ? values.join(',') : undefined);
  return [
    ['pod_cidr', ctx.spec.network.podSubnets?.cidr],
    ['pod_subnet_ids', all(ids)],
    ['pod_subnet_zones', all(zones)],
    ...pods.map((s, i): [string, string | undefined] => [`pod_subnet_id_${factKeyPart(s.zone.key)}`, ids[i]]),
  ];
}

/** The facts AWS has given so far, by key. */
export function clusterFacts(ctx: ComposeContext, subnets: readonly PlannedSubnet[], pods: readonly PlannedPodSubnet[] = []): Record<string, string> {
  const { observed } = ctx;
  const arn = observed.atProvider(CLUSTER_KEY, 'arn');
  const karpenter = karpenterStatus(ctx);
  const monitoring = monitoringTarget(ctx);
  return present([
    ['ekscluster_name', ctx.xrName],
    ['cluster_resource_name', resourceName(ctx, CLUSTER_KEY)],
    ['kubeconfig_name', kubeconfigSecretName(ctx.xrName)],
    ['cluster_name', ctx.clusterName],
    ['cluster_arn', arn],
    ['cluster_endpoint', observed.atProvider(CLUSTER_KEY, 'endpoint')],
    ['cluster_version', observed.atProvider(CLUSTER_KEY, 'version') ?? ctx.versions.controlPlane],
    ['cluster_security_group_id', observed.atProvider(CLUSTER_KEY, 'vpcConfig', 'clusterSecurityGroupId')],
    ['region', ctx.spec.region],
    ['partition', ctx.partition],
    ['account_id', arn?.split(':')[4]],
    ['oidc_issuer', digString(observed.get(CLUSTER_KEY), 'status', 'atProvider', 'identity', 0, 'oidc', 0, 'issuer')],
    ['oidc_provider_arn', observed.atProvider(OIDC_PROVIDER_KEY, 'arn')],
    ...networkFacts(ctx, subnets),
    ...podNetworkFacts(ctx, pods),
    ['karpenter_interruption_queue', karpenter?.interruptionQueue],
    ['karpenter_node_role_name', karpenter?.nodeRoleName],
    ['karpenter_controller_role_arn', karpenter ? observed.atProvider(KARPENTER_ROLE_KEY, 'arn') : undefined],
    ['karpenter_namespace', karpenter ? ctx.spec.karpenter.namespace : undefined],
    ['karpenter_service_account', karpenter ? ctx.spec.karpenter.serviceAccount : undefined],
    ['amp_workspace_id', monitoring?.workspaceId],
    ['amp_remote_write_url', monitoring?.remoteWriteUrl],
    ...ctx.spec.podIdentity.roles.map((r): [string, string | undefined] => [
      `pod_identity_role_arn_${factKeyPart(r.name)}`,
      observed.atProvider(podIdentityRoleKey(r.name), 'arn'),
    ]),
  ]);
}

/** The ConfigMap, composed once the cluster is Ready (before, most facts are unknown). */
export function clusterFactsResource(ctx: ComposeContext, subnets: readonly PlannedSubnet[], pods: readonly PlannedPodSubnet[] = []): DesiredResource {
  return {
    key: CLUSTER_FACTS_KEY,
    body: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: clusterFactsName(ctx.xrName), namespace: ctx.namespace, labels: { 'eks.gitops.dev/cluster': ctx.clusterName } },
      data: clusterFacts(ctx, subnets, pods),
    },
    group: 'access',
    waitsFor: [CLUSTER_KEY],
    keptBy: [CLUSTER_KEY],
  };
}
