/**
 * The Go references as processes: a binary from .tools/bin (built by
 * scripts/tools/bench/go-functions.sh) on a free loopback port, with the
 * flags both Go functions take (--address, --insecure, as the bench runs ours).
 * They print nothing when ready, so readiness is the port accepting.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, type FunctionProcess, REPO_ROOT } from 'workshop';

export const GO_NOOP_BIN = join(REPO_ROOT, '.tools', 'bin', 'go-noop');
export const PEER_BIN = join(REPO_ROOT, '.tools', 'bin', 'function-patch-and-transform');
const READY_TIMEOUT_MS = 10_000;
const POLL_MS = 20;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startGoFunction(bin: string): Promise<FunctionProcess> {
  if (!existsSync(bin)) throw new Error(`${bin} is missing; run: bash scripts/tools/bench/go-functions.sh`);
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  let output = '';
  const child = spawn(bin, ['--insecure', `--address=${address}`], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-64 * 1024));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${bin} exited with ${child.exitCode} before serving:\n${output}`);
    if (performance.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`${bin} did not serve on ${address} within ${READY_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return {
    address,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
