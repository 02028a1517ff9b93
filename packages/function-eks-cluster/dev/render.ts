/**
 * `npm start [-- XR.yaml]`: renders an EKSCluster through the real function
 * (the built bundle, over gRPC on loopback), wave after wave as a simulated AWS
 * makes each wave Ready, then prints what will be created and draws the network.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from '../src/api/schema-builder.js';
import { connect, REPO_ROOT, startFunction } from './function-process.js';
import { planSvg } from './plan-svg.js';
import { planText } from './plan-text.js';
import { composedBy, desiredStatus, renderWaves } from './render-waves.js';
import { topologyOf } from './topology.js';

const DEFAULT_XR = join(REPO_ROOT, 'configuration', 'examples', 'production.yaml');

function readXRFile(path: string): JsonObject {
  if (!existsSync(path)) throw new UserError(`${path} does not exist`);
  const docs = parseAllDocuments(readFileSync(path, 'utf8'));
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new UserError(`${path} is not valid YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJSON() as unknown;
    if (typeof value === 'object' && value !== null && (value as JsonObject).kind === 'EKSCluster') return value as JsonObject;
  }
  throw new UserError(`${path} holds no EKSCluster (kind: EKSCluster)`);
}

class UserError extends Error {}

function toYaml(xr: JsonObject, rsp: RunFunctionResponse): string {
  const resources = Object.entries(composedBy(rsp).desired).sort(([a], [b]) => a.localeCompare(b));
  const docs = [{ ...xr, status: desiredStatus(rsp) }, ...resources.map(([, r]) => r)];
  return docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

async function main(): Promise<number> {
  const arg = process.argv.slice(2).find((a) => !a.startsWith('-'));
  // Nx runs this inside the package; a relative path means one from where the user stood, usually the repo root.
  const candidates = arg ? [resolve(process.cwd(), arg), resolve(REPO_ROOT, arg)] : [DEFAULT_XR];
  const xrPath = candidates.find((c) => existsSync(c)) ?? candidates[candidates.length - 1]!;
  const xr = readXRFile(xrPath);
  const fn = await startFunction();
  const client = connect(fn.address);
  try {
    const rendered = await renderWaves(xr, (req) => client.run(req));
    if (!rendered.ok) {
      process.stderr.write(`The function rejected ${basename(xrPath)}:\n  ${rendered.fatal.replace(/; /g, '\n  ')}\n`);
      return 1;
    }
    const { waves, final: rsp } = rendered;
    const topology = topologyOf(xr, composedBy(rsp).desired, desiredStatus(rsp));
    process.stdout.write(`${planText(topology, waves)}\n`);
    process.stdout.write(`\nOnce AWS has created everything: ${topology.status.summary}\n`);
    const outDir = join(REPO_ROOT, 'dist', 'render');
    mkdirSync(outDir, { recursive: true });
    const name = String((xr.metadata as JsonObject).name);
    const svgPath = join(outDir, `${name}.svg`);
    const yamlPath = join(outDir, `${name}.yaml`);
    writeFileSync(svgPath, planSvg(topology));
    writeFileSync(yamlPath, toYaml(xr, rsp));
    process.stdout.write(`\nNetwork diagram: ${svgPath}\nRendered resources: ${yamlPath}\n`);
    return 0;
  } finally {
    client.close();
    await fn.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`render: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
