/**
 * The README blocks the e2e runs as written: how a block is found and
 * substituted (table cases), and that README.md as committed holds what part 3
 * reads, so a README edit that would break the e2e fails here, in seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from 'workshop';
import { readmeBlock, substitute } from '../lib/readme-block.js';
import { installSubstitutions, SECTION } from '../part3-install.js';

const fence = (body: string) => '```sh\n' + body + '```';
const section = (name: string, inner: string) => `<!-- e2e:${name}:start -->\n${inner}\n<!-- e2e:${name}:end -->`;

describe('readmeBlock', () => {
  const cases: { reason: string; readme: string; want?: string; error?: RegExp }[] = [
    { reason: 'the one sh block between the markers, prose around it ignored', readme: section('x', `Run:\n${fence('echo hi\n')}\nDone.`), want: 'echo hi\n' },
    { reason: 'a block of another language in the section is not run', readme: section('x', `${fence('a\n')}\n\`\`\`yaml\nk: v\n\`\`\``), want: 'a\n' },
    { reason: 'a block outside the markers is not run', readme: `${fence('outside\n')}\n${section('x', fence('inside\n'))}`, want: 'inside\n' },
    { reason: 'no section: the README changed, the run must not guess', readme: fence('a\n'), error: /has no <!-- e2e:x:start -->/ },
    { reason: 'markers in the wrong order', readme: '<!-- e2e:x:end -->\n<!-- e2e:x:start -->', error: /has no/ },
    {
      reason: 'two sh blocks: which one a reader runs is unclear',
      readme: section('x', `${fence('a\n')}\n${fence('b\n')}`),
      error: /holds 2 ```sh blocks, expected 1/,
    },
    { reason: 'no sh block at all', readme: section('x', 'prose only'), error: /holds 0 ```sh blocks/ },
  ];
  for (const c of cases)
    it(c.reason, () => {
      if (c.error) expect(() => readmeBlock(c.readme, 'x')).toThrow(c.error);
      else expect(readmeBlock(c.readme, 'x')).toBe(c.want);
    });
});

describe('substitute', () => {
  const s = (from: string, to: string) => ({ from, to, why: 'test' });
  const cases: { reason: string; script: string; subs: ReturnType<typeof s>[]; want?: string; error?: RegExp }[] = [
    {
      reason: 'each substitution applies once, in order',
      script: 'helm --repo A\nkubectl B',
      subs: [s('A', 'a'), s('B', 'b')],
      want: 'helm --repo a\nkubectl b',
    },
    { reason: 'a replacement holding $& is literal, not a regular-expression pattern', script: 'x A', subs: [s('A', '$&$&')], want: 'x $&$&' },
    { reason: 'a substitution that matches nothing: the README dropped it', script: 'helm', subs: [s('A', 'a')], error: /"A" occurs 0 times, expected once/ },
    { reason: 'a substitution that matches twice: which one is meant is unclear', script: 'A A', subs: [s('A', 'a')], error: /"A" occurs 2 times/ },
  ];
  for (const c of cases)
    it(c.reason, () => {
      if (c.error) expect(() => substitute(c.script, c.subs)).toThrow(c.error);
      else expect(substitute(c.script, c.subs)).toBe(c.want);
    });
});

describe('README.md as committed holds what e2e part 3 runs', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  it(`has one sh block in its ${SECTION} section, and every substitution the environment forces matches it once`, () => {
    const script = substitute(readmeBlock(readme, SECTION), installSubstitutions('http://127.0.0.1:1'));
    expect(script).toContain('--repo http://127.0.0.1:1');
    // The block's last command is what part 3 waits on: the example cluster Ready.
    expect(script.trim().split('\n').at(-1)).toMatch(/kubectl wait .*ekscluster.*Ready|--for=condition=Ready/);
  });
});
