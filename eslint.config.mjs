// One lint configuration for every TypeScript project in the workspace.
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const FUNCTION_SRC = './packages/function-eks-cluster/src';

/**
 * The function's core is a one-way stack, bottom to top (a top-level file is
 * its own layer): each layer imports only the layers below it, so no folder
 * depends on a folder that depends on it back. A folder or file missing here
 * can import anything but nothing may import it: give it its place first.
 */
const STACK = ['api', 'ground', 'network', 'eks', 'lifecycle', 'compose', 'function.ts', 'server', 'main.ts'];
const stackZones = STACK.map((layer, rank) => ({
  target: `${FUNCTION_SRC}/${layer}`,
  from: FUNCTION_SRC,
  except: STACK.slice(0, rank + 1).map((below) => `./${below}`),
  message: `src/ is a stack, bottom to top: ${STACK.join(' < ')}; src/${layer} may import only what sits below it (eslint.config.mjs).`,
}));

/** What ships, and builds what ships, never imports the workshop, the benchmark or any test. */
const RELEASE = [FUNCTION_SRC, './packages/function-eks-cluster/scripts', './packages/function-image', './packages/pinned-tools'];
const WORKSHOP_AND_TESTS = ['./workshop', './bench', './packages/function-eks-cluster/test', './e2e'];
const layerZones = [
  {
    target: RELEASE,
    from: WORKSHOP_AND_TESTS,
    message: 'release code never imports the workshop, the benchmark or tests: move what both need down into the release side.',
  },
  {
    target: FUNCTION_SRC,
    from: ['./packages/function-eks-cluster/scripts', './packages/function-image', './packages/pinned-tools'],
    message: 'src/ is the bottom of the function: its build and generator scripts import it, never the reverse.',
  },
  {
    // The benchmark and the function's tests import the workshop; the workshop importing them back would close a cycle.
    target: './workshop',
    from: ['./bench', './packages/function-eks-cluster/test', './e2e'],
    message: 'the workshop sits below the benchmark, the tests and the e2e: they import it, never the reverse.',
  },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.tools/**', '**/coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Each workspace (package.json "workspaces") is a package: a relative import
    // that lands in another one (or in the root) fails; import it by its
    // package name instead (the test workshop: `workshop`). Sources import
    // `./x.js` for `./x.ts`. Imports resolve to real paths, so the zones hold
    // for package names as for relative paths.
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })] },
    rules: {
      'import-x/no-relative-packages': 'error',
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: [...stackZones, ...layerZones] }],
    },
  },
);
