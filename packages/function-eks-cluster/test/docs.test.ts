/**
 * The README is a front door: short, and one click from every document that holds
 * the depth. Every relative link of every Markdown file in the repository lands on a
 * file that exists and, when it names a heading, on a heading of that file.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from 'workshop';

const README_MAX_LINES = 300;

/** Markdown files git tracks or would track (untracked but not ignored). */
function markdownFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return out
    .split('\n')
    .filter((f) => f !== '' && existsSync(join(REPO_ROOT, f)))
    .sort();
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inFence = !inFence;
    const heading = !inFence && /^#{1,6} (.+)$/.exec(line);
    if (heading) anchors.add(headingAnchor(heading[1]!));
  }
  return anchors;
}

interface Link {
  file: string;
  target: string;
}

/** Relative links outside code: `[label](target)`. */
function relativeLinks(file: string, markdown: string): Link[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((t) => !/^(https?:|mailto:)/.test(t))
    .map((target) => ({ file, target }));
}

function brokenReason({ file, target }: Link): string | undefined {
  const [path, anchor] = target.split('#') as [string, string | undefined];
  const resolved = path === '' ? join(REPO_ROOT, file) : join(REPO_ROOT, dirname(file), path);
  if (!existsSync(resolved)) return `${file}: ${target} does not exist`;
  if (anchor === undefined) return undefined;
  if (statSync(resolved).isDirectory() || !resolved.endsWith('.md')) return `${file}: ${target} names a heading of a file that has none`;
  if (!anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) return `${file}: ${target} names no heading of ${relative(REPO_ROOT, resolved)}`;
  return undefined;
}

describe('the README is a front door', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

  it(`is at most ${README_MAX_LINES} lines`, () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('links every document of docs/ and every README of a folder, in one click', () => {
    const linked = new Set(relativeLinks('README.md', readme).map((l) => join(l.target.split('#')[0]!)));
    const documents = markdownFiles().filter((f) => f !== 'README.md' && (f.startsWith('docs/') || f.endsWith('README.md') || f === 'CONTRIBUTING.md'));
    const unlinked = documents.filter((f) => !linked.has(f) && !(f.endsWith('/README.md') && linked.has(`${dirname(f)}/`)));
    // apps/ READMEs, if any, are reached from flux/README.md, which describes what delivers them.
    expect(unlinked.filter((f) => !f.startsWith('apps/'))).toEqual([]);
  });
});

describe('relative links in Markdown', () => {
  it('every link lands on a file, and every named heading exists', () => {
    const broken = markdownFiles()
      .flatMap((file) => relativeLinks(file, readFileSync(join(REPO_ROOT, file), 'utf8')))
      .map(brokenReason)
      .filter((r): r is string => r !== undefined);
    expect(broken).toEqual([]);
  });

  it.each([
    { reason: 'a plain heading', heading: 'Install without Flux', anchor: 'install-without-flux' },
    { reason: 'punctuation is dropped', heading: 'Security model, in brief', anchor: 'security-model-in-brief' },
    { reason: 'code marks are dropped', heading: 'Performance: `npm run bench`', anchor: 'performance-npm-run-bench' },
  ])('anchors as GitHub makes them: $reason', ({ heading, anchor }) => {
    expect(headingAnchor(heading)).toBe(anchor);
  });

  it('a broken link is found (the check can fail)', () => {
    expect(brokenReason({ file: 'README.md', target: 'docs/no-such-file.md' })).toMatch(/does not exist/);
    expect(brokenReason({ file: 'README.md', target: 'flux/README.md#no-such-heading' })).toMatch(/names no heading/);
    expect(brokenReason({ file: 'README.md', target: 'flux/README.md#bootstrap' })).toBeUndefined();
  });
});
