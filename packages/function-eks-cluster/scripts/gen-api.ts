// Writes the XRD and the field table of docs/api.md from src/api/eks-cluster.ts.
// `npm run gen-api -w function-eks-cluster`; a test fails when either is stale.
import { writeFileSync } from 'node:fs';
import { generatedApiFiles } from '../dev/api-files.js';

for (const file of generatedApiFiles()) {
  if (file.expected.startsWith('the markers ')) throw new Error(`${file.path} lacks ${file.expected}`);
  writeFileSync(file.path, file.expected);
  console.log(`wrote ${file.path}`);
}
