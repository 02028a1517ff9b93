/**
 * The real crossplane CLI, run the way a user runs it: `crossplane composition
 * render` through our Composition and the function on a loopback port (the
 * Development runtime; `--crossplane-binary` is Crossplane core, so no Docker),
 * and `crossplane resource validate` offline against CRD and XRD files.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import type { Composed } from './reconcile.js';
import { tool } from 'pinned-tools';

/** The annotation Crossplane keys composed resources by. */
const RESOURCE_NAME_ANNOTATION = 'crossplane.io/composition-resource-name';
const RESULT_KIND = 'Result';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `crossplane xpkg push` of one package to `ref`: one file, or one per platform
 * pushed as one index. With 'pipe' a failure throws with the CLI's output.
 */
export function xpkgPush(files: readonly string[], ref: string, stdio: 'pipe' | 'inherit' = 'pipe'): void {
  execFileSync(tool('crossplane'), ['xpkg', 'push', '--package-files', files.join(','), ref], { stdio });
}

/** Runs the crossplane CLI; resolves with its exit code and output, never rejects on a non-zero exit. */
function crossplane(args: string[], options: { timeoutMs?: number; cwd?: string } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      tool('crossplane'),
      args,
      {
        maxBuffer: 256 * 2 ** 20,
        timeout: options.timeoutMs ?? 120_000,
        cwd: options.cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir() },
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(new Error(`crossplane ${args.join(' ')}: ${error.message}\n${stderr}`));
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** A YAML stream as objects (empty documents dropped). */
export function yamlDocuments(text: string): JsonObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as JsonObject | null)
    .filter((d): d is JsonObject => d !== null && typeof d === 'object');
}

/**
 * YAML for the Go tools. They read YAML 1.1, where an unquoted yes, no, on or off
 * is a boolean; writing 1.1 makes the library quote such strings.
 */
export function yamlStream(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, version: '1.1' })).join('---\n');
}

export interface RenderOptions {
  /** Our Composition file. */
  composition: string;
  /** A file of Function objects; each is pointed at `functionAddress` with the Development runtime. */
  functions: string;
  /** host:port where the function serves, insecure. */
  functionAddress: string;
  /** The XRD: render applies its defaults to the XR, as the API server would. */
  xrd?: string;
  /** Observed composed resources, each carrying the composition-resource-name annotation. */
  observed?: readonly JsonObject[];
  includeFunctionResults?: boolean;
  includeFullXr?: boolean;
}

export interface Rendered {
  /** The XR as rendered: status and conditions (and spec with includeFullXr). */
  xr: JsonObject;
  /** Composed resources in the order the CLI printed them. */
  composed: JsonObject[];
  /** Result objects (includeFunctionResults). */
  results: JsonObject[];
  /** The CLI's output, unchanged. */
  stdout: string;
}

/** `crossplane composition render`: one composition pass. Rejects with the CLI's own message when it fails. */
async function render(xr: JsonObject, options: RenderOptions): Promise<Rendered> {
  const dir = mkdtempSync(join(tmpdir(), 'xp-render-'));
  try {
    const xrFile = join(dir, 'xr.yaml');
    writeFileSync(xrFile, yamlStream([xr]));
    const args = [
      'composition',
      'render',
      xrFile,
      options.composition,
      options.functions,
      '--crossplane-binary',
      tool('crossplane-core'),
      '-a',
      'render.crossplane.io/runtime=Development',
      '-a',
      `render.crossplane.io/runtime-development-target=${options.functionAddress}`,
    ];
    if (options.xrd) args.push('--xrd', options.xrd);
    if (options.observed?.length) {
      const observedFile = join(dir, 'observed.yaml');
      writeFileSync(observedFile, yamlStream(options.observed));
      args.push('--observed-resources', observedFile);
    }
    if (options.includeFunctionResults) args.push('--include-function-results');
    if (options.includeFullXr) args.push('--include-full-xr');
    const run = await crossplane(args);
    if (run.code !== 0) throw new RenderError(run.stderr.trim() || run.stdout.trim(), run);
    const docs = yamlDocuments(run.stdout);
    const [first, ...rest] = docs;
    if (!first) throw new RenderError('crossplane composition render printed nothing', run);
    return {
      xr: first,
      composed: rest.filter((d) => d.kind !== RESULT_KIND && resourceName(d) !== undefined),
      results: rest.filter((d) => d.kind === RESULT_KIND),
      stdout: run.stdout,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

class RenderError extends Error {
  constructor(
    message: string,
    readonly run: CliRun,
  ) {
    super(message);
  }
}

/** The composition-resource-name of a rendered composed resource. */
export function resourceName(o: JsonObject): string | undefined {
  const name = dig(o, 'metadata', 'annotations', RESOURCE_NAME_ANNOTATION);
  return typeof name === 'string' ? name : undefined;
}

/**
 * What one render composed, for the reconcile loop (reconcile.ts). A fatal
 * result makes the CLI fail; its message is the function's.
 */
export async function composedByCli(xr: JsonObject, observed: Record<string, JsonObject>, options: RenderOptions): Promise<Composed & { rendered?: Rendered }> {
  try {
    const rendered = await render(xr, { ...options, observed: Object.values(observed) });
    return { desired: Object.fromEntries(rendered.composed.map((o) => [resourceName(o)!, o])), rendered };
  } catch (error) {
    if (error instanceof RenderError) return { fatal: error.message, desired: {} };
    throw error;
  }
}

export interface ValidateOptions {
  /** Files or folders of CRDs and XRDs, comma-joined for the CLI. */
  extensions: readonly string[];
  /** A writable cache folder (the CLI insists on one). */
  cacheDir: string;
  /** text (default) or json. */
  output?: 'text' | 'json';
  /** Default: 40 ms an object, at least two minutes (about 7 ms an object on an idle core). */
  timeoutMs?: number;
}

/**
 * `crossplane resource validate` of a YAML stream against the given CRDs and
 * XRDs, offline (`--crossplane-image=` keeps it from downloading Crossplane's
 * own CRDs; ours come from the core module). Resolves with the CLI's run.
 */
export async function validate(resources: readonly JsonObject[], options: ValidateOptions): Promise<CliRun> {
  const dir = mkdtempSync(join(tmpdir(), 'xp-validate-'));
  try {
    const file = join(dir, 'resources.yaml');
    writeFileSync(file, yamlStream(resources));
    const args = [
      'resource',
      'validate',
      options.extensions.join(','),
      file,
      '--cache-dir',
      options.cacheDir,
      '--crossplane-image=',
      '--error-on-missing-schemas',
    ];
    if (options.output) args.push('--output', options.output);
    return await crossplane(args, { timeoutMs: options.timeoutMs ?? Math.max(120_000, resources.length * 40) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
