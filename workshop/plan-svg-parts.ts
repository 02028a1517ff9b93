/** What both network diagrams draw alike: the heading, the bars of the cluster and node groups, and the closing notes. */
import { box, lineHeight, lines, rect, wrap } from './svg.js';
import type { Topology } from './topology.js';

const TITLE_SIZE = 20;
const SUBTITLE_SIZE = 13;
/** Font size of the bars and notes. */
export const SMALL = 12;
/** Inset of a bar's text from its left edge. */
const BAR_INSET = 10;

/** The title and the cluster line, wrapped to `width`; `bottom` is the last baseline. */
export function heading(t: Topology, x: number, width: number): { svg: string[]; bottom: number } {
  const title = wrap(`EKSCluster ${t.xr}`, TITLE_SIZE, width);
  const subtitle = wrap(
    `EKS cluster ${t.cluster.name} - Kubernetes ${t.cluster.version} - ${t.region} - endpoint ${t.cluster.endpoint}`,
    SUBTITLE_SIZE,
    width,
    ' - ',
  );
  const subtitleY = 30 + (title.length - 1) * lineHeight(TITLE_SIZE) + 22;
  return {
    svg: [
      ...lines(x, 30, title, TITLE_SIZE, `font-size="${TITLE_SIZE}" font-weight="bold" fill="#212121"`),
      ...lines(x, subtitleY, subtitle, SUBTITLE_SIZE, 'fill="#424242"'),
    ],
    bottom: subtitleY + (subtitle.length - 1) * lineHeight(SUBTITLE_SIZE),
  };
}

/** A bar `width` wide at (x, y) holding `label`, wrapped: 24 high for one line, a line's height more for each further. */
export function bar(x: number, y: number, width: number, label: string, fill: string, stroke: string): { svg: string; height: number } {
  const labelLines = wrap(label, SMALL, width - 2 * BAR_INSET);
  const height = labelLines.length * lineHeight(SMALL) + 7;
  return {
    svg: box(
      rect(x, y, width, height, `rx="4" fill="${fill}" stroke="${stroke}"`),
      lines(x + BAR_INSET, y + 16, labelLines, SMALL, `font-size="${SMALL}" fill="#263238"`),
    ),
    height,
  };
}

export function controlPlaneLabel(t: Topology): string {
  return `EKS control plane ENIs (${t.cluster.name}), add-ons: ${t.addons.map((a) => a.name).join(', ')}`;
}

export function nodeGroupLabel(g: Topology['nodeGroups'][number]): string {
  const taints = g.taints.length ? `, taint ${g.taints.join(' ')}` : '';
  return `node group ${g.name}: ${g.instanceTypes.join(', ')} ${g.capacityType}, ${g.min}..${g.max} nodes${taints}${g.launchTemplate ? ', IMDSv2' : ''}`;
}

/** How Flux reaches the cluster and how much is composed, as one line for the diagram's foot. */
export function closingNote(t: Topology, middle = ''): string {
  const access = t.fluxIdentity
    ? `Flux: ConfigMap ${t.fluxIdentity.configMap} (AWS identity, no Secret)`
    : `Kubeconfig: Secret ${t.kubeconfigSecret} (key kubeconfig)`;
  return `${access}${middle} - ${t.total} composed resources, ${t.usages} deletion-order Usages`;
}

/** Lines of small grey notes from (x, y), wrapped to `width`; `bottom` is the last baseline. */
export function notes(x: number, y: number, width: number, content: string): { svg: string[]; bottom: number } {
  const noteLines = wrap(content, SMALL, width, ' - ');
  return {
    svg: lines(x, y, noteLines, SMALL, `font-size="${SMALL}" fill="#455a64"`),
    bottom: y + (noteLines.length - 1) * lineHeight(SMALL),
  };
}
