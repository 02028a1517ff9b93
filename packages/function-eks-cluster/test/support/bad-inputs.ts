/**
 * The bad-input corpus: XRs and observed states the function must refuse
 * with a fatal result that names the field and says how to fix it.
 */
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { observeReady } from 'workshop';
import { VPC_KEY } from 'function-eks-cluster/src/network/resources.js';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';

export interface BadInput {
  name: string;
  /** Returns the XR to send, or undefined to send none at all. */
  xr: () => JsonObject | undefined;
  observed?: () => Record<string, JsonObject>;
  /** The field the message must name. */
  path: string;
  /** The part of the message that tells the user what to do. */
  fix: RegExp;
}

export function validXr(): JsonObject {
  return {
    apiVersion: 'eks.gitops.dev/v1alpha1',
    kind: 'EKSCluster',
    metadata: { name: 'team-a', namespace: 'team-a' },
    spec: {
      region: 'us-west-2',
      kubernetesVersion: '1.34',
      network: { vpcCidr: '10.10.0.0/16', availabilityZones: ['a', 'b', 'c'], nat: 'HighlyAvailable' },
      nodeGroups: [{ name: 'general', instanceTypes: ['m7i.large'], minSize: 2, maxSize: 6 }],
    },
  };
}

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test mutations reach into arbitrary shapes

function withSpec(change: (spec: Spec) => void): () => JsonObject {
  return () => {
    const xr = validXr();
    change(xr.spec as Spec);
    return xr;
  };
}

function withXr(change: (xr: Spec) => void): () => JsonObject {
  return () => {
    const xr = validXr() as Spec;
    change(xr);
    return xr as JsonObject;
  };
}

const net = (change: (network: Spec) => void) => withSpec((s) => change(s.network));
const group = (change: (g: Spec) => void) => withSpec((s) => change(s.nodeGroups[0]));

/** Observed state of the valid XR's network, as if it existed. */
function existingNetwork(change: (observed: Record<string, JsonObject>) => void = () => {}): () => Record<string, JsonObject> {
  return () => {
    const vpc = {
      apiVersion: 'ec2.aws.m.upbound.io/v1beta1',
      kind: 'VPC',
      metadata: { name: 'team-a-vpc' },
      spec: { forProvider: { region: 'us-west-2', cidrBlock: '10.10.0.0/16' } },
    };
    const subnet = (key: string, cidr: string) =>
      observeReady(key, {
        apiVersion: 'ec2.aws.m.upbound.io/v1beta1',
        kind: 'Subnet',
        metadata: { name: `team-a-${key}` },
        spec: { forProvider: { region: 'us-west-2', cidrBlock: cidr } },
      });
    const observed: Record<string, JsonObject> = {
      [VPC_KEY]: observeReady(VPC_KEY, vpc),
      'subnet-private-a': subnet('subnet-private-a', '10.10.0.0/19'),
      'subnet-private-b': subnet('subnet-private-b', '10.10.32.0/19'),
      'subnet-private-c': subnet('subnet-private-c', '10.10.64.0/19'),
      'subnet-public-a': subnet('subnet-public-a', '10.10.96.0/24'),
    };
    change(observed);
    return observed;
  };
}

const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

