/**
 * How pods get their addresses (spec.network.podSubnets, prefixDelegation),
 * as the VPC CNI reads it: environment variables of the vpc-cni add-on's
 * configurationValues, merged into the user's own, and the mode node groups
 * are started in.
 *
 * Sources: custom networking, AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG and
 * ENI_CONFIG_LABEL_DEF (EKS User Guide, cni-custom-network-tutorial); prefix
 * delegation, ENABLE_PREFIX_DELEGATION and WARM_PREFIX_TARGET
 * (cni-increase-ip-addresses-procedure: managed node groups without a launch
 * template get max pods computed by EKS; existing nodes keep theirs).
 *
 * The add-on's configurationValues is Optional and Computed in Terraform
 * (dev/aws-rules/force-new.generated.ts, keptWhenOmitted): left out, AWS keeps
 * what it has. So a switch turned off is sent as "false" while the add-on
 * still has it on, as node auto repair is (eks/node-groups.ts).
 */
import type { EKSClusterSpec } from '../api/eks-cluster.js';
import type { FieldError } from '../api/validate.js';
import type { ComposeContext } from '../ground/context.js';
import { isObject, type JsonObject } from '../api/schema-builder.js';
import { POD_TIER } from '../network/pod-subnets.js';

export const CUSTOM_NETWORK_ENV = 'AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG';
export const ENI_CONFIG_LABEL_ENV = 'ENI_CONFIG_LABEL_DEF';
export const PREFIX_DELEGATION_ENV = 'ENABLE_PREFIX_DELEGATION';
const WARM_PREFIX_ENV = 'WARM_PREFIX_TARGET';
/** Nodes look up the ENIConfig named after their zone (apps/pod-networking names them so). */
export const ENI_CONFIG_LABEL = 'topology.kubernetes.io/zone';
/** What a switch sets that the user's configurationValues may set instead (a warm pool of their own). */
const USER_MAY_SET: ReadonlySet<string> = new Set([WARM_PREFIX_ENV]);

/** The node label saying how a node group's pods are addressed; absent: the VPC CNI's default. */
export const POD_NETWORK_LABEL = 'eks.gitops.dev/pod-network';
export const DEFAULT_POD_NETWORK = 'default';

export interface PodNetwork {
  readonly customNetworking: boolean;
  readonly prefixDelegation: boolean;
}

export function podNetworkOf(spec: EKSClusterSpec): PodNetwork {
  return { customNetworking: spec.network.podSubnets !== undefined, prefixDelegation: spec.network.prefixDelegation === true };
}

/** The node group label value: `default`, `custom-networking`, `prefix-delegation` or both joined. */
export function podNetworkName(mode: PodNetwork): string {
  const parts = [...(mode.customNetworking ? ['custom-networking'] : []), ...(mode.prefixDelegation ? ['prefix-delegation'] : [])];
  return parts.length > 0 ? parts.join('-') : DEFAULT_POD_NETWORK;
}

