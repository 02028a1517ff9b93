// Bundles the function into one self-contained CommonJS file: dist/main.cjs.
import { build } from 'esbuild';
import { statSync } from 'node:fs';

const outfile = 'dist/main.cjs';
await build({
  entryPoints: ['src/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'external',
  logLevel: 'warning',
});
console.log(`${outfile}: ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
