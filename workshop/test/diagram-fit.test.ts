/**
 * The network diagram of `npm start` cuts nothing: every text lies inside the
 * canvas and inside each box it is drawn in, boxes lie inside the boxes that
 * hold them, no two texts overlap, and no text runs across the edge of a box it
 * is not in. Shown for every example and for XRs at the API's limits (longest
 * names, most zones, node groups, taints, add-ons, CIDRs: workshop/xrs.ts).
 *
 * The check reads the SVG itself: a `<g>` whose first element is a rect is a
 * box (workshop/svg.ts), and a text's extent is its length times the font's
 * advance (the diagram is monospace).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { ASCENT_EM, BASE_FONT_SIZE, box, DESCENT_EM, rect, svgOpen, text, textWidth, wrap } from '../svg.js';
import { mustCompose, planSvg, reconcileToReady, REPO_ROOT, topologyOf, xrAtLimitsArb } from 'workshop';

interface Area {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

interface Frame extends Area {
  /** Order in the document: a later frame is drawn over an earlier one. */
  order: number;
  filled: boolean;
}

interface TextItem extends Area {
  content: string;
  /** The frames of the boxes it is drawn in, innermost last. */
  frames: Frame[];
}

function attr(attrs: string, name: string): string | undefined {
  return new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attrs)?.[1];
}

