// Bundles the function into one self-contained CommonJS file: dist/main.cjs.
// `node build.mjs <entry> <outfile>` bundles another entry with the same options:
// the benchmark's floor (bench/noop-main.ts into bench/dist/noop.cjs), so that
// the two differ only in their handler.
// Each bundle's esbuild metafile goes beside it (<outfile>.meta.json): the
// image lists the npm packages it took in (packages/function-image/bundle-packages.ts).
import { build } from 'esbuild';
import { statSync, writeFileSync } from 'node:fs';

const [entryArg, outfileArg] = process.argv.slice(2);
const bundles = [{ entry: entryArg ?? 'src/main.ts', outfile: outfileArg ?? 'dist/main.cjs' }];
for (const { entry, outfile } of bundles) {
  const { metafile } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: 'linked',
    legalComments: 'external',
    logLevel: 'warning',
    metafile: true,
  });
  writeFileSync(`${outfile}.meta.json`, JSON.stringify(metafile));
  console.log(`${outfile}: ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
}
