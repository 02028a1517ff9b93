/**
 * The diagram of an EKSCluster in an existing network (spec.network.existing):
 * the VPC and its subnets drawn dashed and grey, as external, by ID (their
 * CIDRs and zones are not the function's to know), and what is composed in them.
 */
import { rect, text } from './svg.js';
import type { Topology } from './topology.js';

export function externalNetworkSvg(t: Topology): string {
  const external = t.external!;
  const margin = 24;
  const boxWidth = 230;
  const columns = Math.max(external.privateSubnetIds.length, external.publicSubnetIds.length, 3);
  const width = margin * 2 + 150 + columns * (boxWidth + 12);
  const rowsY = [150, 220];
  const groupsY = 300;
  const height = groupsY + t.nodeGroups.length * 30 + 110;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
  );
  out.push(rect(0, 0, width, height, 'fill="#ffffff"'));
  out.push(text(margin, 30, `EKSCluster ${t.xr}`, 'font-size="20" font-weight="bold" fill="#212121"'));
  out.push(
    text(margin, 52, `EKS cluster ${t.cluster.name} - Kubernetes ${t.cluster.version} - ${t.region} - endpoint ${t.cluster.endpoint}`, 'fill="#424242"'),
  );
  out.push(rect(margin, 100, width - 2 * margin, height - 100 - margin, 'rx="8" fill="#fafafa" stroke="#9e9e9e" stroke-width="2" stroke-dasharray="8,5"'));
  out.push(
    text(margin + 12, 122, `EXISTING VPC ${external.vpcId} - external: nothing of the network is composed or deleted`, 'font-weight="bold" fill="#616161"'),
  );
  const tiers: [string, string[]][] = [
    ['private', external.privateSubnetIds],
    ['public', external.publicSubnetIds],
  ];
  tiers.forEach(([tier, ids], row) => {
    const y = rowsY[row]!;
    out.push(text(margin + 12, y + 26, `${tier} subnets`, 'font-weight="bold" fill="#757575"'));
    if (ids.length === 0) out.push(text(margin + 162, y + 26, 'none given', 'fill="#9e9e9e"'));
    ids.forEach((id, i) => {
      const x = margin + 162 + i * (boxWidth + 12);
      out.push(rect(x, y, boxWidth, 44, 'rx="6" fill="#f5f5f5" stroke="#9e9e9e" stroke-dasharray="5,4"'));
      out.push(text(x + 10, y + 27, id, 'fill="#616161" font-size="12"'));
    });
  });
  const spanWidth = Math.max(1, external.privateSubnetIds.length) * (boxWidth + 12) - 12;
  out.push(text(margin + 12, groupsY - 14, 'composed', 'font-weight="bold" fill="#263238"'));
  out.push(rect(margin + 162, groupsY - 30, spanWidth, 24, 'rx="4" fill="#fffde7" stroke="#f9a825"'));
  out.push(
    text(
      margin + 172,
      groupsY - 14,
      `EKS control plane ENIs (${t.cluster.name}), add-ons: ${t.addons.map((a) => a.name).join(', ')}`,
      'font-size="12" fill="#263238"',
    ),
  );
  t.nodeGroups.forEach((g, i) => {
    const y = groupsY + i * 30;
    out.push(rect(margin + 162, y, spanWidth, 24, 'rx="4" fill="#ede7f6" stroke="#5e35b1"'));
    out.push(
      text(
        margin + 172,
        y + 16,
        `node group ${g.name}: ${g.instanceTypes.join(', ')} ${g.capacityType}, ${g.min}..${g.max} nodes`,
        'font-size="12" fill="#263238"',
      ),
    );
  });
  const notesY = groupsY + t.nodeGroups.length * 30 + 24;
  if (t.flowLogs)
    out.push(
      text(
        margin + 12,
        notesY,
        `flow logs: ${t.flowLogs.trafficType} traffic of ${external.vpcId} to ${t.flowLogs.logGroup}, kept ${t.flowLogs.retentionDays} days`,
        'font-size="12" fill="#455a64"',
      ),
    );
  const access = t.fluxIdentity
    ? `Flux: ConfigMap ${t.fluxIdentity.configMap} (AWS identity, no Secret)`
    : `Kubeconfig: Secret ${t.kubeconfigSecret} (key kubeconfig)`;
  out.push(text(margin + 12, notesY + 22, `${access} - ${t.total} composed resources, ${t.usages} deletion-order Usages`, 'font-size="12" fill="#455a64"'));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
