/**
 * `npm start [-- XR.yaml] [--from LIVE.yaml]`: renders an EKSCluster through the
 * real function (the built bundle, over gRPC on loopback), wave after wave as a
 * simulated AWS makes each wave Ready, then prints what will be created and
 * draws the network. With --from, the XR is a change of a live one: LIVE.yaml
 * is rendered first, and the plan ends with what the change asks of AWS, in
 * order (workshop/plan-changes.ts), and what the XR's status says while it runs.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { connect, REPO_ROOT, startFunction } from './function-process.js';
import { planSvg } from './plan-svg.js';
import { changesBetween, changesText } from './plan-changes.js';
import { planText } from './plan-text.js';
import { composedBy, desiredStatus, renderWaves } from './render-waves.js';
import { requestFor } from './function-process.js';
import { topologyOf } from './topology.js';

const DEFAULT_XR = join(REPO_ROOT, 'configuration', 'package', 'examples', 'production.yaml');

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

/** Nx runs this inside the package; a relative path means one from where the user stood, usually the repo root. */
function pathOf(arg: string): string {
  const candidates = [resolve(process.cwd(), arg), resolve(REPO_ROOT, arg)];
  return candidates.find((c) => existsSync(c)) ?? candidates[candidates.length - 1]!;
}

/** The XR file and, after --from, the live XR it changes. */
function parseArgs(args: string[]): { xrPath: string; fromPath?: string } {
  const from = args.indexOf('--from');
  if (from >= 0 && !args[from + 1]) throw new UserError('--from needs the file of the live EKSCluster');
  const fromPath = from >= 0 ? pathOf(args[from + 1]!) : undefined;
  const rest = args.filter((a, i) => !a.startsWith('-') && (from < 0 || i !== from + 1));
  return { xrPath: rest[0] ? pathOf(rest[0]) : DEFAULT_XR, ...(fromPath ? { fromPath } : {}) };
}

async function main(): Promise<number> {
  const { xrPath, fromPath } = parseArgs(process.argv.slice(2));
  const xr = readXRFile(xrPath);
  const liveXr = fromPath ? readXRFile(fromPath) : undefined;
  if (liveXr && JSON.stringify(liveXr.metadata) !== JSON.stringify(xr.metadata))
    throw new UserError(`--from ${basename(fromPath!)} must be the same EKSCluster (metadata) as ${basename(xrPath)}: a change of a live XR`);
  const fn = await startFunction();
  const client = connect(fn.address);
  try {
    const run = (req: Parameters<typeof client.run>[0]) => client.run(req);
    const live = liveXr ? await renderWaves(liveXr, run) : undefined;
    if (live && !live.ok) {
      process.stderr.write(`The function rejected ${basename(fromPath!)}:\n  ${live.fatal.replace(/; /g, '\n  ')}\n`);
      return 1;
    }
    const rendered = await renderWaves(xr, run, live?.observed);
    if (!rendered.ok) {
      process.stderr.write(`The function rejected ${basename(xrPath)}:\n  ${rendered.fatal.replace(/; /g, '\n  ')}\n`);
      return 1;
    }
    const { waves, final: rsp } = rendered;
    const topology = topologyOf(xr, composedBy(rsp).desired, desiredStatus(rsp));
    process.stdout.write(`${planText(topology, waves)}\n`);
    if (live?.ok) {
      const first = await run(requestFor(xr, live.observed, 'change'));
      const during = desiredStatus(first) as { waitingFor?: string[] } | undefined;
      const changes = changesBetween(composedBy(live.final).desired, composedBy(first).desired, composedBy(rsp).desired);
      process.stdout.write(`\n${changesText(changes, basename(fromPath!))}\n`);
      const replacing = (during?.waitingFor ?? []).filter((w) => w.includes(': replaced by '));
      if (replacing.length > 0) process.stdout.write(`While it runs, the XR's status.waitingFor says:\n${replacing.map((w) => `  ${w}`).join('\n')}\n`);
    }
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
