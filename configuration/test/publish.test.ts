/**
 * `npm run publish`, as a user runs it, against an OCI registry on 127.0.0.1
 * (go-containerregistry's `registry`); then everything is pulled back with
 * `crane`, as Crossplane would see it: the Function is one index over amd64 and
 * arm64, each image carrying the package layer Crossplane reads; the
 * Configuration depends on the Function the same command pushed, by digest,
 * and the command prints the lines that pin both in the Flux tree.
 * Both are signed with a key made for the run, and the Function's SBOM
 * attestation, checked with `cosign verify-attestation`, lists what the image
 * carries. Finally the runtime image of the PULLED Function package is unpacked
 * and run as a container runtime would (its user, an isolated root, the TLS
 * Secret mounted read-only at /tls/server) and answers RunFunction over mTLS
 * exactly as the bundle does on the host.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
} from 'workshop';
import { dependencyName } from '../scripts/package.js';
import { PINNED_PACKAGES, readPin } from '../scripts/pins.js';
import { COMPOSITION_FILE, EXAMPLES_DIR, FLUX_FUNCTION_FILE, PACKAGE_META_FILE } from './support/paths.js';

const OWNER = 'eks-gitops';
const VERSION = 'v0.1.0';
const XPKG_ANNOTATION = 'io.crossplane.xpkg';
/** The uid and gid the runtime image runs as (packages/function-image/rootfs.ts). */
const NONROOT = 65532;

let registry: ChildProcess;
let target: string;
let work: string;
let publishOutput: string;
/** The run's signing key pair (cosign.key, cosign.pub in `work`) and its password, in cosign's own variable. */
let keys: { private: string; public: string; env: NodeJS.ProcessEnv };

/** The part of an SPDX 2.3 document read here. */
interface Spdx {
  packages: { name: string; versionInfo?: string; externalRefs?: { referenceType: string; referenceLocator: string }[] }[];
}

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

/** A cosign key pair made for this run, its password random and passed as cosign reads it (COSIGN_PASSWORD). */
function makeKeyPair(dir: string): typeof keys {
  mkdirSync(dir, { recursive: true });
  const env = { ...process.env, COSIGN_PASSWORD: randomBytes(24).toString('base64') };
  execFileSync(tool('cosign'), ['generate-key-pair'], { cwd: dir, env, stdio: 'pipe' });
  return { private: join(dir, 'cosign.key'), public: join(dir, 'cosign.pub'), env };
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
  keys = makeKeyPair(join(work, 'keys'));
  // No transparency log: Rekor is out of reach here (configuration/scripts/signing.ts).
  const { stdout, stderr } = await promisify(execFile)('npm', ['run', 'publish', '--', target, VERSION, '--key', keys.private, '--no-tlog'], {
    cwd: REPO_ROOT,
    env: keys.env,
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
    expect(publishOutput).toContain(`pushed ${target}/function-eks-cluster:${VERSION} (sha256:`);
    expect(publishOutput).toContain(`pushed ${target}/configuration-eks-cluster:${VERSION} (sha256:`);
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
    // By digest: the Flux tree installs the Function by digest, which Crossplane's lock then holds as its version (scripts/pins.ts).
    const functionDigest = crane('digest', `${target}/function-eks-cluster:${VERSION}`).trim();
    expect((meta!.spec as JsonObject).dependsOn).toContainEqual({ function: `${target}/function-eks-cluster`, version: functionDigest });
    expect(docs.map((d) => d.kind).sort()).toEqual(['CompositeResourceDefinition', 'Composition', 'Configuration', 'ManagedResourceActivationPolicy']);
    // Crossplane installs the dependency as eks-gitops-function-eks-cluster (the repository path, registry dropped).
    const composition = docs.find((d) => d.kind === 'Composition')!;
    expect(((composition.spec as JsonObject).pipeline as JsonObject[]).map((s) => (s.functionRef as JsonObject).name)).toEqual([
      'eks-gitops-function-eks-cluster',
    ]);
  });

  it.each(PINNED_PACKAGES)('printed the line that pins what it pushed in $file', ({ name, file, form }) => {
    const printed = new RegExp(`^  ${file}: (package: .*)$`, 'm').exec(publishOutput)?.[1];
    expect(printed, `publish's output names ${file}`).toBeDefined();
    expect(readPin(form, `spec:\n  ${printed!}\n`)).toEqual({
      repository: `${target}/${name}`,
      tag: VERSION,
      digest: crane('digest', `${target}/${name}:${VERSION}`).trim(),
    });
  });

  it('refuses a target or version it cannot push as given', async () => {
    const run = (...args: string[]) =>
      promisify(execFile)('npx', ['tsx', join(REPO_ROOT, 'configuration', 'scripts', 'publish.ts'), ...args], { cwd: REPO_ROOT }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
    expect(await run(target, '0.1.0')).toMatchObject({ code: 2, stderr: expect.stringContaining('is not a release version like v1.2.3') });
    expect(await run(`https://${target}`, VERSION)).toMatchObject({ code: 2, stderr: expect.stringContaining('is not <registry>/<owner>') });
    expect(await run(target)).toMatchObject({ code: 2, stderr: expect.stringContaining('expected a target and a version') });
    expect(await run(target, VERSION)).toMatchObject({ code: 2, stderr: expect.stringContaining('packages are published signed') });
    // Four starts of tsx: about 45 s alone, over a minute on a busy machine.
  }, 180_000);
});

