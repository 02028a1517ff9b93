/**
 * The EKSCluster API: the single source of truth for the XRD schema, the
 * function's defaults and validation, and the TypeScript types.
 */
import { array, boolean, integer, object, oneOf, required, string, stringMap, withDefault, type TypeOf } from './schema-builder.js';
import { MAINTAINED_MINORS } from './addon-versions.js';

export const API_GROUP = 'eks.gitops.dev';
export const API_VERSION = 'v1alpha1';
export const KIND = 'EKSCluster';
export const PLURAL = 'eksclusters';

export const NAT_MODES = ['None', 'Single', 'HighlyAvailable', 'Regional'] as const;
export type NatMode = (typeof NAT_MODES)[number];

export const VPC_ENDPOINT_MODES = ['Auto', 'Enabled', 'Disabled'] as const;

/** IPv4: no IPv6 anywhere. DualStack: the network gets IPv6, pods keep IPv4. IPv6: the network gets IPv6 and pods and services take IPv6 addresses. */
export const IP_FAMILIES = ['IPv4', 'DualStack', 'IPv6'] as const;
export type IpFamily = (typeof IP_FAMILIES)[number];

const SUPPORT_TYPES = ['STANDARD', 'EXTENDED'] as const;
const FLOW_LOG_TRAFFIC = ['ALL', 'ACCEPT', 'REJECT'] as const;
/** The retentions CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const DELIVERY_MODES = ['KubeconfigSecret', 'AWSIdentity'] as const;

const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;
const AMI_TYPES = [
  'AL2023_x86_64_STANDARD',
  'AL2023_ARM_64_STANDARD',
  'AL2023_x86_64_NVIDIA',
  'AL2023_x86_64_NEURON',
  'BOTTLEROCKET_x86_64',
  'BOTTLEROCKET_ARM_64',
  'BOTTLEROCKET_x86_64_NVIDIA',
  'BOTTLEROCKET_ARM_64_NVIDIA',
] as const;
const CAPACITY_TYPES = ['ON_DEMAND', 'SPOT'] as const;
const TAINT_EFFECTS = ['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE'] as const;
const AUTO_MODE_NODE_POOLS = ['general-purpose', 'system'] as const;
const MANAGEMENT_POLICIES = ['*', 'Observe', 'Create', 'Update', 'Delete', 'LateInitialize'] as const;
/** ProviderConfig: namespaced, resolved in the XR's namespace (a team's own AWS identity); ClusterProviderConfig: the platform's. */
export const PROVIDER_CONFIG_KINDS = ['ClusterProviderConfig', 'ProviderConfig'] as const;

/**
 * Add-ons installed unless switched off; the order here is not the install order (see eks/addons.ts).
 * metrics-server serves the metrics API that HorizontalPodAutoscalers (apps/web/hpa.yaml) read.
 */
export const DEFAULT_ADDONS = ['vpc-cni', 'kube-proxy', 'coredns', 'eks-pod-identity-agent', 'metrics-server'] as const;

/** Starts with the words the apiserver test matches (configuration/test/apiserver.test.ts). */
export const ZONE_REMOVAL_MESSAGE =
  'availability zones cannot be removed: their subnets, NAT gateways and nodes would be deleted; set spec.network.allowZoneRemoval: true to remove one on purpose';

const subnetTier = (tier: string, defaultNote: string) =>
  object(
    {
      prefixLength: integer({
        description: `Prefix length of each ${tier} subnet (one per availability zone). ${defaultNote} Changing it later does not re-address existing subnets.`,
        minimum: 16,
        maximum: 28,
      }),
    },
    { description: `Sizing of the ${tier} subnets.` },
  );

