// Generates kubeconform's local schema tree from pinned upstream sources:
//   --openapi <dir>   Kubernetes api/openapi-spec/v3 (k8s.io/kubernetes module)
//   --crds <dir>      a directory of CRD YAML files (repeatable; e.g. the Flux
//                     controllers' config/crd/bases)
//   --out <dir>       schema root; also receives scopes.json (apiVersion/Kind -> scope)
// Run by scripts/tools/schemas.sh; never committed.
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { JsonObject } from 'workshop';
import { kindsFromCrd, kindsFromOpenApi, writeSchemas, type KindSchema } from '../test/lib/jsonschema.js';

const args = process.argv.slice(2);
const values = (flag: string): string[] => args.flatMap((a, i) => (a === flag && args[i + 1] ? [args[i + 1] as string] : []));
const out = values('--out')[0];
if (!out) throw new Error('usage: build-schemas --out DIR [--openapi DIR] [--crds DIR]...');

const kinds: KindSchema[] = [];
for (const dir of values('--openapi')) {
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    kinds.push(...kindsFromOpenApi(JSON.parse(readFileSync(join(dir, file), 'utf8')) as JsonObject));
  }
}
for (const dir of values('--crds')) {
  for (const file of readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const crd = doc.toJS() as JsonObject | null;
      if (crd?.kind === 'CustomResourceDefinition') kinds.push(...kindsFromCrd(crd));
    }
  }
}
mkdirSync(out, { recursive: true });
const scopes = writeSchemas(out, kinds);
writeFileSync(join(out, 'scopes.json'), JSON.stringify(scopes, null, 1));
console.log(`schemas: ${Object.keys(scopes).length} kinds written to ${out}`);
