/**
 * Long-running processes of a test (etcd, API servers, Crossplane, registries),
 * each logging to its own file, all stopped together: by stop(), and killed
 * when the Node process exits or is interrupted (Ctrl-C, SIGTERM), so nothing
 * outlives a run, also on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Started {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** The last lines of its log. */
  tail(lines?: number): string;
  /** Resolves with the exit code (or signal) once it has exited. */
  exited: Promise<number | string | null>;
  /** SIGTERM, then SIGKILL after graceMs; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL, as a crash; resolves once it has exited. */
  kill(): Promise<void>;
  /** Whether the test stopped or killed it on purpose. */
  readonly stopped: boolean;
}

export class ProcessGroup {
  private readonly processes: Started[] = [];
  private readonly killAll = () => {
    for (const p of this.processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  };
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.killAll();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };

  constructor(readonly logDir: string) {
    process.on('exit', this.killAll);
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Starts `bin args` with its output in <logDir>/<name>.log. */
  start(name: string, bin: string, args: string[], env?: NodeJS.ProcessEnv): Started {
    const logFile = join(this.logDir, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(bin, args, { stdio: ['ignore', fd, fd], env: env ?? process.env });
    closeSync(fd);
    const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
    let stopped = false;
    const started: Started = {
      name,
      child,
      logFile,
      exited,
      get stopped() {
        return stopped;
      },
      tail: (lines = 40) => {
        const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        return `--- ${name} (last lines of ${logFile}) ---\n${text.split('\n').slice(-lines).join('\n')}`;
      },
      kill: async () => {
        stopped = true;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await exited;
      },
      stop: async (graceMs = 10_000) => {
        stopped = true;
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      },
    };
    this.processes.push(started);
    return started;
  }

  /** Throws with the process's log when any of `names` (default: all) has exited. */
  assertRunning(names?: string[]): void {
    for (const p of this.processes) {
      if (p.stopped || (names && !names.includes(p.name))) continue;
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode})\n${p.tail()}`);
      }
    }
  }

  tails(lines?: number): string {
    return this.processes.map((p) => p.tail(lines)).join('\n');
  }

  /** Stops every process, the last started first. */
  async stopAll(): Promise<void> {
    for (const p of [...this.processes].reverse()) await p.stop();
    process.off('exit', this.killAll);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns a value other than undefined; throws after
 * `timeoutMs` with `what` and the last error. `processes` are checked on each
 * round, so a crash fails fast with its log.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, processes?: ProcessGroup, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not yet';
  while (Date.now() < deadline) {
    processes?.assertRunning();
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(intervalMs);
  }
  throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s; last: ${last.slice(0, 2000)}`);
}
