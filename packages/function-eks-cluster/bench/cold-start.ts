/** Cold start: from spawning the process to the first successful RunFunction. */
import { connectRaw, freePort, startFunction } from 'function-eks-cluster/testing';
import { median } from './stats.js';

export interface ColdStart {
  readonly samplesMs: number[];
  readonly medianMs: number;
}

async function once(bundle: string, body: Buffer, nodeArgs: readonly string[]): Promise<number> {
  const address = `127.0.0.1:${await freePort()}`;
  const t0 = performance.now();
  const fn = await startFunction({ bundle, nodeArgs: [...nodeArgs], args: ['--insecure'], env: { ADDRESS: address } });
  const client = connectRaw(fn.address);
  try {
    await client.run(body);
    return performance.now() - t0;
  } finally {
    client.close();
    await fn.stop();
  }
}

export async function coldStart(bundle: string, body: Buffer, runs: number, nodeArgs: readonly string[] = []): Promise<ColdStart> {
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) samplesMs.push(await once(bundle, body, nodeArgs));
  return { samplesMs, medianMs: median(samplesMs) };
}
