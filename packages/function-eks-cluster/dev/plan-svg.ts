/**
 * The network diagram of an EKSCluster as SVG: zones as columns, tiers as rows,
 * CIDRs, NAT placement and egress, node groups, and the VPC address map.
 */
import { mustParseCidr } from '../src/network/cidr.js';
import type { Topology } from './topology.js';
import { externalNetworkSvg } from './plan-svg-external.js';
import { rect, text } from './svg.js';

const TIER_STYLE: Record<string, { fill: string; stroke: string; label: string }> = {
  public: { fill: '#e8f5e9', stroke: '#2e7d32', label: 'public subnets (load balancers, NAT)' },
  private: { fill: '#e3f2fd', stroke: '#1565c0', label: 'private subnets (nodes, pods, control-plane ENIs)' },
  isolated: { fill: '#f3e5f5', stroke: '#6a1b9a', label: 'isolated subnets (no route out)' },
};

/** Cuts a label to what fits in `width` pixels at about 7 px per character of 12 px text. */
function fit(content: string, width: number): string {
  const max = Math.floor(width / 7);
  return content.length <= max ? content : `${content.slice(0, Math.max(0, max - 3))}...`;
}

export function planSvg(t: Topology): string {
  if (t.external) return externalNetworkSvg(t);
  const labelWidth = 150;
  const margin = 24;
  const vpcX = margin;
  const zonesX = vpcX + labelWidth;
  // Wide enough for the texts below even with two zones.
  const columnWidth = Math.max(250, Math.floor((1000 - zonesX - margin * 2) / t.zones.length));
  const width = zonesX + t.zones.length * columnWidth + margin * 2;
  const regional = t.nats.find((n) => n.regional);
  const rowHeight = 96;
  const top = 150;
  const rows = t.tiers;
  const rowsY = (i: number) => top + (regional ? 56 : 0) + i * (rowHeight + 16);
  const afterRows = rowsY(rows.length);
  const groupsY = afterRows + 44;
  const vpcBottom = groupsY + t.nodeGroups.length * 30 + 16;
  const mapY = vpcBottom + 44;
  const height = mapY + 130;
  const colX = (i: number) => zonesX + i * columnWidth + 10;
  const out: string[] = [];

  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
  );
  out.push(
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#e65100"/></marker></defs>',
  );
  out.push(rect(0, 0, width, height, 'fill="#ffffff"'));
  out.push(text(margin, 30, `EKSCluster ${t.xr}`, 'font-size="20" font-weight="bold" fill="#212121"'));
  out.push(
    text(margin, 52, `EKS cluster ${t.cluster.name} - Kubernetes ${t.cluster.version} - ${t.region} - endpoint ${t.cluster.endpoint}`, 'fill="#424242"'),
  );

  // Internet and the internet gateway on the VPC's edge.
  const igwX = width / 2;
  out.push(rect(igwX - 60, 64, 120, 26, 'rx="13" fill="#fafafa" stroke="#9e9e9e"'));
  out.push(text(igwX, 82, 'Internet', 'text-anchor="middle" fill="#616161"'));
  out.push(`<line x1="${igwX}" y1="90" x2="${igwX}" y2="104" stroke="#9e9e9e" stroke-width="2"/>`);
  out.push(rect(igwX - 75, 104, 150, 24, 'rx="4" fill="#fff3e0" stroke="#e65100"'));
  out.push(text(igwX, 121, 'internet gateway (igw)', 'text-anchor="middle" fill="#bf360c" font-size="12"'));

  out.push(rect(vpcX, 128, width - 2 * margin, vpcBottom - 128, 'rx="8" fill="none" stroke="#37474f" stroke-width="2"'));
  out.push(text(vpcX + 12, 146, `VPC ${t.vpcCidr}`, 'font-weight="bold" fill="#37474f"'));

  // Zone columns.
  t.zones.forEach((zone, i) => {
    out.push(rect(colX(i) - 4, top - 4, columnWidth - 12, afterRows - top + 2, 'rx="6" fill="none" stroke="#b0bec5" stroke-dasharray="5,4"'));
    out.push(text(colX(i) + (columnWidth - 20) / 2, top + 12, zone, 'text-anchor="middle" font-weight="bold" fill="#546e7a"'));
  });

  if (regional) {
    const y = top + 22;
    out.push(rect(zonesX + 10, y, t.zones.length * columnWidth - 28, 26, 'rx="4" fill="#fff3e0" stroke="#e65100"'));
    out.push(
      text(
        zonesX + (t.zones.length * columnWidth) / 2,
        y + 17,
        `regional NAT gateway (${regional.key}): serves every zone`,
        'text-anchor="middle" fill="#bf360c"',
      ),
    );
  }

  rows.forEach((tier, r) => {
    const style = TIER_STYLE[tier]!;
    const y = rowsY(r) + 22;
    out.push(text(vpcX + 12, y + 30, tier, `font-weight="bold" fill="${style.stroke}"`));
    out.push(text(vpcX + 12, y + 48, 'subnets', `fill="${style.stroke}"`));
    t.zones.forEach((zone, i) => {
      const subnet = t.subnets.find((s) => s.tier === tier && s.zone === zone);
      if (!subnet) return;
      const x = colX(i);
      const w = columnWidth - 20;
      out.push(rect(x, y, w, rowHeight - 20, `rx="6" fill="${style.fill}" stroke="${style.stroke}"`));
      out.push(text(x + 10, y + 20, subnet.cidr, `font-weight="bold" font-size="15" fill="${style.stroke}"`));
      out.push(text(x + 10, y + 38, `${subnet.key} - ${subnet.addresses.toLocaleString('en-US')} IPs`, 'fill="#455a64" font-size="12"'));
      if (tier === 'public') {
        const nat = t.nats.find((n) => !n.regional && n.zone === zone);
        if (nat) {
          out.push(rect(x + 10, y + 46, w - 20, 24, 'rx="4" fill="#fff3e0" stroke="#e65100"'));
          out.push(text(x + 18, y + 63, `NAT gateway ${nat.key} + ${nat.eip}`, 'fill="#bf360c" font-size="12"'));
        }
      }
      if (tier === 'private') {
        const target = t.privateRoutes.get(zone);
        out.push(
          text(x + 10, y + 58, target ? `0.0.0.0/0 -> ${target}` : 'no route out of the VPC', `fill="${target ? '#bf360c' : '#757575'}" font-size="12"`),
        );
        const publicRow = rows.indexOf('public');
        const nat = t.nats.find((n) => n.key === target);
        if (nat && !nat.regional && publicRow >= 0) {
          const natColumn = t.zones.indexOf(nat.zone ?? '');
          const fromX = x + w / 2;
          const toX = colX(natColumn) + (columnWidth - 20) / 2 + (natColumn === i ? 0 : natColumn < i ? 40 : -40);
          out.push(
            `<line x1="${fromX}" y1="${y}" x2="${toX}" y2="${rowsY(publicRow) + 22 + 70}" stroke="#e65100" stroke-width="1.5" marker-end="url(#arrow)"/>`,
          );
        }
      }
    });
  });

  // The control plane and node groups, spanning the zones they live in.
  const bar = (y: number, zones: string[], label: string, fill: string, stroke: string) => {
    const indexes = zones.map((z) => t.zones.indexOf(z)).filter((i) => i >= 0);
    if (indexes.length === 0) return;
    const x1 = colX(Math.min(...indexes));
    const x2 = colX(Math.max(...indexes)) + columnWidth - 20;
    out.push(rect(x1, y, x2 - x1, 24, `rx="4" fill="${fill}" stroke="${stroke}"`));
    out.push(text(x1 + 10, y + 16, fit(label, x2 - x1 - 16), 'font-size="12" fill="#263238"'));
  };
  const privateZones = t.subnets.filter((s) => s.tier === 'private').map((s) => s.zone);
  out.push(text(vpcX + 12, afterRows + 12, 'EKS', 'font-weight="bold" fill="#263238"'));
  bar(afterRows, privateZones, `EKS control plane ENIs (${t.cluster.name}), add-ons: ${t.addons.map((a) => a.name).join(', ')}`, '#fffde7', '#f9a825');
  t.nodeGroups.forEach((g, i) => {
    bar(
      groupsY + i * 30 - 14,
      g.zones,
      `node group ${g.name}: ${g.instanceTypes.join(', ')} ${g.capacityType}, ${g.min}..${g.max} nodes${g.taints.length ? `, taint ${g.taints.join(' ')}` : ''}`,
      '#ede7f6',
      '#5e35b1',
    );
  });
  if (t.nodeGroups.length > 0) out.push(text(vpcX + 12, groupsY + 2, 'node groups', 'font-weight="bold" fill="#5e35b1"'));

  // The VPC address map: where every subnet sits in the range, and what is free.
  const mapX = vpcX + labelWidth;
  const mapWidth = width - mapX - margin;
  const vpc = mustParseCidr(t.vpcCidr);
  const scale = mapWidth / t.vpcAddresses;
  out.push(text(vpcX, mapY + 18, 'VPC address map', 'font-weight="bold" fill="#37474f"'));
  out.push(rect(mapX, mapY, mapWidth, 28, 'fill="#fafafa" stroke="#90a4ae"'));
  for (const s of t.subnets) {
    const cidr = mustParseCidr(s.cidr);
    const x = mapX + (cidr.base - vpc.base) * scale;
    const w = Math.max(2, s.addresses * scale);
    const style = TIER_STYLE[s.tier]!;
    out.push(rect(x, mapY, w, 28, `fill="${style.fill}" stroke="${style.stroke}"`));
    if (w > 70) out.push(text(x + 4, mapY + 18, s.cidr, `font-size="11" fill="${style.stroke}"`));
  }
  out.push(text(mapX, mapY + 44, t.vpcCidr.split('/')[0]!, 'font-size="11" fill="#607d8b"'));
  const free = t.vpcAddresses - t.subnets.reduce((sum, s) => sum + s.addresses, 0);
  out.push(
    text(
      mapX + mapWidth,
      mapY + 44,
      `${free.toLocaleString('en-US')} of ${t.vpcAddresses.toLocaleString('en-US')} addresses free`,
      'font-size="11" fill="#607d8b" text-anchor="end"',
    ),
  );
  let legendX = mapX;
  let legendY = mapY + 62;
  for (const tier of t.tiers) {
    const style = TIER_STYLE[tier]!;
    const entryWidth = 20 + style.label.length * 7 + 24;
    if (legendX + entryWidth > mapX + mapWidth) {
      legendX = mapX;
      legendY += 20;
    }
    out.push(rect(legendX, legendY, 14, 14, `fill="${style.fill}" stroke="${style.stroke}"`));
    out.push(text(legendX + 20, legendY + 12, style.label, 'font-size="12" fill="#455a64"'));
    legendX += entryWidth;
  }
  const access = t.fluxIdentity
    ? `Flux: ConfigMap ${t.fluxIdentity.configMap} (AWS identity, no Secret)`
    : `Kubeconfig: Secret ${t.kubeconfigSecret} (key kubeconfig)`;
  const flowLogs = t.flowLogs ? ` - flow logs to ${t.flowLogs.logGroup} (${t.flowLogs.retentionDays} days)` : '';
  out.push(
    text(mapX, legendY + 36, `${access}${flowLogs} - ${t.total} composed resources, ${t.usages} deletion-order Usages`, 'font-size="12" fill="#455a64"'),
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
