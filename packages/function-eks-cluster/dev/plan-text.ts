/** The terminal picture of what an EKSCluster will create. */
import type { Topology } from './topology.js';
import { IGW_KEY, VPC_KEY } from '../src/network/resources.js';
import { KMS_KEY } from '../src/eks/encryption.js';
import { CLUSTER_ROLE_KEY, NODE_ROLE_KEY } from '../src/eks/iam.js';
import { CLUSTER_KEY } from '../src/eks/cluster.js';
import { KUBECONFIG_KEY } from '../src/eks/kubeconfig.js';

export interface Wave {
  /** Resources first composed in this round, by key. */
  keys: string[];
}

function table(rows: string[][], indent = '  '): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map(
      (r) =>
        indent +
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('   ')
          .trimEnd(),
    )
    .join('\n');
}

function thousands(n: number): string {
  return n.toLocaleString('en-US');
}

/** A wave names its resources, except kinds it holds many of, which it counts. */
const COUNT_FROM = 3;

/** A Kubernetes kind in words: VPCEndpointSubnetAssociation -> VPC endpoint subnet association. */
function kindWords(kind: string, n: number): string {
  const words = (kind.match(/[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+/g) ?? [kind]).map((w) => (/[a-z]/.test(w) ? w.toLowerCase() : w)).join(' ');
  return n === 1 ? words : `${words}s`;
}

/** Named resources in the order a reader expects; the rest alphabetically, so the plan never depends on who listed them. */
const FIRST = [VPC_KEY, IGW_KEY, KMS_KEY, CLUSTER_ROLE_KEY, NODE_ROLE_KEY, CLUSTER_KEY, KUBECONFIG_KEY];
const rank = (key: string) => (FIRST.includes(key) ? FIRST.indexOf(key) : FIRST.length);

function describeWave(keys: string[], kindOf: Readonly<Record<string, string>>): string {
  const byKind = new Map<string, string[]>();
  for (const key of keys) byKind.set(kindOf[key] ?? key, [...(byKind.get(kindOf[key] ?? key) ?? []), key]);
  const counted = [...byKind].filter(([, members]) => members.length >= COUNT_FROM).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const countedKinds = new Set(counted.map(([kind]) => kind));
  const named = keys.filter((k) => !countedKinds.has(kindOf[k] ?? k)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return [...named, ...counted.map(([kind, members]) => `${members.length} ${kindWords(kind, members.length)}`)].join(', ');
}

function describeEndpoints(endpoints: Topology['endpoints']): string {
  const gateways = endpoints.filter((e) => e.type === 'Gateway').map((e) => `${e.service} (gateway, on ${e.attachments} private route tables)`);
  const interfaces = endpoints.filter((e) => e.type === 'Interface');
  const subnets = Math.max(0, ...interfaces.map((e) => e.attachments));
  const shared =
    interfaces.length > 0 ? [`${interfaces.map((e) => e.service).join(', ')} (interface, private DNS, in ${subnets} private subnets, HTTPS from the VPC)`] : [];
  return [...gateways, ...shared].join('; ');
}

function networkText(t: Topology, out: string[]): void {
  const ipv6 = t.ipv6 ? ` and an Amazon-provided IPv6 /56, internet gateway, egress-only internet gateway ${t.ipv6.egressOnlyGateway}` : ', internet gateway';
  out.push(`Network: VPC ${t.vpcCidr} (${thousands(t.vpcAddresses)} addresses)${ipv6}`);
  const rows: string[][] = [['', ...t.zones]];
  for (const tier of t.tiers) {
    rows.push([`${tier} subnet`, ...t.zones.map((z) => t.subnets.find((s) => s.tier === tier && s.zone === z)?.cidr ?? '-')]);
    if (t.ipv6) rows.push([`  IPv6 /64`, ...t.zones.map((z) => t.subnets.find((s) => s.tier === tier && s.zone === z)?.ipv6 ?? 'once the VPC has its /56')]);
  }
  const zonalNats = t.nats.filter((n) => !n.regional);
  if (zonalNats.length > 0)
    rows.push([
      'NAT gateway',
      ...t.zones.map(
        (z) =>
          zonalNats
            .filter((n) => n.zone === z)
            .map((n) => `${n.key} + ${n.eip}`)
            .join(', ') || '-',
      ),
    ]);
  rows.push(['private egress', ...t.zones.map((z) => (t.privateRoutes.get(z) ? `0.0.0.0/0 -> ${t.privateRoutes.get(z)}` : 'none (VPC only)'))]);
  if (t.ipv6) rows.push(['private IPv6 egress', ...t.zones.map(() => `::/0 -> ${t.ipv6!.egressOnlyGateway} (outbound only)`)]);
  const pods = t.podNetwork;
  if (pods) rows.push(['pod subnet', ...t.zones.map((z) => pods.subnets.find((s) => s.zone === z)?.cidr ?? '-')]);
  out.push(table(rows));
  if (t.nats.some((n) => n.regional)) out.push('  one regional NAT gateway (nat-regional) serves every zone');
  const used = t.subnets.reduce((sum, s) => sum + s.addresses, 0);
  const perTier = t.tiers.map((tier) => {
    const list = t.subnets.filter((s) => s.tier === tier);
    return `${tier} ${list.length} x ${thousands(list[0]?.addresses ?? 0)}`;
  });
  out.push(`  addresses: ${perTier.join(', ')}; ${thousands(t.vpcAddresses - used)} of ${thousands(t.vpcAddresses)} left for zones added later`);
  if (t.endpoints.length > 0) out.push(`  VPC endpoints: ${describeEndpoints(t.endpoints)}`);
  if (pods) {
    out.push(
      `  pods: secondary block ${pods.cidr}, ${pods.subnets.length} pod subnets routed by their zone's private route table; ENIConfigs by zone from the facts (apps/pod-networking)`,
    );
  }
  if (t.cniModes.length > 0) out.push(`  vpc-cni: ${t.cniModes.join(', ')} (node groups replaced when switched)`);
}

export function planText(t: Topology, waves: Wave[]): string {
  const out: string[] = [];
  out.push(`EKSCluster ${t.xr}: EKS cluster "${t.cluster.name}", Kubernetes ${t.cluster.version}, in ${t.region}`);
  out.push('');
  if (t.external) {
    out.push(`Network: EXISTING VPC ${t.external.vpcId} (spec.network.existing): external, nothing of it is composed or ever deleted`);
    out.push(`  private subnets (control plane, nodes): ${t.external.privateSubnetIds.join(', ')}`);
    out.push(`  public subnets: ${t.external.publicSubnetIds.join(', ') || 'none given'}; routes, NAT, endpoints and subnet tags are the VPC owner's`);
  } else {
    networkText(t, out);
  }
  if (t.flowLogs)
    out.push(`  flow logs: ${t.flowLogs.trafficType} traffic to CloudWatch Logs group ${t.flowLogs.logGroup}, kept ${t.flowLogs.retentionDays} days`);
  out.push('');
  out.push(
    `Control plane: endpoint ${t.cluster.endpoint}; in ${t.cluster.subnets} private subnets; authentication mode API${t.ipv6?.clusterFamily === 'ipv6' ? '; IP family ipv6 (pods and services on IPv6, fixed at creation)' : ''}`,
  );
  out.push(`  logs: ${t.cluster.logs.join(', ') || 'none'}; secrets encryption: ${t.cluster.encrypted ? 'KMS' : 'off'}`);
  out.push(
    `  support: ${t.controlPlane.supportType}; deletion protection: ${t.controlPlane.deletionProtection ? 'on' : 'off'}; zonal shift: ${t.controlPlane.zonalShift ? 'on' : 'off'}`,
  );
  out.push('  IAM roles:');
  for (const r of t.roles) out.push(`    ${r.key}: ${r.policies.join(', ') || 'no policies'}`);
  if (t.podIdentity.length > 0) out.push(`  Pod Identity: ${t.podIdentity.map((p) => `${p.subject} -> ${p.role}`).join('; ')}`);
  out.push('');
  if (t.autoMode) {
    out.push(
      `EKS Auto Mode: EKS runs the nodes (node pools ${t.autoMode.nodePools.join(', ') || 'none'}, node role ${t.autoMode.nodeRole}), EBS volumes and load balancers; no managed node group`,
    );
  } else {
    out.push('Node groups (private subnets):');
    out.push(
      table([
        ['name', 'instances', 'capacity', 'AMI', 'min..max (start)', 'zones', 'taints'],
        ...t.nodeGroups.map((g) => [
          g.name,
          g.instanceTypes.join(','),
          g.capacityType,
          g.amiType,
          `${g.min}..${g.max} (${g.desired})`,
          g.zones.join(','),
          g.taints.join(' ') || '-',
        ]),
      ]),
    );
    for (const g of t.nodeGroups.filter((n) => n.launchTemplate)) out.push(`  ${g.name}: launch template, ${g.launchTemplate}`);
  }
  for (const target of ['cluster', 'nodes'] as const) {
    const rules = t.securityGroupRules.filter((r) => r.target === target).map((r) => r.rule);
    if (rules.length > 0) out.push(`Ingress rules on the ${target === 'cluster' ? 'cluster' : 'node'} security group: ${rules.join('; ')}`);
  }
  if (t.karpenter) {
    out.push(
      `Karpenter: controller ${t.karpenter.serviceAccount} (Pod Identity); interruption queue ${t.karpenter.queue} fed by EventBridge rules ${t.karpenter.rules.join(', ')}; node role ${t.karpenter.nodeRole} (${t.karpenter.accessEntry} access entry); karpenter.sh/discovery on ${t.karpenter.securityGroupTags} security group (the cluster's) and the private subnets`,
    );
  }
  out.push('');
  const before = t.addons.filter((a) => a.phase === 'before nodes').map((a) => a.name + (a.version ? `@${a.version}` : ''));
  const after = t.addons.filter((a) => a.phase === 'after nodes').map((a) => a.name + (a.version ? `@${a.version}` : ''));
  out.push(`Add-ons: ${before.join(', ') || 'none'} (before nodes); ${after.join(', ') || 'none'} (after nodes)`);
  out.push(`Cluster admins: ${t.admins.length === 0 ? 'only the identity that creates the cluster' : t.admins.join(', ')}`);
  if (t.fluxIdentity) {
    out.push(
      `Flux access: ConfigMap ${t.xr.split('/')[0]}/${t.fluxIdentity.configMap} (provider aws, cluster ARN; for Flux spec.kubeConfig.configMapRef), access entry for ${t.fluxIdentity.roleArn}; no kubeconfig Secret`,
    );
  }
  if (t.kubeconfigSecret) out.push(`Kubeconfig: Secret ${t.xr.split('/')[0]}/${t.kubeconfigSecret}, key "kubeconfig" (for Flux spec.kubeConfig.secretRef)`);
  if (t.facts) {
    out.push(
      `Cluster facts: ConfigMap ${t.xr.split('/')[0]}/${t.facts.configMap} (for Flux postBuild.substituteFrom; docs/cluster-facts.md), ${t.facts.keys.length} keys: ${t.facts.keys.join(', ')}`,
    );
  }
  out.push('');
  out.push('Creation order (each wave starts when the one before is Ready):');
  waves.forEach((w, i) => out.push(`  ${i + 1}. ${describeWave(w.keys, t.kindOf)}`));
  out.push(`Deletion order: ${t.usages} Usages keep each resource until the ones that need it are gone`);
  out.push('');
  out.push(`${t.total} composed resources: ${t.countsByKind.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  return out.join('\n');
}
