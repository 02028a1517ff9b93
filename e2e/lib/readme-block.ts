/**
 * A shell block of README.md, read at run time so that the end-to-end run
 * executes what a reader copies: the one fenced `sh` block between
 * `<!-- e2e:NAME:start -->` and `<!-- e2e:NAME:end -->`, then the
 * substitutions the environment forces, each of which must match exactly
 * once (a README change that drops or repeats one fails the run, never
 * silently runs something else).
 */

export interface Substitution {
  /** Text of the README block, matched literally. */
  from: string;
  to: string;
  /** Why the environment forces it (e2e/README.md lists each). */
  why: string;
}

export function readmeBlock(readme: string, name: string): string {
  const start = `<!-- e2e:${name}:start -->`;
  const end = `<!-- e2e:${name}:end -->`;
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} section`);
  const fences = [...readme.slice(from + start.length, to).matchAll(/^```sh\n([\s\S]*?)^```$/gm)];
  if (fences.length !== 1) throw new Error(`README.md's ${name} section holds ${fences.length} \`\`\`sh blocks, expected 1`);
  return fences[0]![1]!;
}

export function substitute(script: string, substitutions: readonly Substitution[]): string {
  return substitutions.reduce((text, s) => {
    const count = text.split(s.from).length - 1;
    if (count !== 1) throw new Error(`README block: "${s.from}" occurs ${count} times, expected once (${s.why}); update the substitution with the README`);
    return text.replace(s.from, () => s.to);
  }, script);
}