describe('signed, with an SBOM attestation, checked with cosign as a user checks a release', () => {
  const fn = () => `${target}/function-eks-cluster:${VERSION}`;
  /** cosign verify or verify-attestation with the run's public key; the log is out of reach here, as for the signing. */
  const cosign = (args: string[], key = keys.public) =>
    promisify(execFile)(tool('cosign'), [...args, '--key', key, '--insecure-ignore-tlog=true'], { maxBuffer: 64 * 2 ** 20 }).then(
      ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  /** The SPDX documents of the verified attestations on `ref`. */
  const sboms = async (ref: string) => {
    const run = await cosign(['verify-attestation', '--type', 'spdxjson', ref]);
    expect(run.code, run.stderr).toBe(0);
    return run.stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(Buffer.from((JSON.parse(line) as { payload: string }).payload, 'base64').toString()) as { predicateType: string; predicate: Spdx },
      );
  };
  const platforms = () =>
    (craneJson('manifest', fn()).manifests as { digest: string; platform: { architecture: string } }[]).map((m) => ({
      ref: `${target}/function-eks-cluster@${m.digest}`,
      arch: m.platform.architecture,
    }));

  it('publish named the signature and the attestations it pushed', () => {
    const digest = crane('digest', fn()).trim();
    const repository = `${target}/function-eks-cluster`;
    expect(publishOutput).toContain(
      `signed ${repository}@${digest} and each platform image (key ${keys.private}, no transparency log): signature ${repository}:${digest.replace(':', '-')}.sig`,
    );
    for (const { ref } of platforms())
      expect(publishOutput).toMatch(
        new RegExp(`attested SBOM \\(SPDX, syft; linux/\\w+: \\d+ packages\\) on ${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: attestation `),
      );
  });

  it.each(['function-eks-cluster', 'configuration-eks-cluster'])('%s: its digest is signed with the run key, and no other key verifies it', async (name) => {
    const ref = `${target}/${name}:${VERSION}`;
    const verified = await cosign(['verify', ref]);
    expect(verified.code, verified.stderr).toBe(0);
    const [claim] = JSON.parse(verified.stdout) as { critical: { image: { 'docker-manifest-digest': string } } }[];
    expect(claim!.critical.image['docker-manifest-digest']).toBe(crane('digest', ref).trim());
    const other = makeKeyPair(join(work, `other-${name}`));
    const refused = await cosign(['verify', ref], other.public);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('no matching signatures: invalid signature');
  });

  it("each platform image's SBOM lists Node's version, every npm package in the bundle at its locked version, and the Debian packages", async () => {
    const inputs = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'function-image', 'inputs.json'), 'utf8')) as {
      node: { version: string };
      debian: Record<string, { package: string; version: string }[]>;
    };
    for (const { ref, arch } of platforms()) {
      const [statement, ...more] = await sboms(ref);
      expect(more, 'one SBOM per platform image').toEqual([]);
      expect(statement!.predicateType).toBe('https://spdx.dev/Document');
      const listed = new Map(statement!.predicate.packages.map((p) => [p.name, p.versionInfo]));
      expect(listed.get('node'), `${arch}: Node`).toBe(inputs.node.version);
      for (const pin of inputs.debian[arch]!) expect(listed.get(pin.package), `${arch}: ${pin.package}`).toBe(pin.version);
      // What the bundle holds, as the pulled image itself records it (packages/function-image/bundle-packages.ts).
      const lock = JSON.parse(
        execFileSync('sh', ['-c', `"$0" export --platform linux/${arch} "$1" - | tar -xO function/package-lock.json`, tool('crane'), ref], {
          encoding: 'utf8',
          maxBuffer: 256 * 2 ** 20,
        }),
      ) as { packages: Record<string, { version: string }> };
      const bundled = Object.entries(lock.packages).filter(([key]) => key !== '');
      expect(bundled.map(([key]) => key)).toEqual(
        expect.arrayContaining(['node_modules/@grpc/grpc-js', 'node_modules/@crossplane-org/function-sdk-typescript']),
      );
      for (const [key, { version }] of bundled) expect(listed.get(key.replace(/^.*node_modules\//, '')), `${arch}: ${key}`).toBe(version);
    }
  });

  it('the index carries the SBOM of every platform, so a check by tag sees them', async () => {
    const byTag = (await sboms(fn())).map((s) => s.predicate);
    expect(byTag).toHaveLength(2);
    // The same documents, in statements whose subject is the index.
    for (const { ref } of platforms()) expect(byTag).toContainEqual((await sboms(ref))[0]!.predicate);
  });
});

describe('one repository per package, everywhere', () => {
  it('the committed Configuration depends on the Function repository Flux installs from, under the name the Composition calls', () => {
    const repository = (ref: string) => ref.replace(/@sha256:[0-9a-f]{64}$/, '').replace(/:[^:/]+$/, '');
    const meta = parse(readFileSync(PACKAGE_META_FILE, 'utf8')) as { spec: { dependsOn: { function?: string }[] } };
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
    // The V8 flags keep the function under its memory target (packages/function-image/node-flags.ts).
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
    // What is there of dpkg's folder is the list of Debian packages, for SBOM tools (packages/function-image/rootfs.ts).
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
