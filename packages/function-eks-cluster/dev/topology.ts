/** What a RunFunction response will create, reshaped for people: the input of the plan and the diagram. */
import { CLUSTER_FACTS_KEY } from '../src/lifecycle/cluster-facts.js';
import type { Json, JsonObject } from '../src/api/schema-builder.js';
import type { EKSClusterStatus } from '../src/api/eks-cluster.js';
import { blockSize, mustParseCidr } from '../src/network/cidr.js';
import { dig } from '../src/ground/observed.js';
import { BEFORE_NODES } from '../src/eks/addons.js';
import { compareKeys } from '../src/network/zones.js';
import { CLUSTER_KEY } from '../src/eks/cluster.js';
import { AUTO_NODE_ROLE_KEY } from '../src/eks/auto-mode.js';
import { KARPENTER_NODE_ROLE_KEY } from '../src/eks/karpenter.js';
import { EGRESS_ONLY_IGW_KEY, VPC_KEY } from '../src/network/resources.js';
import { POD_CIDR_ASSOCIATION_KEY } from '../src/network/pod-network.js';
import { POD_TIER } from '../src/network/pod-subnets.js';
import { KMS_KEY } from '../src/eks/encryption.js';

export interface SubnetView {
  key: string;
  tier: string;
  zone: string;
  cidr: string;
  addresses: number;
  /** Its IPv6 /64, when the network has IPv6 and the VPC's /56 was known. */
  ipv6?: string;
}

export interface Topology {
  xr: string;
  region: string;
  vpcCidr: string;
  vpcAddresses: number;
  zones: string[];
  tiers: string[];
  subnets: SubnetView[];
  /** spec.network.podSubnets: the secondary block and its pod subnets (not in `subnets`: outside the VPC's block). */
  podNetwork?: { cidr: string; subnets: SubnetView[] };
  /** vpc-cni's pod addressing switches that are on: custom networking, prefix delegation. */
  cniModes: string[];
  nats: { key: string; zone?: string; regional: boolean; eip?: string }[];
  privateRoutes: Map<string, string | undefined>;
  /** spec.network.ipFamily DualStack or IPv6: the egress-only internet gateway's key, and the cluster's IP family. */
  ipv6?: { egressOnlyGateway: string; clusterFamily: string };
  /** VPC endpoints by service (com.amazonaws.<region>. left out), with how many subnets or route tables each is in. */
  endpoints: { service: string; type: string; attachments: number }[];
  cluster: { name: string; version: string; endpoint: string; logs: string[]; encrypted: boolean; subnets: number };
  nodeGroups: {
    name: string;
    instanceTypes: string[];
    capacityType: string;
    amiType: string;
    min: number;
    max: number;
    desired: number;
    zones: string[];
    taints: string[];
    /** Its launch template (spec.nodeGroups[].launchTemplate), in words; none without one. */
    launchTemplate?: string;
  }[];
  /** spec.securityGroupRules as composed: the group each goes on, and what it lets in. */
  securityGroupRules: { target: 'cluster' | 'nodes'; rule: string }[];
  addons: { name: string; version?: string; phase: 'before nodes' | 'after nodes' }[];
  admins: string[];
  /** Every IAM role by key, with the names of its attached policies (inline ones as "inline <name>"). */
  roles: { key: string; policies: string[] }[];
  /** Who gets which role through EKS Pod Identity: add-ons through their association, others through PodIdentityAssociation. */
  podIdentity: { subject: string; role: string }[];
  autoMode?: { nodePools: string[]; nodeRole: string };
  karpenter?: { queue: string; rules: string[]; serviceAccount: string; nodeRole: string; accessEntry: string; securityGroupTags: number };
  kubeconfigSecret: string;
  /** spec.network.existing: the VPC and subnets nothing composes. */
  external?: { vpcId: string; privateSubnetIds: string[]; publicSubnetIds: string[] };
  flowLogs?: { logGroup: string; retentionDays: number; trafficType: string };
  controlPlane: { supportType: string; deletionProtection: boolean; zonalShift: boolean };
  /** Delivery mode AWSIdentity: the ConfigMap Flux reads and the role it acts as. */
  fluxIdentity?: { configMap: string; roleArn: string };
  /** The cluster facts ConfigMap Flux substitutes from (docs/cluster-facts.md): its name and keys. */
  facts?: { configMap: string; keys: string[] };
  usages: number;
  countsByKind: [string, number][];
  /** The kind of each composed resource, by key. */
  kindOf: Record<string, string>;
  total: number;
  status: EKSClusterStatus;
}

