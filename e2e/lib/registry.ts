/**
 * The OCI registry of the run: go-containerregistry's `registry` on 127.0.0.1,
 * where the run pushes our packages with `crossplane xpkg push`, as a release
 * pushes them to ghcr.io, and the provider packages.
 */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, tool } from 'function-eks-cluster/testing';

/** Starts the registry; resolves with its host:port. */
export async function startRegistry(): Promise<string> {
  const child = spawn(tool('registry'), ['-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let log = '';
    child.stderr.on('data', (d: Buffer) => {
      log += d.toString();
      const found = /serving on port (\d+)/.exec(log)?.[1];
      if (found) resolve(Number(found));
    });
    child.once('exit', (code) => reject(new Error(`registry exited ${code}: ${log}`)));
  });
  process.on('exit', () => child.kill('SIGKILL'));
  return `127.0.0.1:${port}`;
}

/** `npm run publish -- <target> <version>`: the command a release runs. */
export async function publish(target: string, version: string): Promise<void> {
  await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'configuration', 'scripts', 'publish.ts'), target, version], {
    cwd: REPO_ROOT,
    maxBuffer: 64 * 2 ** 20,
  });
}
