/**
 * Ingress rules the user adds (spec.securityGroupRules) to the EKS cluster
 * security group and to the node security group (eks/launch-template.ts).
 *
 * A rule is keyed by what it allows: its target, source, protocol and ports,
 * the tuple AWS refuses twice in a group (InvalidPermission.Duplicate,
 * workshop/aws-rules/unique.ts). So reordering the list composes the same rules, two
 * entries the function would compose under one key are exactly the entries AWS
 * would refuse (checkSecurityGroupRules refuses them first, naming both), and
 * no one has to invent names. A changed description is an update in place
 * (only security_group_id is ForceNew on vpc_security_group_ingress_rule:
 * workshop/aws-rules/force-new.generated.ts); a changed source, protocol or port is
 * a new rule, and the rules no longer asked for are kept until every rule asked
 * for is Ready, so an edit never leaves a moment with neither.
 */
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import type { EKSClusterSpec, SecurityGroupRuleSpec } from '../api/eks-cluster.js';
import type { JsonObject } from '../api/schema-builder.js';
import { describeValue, type FieldError } from '../api/validate.js';
import { canonical } from '../ground/canonical.js';
import { EC2 } from '../ground/composed-kinds.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { parseCidr } from './cidr.js';

export type RuleTarget = 'cluster' | 'nodes';

const KEY_PREFIX: Readonly<Record<RuleTarget, string>> = { cluster: 'sgr-cluster-', nodes: 'sgr-nodes-' };

/** What AWS knows a rule by, as the provider's fields: source, protocol and ports. */
function identity(rule: SecurityGroupRuleSpec): JsonObject {
  const source: JsonObject = rule.prefixListId
    ? { prefixListId: rule.prefixListId }
    : isIPv6(String(rule.cidr).split('/')[0]!)
      ? { cidrIpv6: String(rule.cidr).toLowerCase() }
      : { cidrIpv4: String(rule.cidr) };
  if (rule.protocol === 'all') return { ...source, ipProtocol: '-1' };
  const icmp = rule.protocol === 'icmp' || rule.protocol === 'icmpv6';
  const fromPort = rule.fromPort ?? (icmp ? -1 : 0);
  return { ...source, ipProtocol: rule.protocol, fromPort, toPort: rule.toPort ?? (icmp && rule.fromPort === undefined ? -1 : fromPort) };
}

export function ruleKey(target: RuleTarget, rule: SecurityGroupRuleSpec): string {
  return `${KEY_PREFIX[target]}${createHash('sha256')
    .update(canonical(identity(rule)))
    .digest('hex')
    .slice(0, 10)}`;
}

function sourceError(rule: SecurityGroupRuleSpec): string | undefined {
  if ((rule.cidr === undefined) === (rule.prefixListId === undefined)) {
    return 'sets both cidr and prefixListId, or neither; set exactly one: the source the rule lets in';
  }
  if (rule.cidr === undefined) return undefined;
  const [address, prefix] = rule.cidr.split('/');
  if (isIPv6(address!)) return Number(prefix) <= 128 ? undefined : `cidr ${describeValue(rule.cidr)} has a prefix length above 128`;
  const parsed = parseCidr(rule.cidr);
  return parsed.ok ? undefined : `cidr ${describeValue(rule.cidr)} ${parsed.reason}, nor an IPv6 CIDR like 2001:db8::/32`;
}

function portError(rule: SecurityGroupRuleSpec): string | undefined {
  const ports = rule.fromPort !== undefined || rule.toPort !== undefined;
  if (rule.protocol === 'all')
    return ports ? 'sets ports with protocol all, which allows every port; remove fromPort and toPort, or name a protocol' : undefined;
  if ((rule.protocol === 'tcp' || rule.protocol === 'udp') && rule.fromPort === undefined) {
    return `has protocol ${rule.protocol} without fromPort; set fromPort (and toPort for a range), e.g. fromPort: 443`;
  }
  if (rule.protocol !== 'tcp' && rule.protocol !== 'udp')
    return rule.toPort !== undefined && rule.fromPort === undefined ? 'sets the ICMP code (toPort) without its type (fromPort)' : undefined;
  if (rule.toPort !== undefined && rule.toPort < rule.fromPort!) return `has toPort ${rule.toPort} below fromPort ${rule.fromPort}; make toPort >= fromPort`;
  return undefined;
}