/** A launch template, as the plan says it: IMDS, root volume, AMI, user data. */
function launchTemplateOf(byKey: ReadonlyMap<string, JsonObject>, key: string | undefined): { launchTemplate?: string } {
  const body = key === undefined ? undefined : byKey.get(key);
  if (body === undefined) return {};
  const fp = (...path: (string | number)[]) => dig(body, 'spec', 'forProvider', ...path);
  const volumes = (fp('blockDeviceMappings') as JsonObject[] | undefined) ?? [];
  const sized = volumes.find((v) => dig(v, 'ebs', 'volumeSize') !== undefined) ?? volumes[0];
  const ebs = (field: string) => String(dig(sized, 'ebs', field) ?? '');
  return {
    launchTemplate: [
      `IMDSv2 (hop limit ${String(fp('metadataOptions', 'httpPutResponseHopLimit'))})`,
      `${ebs('volumeSize')} GiB gp3 ${ebs('iops')} IOPS ${ebs('throughput')} MiB/s encrypted`,
      ...(fp('imageId') ? [`AMI ${String(fp('imageId'))}`] : []),
      ...(fp('userData') ? ['user data'] : []),
    ].join(', '),
  };
}

/** A security-group rule, as the plan says it: source, protocol, ports. */
function ruleText(fp: JsonObject): string {
  const source = str(fp.cidrIpv4 ?? fp.cidrIpv6 ?? fp.prefixListId);
  const protocol = str(fp.ipProtocol);
  const ports =
    protocol === '-1'
      ? 'all traffic'
      : fp.fromPort === -1
        ? `${protocol} every type`
        : fp.fromPort === fp.toPort
          ? `${protocol} ${String(fp.fromPort)}`
          : `${protocol} ${String(fp.fromPort)}-${String(fp.toPort)}`;
  return `${source} ${ports}${fp.description ? ` (${str(fp.description)})` : ''}`;
}

