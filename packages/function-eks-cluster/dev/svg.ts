/** SVG primitives shared by the network diagrams (dev/plan-svg.ts, dev/plan-svg-external.ts). */

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" ${attrs}>${esc(content)}</text>`;
}

export function rect(x: number, y: number, w: number, h: number, attrs: string): string {
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" ${attrs}/>`;
}