/**
 * Refuses what AWS would refuse, before anything is composed: a rule without
 * exactly one source, ports that do not fit the protocol, the same rule twice
 * in a list (AWS answers the second InvalidPermission.Duplicate, and the
 * provider would retry it for ever), and node rules while a node group has no
 * launch template to carry the node security group.
 */
export function checkSecurityGroupRules(spec: EKSClusterSpec, errors: FieldError[]): void {
  const rules = spec.securityGroupRules;
  if (!rules) return;
  for (const target of ['cluster', 'nodes'] as const) {
    const seen = new Map<string, number>();
    rules[target].forEach((rule, i) => {
      const path = `spec.securityGroupRules.${target}[${i}]`;
      const problem = sourceError(rule) ?? portError(rule);
      if (problem) {
        errors.push({ path, message: problem });
        return;
      }
      const key = ruleKey(target, rule);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else {
        errors.push({
          path,
          message: `allows what spec.securityGroupRules.${target}[${first}] allows (${canonical(identity(rule))}), and AWS refuses a rule that exists (InvalidPermission.Duplicate); remove one of them (put both descriptions in one)`,
        });
      }
    });
  }
  const bare = spec.nodeGroups.filter((g) => !g.launchTemplate).map((g) => g.name);
  if (rules.nodes.length > 0 && (bare.length > 0 || spec.nodeGroups.length === 0)) {
    errors.push({
      path: 'spec.securityGroupRules.nodes',
      message:
        bare.length > 0
          ? `adds rules to the node security group, which EKS puts only on nodes of a group with a launch template, and ${bare.join(', ')} has none; set launchTemplate: {} on it (a group that exists is replaced, the new one Ready before the old goes), or add the rules to spec.securityGroupRules.cluster (the cluster security group is on every node)`
          : 'adds rules to the node security group, but no node group carries it; add the rules to spec.securityGroupRules.cluster, or remove them',
    });
  }
}

function ruleResource(ctx: ComposeContext, key: string, target: JsonObject, rule: SecurityGroupRuleSpec, waitsFor: readonly string[]): DesiredResource {
  return managed(ctx, {
    group: 'network',
    key,
    apiVersion: EC2,
    kind: 'SecurityGroupIngressRule',
    forProvider: {
      region: ctx.spec.region,
      ...target,
      ...identity(rule),
      ...(rule.description ? { description: rule.description } : {}),
      tags: awsTags(ctx, key),
    },
    waitsFor,
  });
}

/** A rule no longer asked for, composed as it exists, until every rule asked for is Ready. */
function keptRule(ctx: ComposeContext, key: string): DesiredResource {
  const forProvider = (ctx.observed.forProvider(key) ?? {}) as JsonObject;
  return managed(ctx, { group: 'network', key, apiVersion: EC2, kind: 'SecurityGroupIngressRule', forProvider });
}

/**
 * The rules of spec.securityGroupRules: on the cluster security group (EKS
 * makes it; its ID comes from the Cluster's status, so those rules wait for
 * the cluster) and on the node security group (a reference).
 * @param nodeSecurityGroupKey the node security group, when one is composed
 */
export function securityGroupRuleResources(ctx: ComposeContext, clusterKey: string, nodeSecurityGroupKey: string | undefined): DesiredResource[] {
  const clusterSg = ctx.observed.atProvider(clusterKey, 'vpcConfig', 'clusterSecurityGroupId');
  const rules = ctx.spec.securityGroupRules ?? { cluster: [], nodes: [] };
  const wanted = [
    ...rules.cluster.map((rule) => ruleResource(ctx, ruleKey('cluster', rule), clusterSg ? { securityGroupId: clusterSg } : {}, rule, [clusterKey])),
    ...(nodeSecurityGroupKey
      ? rules.nodes.map((rule) => ruleResource(ctx, ruleKey('nodes', rule), { securityGroupIdRef: ref(ctx, nodeSecurityGroupKey) }, rule, []))
      : []),
  ];
  const keys = new Set(wanted.map((r) => r.key));
  const settled = wanted.every((r) => ctx.observed.isReady(r.key));
  const kept = settled
    ? []
    : Object.keys(ctx.observed.resources)
        .filter((k) => (k.startsWith(KEY_PREFIX.cluster) || k.startsWith(KEY_PREFIX.nodes)) && !keys.has(k))
        .sort()
        .map((k) => keptRule(ctx, k));
  return [...wanted, ...kept];
}