function unescape(content: string): string {
  return content
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

function inside(a: Area, b: Area): boolean {
  return a.left >= b.left && a.right <= b.right && a.top >= b.top && a.bottom <= b.bottom;
}

function overlap(a: Area, b: Area): boolean {
  return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
}

function show(a: Area): string {
  const r = (n: number) => Math.round(n * 10) / 10;
  return `[${r(a.left)}..${r(a.right)} x ${r(a.top)}..${r(a.bottom)}]`;
}

/** Each way the SVG cuts or crowds a text or a box, as one line. */
function misfits(svg: string): string[] {
  const problems: string[] = [];
  const root = /<svg [^>]*>/.exec(svg)![0];
  const canvas: Area = { left: 0, top: 0, right: Number(attr(root, 'width')), bottom: Number(attr(root, 'height')) };
  const rootSize = Number(attr(root, 'font-size') ?? BASE_FONT_SIZE);
  const texts: TextItem[] = [];
  const frames: Frame[] = [];
  /** Open groups; each is a box whose frame is its first element, a rect. */
  const stack: { frame?: Frame; started: boolean }[] = [];
  const enclosing = () => stack.flatMap((g) => (g.frame ? [g.frame] : []));
  /** Whether the element just read is its group's first, and that group. */
  const first = (what: string) => {
    const group = stack[stack.length - 1];
    const isFirst = group !== undefined && !group.started;
    if (group) group.started = true;
    if (isFirst && what !== 'rect') problems.push(`a box starts with ${what}, not its rect`);
    return isFirst ? group : undefined;
  };
  const tags = /<(g)>|<\/(g)>|<rect ([^>]*)\/>|<text ([^>]*)>([^<]*)<\/text>/g;
  for (let m = tags.exec(svg); m; m = tags.exec(svg)) {
    const [, open, close, rectAttrs, textAttrs, content] = m;
    if (open) {
      first('a group');
      stack.push({ started: false });
    } else if (close) {
      stack.pop();
    } else if (rectAttrs !== undefined) {
      const [x, y, w, h] = ['x', 'y', 'width', 'height'].map((n) => Number(attr(rectAttrs, n)));
      const area = { left: x!, top: y!, right: x! + w!, bottom: y! + h! };
      const holders = enclosing();
      const holder = holders[holders.length - 1];
      if (!inside(area, canvas)) problems.push(`rect ${show(area)} leaves the canvas ${show(canvas)}`);
      if (holder && !inside(area, holder)) problems.push(`rect ${show(area)} leaves its box ${show(holder)}`);
      const group = first('rect');
      if (group) {
        const fill = attr(rectAttrs, 'fill');
        group.frame = { ...area, order: frames.length, filled: fill !== undefined && fill !== 'none' };
        frames.push(group.frame);
      }
    } else {
      first(`text ${JSON.stringify(content)}`);
      const size = Number(attr(textAttrs!, 'font-size') ?? rootSize);
      const x = Number(attr(textAttrs!, 'x'));
      const y = Number(attr(textAttrs!, 'y'));
      const value = unescape(content!);
      const w = textWidth(value, size);
      const anchor = attr(textAttrs!, 'text-anchor') ?? 'start';
      const left = anchor === 'middle' ? x - w / 2 : anchor === 'end' ? x - w : x;
      texts.push({ content: value, left, right: left + w, top: y - ASCENT_EM * size, bottom: y + DESCENT_EM * size, frames: enclosing() });
    }
  }
  for (const t of texts) {
    const name = `text ${JSON.stringify(t.content.length > 60 ? `${t.content.slice(0, 57)}...` : t.content)} ${show(t)}`;
    if (!inside(t, canvas)) problems.push(`${name} leaves the canvas ${show(canvas)}`);
    for (const f of t.frames) if (!inside(t, f)) problems.push(`${name} leaves its box ${show(f)}`);
    // A text not in a box stays clear of its edges, unless it sits on a filled box drawn over it.
    const own = t.frames[t.frames.length - 1];
    for (const f of frames) {
      if (t.frames.includes(f) || !overlap(t, f) || inside(t, f)) continue;
      if (own && own.filled && own.order > f.order) continue;
      problems.push(`${name} runs across the edge of box ${show(f)}`);
    }
  }
  const byTop = [...texts].sort((a, b) => a.top - b.top);
  byTop.forEach((a, i) => {
    for (let j = i + 1; j < byTop.length && byTop[j]!.top < a.bottom; j++) {
      const b = byTop[j]!;
      if (overlap(a, b)) problems.push(`texts ${JSON.stringify(a.content)} ${show(a)} and ${JSON.stringify(b.content)} ${show(b)} overlap`);
    }
  });
  return problems;
}

function diagramOf(xr: JsonObject): string {
  const { result } = reconcileToReady(xr);
  const composition = mustCompose(result);
  const desired = Object.fromEntries(composition.resources.map((r) => [r.key, r.body]));
  return planSvg(topologyOf(xr, desired, composition.status as JsonObject));
}

describe('the check of the diagram', () => {
  const svgOf = (...inner: string[]) => [svgOpen(400, 200), ...inner, '</svg>'].join('\n');
  it.each([
    {
      reason: 'a text inside its box and the canvas fits',
      svg: svgOf(box(rect(10, 10, 200, 40, 'fill="none"'), [text(20, 30, 'twenty characters ok')])),
      problems: [],
    },
    {
      reason: 'a text longer than its box leaves it',
      svg: svgOf(box(rect(10, 10, 100, 40, 'fill="none"'), [text(20, 30, 'twenty characters ok')])),
      problems: [/leaves its box/],
    },
    { reason: 'a text past the right edge leaves the canvas', svg: svgOf(text(300, 30, 'twenty characters ok')), problems: [/leaves the canvas/] },
    {
      reason: 'a text centred on the edge leaves the canvas',
      svg: svgOf(text(0, 30, 'centred', 'text-anchor="middle"')),
      problems: [/leaves the canvas/],
    },
    { reason: 'a larger font takes more room', svg: svgOf(text(10, 30, 'twenty characters ok', 'font-size="40"')), problems: [/leaves the canvas/] },
    { reason: 'two texts on one line overlap', svg: svgOf(text(10, 30, 'first text'), text(50, 32, 'second')), problems: [/overlap/] },
    {
      reason: 'a box inside a box must fit in it',
      svg: svgOf(box(rect(10, 10, 100, 40, 'fill="none"'), [box(rect(20, 20, 200, 20, 'fill="none"'), [])])),
      problems: [/rect .* leaves its box/],
    },
    {
      reason: 'a text outside a box runs across its edge',
      svg: svgOf(box(rect(100, 10, 100, 40, 'fill="none"'), []), text(60, 30, 'crossing')),
      problems: [/runs across the edge/],
    },
    {
      reason: 'a text on a filled box drawn over another box may cross that one',
      svg: svgOf(box(rect(100, 10, 100, 40, 'fill="none"'), []), box(rect(50, 15, 200, 30, 'fill="#fff"'), [text(60, 35, 'crossing')])),
      problems: [],
    },
  ])('$reason', ({ svg, problems }) => {
    const found = misfits(svg);
    expect(found).toHaveLength(problems.length);
    problems.forEach((p, i) => expect(found[i]).toMatch(p));
  });
});

describe('wrap', () => {
  it('keeps every line within the width and every character but the breaks', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', '-', '/', ' ', ',', '字'), maxLength: 200 }),
        fc.integer({ min: 8, max: 20 }),
        fc.integer({ min: 30, max: 400 }),
        fc.constantFrom(' ', ' - '),
        (content, size, width, separator) => {
          const lines = wrap(content, size, width, separator);
          for (const line of lines) if ([...line].length > 1) expect(textWidth(line, size)).toBeLessThanOrEqual(width);
          expect(lines.join('').replace(/[ -]/g, '')).toBe(content.replace(/[ -]/g, ''));
        },
      ),
    );
  });
});

describe('the network diagram fits its texts', () => {
  const examples = join(REPO_ROOT, 'configuration', 'package', 'examples');
  it.each(readdirSync(examples).filter((f) => f.endsWith('.yaml')))('%s', (file) => {
    expect(misfits(diagramOf(parse(readFileSync(join(examples, file), 'utf8')) as JsonObject))).toEqual([]);
  });

  it('at the limits of the API', () => {
    fc.assert(
      fc.property(xrAtLimitsArb, (xr) => {
        expect(misfits(diagramOf(xr))).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
