/**
 * Runs an unpacked runtime image as a container runtime would, without one: the
 * entrypoint started as the image's user (`chroot --userspec`) inside new mount
 * and PID namespaces (`unshare`), /proc mounted, and the function's TLS Secret
 * bind-mounted read-only at /tls/server, owned as Kubernetes mounts it (root,
 * group 65532, 0440). Only the image's own environment reaches the process.
 * Needs Linux, root and util-linux: it throws, never skips, without them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, untilServing } from './function-process.js';

/** The image config fields a runtime reads (OCI image config `config`). */
export interface RuntimeConfig {
  User: string;
  Entrypoint: string[];
  Env?: string[];
}

export interface RunningImage {
  address: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Everything the function printed so far: its log lines. */
  output(): string;
  /** The function's host PID: unshare's only child. */
  functionPid(): number;
  stop(): Promise<void>;
}

function which(command: string): string {
  try {
    const path = execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
    if (path) return path;
  } catch {
    // reported below
  }
  throw new Error(`running an image needs ${command} (util-linux) on PATH`);
}

/**
 * Starts `rootfs` (an unpacked image) with `config`, serving on a free loopback
 * port, with the certificates of `tlsDir` (ca.crt, tls.crt, tls.key) at /tls/server.
 * `scratch` is a writable folder for the mounted Secret; `listen` a fixed host:port.
 */
export async function runImage(rootfs: string, config: RuntimeConfig, tlsDir: string, scratch: string, listen?: string): Promise<RunningImage> {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Error('running the image needs Linux and root (as in CI), for unshare, mount and chroot');
  }
  const [unshare, chroot, mount] = ['unshare', 'chroot', 'mount'].map(which) as [string, string, string];
  const group = Number(config.User.split(':')[1] ?? config.User);
  const secret = join(scratch, 'tls-secret');
  mkdirSync(secret, { recursive: true });
  for (const file of ['ca.crt', 'tls.crt', 'tls.key']) {
    copyFileSync(join(tlsDir, file), join(secret, file));
    chownSync(join(secret, file), 0, group);
    chmodSync(join(secret, file), 0o440);
  }
  // The runtime's mount points, not part of the image.
  if (!existsSync(join(rootfs, 'proc'))) mkdirSync(join(rootfs, 'proc'));
  if (!existsSync(join(rootfs, 'tls', 'server'))) throw new Error('the image has no /tls/server mount point');

  const address = listen ?? `127.0.0.1:${await freePort()}`;
  const script = [
    'set -e',
    'root=$1 secret=$2 mount=$3 chroot=$4 user=$5; shift 5',
    '"$mount" -t proc proc "$root/proc"',
    '"$mount" --bind "$secret" "$root/tls/server"',
    '"$mount" -o remount,bind,ro "$root/tls/server"',
    'exec "$chroot" --userspec="$user" "$root" "$@"',
  ].join('\n');
  const env = Object.fromEntries((config.Env ?? []).map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
  const child = spawn(
    unshare,
    [
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--',
      '/bin/sh',
      '-c',
      script,
      'sh',
      rootfs,
      secret,
      mount,
      chroot,
      config.User,
      ...config.Entrypoint,
      '--address',
      address,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { exited, output } = await untilServing(child, { timeoutMs: 15_000 });
  const functionPid = () => Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim());
  const pid = functionPid();
  // Also on Ctrl-C or a crash of the test: the function outlives unshare otherwise (see stop).
  const killOnExit = () => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  return {
    address,
    child,
    exited,
    output,
    functionPid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // The function first: it is PID 1 of its namespace, so everything in it goes too.
      // unshare's --kill-child does not reach it, because chroot --userspec changes
      // credentials, which clears the parent-death signal.
      try {
        process.kill(functionPid(), 'SIGKILL');
      } catch {
        // already gone
      }
      child.kill('SIGKILL');
      await exited;
    },
  };
}
