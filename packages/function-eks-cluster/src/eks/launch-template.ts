/**
 * Hardened nodes (spec.nodeGroups[].launchTemplate): an EC2 launch template per
 * node group that asks for one, and the node security group the templates put
 * on their nodes beside the cluster security group.
 *
 * Life after creation, as AWS has it (Terraform AWS provider,
 * internal/service/ec2/ec2_launch_template.go and internal/service/eks/node_group.go
 * at the pinned provider):
 * - a changed template is a new version of the same template (the template's
 *   ID stays, latest_version moves; updateDefaultVersion makes it the default);
 *   the node group names the template by ID and version, and a new version is
 *   an in-place UpdateNodegroupVersion: EKS rolls the nodes, maxUnavailable at
 *   a time (launch_template.version is not ForceNew);
 * - launch_template.id is ForceNew, and EKS cannot add a template to a node
 *   group created without one nor take it away: eks/node-groups.ts counts the
 *   template among a group's fixed fields, so switching it on or off makes a
 *   replacement group (ground/replacement.ts).
 * EKS's rules for a group with a template (CreateNodegroup in the EKS API
 * reference): no diskSize on the group (the root volume is the template's), and
 * with a custom AMI no Kubernetes version either (the AMI is the version).
 */
import type { LaunchTemplateSpec, NodeGroupSpec } from '../api/eks-cluster.js';
import type { Json, JsonObject } from '../api/schema-builder.js';
import { EC2 } from '../ground/composed-kinds.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { dig } from '../ground/observed.js';
import { VPC_KEY } from '../network/resources.js';
import { CLUSTER_KEY } from './cluster.js';

export const NODE_SECURITY_GROUP_KEY = 'node-sg';
const KEY_PREFIX = 'launchtemplate-';

export function launchTemplateKey(groupName: string): string {
  return `${KEY_PREFIX}${groupName}`;
}

/** The template a node group names: its ID and latest version, once the template exists. */
export function launchTemplateRef(ctx: ComposeContext, groupName: string): JsonObject | undefined {
  const key = launchTemplateKey(groupName);
  const id = ctx.observed.atProvider(key, 'id');
  const version = dig(ctx.observed.get(key), 'status', 'atProvider', 'latestVersion');
  return id !== undefined && version !== undefined && version !== null ? { id, version: String(version) } : undefined;
}

/** The AMI type a group with this template is created with: CUSTOM with an AMI of the user's (EKS's API), else the group's. */
export function amiTypeOf(group: NodeGroupSpec): string {
  return group.launchTemplate?.amiId ? 'CUSTOM' : group.amiType;
}

const TAINT_EFFECTS: Readonly<Record<string, string>> = { NO_SCHEDULE: 'NoSchedule', NO_EXECUTE: 'NoExecute', PREFER_NO_SCHEDULE: 'PreferNoSchedule' };
const BOUNDARY = '==EKSGITOPS==';

/**
 * The nodeadm NodeConfig that joins a node of a custom AL2023 AMI to the
 * cluster (EKS merges nothing into a custom AMI's user data): the cluster's
 * endpoint, CA and service CIDR, and the group's labels and taints as kubelet
 * flags (EKS applies them only through its own AMIs' bootstrap).
 */
