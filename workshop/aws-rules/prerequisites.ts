/**
 * What AWS needs before it creates or updates a resource a certain way, and
 * the combinations it refuses at creation: EKS Auto Mode's, which the
 * function switches on and off on live clusters. Each rule names its source;
 * the sentences of the refusals are ours (AWS's error code first).
 */
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';

export interface Prerequisite {
  readonly rule: string;
  readonly source: string;
}

const AUTO_MODE_DOCS = 'https://docs.aws.amazon.com/eks/latest/userguide';

/** The Kubernetes minor EKS Auto Mode starts at. */
export const AUTO_MODE_MIN_MINOR = 29;

/** The cluster role's policies Auto Mode needs (auto-cluster-iam-role.html), by name after policy/. */
export const AUTO_MODE_CLUSTER_POLICIES = [
  'AmazonEKSComputePolicy',
  'AmazonEKSBlockStoragePolicy',
  'AmazonEKSLoadBalancingPolicy',
  'AmazonEKSNetworkingPolicy',
];

/** Kind -> what its create or update needs; `none` says why nothing. */
export const PREREQUISITES: Readonly<Record<string, readonly Prerequisite[] | { readonly none: string }>> = {
  'eks.aws.m.upbound.io/v1beta1/Cluster': [
    {
      rule: 'compute, block storage and load balancing of Auto Mode are switched on or off together, in one request',
      source: `${AUTO_MODE_DOCS}/auto-disable.html; Terraform internal/service/eks/cluster.go:1921 (validateAutoModeCustomizeDiff)`,
    },
    { rule: 'Auto Mode with node pools needs computeConfig.nodeRoleArn in the same request', source: `${AUTO_MODE_DOCS}/create-auto.html` },
    {
      rule: 'computeConfig.nodeRoleArn cannot change once compute is on (setting it later included)',
      source: 'https://docs.aws.amazon.com/eks/latest/APIReference/API_ComputeConfigRequest.html',
    },
    { rule: 'the node role exists', source: `${AUTO_MODE_DOCS}/auto-enable-existing.html` },
    {
      rule: `the cluster role has ${AUTO_MODE_CLUSTER_POLICIES.join(', ')} attached before compute is switched on`,
      source: `${AUTO_MODE_DOCS}/auto-enable-existing.html ("Update Cluster IAM role"), ${AUTO_MODE_DOCS}/auto-cluster-iam-role.html`,
    },
    { rule: `Auto Mode needs Kubernetes 1.${AUTO_MODE_MIN_MINOR} or later`, source: `${AUTO_MODE_DOCS}/create-auto.html` },
  ],
  'eks.aws.m.upbound.io/v1beta1/AccessEntry': [
    { rule: 'the cluster’s authentication mode is API or API_AND_CONFIG_MAP', source: 'https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html' },
  ],
};

const minor = (version: Json | undefined) => (typeof version === 'string' ? Number(version.split('.')[1]) : NaN);
const autoModeOn = (fp: JsonObject | undefined) => dig(fp, 'computeConfig', 'enabled') === true;

/** What the world holds that a cluster's Auto Mode needs: which roles exist, and the policies attached to each. */
export interface IamView {
  readonly roleArns: ReadonlySet<string>;
  readonly attached: (roleName: string) => ReadonlySet<string>;
}

/**
 * Why EKS refuses to create (`before` undefined) or update a Cluster to
 * `after` (resolved forProvider), or undefined when it accepts.
 */
export function refusesAutoMode(before: JsonObject | undefined, after: JsonObject, iam: IamView): string | undefined {
  const switches = [
    dig(after, 'computeConfig', 'enabled'),
    dig(after, 'storageConfig', 'blockStorage', 'enabled'),
    dig(after, 'kubernetesNetworkConfig', 'elasticLoadBalancing', 'enabled'),
  ];
  if (switches.some((s) => s !== undefined) && !switches.every((s) => s === switches[0])) {
    return 'compute_config.enabled, kubernetes_network_config.elastic_load_balancing.enabled, and storage_config.block_storage.enabled must all be set to either true or false';
  }
  if (!autoModeOn(after)) return undefined;
  const roleArn = dig(after, 'computeConfig', 'nodeRoleArn');
  const pools = dig(after, 'computeConfig', 'nodePools');
  if (Array.isArray(pools) && pools.length > 0 && typeof roleArn !== 'string') {
    return 'InvalidParameterException: computeConfig.nodeRoleArn is required when computeConfig.nodePools are specified';
  }
  if (autoModeOn(before) && roleArn !== dig(before, 'computeConfig', 'nodeRoleArn')) {
    return `InvalidParameterException: computeConfig.nodeRoleArn cannot be changed after the compute capability of EKS Auto Mode is enabled`;
  }
  if (typeof roleArn === 'string' && !iam.roleArns.has(roleArn)) return `InvalidParameterException: the node role ${roleArn} does not exist`;
  if (!autoModeOn(before)) {
    // The version the cluster runs when compute is switched on (UpdateClusterVersion is a request of its own).
    const version = (before ?? after).version;
    if (minor(version) < AUTO_MODE_MIN_MINOR) {
      return `InvalidParameterException: EKS Auto Mode requires Kubernetes version 1.${AUTO_MODE_MIN_MINOR} or later; the cluster runs ${String(version)}`;
    }
    const clusterRole =
      String(after.roleArn ?? '')
        .split('/')
        .pop() ?? '';
    const missing = AUTO_MODE_CLUSTER_POLICIES.filter((p) => !iam.attached(clusterRole).has(p));
    if (missing.length > 0) {
      return `InvalidParameterException: the cluster role ${clusterRole} lacks ${missing.join(', ')}, which EKS Auto Mode needs`;
    }
  }
  return undefined;
}
