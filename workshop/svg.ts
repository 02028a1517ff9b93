/**
 * SVG primitives shared by the network diagrams (workshop/plan-svg.ts, workshop/plan-svg-external.ts),
 * and the one measure of text they lay out with.
 *
 * The diagrams are set in a monospace font, so a text's width is its length times
 * one advance: no viewer's font substitution can make a line longer than measured.
 * DejaVu Sans Mono and Menlo advance 0.602 em, Courier New and Liberation Mono
 * 0.6, Consolas 0.55; CHAR_EM rounds up past them all.
 */

export const FONT_FAMILY = "'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace";
export const CHAR_EM = 0.61;
/** Font size of a text without its own font-size attribute (the root's). */
export const BASE_FONT_SIZE = 13;
/** Above the baseline, below it (descenders), in em: a text's ink lies within. */
export const ASCENT_EM = 0.8;
export const DESCENT_EM = 0.25;

/** A Latin, Greek or Cyrillic character takes one column; a wide one (CJK, emoji) is counted as two. */
function columnsOf(char: string): number {
  return char.codePointAt(0)! >= 0x1100 ? 2 : 1;
}

export function textWidth(content: string, fontSize: number): number {
  let columns = 0;
  for (const char of content) columns += columnsOf(char);
  return columns * fontSize * CHAR_EM;
}

/** Distance between the baselines of two lines of wrapped text. */
export function lineHeight(fontSize: number): number {
  return Math.ceil(fontSize * 1.35);
}

/** Where a word too long for a line is cut: after its last separator that fits, else after the last character that fits. */
function cutPoint(chars: readonly string[], fontSize: number, width: number): number {
  let fits = 0;
  for (let used = 0; fits < chars.length; fits++) {
    used += columnsOf(chars[fits]!) * fontSize * CHAR_EM;
    if (used > width) break;
  }
  fits = Math.max(1, fits);
  for (let i = fits; i > fits / 2; i--) if ('-/.,:_'.includes(chars[i - 1]!)) return i;
  return fits;
}

/**
 * `content` in lines no wider than `width`: broken where `separator` stands (it
 * is dropped at a break), a piece longer than a line broken at its spaces, and a
 * word longer than a line broken inside (after a separator where it can).
 * Nothing is cut off.
 */
export function wrap(content: string, fontSize: number, width: number, separator = ' '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const piece of content.split(separator)) {
    const joined = line === '' ? piece : `${line}${separator}${piece}`;
    if (textWidth(joined, fontSize) <= width) {
      line = joined;
      continue;
    }
    if (line !== '') lines.push(line);
    const broken = separator === ' ' ? breakWord(piece, fontSize, width) : wrap(piece, fontSize, width);
    lines.push(...broken.slice(0, -1));
    line = broken[broken.length - 1]!;
  }
  lines.push(line);
  return lines;
}

/** A word in pieces no wider than `width`. */
function breakWord(word: string, fontSize: number, width: number): string[] {
  const pieces: string[] = [];
  let rest = [...word];
  while (textWidth(rest.join(''), fontSize) > width) {
    const cut = cutPoint(rest, fontSize, width);
    pieces.push(rest.slice(0, cut).join(''));
    rest = rest.slice(cut);
  }
  return [...pieces, rest.join('')];
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x}" y="${y}" ${attrs}>${esc(content)}</text>`;
}

/** One text element per line, the first baseline at `y`. */
export function lines(x: number, y: number, contents: readonly string[], fontSize: number, attrs = ''): string[] {
  return contents.map((content, i) => text(x, y + i * lineHeight(fontSize), content, attrs));
}

export function rect(x: number, y: number, w: number, h: number, attrs: string): string {
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" ${attrs}/>`;
}

/**
 * A box and what is drawn inside it, as one group: its first element is the
 * box's rect, and every text and box in it lies within that rect (the property
 * test of test/diagram-fit.test.ts reads the groups so).
 */
export function box(frame: string, inside: readonly string[]): string {
  return ['<g>', frame, ...inside, '</g>'].join('\n');
}

/** The root element: white canvas, monospace font. */
export function svgOpen(width: number, height: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" font-size="${BASE_FONT_SIZE}">`;
}
