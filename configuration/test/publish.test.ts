/**
 * `npm run publish`, as a user runs it, against an OCI registry on 127.0.0.1
 * (go-containerregistry's `registry`); then everything is pulled back with
 * `crane`, as Crossplane would see it: the Function is one index over amd64 and
 * arm64, each image carrying the package layer Crossplane reads; the
 * Configuration depends on the Function repository the same command pushed to.
 * Finally the runtime image of the PULLED Function package is unpacked and run
 * as a container runtime would (its user, an isolated root, the TLS Secret
 * mounted read-only at /tls/server) and answers RunFunction over mTLS exactly
 * as the bundle does on the host.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connect,
  makePki,
  REPO_ROOT,
  requestFor,
  runImage,
  startFunction,
  tool,
  yamlDocuments,
  type JsonObject,
  type Pki,
  type RunningImage,
  type RuntimeConfig,
} from 'function-eks-cluster/testing';
import { dependencyName } from '../scripts/package.js';
import { COMPOSITION_FILE, CONFIGURATION_DIR, EXAMPLES_DIR, FLUX_FUNCTION_FILE } from './support/paths.js';

const OWNER = 'eks-gitops';
const VERSION = 'v0.1.0';
const XPKG_ANNOTATION = 'io.crossplane.xpkg';
/** The uid and gid the runtime image runs as (packages/function-eks-cluster/image/rootfs.ts). */
const NONROOT = 65532;

let registry: ChildProcess;
let target: string;
let work: string;
let publishOutput: string;

const crane = (...args: string[]) => execFileSync(tool('crane'), args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
const craneJson = (...args: string[]) => JSON.parse(crane(...args)) as JsonObject;

/** Starts `registry -port 0` (it binds localhost) and resolves with its port. */
function startRegistry(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(tool('registry'), ['-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`registry did not start:\n${log}`)), 10_000);
    child.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const port = /serving on port (\d+)/.exec(log)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port) });
      }
    });
    child.once('exit', (code) => reject(new Error(`registry exited ${code}:\n${log}`)));
  });
}

/** The one package.yaml stream in a pulled package's layer marked io.crossplane.xpkg: base. */
function packageYaml(ref: string, platform?: string): JsonObject[] {
  const manifest = craneJson('manifest', ...(platform ? ['--platform', platform] : []), ref);
  const layers = manifest.layers as { digest: string; annotations?: Record<string, string> }[];
  const base = layers.filter((l) => l.annotations?.[XPKG_ANNOTATION] === 'base');
  expect(base, 'exactly one package layer').toHaveLength(1);
  const repository = ref.replace(/:[^:/]+$/, '');
  const blob = execFileSync(tool('crane'), ['blob', `${repository}@${base[0]!.digest}`], { maxBuffer: 64 * 2 ** 20 });
  const dir = mkdtempSync(join(work, 'layer-'));
  execFileSync('tar', ['-xzf', '-', '-C', dir], { input: blob });
  expect(readdirSync(dir)).toEqual(['package.yaml']);
  return yamlDocuments(readFileSync(join(dir, 'package.yaml'), 'utf8'));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'publish-test-'));
  const started = await startRegistry();
  registry = started.child;
  target = `127.0.0.1:${started.port}/${OWNER}`;
  const { stdout, stderr } = await promisify(execFile)('npm', ['run', 'publish', '--', target, VERSION], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 2 ** 20,
    timeout: 600_000,
  });
  publishOutput = stdout + stderr;
}, 660_000);