const nodeGroup = object(
  {
    name: required(
      string({
        description: 'Node group name, unique within the cluster. Part of every resource name derived from it.',
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
        maxLength: 40,
      }),
    ),
    instanceTypes: withDefault(
      array(string({ description: 'An EC2 instance type.', maxLength: 32 }), {
        description: 'EC2 instance types, in order of preference.',
        minItems: 1,
        maxItems: 20,
      }),
      ['m7i.large'],
    ),
    minSize: withDefault(integer({ description: 'Minimum number of nodes.', minimum: 0, maximum: 1000 }), 2),
    maxSize: withDefault(integer({ description: 'Maximum number of nodes.', minimum: 1, maximum: 1000 }), 6),
    desiredSize: integer({
      description: 'Nodes at creation. Defaults to minSize. Set only at creation, so a cluster autoscaler or Karpenter is never fought.',
      minimum: 0,
      maximum: 1000,
    }),
    amiType: withDefault(oneOf(AMI_TYPES, { description: 'AMI family of the nodes.' }), 'AL2023_x86_64_STANDARD'),
    capacityType: withDefault(oneOf(CAPACITY_TYPES, { description: 'On-demand or spot capacity.' }), 'ON_DEMAND'),
    diskSize: withDefault(integer({ description: 'Root volume size in GiB.', minimum: 20, maximum: 16384 }), 50),
    maxUnavailable: withDefault(integer({ description: 'Nodes replaced at once during a rolling update.', minimum: 1, maximum: 100 }), 1),
    labels: withDefault(stringMap({ description: 'Kubernetes labels on every node.', maxLength: 63 }), {}),
    taints: withDefault(
      array(
        object(
          {
            key: required(string({ description: 'Taint key.', maxLength: 63 })),
            value: string({ description: 'Taint value.', maxLength: 63 }),
            effect: required(oneOf(TAINT_EFFECTS, { description: 'Taint effect.' })),
          },
          { description: 'A Kubernetes taint.' },
        ),
        { description: 'Kubernetes taints on every node.', maxItems: 50 },
      ),
      [],
    ),
    availabilityZones: array(string({ description: 'A zone from spec.network.availabilityZones.', maxLength: 32 }), {
      description: 'Restrict the group to these zones (each must be in spec.network.availabilityZones). Default: all.',
      maxItems: 6,
      'x-kubernetes-list-type': 'set',
    }),
    autoRepair: boolean({
      description:
        "EKS node auto repair: EKS replaces (or reboots) a node whose Ready or health condition stays bad for a while. Changed in place, no new nodes. Unset: not sent, EKS's default (off); taking it out after true switches repair off. Free.",
    }),
    launchTemplate: object(
      {
        metadataHopLimit: withDefault(
          integer({
            description:
              'Hops an instance metadata (IMDSv2) response may travel. 2 lets pods on the pod network reach it (the AWS SDKs in pods, the vpc-cni); 1 keeps it to the node itself (pods then need EKS Pod Identity or IRSA for AWS credentials).',
            minimum: 1,
            maximum: 64,
          }),
          2,
        ),
        rootVolume: withDefault(
          object(
            {
              iops: withDefault(integer({ description: 'gp3 IOPS: 3000 (free) to 80000.', minimum: 3000, maximum: 80000 }), 3000),
              throughput: withDefault(integer({ description: 'gp3 throughput in MiB/s: 125 (free) to 2000.', minimum: 125, maximum: 2000 }), 125),
              kmsKeyArn: string({
                description: "KMS key encrypting the volume. Default: the account's AWS managed key for EBS (aws/ebs).",
                pattern: '^arn:aws[a-z-]*:kms:.+$',
                maxLength: 2048,
              }),
            },
            { description: "The root volume: encrypted gp3, its size the group's diskSize." },
          ),
          {},
        ),
        amiId: string({
          description:
            'A custom AMI (ami- and 8 or 17 hex digits) built on Amazon Linux 2023 (amiType AL2023_*): the group is created with amiType CUSTOM and the launch template carries the user data that joins the node to the cluster (nodeadm NodeConfig with its labels and taints). EKS then neither picks nor upgrades the AMI: a new Kubernetes version needs a new amiId. Changing it rolls the nodes in place; setting or removing it replaces the group (AMI type).',
          pattern: '^ami-([0-9a-f]{8}|[0-9a-f]{17})$',
          maxLength: 21,
        }),
        userData: string({
          description:
            'A shell script run at boot, before the node joins (sent as a part of a MIME multi-part user data, which EKS merges with its own on EKS AMIs). Not with Bottlerocket (its user data is TOML settings).',
          maxLength: 16384,
        }),
        tags: withDefault(stringMap({ description: 'AWS tags on the instances and their volumes, besides spec.tags.', maxLength: 256 }), {}),
      },
      {
        description:
          "Hardened nodes through an EC2 launch template of the group: IMDSv2 required, an encrypted gp3 root volume, the cluster security group and the node security group (spec.securityGroupRules.nodes), tags on instances and volumes. A change makes a new template version and EKS rolls the nodes to it in place (maxUnavailable at a time). Setting it on a group that has none, or removing it, replaces the group (EKS cannot add or remove a node group's launch template): the new group is Ready before the old one goes. Unset: no launch template, EKS's defaults (as before).",
      },
    ),
  },
  {
    description: 'An EKS managed node group in the private subnets.',
    'x-kubernetes-validations': [
      { rule: 'self.minSize <= self.maxSize', message: 'minSize must be less than or equal to maxSize' },
      {
        rule: '!has(self.desiredSize) || (self.desiredSize >= self.minSize && self.desiredSize <= self.maxSize)',
        message: 'desiredSize must lie between minSize and maxSize',
      },
    ],
  },
);

export const SECURITY_GROUP_PROTOCOLS = ['tcp', 'udp', 'icmp', 'icmpv6', 'all'] as const;

