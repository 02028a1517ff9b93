/**
 * The network diagram of an EKSCluster as SVG: zones as columns, tiers as rows,
 * CIDRs, NAT placement and egress, node groups, and the VPC address map.
 * Every text is measured (workshop/svg.ts): columns widen to their longest line and
 * long lines wrap, so nothing is cut at any length the API allows.
 */
import { mustParseCidr } from 'function-eks-cluster/src/network/cidr.js';
import type { Topology } from './topology.js';
import { externalNetworkSvg } from './plan-svg-external.js';
import { bar, closingNote, controlPlaneLabel, heading, nodeGroupLabel, notes, SMALL } from './plan-svg-parts.js';
import { box, rect, svgOpen, text, textWidth } from './svg.js';

const TIER_STYLE: Record<string, { fill: string; stroke: string; label: string }> = {
  public: { fill: '#e8f5e9', stroke: '#2e7d32', label: 'public subnets (load balancers, NAT)' },
  private: { fill: '#e3f2fd', stroke: '#1565c0', label: 'private subnets (nodes, pods, control-plane ENIs)' },
  isolated: { fill: '#f3e5f5', stroke: '#6a1b9a', label: 'isolated subnets (no route out)' },
};

const ZONE_SIZE = 13;
const CIDR_SIZE = 15;
const MAP_SIZE = 11;
const IGW_LABEL = 'internet gateway (igw)';

/** What a subnet box says below its CIDR. */
function subnetLine(s: Topology['subnets'][number]): string {
  return `${s.key} - ${s.addresses.toLocaleString('en-US')} IPs`;
}

function natLine(nat: Topology['nats'][number]): string {
  return `NAT gateway ${nat.key} + ${nat.eip}`;
}

function routeLine(target: string | undefined): string {
  return target ? `0.0.0.0/0 -> ${target}` : 'no route out of the VPC';
}

/**
 * The width a zone's column needs for its longest text: the column's frame is
 * 12 narrower than the column, a subnet box 20, its texts inset 10 from either
 * side, and a NAT box's text 18 from the subnet box's edges.
 */
function columnNeeds(t: Topology, zone: string): number {
  const subnets = t.subnets.filter((s) => s.zone === zone);
  const nat = t.nats.find((n) => !n.regional && n.zone === zone);
  return Math.ceil(
    Math.max(
      textWidth(zone, ZONE_SIZE) + 20,
      ...subnets.map((s) => Math.max(textWidth(s.cidr, CIDR_SIZE), textWidth(subnetLine(s), SMALL)) + 40),
      nat ? textWidth(natLine(nat), SMALL) + 56 : 0,
      textWidth(routeLine(t.privateRoutes.get(zone)), SMALL) + 40,
    ),
  );
}

