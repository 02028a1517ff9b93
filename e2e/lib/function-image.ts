/**
 * The function as Crossplane's package runtime would run it: the runtime image
 * of the package Crossplane pulled, exported from the registry and run as a pod
 * would run it (its entrypoint, uid 65532, mTLS with the certificates the
 * runtime mounts), on 127.0.0.1. Killing and starting it again keeps its address.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runImage, tool, type Pki, type RunningImage, type RuntimeConfig } from 'workshop';

export class FunctionImage {
  address = '';
  private running: RunningImage | undefined;
  private readonly rootfs: string;

  constructor(
    private readonly ref: string,
    private readonly dir: string,
    private readonly pki: Pki,
  ) {
    this.rootfs = join(dir, 'rootfs');
  }

  /** Pulls the amd64 image and unpacks its filesystem. */
  pull(): void {
    mkdirSync(this.rootfs, { recursive: true });
    mkdirSync(join(this.dir, 'scratch'), { recursive: true });
    const flat = join(this.dir, 'image.tar');
    execFileSync(tool('crane'), ['export', '--platform', 'linux/amd64', this.ref, flat]);
    execFileSync('tar', ['--numeric-owner', '-xpf', flat, '-C', this.rootfs]);
  }

  async start(): Promise<void> {
    const config = (
      JSON.parse(execFileSync(tool('crane'), ['config', '--platform', 'linux/amd64', this.ref], { encoding: 'utf8' })) as { config: RuntimeConfig }
    ).config;
    this.running = await runImage(this.rootfs, config, this.pki.serverDir, join(this.dir, 'scratch'), this.address || undefined);
    this.address = this.running.address;
  }

  async stop(): Promise<void> {
    await this.running?.stop();
    this.running = undefined;
  }

  /** How many RunFunction requests for the XR `namespace/name` the running process answered (one log line each). */
  answered(xr: string): number {
    const lines = this.running?.output().split('\n') ?? [];
    return lines.filter((l) => l.includes('"msg":"RunFunction"') && l.includes(`"xr":${JSON.stringify(xr)}`)).length;
  }
}