const securityGroupRule = object(
  {
    cidr: string({
      description: 'Source IPv4 CIDR (10.20.0.0/16) or IPv6 CIDR (2001:db8::/32). Exactly one of cidr and prefixListId.',
      pattern: '^[0-9a-fA-F.:]+/[0-9]{1,3}$',
      maxLength: 43,
    }),
    prefixListId: string({
      description: 'Source managed prefix list (pl- and 8 or 17 hex digits), owned by or shared with your AWS account. Exactly one of cidr and prefixListId.',
      pattern: '^pl-([0-9a-f]{8}|[0-9a-f]{17})$',
      maxLength: 20,
    }),
    protocol: withDefault(oneOf(SECURITY_GROUP_PROTOCOLS, { description: 'IP protocol; all: every protocol and port.' }), 'tcp'),
    fromPort: integer({ description: 'First port (tcp, udp), or the ICMP type (icmp, icmpv6; unset: every type).', minimum: 0, maximum: 65535 }),
    toPort: integer({ description: 'Last port; default fromPort. For ICMP the code (unset: every code).', minimum: 0, maximum: 65535 }),
    description: string({
      description: "What the rule is for; AWS's allowed characters (letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*).",
      pattern: '^[a-zA-Z0-9. _\\-:/()#,@\\[\\]+=&;{}!$*]*$',
      maxLength: 255,
    }),
  },
  {
    description: 'An ingress rule: who (cidr or prefixListId) may reach what (protocol, ports).',
    'x-kubernetes-validations': [{ rule: 'has(self.cidr) != has(self.prefixListId)', message: 'set exactly one of cidr and prefixListId' }],
  },
);

const addon = object(
  {
    name: required(
      string({
        description:
          'EKS add-on name, e.g. vpc-cni or aws-ebs-csi-driver (listed, it gets its IAM role through Pod Identity; a cluster without it cannot run pods with EBS volumes).',
        maxLength: 100,
      }),
    ),
    enabled: withDefault(boolean({ description: 'Set false to leave a default add-on out.' }), true),
    version: string({
      description:
        'Add-on version, e.g. v1.20.4-eksbuild.1; it wins over any default. Default, for vpc-cni, kube-proxy, coredns, eks-pod-identity-agent and metrics-server: the version maintained for the Kubernetes minor the control plane runs (the EKS default of that minor), which moves once an upgraded control plane reports its new version and never lowers what an add-on runs; for other add-ons: what EKS picks at creation, never upgraded.',
      maxLength: 64,
    }),
    configurationValues: string({ description: 'Add-on configuration as a JSON string.', maxLength: 65536 }),
    serviceAccountRoleArn: string({
      description:
        'IAM role for the add-on service account (IRSA). Its trust policy must name the OIDC provider in status.cluster.oidcProviderArn, which the function registers; the add-on waits for it.',
      pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$',
      maxLength: 2048,
    }),
  },
  { description: 'An EKS add-on, or an override of a default one.' },
);