afterAll(() => {
  registry?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm run publish -- <registry>/<owner> <version>', () => {
  it('built real packages into dist/xpkg with crossplane xpkg build and pushed both with crossplane xpkg push', () => {
    for (const file of ['function-eks-cluster-amd64.xpkg', 'function-eks-cluster-arm64.xpkg', 'configuration-eks-cluster.xpkg']) {
      expect(statSync(join(REPO_ROOT, 'dist', 'xpkg', file)).size, file).toBeGreaterThan(0);
    }
    expect(publishOutput).toContain(`pushed ${target}/function-eks-cluster:${VERSION}`);
    expect(publishOutput).toContain(`pushed ${target}/configuration-eks-cluster:${VERSION}`);
  });

  it('pushed the Function as one index over linux/amd64 and linux/arm64, each with its package layer', () => {
    const ref = `${target}/function-eks-cluster:${VERSION}`;
    const index = craneJson('manifest', ref);
    const platforms = (index.manifests as { platform: { os: string; architecture: string } }[]).map((m) => `${m.platform.os}/${m.platform.architecture}`);
    expect(platforms.sort()).toEqual(['linux/amd64', 'linux/arm64']);
    for (const platform of platforms) {
      const config = craneJson('config', '--platform', platform, ref);
      expect(config.architecture).toBe(platform.split('/')[1]);
      const [meta] = packageYaml(ref, platform);
      expect(meta).toMatchObject({ apiVersion: 'meta.pkg.crossplane.io/v1', kind: 'Function', metadata: { name: 'function-eks-cluster' } });
    }
  });

  it('pushed the Configuration with its XRD, Composition and activation policy, depending on the Function this command pushed', () => {
    const docs = packageYaml(`${target}/configuration-eks-cluster:${VERSION}`);
    const meta = docs.find((d) => d.kind === 'Configuration');
    expect(meta).toMatchObject({ apiVersion: 'meta.pkg.crossplane.io/v1', metadata: { name: 'configuration-eks-cluster' } });
    expect((meta!.spec as JsonObject).dependsOn).toContainEqual({ function: `${target}/function-eks-cluster`, version: VERSION });
    expect(docs.map((d) => d.kind).sort()).toEqual(['CompositeResourceDefinition', 'Composition', 'Configuration', 'ManagedResourceActivationPolicy']);
    // Crossplane installs the dependency as eks-gitops-function-eks-cluster (the repository path, registry dropped).
    const composition = docs.find((d) => d.kind === 'Composition')!;
    expect(((composition.spec as JsonObject).pipeline as JsonObject[]).map((s) => (s.functionRef as JsonObject).name)).toEqual([
      'eks-gitops-function-eks-cluster',
    ]);
  });

  it('refuses a target or version it cannot push as given', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)('npx', ['tsx', join(REPO_ROOT, 'configuration', 'scripts', 'publish.ts'), ...args], { cwd: REPO_ROOT }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
    expect(await run(target, '0.1.0')).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a release version like v1.2.3') });
    expect(await run(`https://${target}`, VERSION)).toMatchObject({ code: 2, stderr: expect.stringContaining('is not <registry>/<owner>') });
    expect(await run(target)).toMatchObject({ code: 2, stderr: expect.stringContaining('expected exactly two arguments') });
  });
});

describe('one repository per package, everywhere', () => {
  it('the committed Configuration depends on the Function repository Flux installs from, under the name the Composition calls', () => {
    const repository = (ref: string) => ref.replace(/:[^:/]+$/, '');
    const meta = parse(readFileSync(join(CONFIGURATION_DIR, 'crossplane.yaml'), 'utf8')) as { spec: { dependsOn: { function?: string }[] } };
    const dependency = meta.spec.dependsOn.find((d) => d.function)?.function;
    const fluxFunction = parse(readFileSync(FLUX_FUNCTION_FILE, 'utf8')) as { metadata: { name: string }; spec: { package: string } };
    const fluxConfiguration = parse(readFileSync(join(REPO_ROOT, 'flux', 'infrastructure', 'packages', 'configuration.yaml'), 'utf8')) as {
      spec: { package: string };
    };
    expect(repository(fluxFunction.spec.package)).toBe(dependency);
    expect(repository(fluxConfiguration.spec.package)).toBe(dependency!.replace(/function-eks-cluster$/, 'configuration-eks-cluster'));
    // Installed by Flux or as the Configuration's dependency, the Function has the name the Composition calls.
    const called = parse(readFileSync(COMPOSITION_FILE, 'utf8')) as { spec: { pipeline: { functionRef: { name: string } }[] } };
    expect(fluxFunction.metadata.name).toBe(dependencyName(dependency!));
    expect(called.spec.pipeline.map((s) => s.functionRef.name)).toEqual([fluxFunction.metadata.name]);
  });

  it('names a dependency as Crossplane does', () => {
    expect(dependencyName('ghcr.io/eks-gitops/function-eks-cluster')).toBe('eks-gitops-function-eks-cluster');
    expect(dependencyName('127.0.0.1:5000/eks-gitops/function-eks-cluster')).toBe('eks-gitops-function-eks-cluster');
    expect(dependencyName('xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform')).toBe('crossplane-contrib-function-patch-and-transform');
    expect(dependencyName(`ghcr.io/${'a'.repeat(70)}/fn`)).toHaveLength(63);
  });
});

