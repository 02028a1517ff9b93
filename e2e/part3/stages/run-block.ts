/**
 * Part 3, stage install/run-block: bash runs README.md's block as written,
 * stopping at its first failing command, with the pinned helm and kubectl, while
 * the test plays pods, the package runtime and AWS; the block's own last command
 * (`kubectl wait` for the XR Ready) must succeed.
 */
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tool, waitFor } from 'function-eks-cluster/testing';
import type { Stage } from '../../lib/stages.js';
import { SECTION, type InstallContext } from '../context.js';

/** Bounds the whole block (its own waits allow 10 and 45 minutes); coreutils' timeout ends every process it started. */
const BLOCK_TIMEOUT_S = 480;
/** The XR the block's last step applies. */

/** The commands on the block's PATH: the pinned helm and kubectl first, then the system's (bash, envsubst). */
function commandsDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  for (const name of ['helm', 'kubectl'] as const) symlinkSync(tool(name), join(dir, name));
  return dir;
}

/**
 * Each command of the block that bash traced (`set -x`), with the second of the
 * run it started at. The block is sourced, one level down: its own commands
 * are traced with two pluses, what they run in a command substitution with more.
 */
function tracedCommands(log: string): string[] {
  return log
    .split('\n')
    .filter((l) => /^\+\+ \[\d+ s\] /.test(l))
    .map((l) => (l.length > 200 ? `${l.slice(3, 200)}...` : l.slice(3)));
}

export const runBlock: Stage<InstallContext> = {
  name: 'install/run-block',
  proves: 'bash runs the block as written (helm and kubectl pinned, KUBECONFIG the control plane) while the test plays pods, the package runtime and AWS',
  async run({ group, work, plane, env, script, checkout }, note) {
    const file = join(work, `${SECTION}.sh`);
    writeFileSync(file, script);
    const home = join(work, 'home');
    mkdirSync(home, { recursive: true });
    // Sourced by a shell that stops at the first failing command, as a reader would, and traces each command with its second.
    const bash = group.start(
      SECTION,
      'timeout',
      ['--kill-after=10s', String(BLOCK_TIMEOUT_S), 'bash', '-e', '-o', 'pipefail', '-c', `cd "$1"; PS4='+ [\${SECONDS} s] '; set -x; . "$0"`, file, checkout],
      {
        PATH: `${commandsDir(join(work, 'bin'))}:/usr/local/bin:/usr/bin:/bin`,
        HOME: home,
        KUBECONFIG: plane.primary.kubeconfigFile,
      },
    );
    // It is meant to end: once it has, the group's crash check passes it by.
    void bash.exited.then(() => bash.stop());
    const code = await waitFor(
      `the block to end (bash, at most ${BLOCK_TIMEOUT_S} s)`,
      async () => {
        if (bash.child.exitCode === null && bash.child.signalCode === null) {
          throw new Error(
            `${tracedCommands(readFileSync(bash.logFile, 'utf8')).pop() ?? 'started'}${env.errors ? `; environment: ${env.errors} errors, last: ${env.lastError}` : ''}`,
          );
        }
        return bash.child.exitCode ?? bash.child.signalCode;
      },
      (BLOCK_TIMEOUT_S + 20) * 1000,
      group,
      1000,
    );
    const log = readFileSync(bash.logFile, 'utf8');
    for (const line of tracedCommands(log)) note(line);
    if (code !== 0)
      throw new Error(
        `the README block failed (${code === 124 ? `timed out after ${BLOCK_TIMEOUT_S} s` : `exit ${code}`}):\n${log.split('\n').slice(-40).join('\n')}`,
      );
    note(`last line: ${log.trim().split('\n').pop()}`);
  },
};