export const specSchema = object(
  {
    region: required(
      string({
        description: 'AWS region of the cluster. Immutable.',
        pattern: '^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$',
        maxLength: 32,
      }),
    ),
    kubernetesVersion: withDefault(
      string({
        description: `Kubernetes minor version of the control plane and nodes. Raised by more than one minor, it is walked there one minor at a time; node groups and the default add-ons follow the version the control plane reports. Lower than the version the control plane runs (EKS upgrades it by itself when a version's support ends), the running version is kept, with a warning: the function never asks EKS for a lower version. Default add-on versions are maintained for ${MAINTAINED_MINORS[0]} to ${MAINTAINED_MINORS[MAINTAINED_MINORS.length - 1]}; on another minor they keep what they run, with a warning.`,
        pattern: '^1\\.[0-9]{2}$',
      }),
      // The newest minor in EKS standard support (docs/kubernetes-versions.md); api/addon-versions.ts needs a block for it.
      // renovate: datasource=endoflife-date depName=amazon-eks versioning=loose
      '1.36',
    ),
    clusterName: string({
      description:
        'EKS cluster name. Default: <namespace>-<name>-<id> (<name>-<id> when both are equal), <id> being 8 hex digits of a hash of namespace/name, so distinct EKSClusters never collide. Immutable: an existing cluster keeps its name. The provider finds the EKS cluster by this name, and adopts, changes and deletes whichever cluster has it: on a namespaced ProviderConfig (providerConfigKind: ProviderConfig, a team\'s own AWS identity) the name must start with "<namespace>-" (the default always does), or the function refuses the XR; in a tenant namespace (label toolkit.fluxcd.io/tenant) the admission policy tenant-eks-cluster refuses any other name before it is stored.',
      pattern: '^[a-zA-Z][-a-zA-Z0-9_]*$',
      maxLength: 100,
    }),
    network: withDefault(
      object(
        {
          vpcCidr: withDefault(
            string({
              description: 'IPv4 CIDR of the VPC, /16 to /24. Immutable: subnets are computed from it.',
              pattern: '^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$',
              maxLength: 18,
              // On the field, not on network: the API server checks every default
              // against the rules of its own node, with oldSelf = self and without
              // applying the nested defaults, so a rule on network reading
              // self.vpcCidr fails on network's default {} and the CRD is refused.
              'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'vpcCidr is immutable: every subnet is computed from it' }],
            }),
            '10.0.0.0/16',
          ),
          availabilityZones: withDefault(
            array(string({ description: 'Zone suffix (a), full name (us-west-2a) or zone ID (usw2-az1).', maxLength: 32 }), {
              description:
                'Availability zones, at least two. Zones can be added; removing one deletes its subnets and nodes, so it is refused unless allowZoneRemoval is true.',
              minItems: 2,
              maxItems: 6,
              'x-kubernetes-list-type': 'set',
            }),
            ['a', 'b', 'c'],
          ),
          allowZoneRemoval: boolean({
            description:
              'Let a zone be removed from availabilityZones: its subnets, route table and NAT gateway are deleted. Node groups in that zone must be replaced first. Set it for that change, then remove it. Default: false.',
          }),
          ipFamily: withDefault(
            oneOf(IP_FAMILIES, {
              description:
                "IP family. IPv4: no IPv6. DualStack: the VPC gets an Amazon-provided IPv6 /56, each subnet a /64 of it (assigning IPv6 addresses on creation), private route tables send ::/0 to an egress-only internet gateway and the public one to the internet gateway; pods keep IPv4; can be switched on in place on a live cluster. IPv6: that network, and the EKS cluster's kubernetesNetworkConfig.ipFamily ipv6 (pods and services take IPv6 addresses; nodes keep IPv4 too), with the VPC CNI's IPv6 permissions (the AmazonEKS_CNI_IPv6_Policy actions) on its role; EKS fixes the family at creation, so IPv6 is chosen for a new cluster only (not in China regions, not with autoMode or karpenter; with an IRSA role of yours for vpc-cni, that role needs the IPv6 actions). IPv6 cannot be taken off a live network. Free (egress-only gateways cost nothing; data transfer as usual).",
            }),
            'IPv4',
          ),
          nat: withDefault(
            oneOf(NAT_MODES, {
              description:
                'Egress for private subnets: None (private-only, no internet egress: nodes reach AWS through the VPC endpoints of vpcEndpoints), Single (one NAT gateway), HighlyAvailable (one per zone), Regional (one regional NAT gateway).',
            }),
            'HighlyAvailable',
          ),
          existing: object(
            {
              vpcId: required(
                string({
                  description: 'ID of the existing VPC (vpc- and 8 or 17 hex digits). Immutable.',
                  pattern: '^vpc-([0-9a-f]{8}|[0-9a-f]{17})$',
                  maxLength: 21,
                  'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'vpcId is immutable: the cluster lives in this VPC' }],
                }),
              ),
              privateSubnetIds: required(
                array(string({ description: 'A subnet ID (subnet- and 8 or 17 hex digits).', pattern: '^subnet-([0-9a-f]{8}|[0-9a-f]{17})$', maxLength: 24 }), {
                  description:
                    'Private subnets of the control plane and the node groups, in at least two zones. Their route to AWS (NAT or endpoints) and their tags (kubernetes.io/role/internal-elb) are yours. Kept by an existing cluster and node group: EKS fixes subnets at creation.',
                  minItems: 2,
                  maxItems: 16,
                  'x-kubernetes-list-type': 'set',
                }),
              ),
              publicSubnetIds: array(
                string({ description: 'A subnet ID (subnet- and 8 or 17 hex digits).', pattern: '^subnet-([0-9a-f]{8}|[0-9a-f]{17})$', maxLength: 24 }),
                {
                  description: 'Public subnets, recorded in the status for load balancers; tag them kubernetes.io/role/elb yourself.',
                  maxItems: 16,
                  'x-kubernetes-list-type': 'set',
                },
              ),
              dualStack: boolean({
                description:
                  'Set true to state that the VPC and every subnet listed have an IPv6 CIDR block, the private subnets assign IPv6 addresses on creation and their route tables route ::/0 out: what an ipFamily IPv6 cluster needs (EKS refuses the cluster, and nodes cannot start, otherwise), which the function cannot see. Required with ipFamily IPv6; nothing is composed from it.',
              }),
            },
            {
              description:
                'Run in a VPC you already have: nothing of the network (VPC, subnets, gateways, route tables, endpoints) is composed or ever deleted; the cluster, node groups, add-ons and IAM are. Leave vpcCidr, availabilityZones, nat, vpcEndpoints and subnets unset. Cannot be switched on or off on an existing cluster.',
            },
          ),
          flowLogs: object(
            {
              enabled: withDefault(boolean({ description: 'Send VPC flow logs to a CloudWatch Logs group of this cluster.' }), false),
              retentionDays: withDefault(
                integer({ description: `Days CloudWatch Logs keeps the records: one of ${LOG_RETENTION_DAYS.join(', ')}.`, minimum: 1, maximum: 3653 }),
                30,
              ),
              trafficType: withDefault(oneOf(FLOW_LOG_TRAFFIC, { description: 'Which traffic is recorded.' }), 'ALL'),
            },
            {
              description:
                'VPC flow logs (opt-in): a FlowLog on the VPC (the composed one, or spec.network.existing.vpcId), a CloudWatch Logs group /aws/vpc-flow-logs/<cluster name> with the retention, and the IAM role that delivers to it. Billed by CloudWatch Logs ingestion and storage.',
            },
          ),
          vpcEndpoints: withDefault(
            oneOf(VPC_ENDPOINT_MODES, {
              description:
                'VPC endpoints for what nodes need from AWS: an S3 gateway endpoint on the private route tables, and interface endpoints with private DNS for ecr.api, ecr.dkr, sts, ec2, logs, eks and eks-auth in every private subnet, behind a security group allowing HTTPS from the VPC CIDR. Auto: on when nat is None (nodes could not join otherwise), and kept once they exist, so a later NAT never removes them. Enabled: always (AWS API traffic stays off the NAT gateways; each interface endpoint is billed per zone and hour). Disabled: never (you route the private subnets to the AWS APIs yourself, e.g. to endpoints shared over a Transit Gateway; with nat None the function warns). One switch rather than a list of services: the set is what EKS nodes need.',
            }),
            'Auto',
          ),
          podSubnets: object(
            {
              cidr: required(
                string({
                  description:
                    'IPv4 block associated with the VPC as a secondary CIDR, for pods only, e.g. 100.64.0.0/16 (RFC 6598 shared address space, never routed outside). /16 to /24, outside vpcCidr. Changing it on a live cluster is refused (AWS replaces the association, which its subnets hold): take podSubnets out, let the node groups be replaced, then set the new block.',
                  pattern: '^([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}$',
                  maxLength: 18,
                }),
              ),
              prefixLength: integer({
                description:
                  'Prefix length of each pod subnet (one per zone). Default: the block prefix + 3 (a /19 in a /16), room for six zones, so adding a zone never re-addresses a subnet.',
                minimum: 16,
                maximum: 28,
              }),
            },
            {
              description:
                "VPC CNI custom networking: the block is associated with the VPC, one pod subnet per zone is carved from it (routed like the zone's private subnet, through its NAT), and vpc-cni is configured with AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG and ENI_CONFIG_LABEL_DEF=topology.kubernetes.io/zone; pods take addresses there, nodes keep theirs in the private subnets. The pod subnets by zone are in the cluster facts, and apps/pod-networking (Flux) writes the ENIConfigs nodes look up. Switching it on or off replaces every node group (nodes pick their ENIConfig at start), the new group Ready before the old one goes. A node that starts before its zone's ENIConfig is applied gets pod addresses once it is (the VPC CNI retries every few seconds). Not with autoMode, spec.network.existing or ipFamily IPv6 (IPv6 pods never run out of addresses).",
            },
          ),
          prefixDelegation: boolean({
            description:
              "VPC CNI prefix delegation: nodes get /28 prefixes instead of single addresses (ENABLE_PREFIX_DELEGATION, WARM_PREFIX_TARGET=1 in vpc-cni's configurationValues), so each node runs more pods; EKS computes max pods of managed node groups for it (at most 110 below 30 vCPUs, 250 above). Needs Nitro instances. Switching it on or off replaces every node group (max pods is set at node start). Not with autoMode or ipFamily IPv6 (always in prefix mode).",
          }),
          subnets: withDefault(
            object(
              {
                private: subnetTier('private', 'Default: the VPC prefix + 3 (a /19 in a /16): pods take VPC addresses.'),
                public: subnetTier('public', 'Default: the VPC prefix + 8 (a /24 in a /16), at most /28.'),
                isolated: object(
                  {
                    enabled: withDefault(boolean({ description: 'Add isolated subnets (no internet route), e.g. for databases.' }), false),
                    prefixLength: integer({
                      description: 'Prefix length of each isolated subnet. Default: the VPC prefix + 6 (a /22 in a /16).',
                      minimum: 16,
                      maximum: 28,
                    }),
                  },
                  { description: 'Optional third tier without any route out of the VPC.' },
                ),
              },
              { description: 'Subnet sizes per tier.' },
            ),
            {},
          ),
        },
        {
          description: 'The VPC and its subnets.',
          'x-kubernetes-validations': [
            {
              // On network, because the rule reads two of its fields. Every field is
              // guarded with has(): the apiserver checks network's default {} against
              // this rule with oldSelf = self and without the nested defaults.
              rule: '!has(oldSelf.availabilityZones) || (has(self.allowZoneRemoval) && self.allowZoneRemoval) || (has(self.availabilityZones) && oldSelf.availabilityZones.all(z, z in self.availabilityZones))',
              message: ZONE_REMOVAL_MESSAGE,
            },
          ],
        },
      ),
      {},
    ),
    nodeGroups: withDefault(
      array(nodeGroup, {
        description: 'Managed node groups. Adding one never touches the others.',
        maxItems: 30,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
      [{ name: 'default', instanceTypes: ['m7i.large'], minSize: 2, maxSize: 6 }],
    ),
    securityGroupRules: object(
      {
        cluster: withDefault(
          array(securityGroupRule, {
            description:
              "Ingress rules added to the EKS cluster security group, which EKS puts on the control plane's network interfaces and on every managed node (e.g. a peer network reaching the private API endpoint on 443).",
            maxItems: 50,
          }),
          [],
        ),
        nodes: withDefault(
          array(securityGroupRule, {
            description:
              'Ingress rules added to the node security group, a group the function composes for the nodes of node groups with a launchTemplate (every node group must have one).',
            maxItems: 50,
          }),
          [],
        ),
      },
      {
        description:
          'Ingress rules you add, without security groups of your own. A rule is known by what it allows (source, protocol, ports): reordering the list changes nothing, a changed description is updated in place, and a changed source, protocol or port makes a new rule, the old one deleted once the new ones are Ready. The same rule twice is refused (AWS refuses a duplicate: InvalidPermission.Duplicate).',
      },
    ),
    controlPlane: withDefault(
      object(
        {
          supportType: withDefault(
            oneOf(SUPPORT_TYPES, {
              description:
                'EKS upgrade policy. STANDARD: the control plane is upgraded automatically when standard support of its version ends, at no extra charge. EXTENDED: it may stay on the version for extended support, billed per cluster-hour on top of the standard price. EKS itself defaults new clusters to EXTENDED; this API does not.',
            }),
            'STANDARD',
          ),
          deletionProtection: withDefault(
            boolean({
              description:
                'EKS deletion protection: AWS refuses to delete the cluster, and the deletion-order Usages then keep its subnets, VPC and IAM roles too. To delete on purpose: set false, let it apply, then delete.',
            }),
            false,
          ),
          zonalShift: withDefault(
            boolean({
              description:
                'Let Amazon Application Recovery Controller shift traffic away from an impaired zone (zonal shift); needs spare capacity in the other zones.',
            }),
            false,
          ),
        },
        { description: 'Lifecycle settings of the EKS control plane.' },
      ),
      {},
    ),
    delivery: withDefault(
      object(
        {
          mode: withDefault(
            oneOf(DELIVERY_MODES, {
              description:
                'How Flux on the management cluster reaches the new cluster. AWSIdentity (recommended on AWS): a ConfigMap <name>-kubeconfig (provider aws, cluster ARN) for spec.kubeConfig.configMapRef, and an access entry for fluxRoleArn; no Secret holds any credential. KubeconfigSecret: ClusterAuth writes a kubeconfig with a short-lived token to the Secret <name>-kubeconfig for spec.kubeConfig.secretRef, for management clusters outside AWS.',
            }),
            'KubeconfigSecret',
          ),
          fluxRoleArn: string({
            description:
              'IAM role of the Flux controllers (Pod Identity or IRSA), given cluster-admin through an access entry. Required with AWSIdentity; it needs eks:DescribeCluster on this cluster.',
            pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$',
            maxLength: 2048,
          }),
        },
        { description: 'How Flux delivers apps to the new cluster.' },
      ),
      {},
    ),
    endpointAccess: withDefault(
      object(
        {
          public: withDefault(
            boolean({
              description:
                'Serve the API endpoint on the internet. When false, the cluster is reachable only from networks connected to its VPC: Flux and anything else on the management cluster that uses the kubeconfig need VPC peering, a Transit Gateway, or the management cluster in the same VPC, and must resolve the private endpoint name. The function cannot check that and warns.',
            }),
            true,
          ),
          private: withDefault(boolean({ description: 'Serve the API endpoint inside the VPC.' }), true),
          publicCidrs: withDefault(
            array(string({ description: 'An IPv4 CIDR.', maxLength: 18 }), {
              description: 'Source ranges allowed to reach the public endpoint.',
              maxItems: 40,
            }),
            ['0.0.0.0/0'],
          ),
        },
        { description: 'Who can reach the Kubernetes API.' },
      ),
      {},
    ),
    access: withDefault(
      object(
        {
          clusterAdmins: withDefault(
            array(string({ description: 'An IAM role or user ARN.', pattern: '^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:.+$', maxLength: 2048 }), {
              description: 'IAM principals given cluster-admin through EKS access entries.',
              maxItems: 20,
              'x-kubernetes-list-type': 'set',
            }),
            [],
          ),
        },
        { description: 'Access entries (authentication mode API).' },
      ),
      {},
    ),
    addons: withDefault(
      array(addon, {
        description:
          'Add-ons beyond or overriding the defaults (vpc-cni, kube-proxy, coredns, eks-pod-identity-agent, metrics-server, always included unless enabled: false).',
        maxItems: 30,
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
      }),
      [],
    ),
    podIdentity: withDefault(
      object(
        {
          roles: withDefault(
            array(
              object(
                {
                  name: required(
                    string({
                      description: 'Role name, unique within the cluster; part of the IAM role name and of every resource name derived from it.',
                      pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
                      maxLength: 24,
                    }),
                  ),
                  namespace: required(
                    string({ description: 'Kubernetes namespace of the service account.', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }),
                  ),
                  serviceAccount: required(
                    string({ description: 'Kubernetes service account whose pods get the role.', pattern: '^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$', maxLength: 253 }),
                  ),
                  policyArns: required(
                    array(string({ description: 'An IAM managed policy ARN.', pattern: '^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/.+$', maxLength: 2048 }), {
                      description: 'IAM managed policies attached to the role, e.g. arn:aws:iam::111122223333:policy/AWSLoadBalancerControllerIAMPolicy.',
                      minItems: 1,
                      maxItems: 10,
                      'x-kubernetes-list-type': 'set',
                    }),
                  ),
                },
                { description: 'An IAM role for one service account, through EKS Pod Identity.' },
              ),
              {
                description:
                  'IAM roles for your own controllers (e.g. the AWS Load Balancer Controller in kube-system/aws-load-balancer-controller): each an IAM role trusted by pods.eks.amazonaws.com, its policy attachments and an EKS Pod Identity association, which needs the eks-pod-identity-agent add-on (or autoMode).',
                maxItems: 20,
                'x-kubernetes-list-type': 'map',
                'x-kubernetes-list-map-keys': ['name'],
              },
            ),
            [],
          ),
        },
        { description: 'AWS permissions for pods through EKS Pod Identity. vpc-cni and aws-ebs-csi-driver get theirs without any setting.' },
      ),
      {},
    ),
    karpenter: withDefault(
      object(
        {
          enabled: withDefault(
            boolean({
              description:
                'Compose what Karpenter needs on AWS: its controller IAM role with a Pod Identity association, the interruption SQS queue with its policy, EventBridge rules for spot interruptions, rebalance recommendations, instance state changes and scheduled health events, a node IAM role with an EC2_LINUX access entry, and the karpenter.sh/discovery tag on the cluster security group (private subnets always carry it). Karpenter itself is installed by Flux from apps/karpenter (flux/README.md). Not with autoMode.',
            }),
            false,
          ),
          namespace: withDefault(
            string({ description: 'Namespace Karpenter is installed into.', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }),
            'kube-system',
          ),
          serviceAccount: withDefault(
            string({ description: "Karpenter controller's service account.", pattern: '^[a-z0-9]([-.a-z0-9]*[a-z0-9])?$', maxLength: 253 }),
            'karpenter',
          ),
        },
        { description: 'Karpenter-ready cluster.' },
      ),
      {},
    ),
    monitoring: withDefault(
      object(
        {
          enabled: withDefault(
            boolean({
              description:
                "Compose an Amazon Managed Service for Prometheus workspace for this cluster (alias: the EKS cluster name), or use workspaceId; its ID and remote-write URL go into the ConfigMap <name>-cluster-facts, which apps/monitoring reads. Switched off, the composed workspace is deleted and AWS deletes its metrics with it: remove the cluster's monitoring Kustomization first (docs/cluster-facts.md).",
            }),
            false,
          ),
          workspaceId: string({
            description:
              'An existing Amazon Managed Service for Prometheus workspace (ws- and a UUID, e.g. ws-12345678-abcd-1234-abcd-123456789012) to write to instead of one composed for this cluster; nothing is composed, and it is never deleted. Only with enabled: true.',
            pattern: '^ws-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$',
            // Room for an ARN or URL pasted by mistake, so that the pattern's message (the description) answers it.
            maxLength: 256,
          }),
        },
        { description: "Where Prometheus (apps/monitoring) writes this cluster's metrics." },
      ),
      {},
    ),
    autoMode: withDefault(
      object(
        {
          enabled: withDefault(
            boolean({
              description:
                'EKS Auto Mode: EKS runs the nodes (computeConfig), block storage and load balancing; the cluster role gets the compute, block storage, load balancing and networking policies, and an Auto Mode node role is composed (EKS gives it its access entry). Managed node groups and the add-ons Auto Mode brings itself (vpc-cni, kube-proxy, coredns, eks-pod-identity-agent, aws-ebs-csi-driver) are not composed: set spec.nodeGroups: []. Not with karpenter. AWS charges a management fee per Auto Mode instance on top of EC2.',
            }),
            false,
          ),
          nodePools: withDefault(
            array(oneOf(AUTO_MODE_NODE_POOLS, { description: 'A built-in node pool.' }), {
              description: 'Built-in node pools EKS runs: general-purpose for workloads, system for critical add-ons.',
              maxItems: 2,
              'x-kubernetes-list-type': 'set',
            }),
            ['general-purpose', 'system'],
          ),
        },
        { description: 'EKS Auto Mode.' },
      ),
      {},
    ),
    logging: withDefault(
      object(
        {
          types: withDefault(
            array(oneOf(LOG_TYPES, { description: 'A control-plane log type.' }), {
              description: 'Control-plane log types sent to CloudWatch.',
              maxItems: 5,
              'x-kubernetes-list-type': 'set',
            }),
            ['api', 'audit', 'authenticator'],
          ),
        },
        { description: 'Control-plane logging.' },
      ),
      {},
    ),
    encryption: withDefault(
      object(
        {
          enabled: withDefault(boolean({ description: 'Envelope-encrypt Kubernetes Secrets with KMS.' }), false),
          kmsKeyArn: string({
            description: 'Existing KMS key ARN. Default: a key composed for this cluster, with rotation on.',
            pattern: '^arn:aws[a-z-]*:kms:.+$',
            maxLength: 2048,
          }),
        },
        { description: 'KMS encryption of Kubernetes Secrets. Cannot be switched off once on.' },
      ),
      {},
    ),
    tags: withDefault(stringMap({ description: 'AWS tags on every resource.', maxLength: 256 }), {}),
    providerConfigName: withDefault(
      string({ description: 'Name of the provider config (of providerConfigKind) every managed resource uses.', maxLength: 253 }),
      'default',
    ),
    providerConfigKind: withDefault(
      oneOf(PROVIDER_CONFIG_KINDS, {
        description:
          "Kind of providerConfigName: ProviderConfig is looked up in the XR's namespace (a team's own AWS identity), ClusterProviderConfig is cluster-wide.",
      }),
      'ClusterProviderConfig',
    ),
    permissionsBoundaryArn: string({
      description: 'Managed policy set as the permissions boundary of every IAM role composed (needed when the AWS identity may only create bounded roles).',
      pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$',
      maxLength: 2048,
    }),
    managementPolicies: withDefault(
      array(oneOf(MANAGEMENT_POLICIES, { description: 'A Crossplane management policy.' }), {
        description: 'Management policies of every managed resource; ["Observe"] imports, omitting Delete orphans.',
        minItems: 1,
        maxItems: 6,
        'x-kubernetes-list-type': 'set',
      }),
      ['*'],
    ),
  },
  {
    description: 'The desired EKS cluster.',
    'x-kubernetes-validations': [{ rule: 'self.region == oldSelf.region', message: 'region is immutable' }],
  },
);

const subnetStatus = object(
  {
    name: string({ description: 'Composed resource name.' }),
    tier: string({ description: 'public, private or isolated.' }),
    zone: string({ description: 'Availability zone name or ID.' }),
    cidr: string({ description: 'IPv4 CIDR.' }),
    id: string({ description: 'AWS subnet ID, once created.' }),
  },
  { description: 'A subnet.' },
);

export const statusSchema = object(
  {
    vpcId: string({ description: 'AWS VPC ID.' }),
    subnets: array(subnetStatus, { description: 'Every subnet, with its computed CIDR.' }),
    natGatewayIds: array(string({ description: 'A NAT gateway ID.' }), { description: 'NAT gateway IDs.' }),
    vpcEndpoints: array(
      object(
        {
          service: string({ description: 'AWS service name, e.g. com.amazonaws.us-west-2.ecr.api.' }),
          type: string({ description: 'Gateway or Interface.' }),
          id: string({ description: 'VPC endpoint ID, once created.' }),
        },
        { description: 'A VPC endpoint.' },
      ),
      { description: 'The VPC endpoints of spec.network.vpcEndpoints.' },
    ),
    cluster: object(
      {
        name: string({ description: 'EKS cluster name.' }),
        endpoint: string({ description: 'Kubernetes API endpoint.' }),
        arn: string({ description: 'Cluster ARN.' }),
        oidcIssuer: string({ description: 'OIDC issuer URL, for IRSA.' }),
        oidcProviderArn: string({ description: 'ARN of the IAM OIDC provider of the issuer: the Federated principal of an IRSA role trust policy.' }),
        version: string({ description: 'Kubernetes version.' }),
      },
      { description: 'The EKS cluster.' },
    ),
    network: object(
      {
        mode: string({ description: 'Composed (the function owns the VPC) or Existing (spec.network.existing: nothing of it is composed).' }),
      },
      { description: 'Who owns the network.' },
    ),
    kubeconfigConfigMap: object(
      {
        name: string({ description: 'ConfigMap name, for spec.kubeConfig.configMapRef.' }),
      },
      { description: 'With delivery mode AWSIdentity: the ConfigMap Flux reads, in the namespace of this EKSCluster.' },
    ),
    kubeconfigSecret: object(
      {
        name: string({ description: 'Secret name.' }),
        key: string({ description: 'Key holding the kubeconfig.' }),
      },
      { description: 'Where the kubeconfig is written, in the namespace of this EKSCluster.' },
    ),
    karpenter: object(
      {
        interruptionQueue: string({ description: 'SQS queue name: the Karpenter Helm value settings.interruptionQueue.' }),
        nodeRoleName: string({ description: 'IAM role of the nodes Karpenter launches: spec.role of an EC2NodeClass.' }),
        controllerRoleName: string({ description: 'IAM role of the Karpenter controller, associated with its service account through Pod Identity.' }),
      },
      { description: 'Names the Karpenter installation needs, when spec.karpenter.enabled.' },
    ),
    resources: object(
      {
        ready: integer({ description: 'Composed resources that are ready.' }),
        total: integer({ description: 'Composed resources in all.' }),
      },
      { description: 'Readiness count.' },
    ),
    waitingFor: array(string({ description: 'A resource and why it is not ready.' }), {
      description: 'What is not ready yet, and why.',
    }),
    summary: string({ description: 'One line saying what is ready and what is awaited.' }),
  },
  { description: 'Observed state, written by the function.' },
);

export type EKSClusterSpec = TypeOf<typeof specSchema>;
export type EKSClusterStatus = TypeOf<typeof statusSchema>;
export type NodeGroupSpec = EKSClusterSpec['nodeGroups'][number];
export type AddonSpec = EKSClusterSpec['addons'][number];
export type LaunchTemplateSpec = NonNullable<NodeGroupSpec['launchTemplate']>;
export type SecurityGroupRuleSpec = NonNullable<EKSClusterSpec['securityGroupRules']>['cluster'][number];