export const BAD_INPUTS: BadInput[] = [
  { name: 'vpcCidr is not a CIDR', xr: net((n) => (n.vpcCidr = 'banana')), path: 'spec.network.vpcCidr', fix: /IPv4 CIDR of the VPC/ },
  { name: 'vpcCidr prefix above 32', xr: net((n) => (n.vpcCidr = '10.0.0.0/33')), path: 'spec.network.vpcCidr', fix: /prefix length above 32/ },
  { name: 'vpcCidr with host bits', xr: net((n) => (n.vpcCidr = '10.0.1.0/16')), path: 'spec.network.vpcCidr', fix: /the block is 10\.0\.0\.0\/16/ },
  { name: 'vpcCidr octet above 255', xr: net((n) => (n.vpcCidr = '300.0.0.0/16')), path: 'spec.network.vpcCidr', fix: /octet above 255/ },
  { name: 'vpcCidr too large', xr: net((n) => (n.vpcCidr = '10.0.0.0/8')), path: 'spec.network.vpcCidr', fix: /use \/16 to \/24/ },
  { name: 'vpcCidr too small', xr: net((n) => (n.vpcCidr = '10.0.0.0/26')), path: 'spec.network.vpcCidr', fix: /use \/16 to \/24/ },
  { name: 'vpcCidr as a number', xr: net((n) => (n.vpcCidr = 10)), path: 'spec.network.vpcCidr', fix: /quote it/ },
  {
    name: 'VPC too small for six zones',
    xr: net((n) => {
      n.vpcCidr = '10.0.0.0/24';
      n.availabilityZones = ['a', 'b', 'c', 'd', 'e', 'f'];
    }),
    path: 'spec.network.vpcCidr',
    fix: /cannot hold .*use a \/2\d or larger VPC/,
  },
  {
    name: 'VPC too small for large private subnets',
    xr: net((n) => {
      n.vpcCidr = '10.0.0.0/20';
      n.subnets = { private: { prefixLength: 21 } };
    }),
    path: 'spec.network.vpcCidr',
    fix: /set spec\.network\.subnets\.private\.prefixLength to 22/,
  },
  {
    name: 'subnet as large as the VPC',
    xr: net((n) => (n.subnets = { private: { prefixLength: 16 } })),
    path: 'spec.network.subnets.private.prefixLength',
    fix: /use a prefix length above 16/,
  },
  {
    name: 'subnet prefix above 28',
    xr: net((n) => (n.subnets = { public: { prefixLength: 29 } })),
    path: 'spec.network.subnets.public.prefixLength',
    fix: /use 28 or less/,
  },
  {
    name: 'subnet prefix quoted',
    xr: net((n) => (n.subnets = { public: { prefixLength: '24' } })),
    path: 'spec.network.subnets.public.prefixLength',
    fix: /write 24 without quotes/,
  },
  { name: 'zero zones', xr: net((n) => (n.availabilityZones = [])), path: 'spec.network.availabilityZones', fix: /at least 2 are needed/ },
  { name: 'one zone', xr: net((n) => (n.availabilityZones = ['a'])), path: 'spec.network.availabilityZones', fix: /at least 2 are needed/ },
  { name: 'duplicate zones', xr: net((n) => (n.availabilityZones = ['a', 'b', 'a'])), path: 'spec.network.availabilityZones[2]', fix: /must be unique/ },
  {
    name: 'same zone twice in two spellings',
    xr: net((n) => (n.availabilityZones = ['a', 'us-west-2a'])),
    path: 'spec.network.availabilityZones[1]',
    fix: /list each zone once/,
  },
  {
    name: 'zone names mixed with IDs',
    xr: net((n) => (n.availabilityZones = ['a', 'usw2-az2'])),
    path: 'spec.network.availabilityZones',
    fix: /write all as names .* or all as IDs/,
  },
  {
    name: 'zone of another region',
    xr: net((n) => (n.availabilityZones = ['eu-west-1a', 'b'])),
    path: 'spec.network.availabilityZones[0]',
    fix: /use us-west-2a or just a/,
  },
  {
    name: 'zone that is no zone',
    xr: net((n) => (n.availabilityZones = ['zone1', 'b'])),
    path: 'spec.network.availabilityZones[0]',
    fix: /write a suffix \(a\)/,
  },
  {
    name: 'seven zones',
    xr: net((n) => (n.availabilityZones = ['a', 'b', 'c', 'd', 'e', 'f', 'g'])),
    path: 'spec.network.availabilityZones',
    fix: /at most 6 are allowed/,
  },
  { name: 'zones as one string', xr: net((n) => (n.availabilityZones = 'a,b,c')), path: 'spec.network.availabilityZones', fix: /write it as a list/ },
  { name: 'unknown NAT mode', xr: net((n) => (n.nat = 'Double')), path: 'spec.network.nat', fix: /use one of None, Single, HighlyAvailable, Regional/ },
  {
    name: 'NAT mode in the wrong case',
    xr: net((n) => (n.nat = 'highlyavailable')),
    path: 'spec.network.nat',
    fix: /use one of None, Single, HighlyAvailable, Regional/,
  },
  {
    name: 'duplicate node group names',
    xr: withSpec((s) => s.nodeGroups.push({ name: 'general' })),
    path: 'spec.nodeGroups[1]',
    fix: /each entry must be unique/,
  },
  {
    name: 'minSize above maxSize',
    xr: group((g) => {
      g.minSize = 7;
      g.maxSize = 3;
    }),
    path: 'spec.nodeGroups[0].minSize',
    fix: /make minSize <= maxSize/,
  },
  { name: 'desiredSize outside the range', xr: group((g) => (g.desiredSize = 9)), path: 'spec.nodeGroups[0].desiredSize', fix: /pick a value in that range/ },
  { name: 'node group name with capitals', xr: group((g) => (g.name = 'General_1')), path: 'spec.nodeGroups[0].name', fix: /Node group name, unique/ },
  { name: 'node group without a name', xr: group((g) => delete g.name), path: 'spec.nodeGroups[0].name', fix: /is required/ },
  { name: 'negative minSize', xr: group((g) => (g.minSize = -1)), path: 'spec.nodeGroups[0].minSize', fix: /use 0 or more/ },
  { name: 'maxSize zero', xr: group((g) => (g.maxSize = 0)), path: 'spec.nodeGroups[0].maxSize', fix: /use 1 or more/ },
  { name: 'fractional maxSize', xr: group((g) => (g.maxSize = 2.5)), path: 'spec.nodeGroups[0].maxSize', fix: /expected a whole number/ },
  { name: 'no instance types', xr: group((g) => (g.instanceTypes = [])), path: 'spec.nodeGroups[0].instanceTypes', fix: /at least 1 are needed/ },
  {
    name: 'instance types as a string',
    xr: group((g) => (g.instanceTypes = 'm7i.large')),
    path: 'spec.nodeGroups[0].instanceTypes',
    fix: /write it as a list/,
  },
  {
    name: 'unknown capacity type',
    xr: group((g) => (g.capacityType = 'RESERVED')),
    path: 'spec.nodeGroups[0].capacityType',
    fix: /use one of ON_DEMAND, SPOT/,
  },
  { name: 'retired AL2 AMI', xr: group((g) => (g.amiType = 'AL2_x86_64')), path: 'spec.nodeGroups[0].amiType', fix: /use one of AL2023_x86_64_STANDARD/ },
  {
    name: 'node group zone not in the network',
    xr: group((g) => (g.availabilityZones = ['d'])),
    path: 'spec.nodeGroups[0].availabilityZones[0]',
    fix: /add it there first/,
  },
  {
    name: 'taint effect in Kubernetes spelling',
    xr: group((g) => (g.taints = [{ key: 'k', effect: 'NoSchedule' }])),
    path: 'spec.nodeGroups[0].taints[0].effect',
    fix: /use one of NO_SCHEDULE/,
  },
  { name: 'disk too small', xr: group((g) => (g.diskSize = 5)), path: 'spec.nodeGroups[0].diskSize', fix: /use 20 or more/ },
  { name: 'no region', xr: withSpec((s) => delete s.region), path: 'spec.region', fix: /is required: AWS region/ },
  { name: 'region that is no region', xr: withSpec((s) => (s.region = 'mars-1')), path: 'spec.region', fix: /AWS region of the cluster/ },
  { name: 'patch version', xr: withSpec((s) => (s.kubernetesVersion = '1.34.2')), path: 'spec.kubernetesVersion', fix: /Kubernetes minor version/ },
  { name: 'version as a number', xr: withSpec((s) => (s.kubernetesVersion = 1.34)), path: 'spec.kubernetesVersion', fix: /quote it: "1\.34"/ },
  { name: 'misspelt field', xr: net((n) => (n.natMode = 'Single')), path: 'spec.network.natMode', fix: /did you mean nat\?/ },
  {
    name: 'field in the wrong case',
    xr: withSpec((s) => {
      s.nodegroups = s.nodeGroups;
      delete s.nodeGroups;
    }),
    path: 'spec.nodegroups',
    fix: /did you mean nodeGroups\?/,
  },
  {
    name: 'no endpoint at all',
    xr: withSpec((s) => (s.endpointAccess = { public: false, private: false })),
    path: 'spec.endpointAccess',
    fix: /enable at least one/,
  },
  {
    name: 'public CIDR without prefix',
    xr: withSpec((s) => (s.endpointAccess = { publicCidrs: ['0.0.0.0'] })),
    path: 'spec.endpointAccess.publicCidrs[0]',
    fix: /IPv4 CIDR like 10\.0\.0\.0\/16/,
  },
  {
    name: 'admin that is no ARN',
    xr: withSpec((s) => (s.access = { clusterAdmins: ['bob'] })),
    path: 'spec.access.clusterAdmins[0]',
    fix: /IAM role or user ARN/,
  },
  {
    name: 'KMS key that is no ARN',
    xr: withSpec((s) => (s.encryption = { enabled: true, kmsKeyArn: 'key-123' })),
    path: 'spec.encryption.kmsKeyArn',
    fix: /Existing KMS key ARN/,
  },
  {
    name: 'management policies mixed with *',
    xr: withSpec((s) => (s.managementPolicies = ['*', 'Observe'])),
    path: 'spec.managementPolicies',
    fix: /use \["\*"\] alone/,
  },
  {
    name: 'unknown management policy',
    xr: withSpec((s) => (s.managementPolicies = ['Destroy'])),
    path: 'spec.managementPolicies[0]',
    fix: /use one of \*, Observe/,
  },
  {
    name: 'permissions boundary that is a role, not a policy',
    xr: withSpec((s) => (s.permissionsBoundaryArn = 'arn:aws:iam::210987654321:role/boundary')),
    path: 'spec.permissionsBoundaryArn',
    fix: /Managed policy set as the permissions boundary/,
  },
  {
    name: 'provider config kind from provider-aws v1 (cluster-scoped ProviderConfig)',
    xr: withSpec((s) => (s.providerConfigKind = 'providerconfig')),
    path: 'spec.providerConfigKind',
    fix: /use one of ClusterProviderConfig, ProviderConfig/,
  },
  { name: 'tag value as a number', xr: withSpec((s) => (s.tags = { team: 7 })), path: 'spec.tags.team', fix: /quote it: "7"/ },
  { name: 'tag value too long', xr: withSpec((s) => (s.tags = { team: 'x'.repeat(300) })), path: 'spec.tags.team', fix: /the limit is 256/ },
  { name: 'ten megabyte tag', xr: withSpec((s) => (s.tags = { blob: TEN_MB })), path: 'spec.tags.blob', fix: /is 10485760 characters long; the limit is 256/ },
  { name: 'unknown log type', xr: withSpec((s) => (s.logging = { types: ['everything'] })), path: 'spec.logging.types[0]', fix: /use one of api, audit/ },
  {
    name: 'duplicate add-on',
    xr: withSpec((s) => (s.addons = [{ name: 'coredns' }, { name: 'coredns', enabled: false }])),
    path: 'spec.addons[1]',
    fix: /each entry must be unique/,
  },
  {
    name: 'add-on service account role that is no role ARN',
    xr: withSpec((s) => (s.addons = [{ name: 'aws-ebs-csi-driver', serviceAccountRoleArn: 'ebs-csi' }])),
    path: 'spec.addons[0].serviceAccountRoleArn',
    fix: /IAM role for the add-on service account/,
  },
  { name: 'add-on without a name', xr: withSpec((s) => (s.addons = [{ version: 'v1' }])), path: 'spec.addons[0].name', fix: /is required/ },
  {
    name: 'Pod Identity role without policies',
    xr: withSpec(
      (s) => (s.podIdentity = { roles: [{ name: 'lbc', namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller', policyArns: [] }] }),
    ),
    path: 'spec.podIdentity.roles[0].policyArns',
    fix: /at least 1 are needed/,
  },
  {
    name: 'Pod Identity policy that is no policy ARN',
    xr: withSpec(
      (s) =>
        (s.podIdentity = { roles: [{ name: 'lbc', namespace: 'kube-system', serviceAccount: 'lbc', policyArns: ['AWSLoadBalancerControllerIAMPolicy'] }] }),
    ),
    path: 'spec.podIdentity.roles[0].policyArns[0]',
    fix: /IAM managed policy ARN/,
  },
  {
    name: 'Pod Identity role name too long',
    xr: withSpec(
      (s) =>
        (s.podIdentity = {
          roles: [{ name: 'a'.repeat(25), namespace: 'kube-system', serviceAccount: 'lbc', policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }],
        }),
    ),
    path: 'spec.podIdentity.roles[0].name',
    fix: /the limit is 24/,
  },
  {
    name: 'Pod Identity role without a service account',
    xr: withSpec((s) => (s.podIdentity = { roles: [{ name: 'lbc', namespace: 'kube-system', policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }] })),
    path: 'spec.podIdentity.roles[0].serviceAccount',
    fix: /is required/,
  },
  {
    name: 'duplicate Pod Identity roles',
    xr: withSpec(
      (s) =>
        (s.podIdentity = {
          roles: [1, 2].map(() => ({ name: 'lbc', namespace: 'kube-system', serviceAccount: 'lbc', policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] })),
        }),
    ),
    path: 'spec.podIdentity.roles[1]',
    fix: /each entry must be unique/,
  },
  {
    name: 'Pod Identity roles without the agent',
    xr: withSpec((s) => {
      s.addons = [{ name: 'eks-pod-identity-agent', enabled: false }];
      s.podIdentity = { roles: [{ name: 'lbc', namespace: 'kube-system', serviceAccount: 'lbc', policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }] };
    }),
    path: 'spec.addons',
    fix: /remove enabled: false from eks-pod-identity-agent/,
  },
  {
    name: 'EBS CSI driver without the agent',
    xr: withSpec((s) => (s.addons = [{ name: 'eks-pod-identity-agent', enabled: false }, { name: 'aws-ebs-csi-driver' }])),
    path: 'spec.addons',
    fix: /aws-ebs-csi-driver get their AWS permissions through EKS Pod Identity/,
  },
  {
    name: 'Karpenter without the agent',
    xr: withSpec((s) => {
      s.addons = [{ name: 'eks-pod-identity-agent', enabled: false }];
      s.karpenter = { enabled: true };
    }),
    path: 'spec.addons',
    fix: /spec\.karpenter get their AWS permissions/,
  },
  {
    name: 'Karpenter enabled as a string',
    xr: withSpec((s) => (s.karpenter = { enabled: 'true' })),
    path: 'spec.karpenter.enabled',
    fix: /write true without quotes/,
  },
  {
    name: 'Karpenter namespace that is no namespace',
    xr: withSpec((s) => (s.karpenter = { enabled: true, namespace: 'Kube_System' })),
    path: 'spec.karpenter.namespace',
    fix: /Namespace Karpenter is installed into/,
  },
  {
    name: 'Karpenter with Auto Mode',
    xr: withSpec((s) => {
      s.autoMode = { enabled: true };
      s.nodeGroups = [];
      s.karpenter = { enabled: true };
    }),
    path: 'spec.karpenter.enabled',
    fix: /Auto Mode runs its own Karpenter; turn one of them off/,
  },
  {
    name: 'Auto Mode with node groups',
    xr: withSpec((s) => (s.autoMode = { enabled: true })),
    path: 'spec.nodeGroups',
    fix: /lists general while spec\.autoMode\.enabled is true.*set spec\.nodeGroups: \[\]/,
  },
  {
    name: 'unknown Auto Mode node pool',
    xr: withSpec((s) => {
      s.autoMode = { enabled: true, nodePools: ['gpu'] };
      s.nodeGroups = [];
    }),
    path: 'spec.autoMode.nodePools[0]',
    fix: /use one of general-purpose, system/,
  },
  { name: 'Auto Mode misspelt', xr: withSpec((s) => (s.automode = { enabled: true })), path: 'spec.automode', fix: /did you mean autoMode\?/ },
  {
    name: "a team's cluster name outside its namespace (another team's cluster)",
    xr: withSpec((s) => {
      s.providerConfigKind = 'ProviderConfig';
      s.clusterName = 'team-b-8c1d2e3f';
    }),
    path: 'spec.clusterName',
    fix: /may only name EKS clusters of its own namespace; name it "team-a-<something>" or leave spec\.clusterName out/,
  },
  { name: 'cluster name starting with a digit', xr: withSpec((s) => (s.clusterName = '1abc')), path: 'spec.clusterName', fix: /EKS cluster name/ },
  {
    name: 'cluster name changed on an existing cluster',
    xr: withSpec((s) => (s.clusterName = 'renamed')),
    observed: existingNetwork((o) => {
      o[CLUSTER_KEY] = observeReady(CLUSTER_KEY, {
        apiVersion: 'eks.aws.m.upbound.io/v1beta1',
        kind: 'Cluster',
        metadata: { name: 'team-a-cluster', annotations: { 'crossplane.io/external-name': 'team-a' } },
        spec: { forProvider: { region: 'us-west-2', version: '1.34' } },
      });
    }),
    path: 'spec.clusterName',
    fix: /would replace the cluster; set it back to "team-a"/,
  },
  { name: 'no spec', xr: withXr((x) => delete x.spec), path: 'spec', fix: /at least spec\.region is required/ },
  { name: 'spec is a list', xr: withXr((x) => (x.spec = [1, 2])), path: 'spec', fix: /expected an object, got a list/ },
  { name: 'no name', xr: withXr((x) => delete x.metadata.name), path: 'metadata.name', fix: /give the EKSCluster a name/ },
  { name: 'no namespace', xr: withXr((x) => delete x.metadata.namespace), path: 'metadata.namespace', fix: /set metadata\.namespace/ },
  { name: 'name that is no DNS label', xr: withXr((x) => (x.metadata.name = 'Team_A')), path: 'metadata.name', fix: /must be a DNS label/ },
  { name: 'name longer than a DNS label', xr: withXr((x) => (x.metadata.name = 'a'.repeat(64))), path: 'metadata.name', fix: /at most 63 characters/ },
  {
    name: 'not an EKSCluster',
    xr: withXr((x) => {
      x.apiVersion = 'apps/v1';
      x.kind = 'Deployment';
    }),
    path: 'apiVersion',
    fix: /composes EKSClusters only/,
  },
  { name: 'no composite resource', xr: () => undefined, path: 'observed.composite', fix: /Crossplane must send the composite resource/ },
  {
    name: 'VPC CIDR changed under an existing VPC',
    xr: net((n) => (n.vpcCidr = '10.20.0.0/16')),
    observed: existingNetwork(),
    path: 'spec.network.vpcCidr',
    fix: /set it back to 10\.10\.0\.0\/16/,
  },
  {
    name: 'zone removed while its subnets exist',
    xr: net((n) => (n.availabilityZones = ['a', 'b'])),
    observed: existingNetwork(),
    path: 'spec.network.availabilityZones',
    fix: /Add the zone back, or set spec\.network\.allowZoneRemoval: true to remove it on purpose/,
  },
  {
    name: 'zone removed under the retired annotation',
    xr: withXr((x) => {
      x.spec.network.availabilityZones = ['a', 'b'];
      x.metadata.annotations = { 'eks.gitops.dev/allow-zone-removal': 'true' };
    }),
    observed: existingNetwork(),
    path: 'spec.network.availabilityZones',
    fix: /set spec\.network\.allowZoneRemoval: true/,
  },
  {
    name: 'zone removed on purpose while a node group runs in it',
    xr: net((n) => {
      n.availabilityZones = ['a', 'b'];
      n.allowZoneRemoval = true;
    }),
    observed: existingNetwork((o) => {
      o['nodegroup-general'] = observeReady('nodegroup-general', {
        apiVersion: 'eks.aws.m.upbound.io/v1beta1',
        kind: 'NodeGroup',
        metadata: { name: 'team-a-nodegroup-general' },
        spec: { forProvider: { region: 'us-west-2', subnetIdRefs: ['a', 'b', 'c'].map((z) => ({ name: `team-a-subnet-private-${z}` })) } },
      });
    }),
    path: 'spec.network.availabilityZones',
    fix: /first add a node group with a new name whose availabilityZones leave the zone out and remove general, then remove the zone/,
  },
  {
    name: 'existing VPC id that is no VPC id',
    xr: net((n) => (n.existing = { vpcId: 'vpc-123', privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'] })),
    path: 'spec.network.existing.vpcId',
    fix: /vpc- and 8 or 17 hex digits/,
  },
  {
    name: 'existing subnet id that is no subnet id',
    xr: net((n) => (n.existing = { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d', 'sn-0a1b2c3e'] })),
    path: 'spec.network.existing.privateSubnetIds[1]',
    fix: /subnet- and 8 or 17 hex digits/,
  },
  {
    name: 'existing network with one private subnet',
    xr: withSpec((s) => (s.network = { existing: { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d'] } })),
    path: 'spec.network.existing.privateSubnetIds',
    fix: /at least 2 are needed/,
  },
  {
    name: 'existing network with a VPC CIDR',
    xr: net((n) => (n.existing = { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'] })),
    path: 'spec.network.vpcCidr',
    fix: /no effect with spec\.network\.existing .*remove spec\.network\.vpcCidr/,
  },
  {
    name: 'existing network with subnet sizes',
    xr: withSpec(
      (s) =>
        (s.network = {
          existing: { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'] },
          subnets: { private: { prefixLength: 20 } },
        }),
    ),
    path: 'spec.network.subnets',
    fix: /remove spec\.network\.subnets/,
  },
  {
    name: 'existing network and node group zones',
    xr: withSpec((s) => {
      s.network = { existing: { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'] } };
      s.nodeGroups[0].availabilityZones = ['a'];
    }),
    path: 'spec.nodeGroups[0].availabilityZones',
    fix: /remove it \(the group spans every private subnet\)/,
  },
  {
    name: 'existing network set on a composed VPC',
    xr: withSpec((s) => (s.network = { existing: { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'] } })),
    observed: existingNetwork(
      (o) =>
        (o[VPC_KEY] = observeReady(VPC_KEY, {
          apiVersion: 'ec2.aws.m.upbound.io/v1beta1',
          kind: 'VPC',
          metadata: { name: 'team-a-vpc' },
          spec: { forProvider: { region: 'us-west-2', cidrBlock: '10.10.0.0/16' } },
        })),
    ),
    path: 'spec.network.existing',
    fix: /would delete that VPC .*Remove spec\.network\.existing/,
  },
  {
    name: 'flow log retention CloudWatch does not offer',
    xr: net((n) => (n.flowLogs = { enabled: true, retentionDays: 10 })),
    path: 'spec.network.flowLogs.retentionDays',
    fix: /use 7 \(or one of 1, 3, 5/,
  },
  {
    name: 'flow log traffic type in lower case',
    xr: net((n) => (n.flowLogs = { enabled: true, trafficType: 'all' })),
    path: 'spec.network.flowLogs.trafficType',
    fix: /use one of ALL, ACCEPT, REJECT/,
  },
  {
    name: 'unknown support type',
    xr: withSpec((s) => (s.controlPlane = { supportType: 'LONG' })),
    path: 'spec.controlPlane.supportType',
    fix: /use one of STANDARD, EXTENDED/,
  },
  {
    name: 'deletion protection as a string',
    xr: withSpec((s) => (s.controlPlane = { deletionProtection: 'true' })),
    path: 'spec.controlPlane.deletionProtection',
    fix: /write true without quotes/,
  },
  {
    name: 'AWS identity delivery without a role',
    xr: withSpec((s) => (s.delivery = { mode: 'AWSIdentity' })),
    path: 'spec.delivery.fluxRoleArn',
    fix: /needs the IAM role ARN of the Flux controllers/,
  },
  {
    name: 'Flux role with kubeconfig Secret delivery',
    xr: withSpec((s) => (s.delivery = { fluxRoleArn: 'arn:aws:iam::111122223333:role/flux' })),
    path: 'spec.delivery.fluxRoleArn',
    fix: /set spec\.delivery\.mode: AWSIdentity or remove fluxRoleArn/,
  },
  {
    name: 'Flux role that is also a cluster admin',
    xr: withSpec((s) => {
      s.delivery = { mode: 'AWSIdentity', fluxRoleArn: 'arn:aws:iam::111122223333:role/flux' };
      s.access = { clusterAdmins: ['arn:aws:iam::111122223333:role/flux'] };
    }),
    path: 'spec.delivery.fluxRoleArn',
    fix: /remove it from clusterAdmins/,
  },
  {
    name: 'Flux role that is no role ARN',
    xr: withSpec((s) => (s.delivery = { mode: 'AWSIdentity', fluxRoleArn: 'arn:aws:iam::111122223333:user/flux' })),
    path: 'spec.delivery.fluxRoleArn',
    fix: /IAM role of the Flux controllers/,
  },
  {
    name: 'a monitoring workspace with monitoring off',
    xr: withSpec((s) => (s.monitoring = { workspaceId: 'ws-0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d' })),
    path: 'spec.monitoring.workspaceId',
    fix: /set enabled: true to write to it, or remove workspaceId/,
  },
  {
    name: "a monitoring workspace's ARN where its ID belongs",
    xr: withSpec(
      (s) => (s.monitoring = { enabled: true, workspaceId: 'arn:aws:aps:us-west-2:111122223333:workspace/ws-0a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d' }),
    ),
    path: 'spec.monitoring.workspaceId',
    fix: /is not valid here; expected: An existing Amazon Managed Service for Prometheus workspace \(ws- and a UUID/,
  },
  {
    name: "a monitoring workspace's alias where its ID belongs",
    xr: withSpec((s) => (s.monitoring = { enabled: true, workspaceId: 'team-a-metrics' })),
    path: 'spec.monitoring.workspaceId',
    fix: /expected: An existing Amazon Managed Service for Prometheus workspace \(ws- and a UUID/,
  },
  {
    name: 'unknown delivery mode',
    xr: withSpec((s) => (s.delivery = { mode: 'Secret' })),
    path: 'spec.delivery.mode',
    fix: /use one of KubeconfigSecret, AWSIdentity/,
  },
  {
    name: 'existing subnets overlap',
    xr: validXr,
    observed: existingNetwork((o) => ((o['subnet-public-a']!.spec as Spec).forProvider.cidrBlock = '10.10.0.0/24')),
    path: 'status.subnets',
    fix: /overlap; fix the observed subnets/,
  },
  {
    name: 'existing subnet with a broken CIDR',
    xr: validXr,
    observed: existingNetwork((o) => ((o['subnet-public-a']!.spec as Spec).forProvider.cidrBlock = '10.10.96.1/24')),
    path: 'observed subnet-public-a',
    fix: /host bits set/,
  },
  { name: 'unknown IP family', xr: net((n) => (n.ipFamily = 'ipv6')), path: 'spec.network.ipFamily', fix: /use one of IPv4, DualStack, IPv6/ },
  {
    name: 'IPv6 in a China region',
    xr: withSpec((s) => {
      s.region = 'cn-north-1';
      s.network.ipFamily = 'IPv6';
    }),
    path: 'spec.network.ipFamily',
    fix: /refused by EKS in the China regions .*; use IPv4 or DualStack/,
  },
  {
    name: 'IPv6 with EKS Auto Mode',
    xr: withSpec((s) => {
      s.network.ipFamily = 'IPv6';
      s.autoMode = { enabled: true };
      s.nodeGroups = [];
    }),
    path: 'spec.network.ipFamily',
    fix: /use IPv4 or DualStack, or turn autoMode off/,
  },
  {
    name: 'IPv6 with Karpenter',
    xr: withSpec((s) => {
      s.network.ipFamily = 'IPv6';
      s.karpenter = { enabled: true };
    }),
    path: 'spec.network.ipFamily',
    fix: /use IPv4 or DualStack, or turn karpenter off/,
  },
  {
    name: 'IPv6 with a zone ID beyond the planned /64s',
    xr: net((n) => {
      n.ipFamily = 'DualStack';
      n.availabilityZones = ['usw2-az1', 'usw2-az99'];
    }),
    path: 'spec.network.availabilityZones',
    fix: /write the zone by name \(a, b, \.\.\.\) or use ipFamily IPv4/,
  },
  {
    name: 'IPv6 in an existing network not stated dual-stack',
    xr: withSpec((s) => (s.network = { ipFamily: 'IPv6', existing: { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'] } })),
    path: 'spec.network.existing.dualStack',
    fix: /make them so, then set spec.network.existing.dualStack: true \(or use ipFamily IPv4\)/,
  },
  {
    name: 'DualStack in an existing network',
    xr: withSpec((s) => (s.network = { ipFamily: 'DualStack', existing: { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'] } })),
    path: 'spec.network.ipFamily',
    fix: /give that VPC IPv6 in its owner's tooling, then use IPv4 or IPv6/,
  },
  {
    name: 'an existing network stated dual-stack without IPv6',
    xr: withSpec((s) => (s.network = { existing: { vpcId: 'vpc-0a1b2c3d', privateSubnetIds: ['subnet-0a1b2c3d', 'subnet-0a1b2c3e'], dualStack: true } })),
    path: 'spec.network.existing.dualStack',
    fix: /remove it or set ipFamily: IPv6/,
  },
  {
    name: 'IPv4 asked of a live dual-stack network',
    xr: validXr,
    observed: existingNetwork((o) => ((o[VPC_KEY]!.spec as Spec).forProvider.assignGeneratedIpv6CidrBlock = true)),
    path: 'spec.network.ipFamily',
    fix: /set it back to DualStack$/,
  },
];
