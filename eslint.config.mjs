// One lint configuration for every TypeScript project in the workspace.
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

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
    // package name instead (for the function's test workshop:
    // `function-eks-cluster/testing`). Sources import `./x.js` for `./x.ts`.
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensionAlias: { '.js': ['.ts', '.js'] } })] },
    rules: { 'import-x/no-relative-packages': 'error' },
  },
);
