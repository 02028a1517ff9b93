/**
 * The layering rules are lint rules (import-x/no-restricted-paths zones in the
 * root eslint.config.mjs); their zones name folders by path, so one case each
 * proves they still match what they guard: an import up the stack and release
 * code importing the workshop are refused, the tests importing it are not.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from 'workshop';

const RULE = 'import-x/no-restricted-paths';

const cases: { reason: string; file: string; from: string; refused: boolean }[] = [
  {
    reason: 'the ground reaching for a builder points up the stack',
    file: 'packages/function-eks-cluster/src/ground/snippet.ts',
    from: '../eks/cluster.js',
    refused: true,
  },
  { reason: 'the function importing the workshop', file: 'packages/function-eks-cluster/src/compose/snippet.ts', from: 'workshop', refused: true },
  { reason: "the function's tests importing the workshop", file: 'packages/function-eks-cluster/test/snippet.test.ts', from: 'workshop', refused: false },
];

describe('the layering lint rules', () => {
  const eslint = new ESLint({ cwd: REPO_ROOT });

  it.each(cases)('$reason', async ({ file, from, refused }) => {
    const [result] = await eslint.lintText(`export * from '${from}';\n`, { filePath: join(REPO_ROOT, file) });
    const messages = result?.messages ?? [];
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    expect(messages.filter((m) => m.ruleId === RULE).length).toBe(refused ? 1 : 0);
  });
});