function str(value: Json | undefined, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function ids(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.map((v) => str(v)) : [];
}

function names(value: Json | undefined): string[] {
  return Array.isArray(value) ? value.map((v) => str(dig(v, 'name'))) : [];
}

/**
 * What a settled composition looks like: `desired` are the composed resources by
 * composition-resource-name, `status` the XR's status, as our gRPC client or
 * `crossplane composition render` returned them.
 */
export function topologyOf(xr: JsonObject, desired: Record<string, JsonObject>, xrStatus: Json | undefined): Topology {
  // In key order, so the picture never depends on the order the composer listed them in.
  const resources = Object.entries(desired)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, body]) => ({ key, body }));
  const specOrder = ((dig(xr, 'spec', 'nodeGroups') as JsonObject[] | undefined) ?? []).map((g) => `nodegroup-${str(g.name)}`);
  const bySpec = (a: { key: string }, b: { key: string }) => specOrder.indexOf(a.key) - specOrder.indexOf(b.key);
  const byKey = new Map(resources.map((r) => [r.key, r.body]));
  const xrName = str(dig(xr, 'metadata', 'name'));
  const prefix = `${xrName}-`;
  const keyOf = (name: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  const fp = (body: JsonObject | undefined, ...path: (string | number)[]) => dig(body, 'spec', 'forProvider', ...path);
  const status = (xrStatus ?? {}) as EKSClusterStatus;

  const allSubnets: SubnetView[] = resources
    .filter((r) => r.body.kind === 'Subnet')
    .map((r) => {
      const cidr = str(fp(r.body, 'cidrBlock'));
      return {
        key: r.key,
        tier: str(dig(r.body, 'metadata', 'labels', 'eks.gitops.dev/tier')),
        zone: str(fp(r.body, 'availabilityZone')) || str(fp(r.body, 'availabilityZoneId')),
        cidr,
        addresses: blockSize(mustParseCidr(cidr).prefixLength),
        ...(str(fp(r.body, 'ipv6CidrBlock')) ? { ipv6: str(fp(r.body, 'ipv6CidrBlock')) } : {}),
      };
    });
  const subnets = allSubnets.filter((s) => s.tier !== POD_TIER);
  const podSubnets = allSubnets.filter((s) => s.tier === POD_TIER);
  const podBlock = resources.find((r) => r.key === POD_CIDR_ASSOCIATION_KEY);
  const cniEnv = (() => {
    const values = fp(resources.find((r) => r.key === 'addon-vpc-cni')?.body, 'configurationValues');
    return typeof values === 'string' ? ((dig(JSON.parse(values) as JsonObject, 'env') ?? {}) as JsonObject) : {};
  })();
  const cniModes = [
    ...(cniEnv.AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG === 'true' ? ['custom networking'] : []),
    ...(cniEnv.ENABLE_PREFIX_DELEGATION === 'true' ? ['prefix delegation'] : []),
  ];
  const zones = [...new Set(subnets.map((s) => s.zone))].sort(compareKeys);
  const tiers = ['public', 'private', 'isolated'].filter((t) => subnets.some((s) => s.tier === t));
  const zoneOfSubnet = new Map(subnets.map((s) => [s.key, s.zone]));

  const nats = resources
    .filter((r) => r.body.kind === 'NATGateway')
    .map((r) => {
      const subnet = keyOf(str(fp(r.body, 'subnetIdRef', 'name')));
      const eip = keyOf(str(fp(r.body, 'allocationIdRef', 'name')));
      return {
        key: r.key,
        regional: fp(r.body, 'availabilityMode') === 'regional',
        ...(subnet ? { zone: zoneOfSubnet.get(subnet) } : {}),
        ...(eip ? { eip } : {}),
      };
    });

  const privateRoutes = new Map<string, string | undefined>();
  for (const s of subnets.filter((x) => x.tier === 'private')) {
    const zoneKey = s.key.replace('subnet-private-', '');
    const route = byKey.get(`route-private-${zoneKey}-default`);
    privateRoutes.set(s.zone, route ? keyOf(str(fp(route, 'natGatewayIdRef', 'name'))) : undefined);
  }

  const attachedTo = (endpointKey: string) =>
    resources.filter(
      (r) => /^VPCEndpoint(Subnet|RouteTable)Association$/.test(str(r.body.kind)) && keyOf(str(fp(r.body, 'vpcEndpointIdRef', 'name'))) === endpointKey,
    ).length;
  const endpoints = resources
    .filter((r) => r.body.kind === 'VPCEndpoint')
    .map((r) => ({
      service: str(fp(r.body, 'serviceName')).replace(/^(cn\.)?com\.amazonaws\.[^.]+\./, ''),
      type: str(fp(r.body, 'vpcEndpointType')),
      attachments: attachedTo(r.key),
    }));

  const clusterBody = byKey.get(CLUSTER_KEY);
  const vpcConfig = fp(clusterBody, 'vpcConfig');
  const endpoint = [
    dig(vpcConfig, 'endpointPublicAccess') === true ? `public (${(dig(vpcConfig, 'publicAccessCidrs') as string[] | undefined)?.join(', ') ?? 'any'})` : '',
    dig(vpcConfig, 'endpointPrivateAccess') === true ? 'private' : '',
  ]
    .filter(Boolean)
    .join(' + ');

  const nodeGroups = resources
    .filter((r) => r.body.kind === 'NodeGroup')
    .sort(bySpec)
    .map((r) => ({
      name: str(dig(r.body, 'metadata', 'annotations', 'crossplane.io/external-name'), r.key),
      instanceTypes: (fp(r.body, 'instanceTypes') as string[] | undefined) ?? [],
      capacityType: str(fp(r.body, 'capacityType')),
      amiType: str(fp(r.body, 'amiType')),
      min: Number(fp(r.body, 'scalingConfig', 'minSize')),
      max: Number(fp(r.body, 'scalingConfig', 'maxSize')),
      desired: Number(dig(r.body, 'spec', 'initProvider', 'scalingConfig', 'desiredSize')),
      zones: [...names(fp(r.body, 'subnetIdRefs')).map((n) => zoneOfSubnet.get(keyOf(n)) ?? keyOf(n)), ...ids(fp(r.body, 'subnetIds'))],
      taints: ((fp(r.body, 'taint') as JsonObject[] | undefined) ?? []).map((t) => `${str(t.key)}=${str(t.value)}:${str(t.effect)}`),
      ...launchTemplateOf(
        byKey,
        fp(r.body, 'launchTemplate') !== undefined
          ? `launchtemplate-${str(dig(r.body, 'spec', 'forProvider', 'labels', 'eks.gitops.dev/node-group'))}`
          : undefined,
      ),
    }));

  const securityGroupRules = resources
    .filter((r) => r.body.kind === 'SecurityGroupIngressRule' && /^sgr-(cluster|nodes)-/.test(r.key))
    .map((r) => ({ target: r.key.startsWith('sgr-cluster-') ? ('cluster' as const) : ('nodes' as const), rule: ruleText(fp(r.body) as JsonObject) }));

  const addons = resources
    .filter((r) => r.body.kind === 'Addon')
    .map((r) => ({
      name: str(fp(r.body, 'addonName')),
      ...(fp(r.body, 'addonVersion') ? { version: str(fp(r.body, 'addonVersion')) } : {}),
      phase: (BEFORE_NODES.has(str(fp(r.body, 'addonName'))) ? 'before nodes' : 'after nodes') as 'before nodes' | 'after nodes',
    }));

  const roleKeys = resources.filter((r) => r.body.kind === 'Role').map((r) => r.key);
  const policiesOf = (roleKey: string) => [
    ...resources
      .filter((r) => r.body.kind === 'RolePolicyAttachment' && keyOf(str(fp(r.body, 'roleRef', 'name'))) === roleKey)
      .map((r) => str(fp(r.body, 'policyArn')).split('/').pop() ?? ''),
    ...resources
      .filter((r) => r.body.kind === 'RolePolicy' && keyOf(str(fp(r.body, 'roleRef', 'name'))) === roleKey)
      .map((r) => `inline ${str(dig(r.body, 'metadata', 'annotations', 'crossplane.io/external-name'), r.key)}`),
  ];
  const roleKeyOfArn = (arn: string) =>
    roleKeys.find((k) => str(dig(byKey.get(k), 'metadata', 'annotations', 'crossplane.io/external-name')) === arn.split('/').pop());
  const podIdentity = [
    ...resources
      .filter((r) => r.body.kind === 'Addon' && Array.isArray(fp(r.body, 'podIdentityAssociation')))
      .flatMap((r) =>
        (fp(r.body, 'podIdentityAssociation') as JsonObject[]).map((a) => ({
          subject: `add-on ${str(fp(r.body, 'addonName'))} (${str(a.serviceAccount)})`,
          role: roleKeyOfArn(str(a.roleArn)) ?? str(a.roleArn),
        })),
      ),
    ...resources
      .filter((r) => r.body.kind === 'PodIdentityAssociation')
      .map((r) => ({ subject: `${str(fp(r.body, 'namespace'))}/${str(fp(r.body, 'serviceAccount'))}`, role: keyOf(str(fp(r.body, 'roleArnRef', 'name'))) })),
  ];
  const compute = fp(clusterBody, 'computeConfig');
  const autoMode =
    dig(compute, 'enabled') === true
      ? {
          nodePools: (dig(compute, 'nodePools') as string[] | undefined) ?? [],
          nodeRole: roleKeys.find((k) => k === AUTO_NODE_ROLE_KEY) ?? str(dig(compute, 'nodeRoleArn')),
        }
      : undefined;
  const queue = resources.find((r) => r.body.kind === 'Queue');
  const karpenterPia = byKey.get('pia-karpenter');
  const karpenter = queue
    ? {
        queue: str(fp(queue.body, 'name')),
        rules: resources.filter((r) => r.body.kind === 'Rule').map((r) => r.key.replace(/^karpenter-rule-/, '')),
        serviceAccount: `${str(fp(karpenterPia, 'namespace'))}/${str(fp(karpenterPia, 'serviceAccount'))}`,
        nodeRole: str(dig(byKey.get(KARPENTER_NODE_ROLE_KEY), 'metadata', 'annotations', 'crossplane.io/external-name')),
        accessEntry: str(fp(byKey.get('access-karpenter-node'), 'type')),
        securityGroupTags: resources.filter((r) => r.body.kind === 'Tag' && fp(r.body, 'key') === 'karpenter.sh/discovery').length,
      }
    : undefined;

  const counts = new Map<string, number>();
  for (const r of resources) counts.set(str(r.body.kind), (counts.get(str(r.body.kind)) ?? 0) + 1);
  const vpcCidr = str(fp(byKey.get(VPC_KEY), 'cidrBlock'));
  const auth = resources.find((r) => r.body.kind === 'ClusterAuth');
  const facts = resources.find((r) => r.key === CLUSTER_FACTS_KEY);
  const existing = dig(xr, 'spec', 'network', 'existing');
  const group = resources.find((r) => r.body.kind === 'Group');
  const flowLog = resources.find((r) => r.body.kind === 'FlowLog');
  const configMap = resources.find((r) => r.body.kind === 'ConfigMap' && r.key !== CLUSTER_FACTS_KEY);
  const fluxEntry = resources.find((r) => r.body.kind === 'AccessEntry' && r.key.startsWith('access-flux-'));
  return {
    ...(existing
      ? {
          external: {
            vpcId: str(dig(existing, 'vpcId')),
            privateSubnetIds: ids(dig(existing, 'privateSubnetIds')),
            publicSubnetIds: ids(dig(existing, 'publicSubnetIds')),
          },
        }
      : {}),
    ...(group && flowLog
      ? {
          flowLogs: {
            logGroup: str(dig(group.body, 'metadata', 'annotations', 'crossplane.io/external-name')),
            retentionDays: Number(fp(group.body, 'retentionInDays')),
            trafficType: str(fp(flowLog.body, 'trafficType')),
          },
        }
      : {}),
    controlPlane: {
      supportType: str(fp(clusterBody, 'upgradePolicy', 'supportType')),
      deletionProtection: fp(clusterBody, 'deletionProtection') === true,
      zonalShift: fp(clusterBody, 'zonalShiftConfig', 'enabled') === true,
    },
    ...(configMap && fluxEntry
      ? { fluxIdentity: { configMap: str(dig(configMap.body, 'metadata', 'name')), roleArn: str(fp(fluxEntry.body, 'principalArn')) } }
      : {}),
    xr: `${str(dig(xr, 'metadata', 'namespace'))}/${xrName}`,
    region: str(dig(xr, 'spec', 'region')),
    vpcCidr,
    vpcAddresses: vpcCidr ? blockSize(mustParseCidr(vpcCidr).prefixLength) : 0,
    zones,
    tiers,
    subnets,
    ...(podBlock ? { podNetwork: { cidr: str(fp(podBlock.body, 'cidrBlock')), subnets: podSubnets } } : {}),
    cniModes,
    nats,
    privateRoutes,
    ...(byKey.has(EGRESS_ONLY_IGW_KEY)
      ? { ipv6: { egressOnlyGateway: EGRESS_ONLY_IGW_KEY, clusterFamily: str(fp(clusterBody, 'kubernetesNetworkConfig', 'ipFamily'), 'ipv4') } }
      : {}),
    endpoints,
    cluster: {
      name: str(dig(clusterBody, 'metadata', 'annotations', 'crossplane.io/external-name')),
      version: str(fp(clusterBody, 'version')),
      endpoint,
      logs: (fp(clusterBody, 'enabledClusterLogTypes') as string[] | undefined) ?? [],
      encrypted: fp(clusterBody, 'encryptionConfig') !== undefined || byKey.has(KMS_KEY),
      subnets: names(dig(vpcConfig, 'subnetIdRefs')).length || ids(dig(vpcConfig, 'subnetIds')).length,
    },
    nodeGroups,
    addons,
    admins: resources
      .filter((r) => r.body.kind === 'AccessEntry' && fp(r.body, 'type') === 'STANDARD' && !r.key.startsWith('access-flux-'))
      .map((r) => str(fp(r.body, 'principalArn'))),
    roles: roleKeys.map((key) => ({ key, policies: policiesOf(key) })),
    podIdentity,
    ...(autoMode ? { autoMode } : {}),
    ...(karpenter ? { karpenter } : {}),
    kubeconfigSecret: auth ? str(dig(auth.body, 'spec', 'writeConnectionSecretToRef', 'name')) : str(dig(status, 'kubeconfigSecret', 'name')),
    ...(facts ? { facts: { configMap: str(dig(facts.body, 'metadata', 'name')), keys: Object.keys((facts.body.data ?? {}) as JsonObject).sort() } } : {}),
    usages: counts.get('Usage') ?? 0,
    securityGroupRules,
    countsByKind: [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0])),
    kindOf: Object.fromEntries(resources.map((r) => [r.key, str(r.body.kind)])),
    total: resources.length,
    status,
  };
}
