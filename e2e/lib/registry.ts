/**
 * The OCI registry of the run: go-containerregistry's `registry` on 127.0.0.1,
 * where the run pushes our packages with `crossplane xpkg push`, as a release
 * pushes them to ghcr.io, and the provider packages.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { PACKAGE_ROOT, REPO_ROOT, tool, waitFor, xpkgPush } from 'workshop';

/**
 * Starts the registry, its log (a line per request) in `logFile`; resolves with
 * its host:port. Not a pipe: the run pushes with synchronous commands, during
 * which nothing would drain one, and a full pipe stops the registry mid-push.
 */
export async function startRegistry(logFile: string): Promise<string> {
  const fd = openSync(logFile, 'w');
  const child = spawn(tool('registry'), ['-port', '0'], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  process.on('exit', () => child.kill('SIGKILL'));
  const port = await waitFor(
    `the registry's port (${logFile})`,
    async () => {
      if (child.exitCode !== null) throw new Error(`registry exited ${child.exitCode}: ${readFileSync(logFile, 'utf8')}`);
      return /serving on port (\d+)/.exec(readFileSync(logFile, 'utf8'))?.[1];
    },
    10_000,
    undefined,
    100,
  );
  return `127.0.0.1:${port}`;
}

/** `npm run publish -- <target> <version> <signing flags>`: the command a release runs; resolves with its output. */
export async function publish(target: string, version: string, signingFlags: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const script = join(REPO_ROOT, 'configuration', 'scripts', 'publish.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, target, version, ...signingFlags], {
    cwd: REPO_ROOT,
    env,
    maxBuffer: 64 * 2 ** 20,
  });
  return stdout;
}

/**
 * The next release, as a rebuild of this one: the same runtime images
 * (dist/image, from `npm run package`) in Function packages whose metadata
 * names the release, so their digests are new (a tag on the same digest is no
 * new revision to Crossplane), pushed as <target>/function-eks-cluster:<version>
 * with the Configuration depending on exactly that version, as `npm run publish`
 * pushes a release. Leaves dist/xpkg/configuration-eks-cluster.xpkg pointing at
 * <target>: the caller builds it again.
 */
export function publishRebuild(target: string, version: string, dir: string): string[] {
  const fn = `${target}/function-eks-cluster:${version}`;
  pushFunctionRebuild(fn, version, dir);
  const configuration = join(REPO_ROOT, 'configuration', 'scripts', 'package.ts');
  const args = ['--function-repository', `${target}/function-eks-cluster`, '--function-version', version];
  execFileSync(process.execPath, ['--import', 'tsx', configuration, ...args], { cwd: REPO_ROOT, stdio: 'pipe' });
  const cfg = `${target}/configuration-eks-cluster:${version}`;
  xpkgPush([join(REPO_ROOT, 'dist', 'xpkg', 'configuration-eks-cluster.xpkg')], cfg);
  return [fn, cfg];
}

/**
 * The Function packages of dist/image rebuilt with `release` in their metadata
 * (the same runtime images, a new digest), pushed as one index to `ref`.
 */
export function pushFunctionRebuild(ref: string, release: string, dir: string): void {
  const root = join(dir, 'package');
  mkdirSync(root, { recursive: true });
  const meta = parseDocument(readFileSync(join(PACKAGE_ROOT, 'package', 'crossplane.yaml'), 'utf8'));
  meta.setIn(['metadata', 'annotations', 'e2e.eks-gitops.dev/release'], release);
  writeFileSync(join(root, 'crossplane.yaml'), meta.toString());
  const packages = ['amd64', 'arm64'].map((arch) => {
    const file = join(dir, `function-eks-cluster-${arch}.xpkg`);
    const image = join(REPO_ROOT, 'dist', 'image', `function-eks-cluster-${arch}.tar`);
    execFileSync(tool('crossplane'), ['xpkg', 'build', '--package-root', root, '--embed-runtime-image-tarball', image, '--package-file', file], {
      stdio: 'pipe',
    });
    return file;
  });
  xpkgPush(packages, ref);
}