function nodeConfig(ctx: ComposeContext, group: NodeGroupSpec, labels: Readonly<Record<string, string>>): string | undefined {
  const endpoint = ctx.observed.atProvider(CLUSTER_KEY, 'endpoint');
  const ca = ctx.observed.atProvider(CLUSTER_KEY, 'certificateAuthority', 0, 'data');
  const cidr =
    ctx.observed.atProvider(CLUSTER_KEY, 'kubernetesNetworkConfig', 'serviceIpv4Cidr') ??
    ctx.observed.atProvider(CLUSTER_KEY, 'kubernetesNetworkConfig', 'serviceIpv6Cidr');
  if (endpoint === undefined || ca === undefined || cidr === undefined) return undefined;
  const flags = [
    `--node-labels=${Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`,
    ...(group.taints.length > 0
      ? [`--register-with-taints=${group.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${TAINT_EFFECTS[t.effect]}`).join(',')}`]
      : []),
  ];
  return [
    'apiVersion: node.eks.aws/v1alpha1',
    'kind: NodeConfig',
    'spec:',
    '  cluster:',
    `    name: ${ctx.clusterName}`,
    `    apiServerEndpoint: ${endpoint}`,
    `    certificateAuthority: ${ca}`,
    `    cidr: ${cidr}`,
    '  kubelet:',
    '    flags:',
    ...flags.map((f) => `      - "${f}"`),
  ].join('\n');
}

/**
 * The template's user data, base64 as EC2 takes it: a MIME multi-part
 * document (what EKS merges its own part into on its AMIs), with the
 * NodeConfig for a custom AMI and the user's script; none when neither is
 * asked. `undefined` in `parts` means the cluster is not known yet.
 */
function userData(
  ctx: ComposeContext,
  group: NodeGroupSpec,
  template: LaunchTemplateSpec,
  labels: Readonly<Record<string, string>>,
): string | null | undefined {
  const parts: string[] = [];
  if (template.amiId) {
    const config = nodeConfig(ctx, group, labels);
    if (config === undefined) return undefined;
    parts.push(`Content-Type: application/node.eks.aws\n\n${config}\n`);
  }
  if (template.userData) parts.push(`Content-Type: text/x-shellscript; charset="us-ascii"\n\n${template.userData}\n`);
  if (parts.length === 0) return null;
  const mime = [
    `MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="${BOUNDARY}"\n`,
    ...parts.map((p) => `--${BOUNDARY}\n${p}`),
    `--${BOUNDARY}--\n`,
  ].join('\n');
  return Buffer.from(mime).toString('base64');
}

/**
 * The root volume: encrypted gp3 of the group's diskSize. Bottlerocket boots
 * from a small OS volume (/dev/xvda) and keeps images and pods on its data
 * volume (/dev/xvdb), which is the one sized; both are encrypted.
 */
function blockDevices(group: NodeGroupSpec, template: LaunchTemplateSpec): Json[] {
  const ebs = (size?: number): JsonObject => ({
    volumeType: 'gp3',
    iops: template.rootVolume.iops,
    throughput: template.rootVolume.throughput,
    encrypted: 'true',
    deleteOnTermination: 'true',
    ...(size !== undefined ? { volumeSize: size } : {}),
    ...(template.rootVolume.kmsKeyArn ? { kmsKeyId: template.rootVolume.kmsKeyArn } : {}),
  });
  if (group.amiType.startsWith('BOTTLEROCKET') && !template.amiId) {
    return [
      { deviceName: '/dev/xvda', ebs: ebs() },
      { deviceName: '/dev/xvdb', ebs: ebs(group.diskSize) },
    ];
  }
  return [{ deviceName: '/dev/xvda', ebs: ebs(group.diskSize) }];
}

/** A value the template needs from another resource's status, or what the template has while that is not known (it waits for them before it exists). */
function known(ctx: ComposeContext, key: string, field: string, value: Json | undefined): Json | undefined {
  return value ?? ctx.observed.forProvider(key, field);
}

function launchTemplate(ctx: ComposeContext, group: NodeGroupSpec, template: LaunchTemplateSpec, labels: Readonly<Record<string, string>>): DesiredResource {
  const key = launchTemplateKey(group.name);
  const clusterSg = ctx.observed.atProvider(CLUSTER_KEY, 'vpcConfig', 'clusterSecurityGroupId');
  const nodeSg = ctx.observed.atProvider(NODE_SECURITY_GROUP_KEY, 'id');
  const groups = known(ctx, key, 'vpcSecurityGroupIds', clusterSg && nodeSg ? [clusterSg, nodeSg] : undefined);
  const data = userData(ctx, group, template, labels);
  const userDataField = data === null ? undefined : known(ctx, key, 'userData', data);
  const instanceTags = { ...awsTags(ctx, key, { Name: `${ctx.clusterName}-${group.name}` }), ...template.tags } as Record<string, string>;
  // Ours win over the user's, as in awsTags: they are how the cluster's resources are found.
  instanceTags['eks.gitops.dev/cluster'] = ctx.clusterName;
  return managed(ctx, {
    group: 'nodes',
    key,
    apiVersion: EC2,
    kind: 'LaunchTemplate',
    forProvider: {
      region: ctx.spec.region,
      description: `Nodes of node group ${group.name} of EKS cluster ${ctx.clusterName}`,
      updateDefaultVersion: true,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: template.metadataHopLimit },
      blockDeviceMappings: blockDevices(group, template),
      ...(groups !== undefined ? { vpcSecurityGroupIds: groups } : {}),
      ...(template.amiId ? { imageId: template.amiId } : {}),
      ...(userDataField !== undefined ? { userData: userDataField } : {}),
      tagSpecifications: ['instance', 'volume'].map((resourceType) => ({ resourceType, tags: instanceTags })),
      tags: awsTags(ctx, key),
    },
    // The security groups are named by ID (the template has no reference to the cluster's), the user data by the cluster's endpoint.
    waitsFor: [CLUSTER_KEY, NODE_SECURITY_GROUP_KEY],
    needs: [NODE_SECURITY_GROUP_KEY],
  });
}

function nodeSecurityGroup(ctx: ComposeContext): DesiredResource {
  const existing = ctx.spec.network.existing;
  return managed(ctx, {
    group: 'network',
    key: NODE_SECURITY_GROUP_KEY,
    apiVersion: EC2,
    kind: 'SecurityGroup',
    forProvider: {
      region: ctx.spec.region,
      ...(existing ? { vpcId: existing.vpcId } : { vpcIdRef: ref(ctx, VPC_KEY) }),
      name: `${ctx.clusterName}-nodes`,
      // AWS cannot change a description in place: it holds nothing that could change.
      description: `Nodes of EKS cluster ${ctx.clusterName} with a launch template (spec.securityGroupRules.nodes)`,
      tags: awsTags(ctx, NODE_SECURITY_GROUP_KEY),
    },
  });
}

/** A template no group of the spec asks for, composed as it exists while a node group still runs on it. */
function keptTemplate(ctx: ComposeContext, key: string): DesiredResource {
  return {
    ...managed(ctx, { group: 'nodes', key, apiVersion: EC2, kind: 'LaunchTemplate', forProvider: (ctx.observed.forProvider(key) ?? {}) as JsonObject }),
    needs: [NODE_SECURITY_GROUP_KEY],
  };
}

/** Whether an existing node group runs on the template at `key`. */
function inUse(ctx: ComposeContext, key: string): boolean {
  const id = ctx.observed.atProvider(key, 'id');
  return (
    id !== undefined &&
    Object.keys(ctx.observed.resources).some((k) => k.startsWith('nodegroup-') && ctx.observed.forProvider(k, 'launchTemplate', 'id') === id)
  );
}

/**
 * The launch templates of the spec's groups, those node groups still run on
 * (a group being replaced by one without, or taken out of the spec), and the
 * node security group while any template is composed.
 * @param labelsOf the Kubernetes labels of a group's nodes
 */
export function launchTemplateResources(ctx: ComposeContext, labelsOf: (group: NodeGroupSpec) => Readonly<Record<string, string>>): DesiredResource[] {
  const wanted = ctx.spec.nodeGroups.filter((g) => g.launchTemplate).map((g) => launchTemplate(ctx, g, g.launchTemplate!, labelsOf(g)));
  const keys = new Set(wanted.map((r) => r.key));
  const kept = Object.keys(ctx.observed.resources)
    .filter((k) => k.startsWith(KEY_PREFIX) && !keys.has(k) && inUse(ctx, k))
    .sort()
    .map((k) => keptTemplate(ctx, k));
  const templates = [...wanted, ...kept];
  return templates.length > 0 ? [nodeSecurityGroup(ctx), ...templates] : [];
}

/**
 * What EKS and EC2 would refuse of a template, refused first: a custom AMI's
 * user data is nodeadm's (Amazon Linux 2023), and Bottlerocket reads TOML
 * settings, not a script.
 */
export function checkLaunchTemplates(groups: readonly NodeGroupSpec[], errors: { path: string; message: string }[]): void {
  groups.forEach((group, i) => {
    const template = group.launchTemplate;
    if (!template) return;
    const path = `spec.nodeGroups[${i}].launchTemplate`;
    if (template.amiId && !group.amiType.startsWith('AL2023')) {
      errors.push({
        path: `${path}.amiId`,
        message: `is set with amiType ${group.amiType}, but the function joins a custom AMI's nodes the Amazon Linux 2023 way (nodeadm); build the AMI on Amazon Linux 2023 and set amiType to an AL2023 type, or remove amiId`,
      });
    }
    if (template.userData && group.amiType.startsWith('BOTTLEROCKET')) {
      errors.push({
        path: `${path}.userData`,
        message: `is a script, and Bottlerocket (amiType ${group.amiType}) takes TOML settings as user data, not scripts; remove userData, or use an AL2023 amiType`,
      });
    }
  });
}