function parsed(values: string | undefined): JsonObject | undefined {
  if (values === undefined || values.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(values);
    return isObject(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}

function envOf(values: JsonObject | undefined): JsonObject {
  return isObject(values?.env) ? (values.env as JsonObject) : {};
}

/** What the switches ask of vpc-cni's environment. */
function wantedEnv(mode: PodNetwork): Record<string, string> {
  return {
    ...(mode.customNetworking ? { [CUSTOM_NETWORK_ENV]: 'true', [ENI_CONFIG_LABEL_ENV]: ENI_CONFIG_LABEL } : {}),
    ...(mode.prefixDelegation ? { [PREFIX_DELEGATION_ENV]: 'true', [WARM_PREFIX_ENV]: '1' } : {}),
  };
}

const VPC_CNI_KEY = 'addon-vpc-cni';

/** The configurationValues AWS has for vpc-cni (what it runs), else what was last sent. */
function observedValues(ctx: ComposeContext): string | undefined {
  const sent = ctx.observed.forProvider(VPC_CNI_KEY, 'configurationValues');
  return ctx.observed.atProvider(VPC_CNI_KEY, 'configurationValues') ?? (typeof sent === 'string' ? sent : undefined);
}

/**
 * vpc-cni's configurationValues: the user's, with the switches' variables
 * added, and "false" for a switch the add-on still has on but the spec no
 * longer asks for. Undefined (nothing sent) when there is nothing to say, so
 * an XR without the switches composes what it did.
 */
export function vpcCniConfigurationValues(ctx: ComposeContext, userValues: string | undefined): string | undefined {
  const user = parsed(userValues);
  if (user === undefined) return userValues; // refused by checkPodNetworking unless both switches are off
  const userEnv = envOf(user);
  const running = envOf(parsed(observedValues(ctx)));
  const asked = podNetworkOf(ctx.spec);
  // Custom networking goes on only once a pod subnet is Ready in every zone: aws-node, restarted with it, looks for them at once.
  const mode = { ...asked, customNetworking: asked.customNetworking && (running[CUSTOM_NETWORK_ENV] === 'true' || podSubnetsReady(ctx)) };
  const off: Record<string, string> = {};
  if (!mode.customNetworking && running[CUSTOM_NETWORK_ENV] === 'true' && userEnv[CUSTOM_NETWORK_ENV] === undefined) off[CUSTOM_NETWORK_ENV] = 'false';
  if (!mode.prefixDelegation && running[PREFIX_DELEGATION_ENV] === 'true' && userEnv[PREFIX_DELEGATION_ENV] === undefined) off[PREFIX_DELEGATION_ENV] = 'false';
  const added = { ...off, ...wantedEnv(mode) };
  for (const name of USER_MAY_SET) if (userEnv[name] !== undefined) delete added[name];
  if (Object.keys(added).length === 0) return userValues;
  return JSON.stringify({ ...user, env: { ...userEnv, ...added } });
}

function podSubnetsReady(ctx: ComposeContext): boolean {
  const ready = Object.keys(ctx.observed.resources).filter((k) => k.startsWith(`subnet-${POD_TIER}-`) && ctx.observed.isReady(k));
  return ready.length >= ctx.spec.network.availabilityZones.length;
}

/**
 * The pod network node groups are started in: the spec's once the vpc-cni
 * add-on runs it (or before the add-on exists: nodes wait for it anyway),
 * else undefined, and node groups stay as they are until it does, so no node
 * starts with the old configuration under the new label.
 */
export function podNetworkForNodes(ctx: ComposeContext): string | undefined {
  const wanted = podNetworkOf(ctx.spec);
  if (!ctx.observed.has(VPC_CNI_KEY)) return podNetworkName(wanted);
  const env = envOf(parsed(observedValues(ctx)));
  const running = { customNetworking: env[CUSTOM_NETWORK_ENV] === 'true', prefixDelegation: env[PREFIX_DELEGATION_ENV] === 'true' };
  return podNetworkName(running) === podNetworkName(wanted) ? podNetworkName(wanted) : undefined;
}

/**
 * Combinations refused before anything is composed: the switches need the
 * vpc-cni add-on (Auto Mode runs its own networking and composes none), IPv4 pods,
 * a network the function owns for pod subnets, and configurationValues it can
 * merge into without overriding what the user set.
 */
export function checkPodNetworking(spec: EKSClusterSpec, errors: FieldError[]): void {
  const mode = podNetworkOf(spec);
  const fields = [...(mode.customNetworking ? ['spec.network.podSubnets'] : []), ...(mode.prefixDelegation ? ['spec.network.prefixDelegation'] : [])];
  if (fields.length === 0) return;
  const field = fields[0]!;
  if (spec.autoMode.enabled) {
    errors.push({
      path: field,
      message: `is set while spec.autoMode.enabled is true, and EKS Auto Mode runs pod networking itself (no vpc-cni add-on is composed); remove ${fields.join(' and ')}, or turn autoMode off`,
    });
    return;
  }
  if (spec.network.ipFamily === 'IPv6') {
    // The VPC CNI gives IPv6 pods /80 prefixes of their node's subnet, always in prefix mode, and has no custom networking for them (EKS User Guide, cni-ipv6).
    errors.push({
      path: field,
      message: `is set with spec.network.ipFamily IPv6, whose pods take IPv6 prefixes from the nodes' subnets (prefix delegation is always on, custom networking is IPv4 only); remove ${fields.join(' and ')}, or use ipFamily DualStack (IPv4 pods)`,
    });
    return;
  }
  if (mode.customNetworking && spec.network.existing) {
    errors.push({
      path: 'spec.network.podSubnets',
      message: `is set with spec.network.existing (vpc ${spec.network.existing.vpcId}), whose blocks and subnets the function does not own; remove podSubnets, associate the block and create the pod subnets in that VPC yourself, then set ${CUSTOM_NETWORK_ENV} through spec.addons[vpc-cni].configurationValues and apply your ENIConfigs`,
    });
  }
  const cni = spec.addons.findIndex((a) => a.name === 'vpc-cni');
  const entry = cni >= 0 ? spec.addons[cni] : undefined;
  if (entry && !entry.enabled) {
    errors.push({
      path: `spec.addons[${cni}].enabled`,
      message: `is false for vpc-cni, but ${fields.join(' and ')} configure the vpc-cni add-on; remove enabled: false, or remove ${fields.join(' and ')}`,
    });
    return;
  }
  if (!entry?.configurationValues) return;
  const values = parsed(entry.configurationValues);
  if (values === undefined) {
    errors.push({
      path: `spec.addons[${cni}].configurationValues`,
      message: `is not a JSON object, and ${fields.join(' and ')} add variables to it; write it as JSON, e.g. {"env":{"WARM_IP_TARGET":"5"}}`,
    });
    return;
  }
  const clash = Object.keys(wantedEnv(mode)).filter((name) => !USER_MAY_SET.has(name) && envOf(values)[name] !== undefined);
  if (clash.length > 0) {
    errors.push({
      path: `spec.addons[${cni}].configurationValues`,
      message: `sets ${clash.join(', ')}, which ${fields.join(' and ')} set; remove ${clash.length > 1 ? 'them' : 'it'} from configurationValues`,
    });
  }
}
