/**
 * The diagram of an EKSCluster in an existing network (spec.network.existing):
 * the VPC and its subnets drawn dashed and grey, as external, by ID (their
 * CIDRs and zones are not the function's to know), and what is composed in them.
 * Subnets beyond six a tier go on to a further row; long lines wrap (workshop/svg.ts).
 */
import { bar, closingNote, controlPlaneLabel, heading, nodeGroupLabel, notes, SMALL } from './plan-svg-parts.js';
import { box, lineHeight, lines, rect, svgOpen, text, wrap } from './svg.js';
import type { Topology } from './topology.js';

const BOX_WIDTH = 230;
const BOX_STEP = BOX_WIDTH + 12;
const PER_ROW = 6;

export function externalNetworkSvg(t: Topology): string {
  const external = t.external!;
  const margin = 24;
  const boxesX = margin + 162;
  const columns = Math.min(PER_ROW, Math.max(external.privateSubnetIds.length, external.publicSubnetIds.length, 3));
  const width = boxesX + columns * BOX_STEP + margin;
  const innerWidth = width - 2 * margin - 24;
  const head = heading(t, margin, width - 2 * margin);
  const frameTop = 100 + head.bottom - 52;
  const inside: string[] = [];

  const existingLines = wrap(`EXISTING VPC ${external.vpcId} - external: nothing of the network is composed or deleted`, 13, innerWidth);
  inside.push(...lines(margin + 12, frameTop + 22, existingLines, 13, 'font-weight="bold" fill="#616161"'));
  let y = frameTop + 22 + (existingLines.length - 1) * lineHeight(13) + 28;
  const tiers: [string, string[]][] = [
    ['private', external.privateSubnetIds],
    ['public', external.publicSubnetIds],
  ];
  for (const [tier, ids] of tiers) {
    inside.push(text(margin + 12, y + 26, `${tier} subnets`, 'font-weight="bold" fill="#757575"'));
    if (ids.length === 0) inside.push(text(boxesX, y + 26, 'none given', 'fill="#9e9e9e"'));
    ids.forEach((id, i) => {
      const x = boxesX + (i % PER_ROW) * BOX_STEP;
      const boxY = y + Math.floor(i / PER_ROW) * 56;
      inside.push(
        box(rect(x, boxY, BOX_WIDTH, 44, 'rx="6" fill="#f5f5f5" stroke="#9e9e9e" stroke-dasharray="5,4"'), [
          text(x + 10, boxY + 27, id, `fill="#616161" font-size="${SMALL}"`),
        ]),
      );
    });
    y += 70 + Math.max(0, Math.ceil(ids.length / PER_ROW) - 1) * 56;
  }

  let barY = y - 20;
  const spanWidth = Math.min(PER_ROW, Math.max(1, external.privateSubnetIds.length)) * BOX_STEP - 12;
  inside.push(text(margin + 12, barY + 16, 'composed', 'font-weight="bold" fill="#263238"'));
  for (const [label, fill, stroke] of [
    [controlPlaneLabel(t), '#fffde7', '#f9a825'],
    ...t.nodeGroups.map((g) => [nodeGroupLabel(g), '#ede7f6', '#5e35b1']),
  ] as const) {
    const drawn = bar(boxesX, barY, spanWidth, label, fill, stroke);
    inside.push(drawn.svg);
    barY += drawn.height + 6;
  }

  let notesY = barY + 24;
  if (t.flowLogs) {
    const flowLogs = notes(
      margin + 12,
      notesY,
      innerWidth,
      `flow logs: ${t.flowLogs.trafficType} traffic of ${external.vpcId} to ${t.flowLogs.logGroup}, kept ${t.flowLogs.retentionDays} days`,
    );
    inside.push(...flowLogs.svg);
    notesY = flowLogs.bottom;
  }
  const foot = notes(margin + 12, notesY + 22, innerWidth, closingNote(t));
  inside.push(...foot.svg);
  const frameBottom = foot.bottom + 40;
  const height = frameBottom + margin;
  return (
    [
      svgOpen(width, height),
      rect(0, 0, width, height, 'fill="#ffffff"'),
      ...head.svg,
      box(
        rect(margin, frameTop, width - 2 * margin, frameBottom - frameTop, 'rx="8" fill="#fafafa" stroke="#9e9e9e" stroke-width="2" stroke-dasharray="8,5"'),
        inside,
      ),
      '</svg>',
    ].join('\n') + '\n'
  );
}
