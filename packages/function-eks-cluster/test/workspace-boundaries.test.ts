/**
 * No import crosses a workspace boundary by relative path: the root
 * eslint.config.mjs fails on a relative import that lands in another workspace
 * (packages/*, configuration, flux, e2e) or in the root, whatever its depth.
 * Proven here on in-memory files linted with the real configuration, so the
 * rule cannot quietly stop matching.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from 'workshop';

const RULE = 'import-x/no-relative-packages';

const cases: { reason: string; file: string; from: string; crosses: boolean }[] = [
  {
    reason: 'flux reaching into the function source by path',
    file: 'flux/test/lib/snippet.ts',
    from: '../../../packages/function-eks-cluster/src/api/schema-builder.js',
    crosses: true,
  },
  {
    reason: 'flux reaching into the workshop by path instead of its package name',
    file: 'flux/test/lib/snippet.ts',
    from: '../../../packages/function-eks-cluster/dev/testing.js',
    crosses: true,
  },
  {
    reason: 'configuration reaching into the function source by path',
    file: 'configuration/test/snippet.ts',
    from: '../../packages/function-eks-cluster/src/api/eks-cluster.js',
    crosses: true,
  },
  {
    reason: 'e2e reaching into the flux test library',
    file: 'e2e/lib/snippet.ts',
    from: '../../flux/test/lib/objects.js',
    crosses: true,
  },
  {
    reason: 'a workspace reaching into the repository root',
    file: 'packages/function-eks-cluster/dev/snippet.ts',
    from: '../../../eslint.config.mjs',
    crosses: true,
  },
  {
    reason: 'the function test reaching its own source stays in its workspace',
    file: 'packages/function-eks-cluster/test/support/snippet.ts',
    from: '../../src/api/schema-builder.js',
    crosses: false,
  },
  {
    reason: 'a sibling in the same workspace',
    file: 'flux/test/lib/snippet.ts',
    from: './objects.js',
    crosses: false,
  },
  {
    reason: 'the workshop by its package name',
    file: 'flux/test/lib/snippet.ts',
    from: 'workshop',
    crosses: false,
  },
];

describe('relative imports stay in their workspace', () => {
  const eslint = new ESLint({ cwd: REPO_ROOT });

  it.each(cases)('$reason', async ({ file, from, crosses }) => {
    const code = `import * as target from '${from}';\nexport { target };\n`;
    const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, file) });
    const messages = result?.messages ?? [];
    expect(messages.filter((m) => m.fatal)).toEqual([]);
    expect(messages.filter((m) => m.ruleId === RULE).length).toBe(crosses ? 1 : 0);
  });
});