export function planSvg(t: Topology): string {
  if (t.external) return externalNetworkSvg(t);
  const labelWidth = 150;
  const margin = 24;
  const vpcX = margin;
  const zonesX = vpcX + labelWidth;
  // Wide enough for the texts below even with two zones, and for the longest line of any zone.
  const columnWidth = Math.max(250, Math.floor((1000 - zonesX - margin * 2) / t.zones.length), ...t.zones.map((z) => columnNeeds(t, z)));
  const width = zonesX + t.zones.length * columnWidth + margin * 2;
  const head = heading(t, margin, width - 2 * margin);
  // Everything below the heading moves down by the lines it wrapped into.
  const shift = head.bottom - 52;
  const vpcTop = 128 + shift;
  const regional = t.nats.find((n) => n.regional);
  const rowHeight = 96;
  const top = 150 + shift;
  const rows = t.tiers;
  const rowsY = (i: number) => top + (regional ? 56 : 0) + i * (rowHeight + 16);
  const afterRows = rowsY(rows.length);
  const colX = (i: number) => zonesX + i * columnWidth + 10;
  const vpc: string[] = [];

  vpc.push(text(vpcX + 12, vpcTop + 18, `VPC ${t.vpcCidr}`, 'font-weight="bold" fill="#37474f"'));

  // Zone columns, each with its subnets.
  const subnetBox = (tier: string, zone: string, i: number) => {
    const subnet = t.subnets.find((s) => s.tier === tier && s.zone === zone);
    if (!subnet) return [];
    const style = TIER_STYLE[tier]!;
    const y = rowsY(rows.indexOf(tier)) + 22;
    const x = colX(i);
    const w = columnWidth - 20;
    const inside = [
      text(x + 10, y + 20, subnet.cidr, `font-weight="bold" font-size="${CIDR_SIZE}" fill="${style.stroke}"`),
      text(x + 10, y + 38, subnetLine(subnet), `fill="#455a64" font-size="${SMALL}"`),
    ];
    const nat = tier === 'public' ? t.nats.find((n) => !n.regional && n.zone === zone) : undefined;
    if (nat) {
      inside.push(
        box(rect(x + 10, y + 46, w - 20, 24, 'rx="4" fill="#fff3e0" stroke="#e65100"'), [
          text(x + 18, y + 63, natLine(nat), `fill="#bf360c" font-size="${SMALL}"`),
        ]),
      );
    }
    if (tier === 'private') {
      const target = t.privateRoutes.get(zone);
      inside.push(text(x + 10, y + 58, routeLine(target), `fill="${target ? '#bf360c' : '#757575'}" font-size="${SMALL}"`));
    }
    return [box(rect(x, y, w, rowHeight - 20, `rx="6" fill="${style.fill}" stroke="${style.stroke}"`), inside)];
  };
  t.zones.forEach((zone, i) => {
    vpc.push(
      box(rect(colX(i) - 4, top - 4, columnWidth - 12, afterRows - top + 2, 'rx="6" fill="none" stroke="#b0bec5" stroke-dasharray="5,4"'), [
        text(colX(i) + (columnWidth - 20) / 2, top + 12, zone, `text-anchor="middle" font-weight="bold" fill="#546e7a"`),
        ...rows.flatMap((tier) => subnetBox(tier, zone, i)),
      ]),
    );
  });

  if (regional) {
    const y = top + 22;
    vpc.push(
      box(rect(zonesX + 10, y, t.zones.length * columnWidth - 28, 26, 'rx="4" fill="#fff3e0" stroke="#e65100"'), [
        text(
          zonesX + (t.zones.length * columnWidth) / 2 - 4,
          y + 17,
          `regional NAT gateway (${regional.key}): serves every zone`,
          'text-anchor="middle" fill="#bf360c"',
        ),
      ]),
    );
  }

  rows.forEach((tier, r) => {
    const style = TIER_STYLE[tier]!;
    const y = rowsY(r) + 22;
    vpc.push(text(vpcX + 12, y + 30, tier, `font-weight="bold" fill="${style.stroke}"`));
    vpc.push(text(vpcX + 12, y + 48, 'subnets', `fill="${style.stroke}"`));
    if (tier !== 'private') return;
    // Each private subnet's default route, drawn to the NAT gateway it leaves through.
    const publicRow = rows.indexOf('public');
    t.zones.forEach((zone, i) => {
      const nat = t.nats.find((n) => n.key === t.privateRoutes.get(zone));
      if (!nat || nat.regional || publicRow < 0 || !t.subnets.some((s) => s.tier === tier && s.zone === zone)) return;
      const natColumn = t.zones.indexOf(nat.zone ?? '');
      const fromX = colX(i) + (columnWidth - 20) / 2;
      const toX = colX(natColumn) + (columnWidth - 20) / 2 + (natColumn === i ? 0 : natColumn < i ? 40 : -40);
      vpc.push(`<line x1="${fromX}" y1="${y}" x2="${toX}" y2="${rowsY(publicRow) + 22 + 70}" stroke="#e65100" stroke-width="1.5" marker-end="url(#arrow)"/>`);
    });
  });

  // The control plane and node groups, spanning the zones they live in, one below the other.
  let barY = afterRows;
  const spanning = (zones: string[], label: string, fill: string, stroke: string) => {
    const indexes = zones.map((z) => t.zones.indexOf(z)).filter((i) => i >= 0);
    if (indexes.length === 0) return;
    const x1 = colX(Math.min(...indexes));
    const x2 = colX(Math.max(...indexes)) + columnWidth - 20;
    const drawn = bar(x1, barY, x2 - x1, label, fill, stroke);
    vpc.push(drawn.svg);
    barY += drawn.height + 6;
  };
  const privateZones = t.subnets.filter((s) => s.tier === 'private').map((s) => s.zone);
  vpc.push(text(vpcX + 12, afterRows + 12, 'EKS', 'font-weight="bold" fill="#263238"'));
  spanning(privateZones, controlPlaneLabel(t), '#fffde7', '#f9a825');
  if (t.nodeGroups.length > 0) vpc.push(text(vpcX + 12, barY + 16, 'node groups', 'font-weight="bold" fill="#5e35b1"'));
  for (const g of t.nodeGroups) spanning(g.zones, nodeGroupLabel(g), '#ede7f6', '#5e35b1');
  const vpcBottom = barY + 30;

  // The VPC address map: where every subnet sits in the range, and what is free.
  const mapY = vpcBottom + 44;
  const mapX = vpcX + labelWidth;
  const mapWidth = width - mapX - margin;
  const vpcRange = mustParseCidr(t.vpcCidr);
  const scale = mapWidth / t.vpcAddresses;
  const map: string[] = [];
  map.push(text(vpcX, mapY + 18, 'VPC address map', 'font-weight="bold" fill="#37474f"'));
  const segments = t.subnets.map((s) => {
    const cidr = mustParseCidr(s.cidr);
    const x = mapX + (cidr.base - vpcRange.base) * scale;
    const w = Math.max(2, s.addresses * scale);
    const style = TIER_STYLE[s.tier]!;
    const segment = rect(x, mapY, w, 28, `fill="${style.fill}" stroke="${style.stroke}"`);
    // A CIDR is written into its segment only where it fits.
    if (textWidth(s.cidr, MAP_SIZE) + 8 > w) return segment;
    return box(segment, [text(x + 4, mapY + 18, s.cidr, `font-size="${MAP_SIZE}" fill="${style.stroke}"`)]);
  });
  map.push(box(rect(mapX, mapY, mapWidth, 28, 'fill="#fafafa" stroke="#90a4ae"'), segments));
  map.push(text(mapX, mapY + 44, t.vpcCidr.split('/')[0]!, `font-size="${MAP_SIZE}" fill="#607d8b"`));
  const free = t.vpcAddresses - t.subnets.reduce((sum, s) => sum + s.addresses, 0);
  map.push(
    text(
      mapX + mapWidth,
      mapY + 44,
      `${free.toLocaleString('en-US')} of ${t.vpcAddresses.toLocaleString('en-US')} addresses free`,
      `font-size="${MAP_SIZE}" fill="#607d8b" text-anchor="end"`,
    ),
  );
  let legendX = mapX;
  let legendY = mapY + 62;
  for (const tier of t.tiers) {
    const style = TIER_STYLE[tier]!;
    const entryWidth = 20 + textWidth(style.label, SMALL) + 24;
    if (legendX > mapX && legendX + entryWidth - 24 > mapX + mapWidth) {
      legendX = mapX;
      legendY += 20;
    }
    map.push(rect(legendX, legendY, 14, 14, `fill="${style.fill}" stroke="${style.stroke}"`));
    map.push(text(legendX + 20, legendY + 12, style.label, `font-size="${SMALL}" fill="#455a64"`));
    legendX += entryWidth;
  }
  const flowLogs = t.flowLogs ? ` - flow logs to ${t.flowLogs.logGroup} (${t.flowLogs.retentionDays} days)` : '';
  const foot = notes(mapX, legendY + 36, mapWidth, closingNote(t, flowLogs));
  const height = foot.bottom + 32;

  // Internet and the internet gateway on the VPC's edge.
  const igwX = width / 2;
  const igwWidth = Math.ceil(textWidth(IGW_LABEL, SMALL)) + 16;
  return (
    [
      svgOpen(width, height),
      '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#e65100"/></marker></defs>',
      rect(0, 0, width, height, 'fill="#ffffff"'),
      ...head.svg,
      box(rect(igwX - 60, vpcTop - 64, 120, 26, 'rx="13" fill="#fafafa" stroke="#9e9e9e"'), [
        text(igwX, vpcTop - 46, 'Internet', 'text-anchor="middle" fill="#616161"'),
      ]),
      `<line x1="${igwX}" y1="${vpcTop - 38}" x2="${igwX}" y2="${vpcTop - 24}" stroke="#9e9e9e" stroke-width="2"/>`,
      box(rect(igwX - igwWidth / 2, vpcTop - 24, igwWidth, 24, 'rx="4" fill="#fff3e0" stroke="#e65100"'), [
        text(igwX, vpcTop - 7, IGW_LABEL, `text-anchor="middle" fill="#bf360c" font-size="${SMALL}"`),
      ]),
      box(rect(vpcX, vpcTop, width - 2 * margin, vpcBottom - vpcTop, 'rx="8" fill="none" stroke="#37474f" stroke-width="2"'), vpc),
      ...map,
      ...foot.svg,
      '</svg>',
    ].join('\n') + '\n'
  );
}