describe('the runtime image of the pulled Function package, run as a container runtime would', () => {
  let rootfs: string;
  let config: RuntimeConfig;
  let pki: Pki;
  let image: RunningImage;

  beforeAll(async () => {
    const ref = `${target}/function-eks-cluster:${VERSION}`;
    rootfs = join(work, 'rootfs');
    mkdirSync(rootfs);
    const flat = join(work, 'amd64.tar');
    crane('export', '--platform', 'linux/amd64', ref, flat);
    execFileSync('tar', ['--numeric-owner', '-xpf', flat, '-C', rootfs]);
    config = craneJson('config', '--platform', 'linux/amd64', ref).config as unknown as RuntimeConfig;
    pki = makePki();
    image = await runImage(rootfs, config, pki.serverDir, work);
  }, 120_000);

  afterAll(async () => {
    await image?.stop();
  });

  it('is configured as a Function runtime: exec-form entrypoint, non-root user, no shell command', () => {
    expect(config.User).toBe(`${NONROOT}:${NONROOT}`);
    // The V8 flags keep the function under its memory target (packages/function-eks-cluster/image/node-flags.ts).
    expect(config.Entrypoint).toEqual(['/nodejs/bin/node', '--max-semi-space-size=4', '--max-old-space-size=96', '/function/main.cjs']);
    expect(config).not.toHaveProperty('Cmd');
  });

  it('holds no shell, package manager or other program than node', () => {
    const programs: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        const stat = statSync(path, { throwIfNoEntry: false });
        if (!stat || path === join(rootfs, 'proc') || path === join(rootfs, 'tls')) continue;
        if (stat.isDirectory()) walk(path);
        else if (stat.isFile() && stat.mode & 0o111 && !name.includes('.so')) programs.push(path.slice(rootfs.length));
      }
    };
    walk(rootfs);
    expect(programs).toEqual(['/nodejs/bin/node']);
    for (const path of ['bin/sh', 'usr/bin', 'bin', 'sbin', 'usr/sbin', 'var/lib/dpkg/status', 'var/lib/dpkg/info'])
      expect(existsSync(join(rootfs, path)), path).toBe(false);
    // What is there of dpkg's folder is the list of Debian packages, for SBOM tools (image/rootfs.ts).
    expect(readdirSync(join(rootfs, 'var/lib/dpkg'))).toEqual(['status.d']);
    expect(readFileSync(join(rootfs, 'etc/passwd'), 'utf8')).toContain(`nonroot:x:${NONROOT}:${NONROOT}:`);
    expect(statSync(join(rootfs, 'home/nonroot')).uid).toBe(NONROOT);
    expect(statSync(join(rootfs, 'function/main.cjs')).uid).toBe(0);
  });

  it('runs the entrypoint as 65532:65532 with no supplementary groups', () => {
    const status = readFileSync(`/proc/${image.functionPid()}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\s+${NONROOT}\\s+${NONROOT}\\s+${NONROOT}\\s+${NONROOT}$`, 'm'));
    expect(status).toMatch(new RegExp(`^Gid:\\s+${NONROOT}\\s+${NONROOT}\\s+${NONROOT}\\s+${NONROOT}$`, 'm'));
    expect(status).toMatch(new RegExp(`^Groups:\\s*(${NONROOT}\\s*)?$`, 'm'));
    expect(readFileSync(`/proc/${image.functionPid()}/cmdline`, 'utf8').split('\0')[0]).toBe('/nodejs/bin/node');
  });

  it('answers RunFunction over mTLS with the certificates at /tls/server, as the bundle does on the host', async () => {
    const xr = parse(readFileSync(join(EXAMPLES_DIR, 'production.yaml'), 'utf8')) as JsonObject;
    const client = connect(image.address, grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert));
    const rsp = await client.run(requestFor(xr)).finally(() => client.close());
    expect(rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL)).toEqual([]);
    expect(Object.keys(rsp.desired!.resources)).toEqual(expect.arrayContaining(['vpc', 'igw', 'role-cluster']));
    const host = await startFunction();
    try {
      const hostClient = connect(host.address);
      const expected = await hostClient.run(requestFor(xr)).finally(() => hostClient.close());
      expect(rsp).toEqual(expected);
    } finally {
      await host.stop();
    }
  });

  it('refuses a client without a certificate', async () => {
    const client = connect(image.address, grpc.credentials.createSsl(pki.ca));
    await expect(client.run(requestFor({}), 3000)).rejects.toMatchObject({ code: expect.any(Number) });
    client.close();
  });

  it('stops gracefully on SIGTERM', async () => {
    process.kill(image.functionPid(), 'SIGTERM');
    expect(await image.exited).toBe(0);
  });
});
