// Writes what is generated from src/: the XRD and the field table of docs/api.md
// (src/api/eks-cluster.ts), what activates and installs the composed kinds
// (src/ground/composed-kinds.ts, see scripts/activation-files.ts), and the IAM policy
// the providers' role needs for them (docs/iam, see scripts/provider-policy.ts).
// `npm run gen-api -w function-eks-cluster`; tests fail when any is stale.
import { writeFileSync } from 'node:fs';
import { generatedActivationFiles } from './activation-files.js';
import { generatedApiFiles } from './api-files.js';
import { generatedPolicyFiles } from './provider-policy.js';

for (const file of [...generatedApiFiles(), ...generatedActivationFiles(), ...generatedPolicyFiles()]) {
  if (file.missing) throw new Error(`${file.path} lacks ${file.missing}`);
  if (file.actual === file.expected) continue;
  writeFileSync(file.path, file.expected);
  console.log(`wrote ${file.path}`);
}
