/** Cold start: from spawning the process to the first successful RunFunction. */
import { connectRaw, freePort, startFunction, type StartOptions } from 'workshop';
import { median } from './stats.js';

export interface ColdStart {
  readonly samplesMs: number[];
  readonly medianMs: number;
}

/** Which process to start: the bundle, the node executable, its flags and environment. */
export type ColdStartProcess = Required<Pick<StartOptions, 'bundle' | 'node' | 'nodeArgs' | 'env'>>;

async function once(server: ColdStartProcess, body: Buffer): Promise<number> {
  const address = `127.0.0.1:${await freePort()}`;
  const t0 = performance.now();
  const fn = await startFunction({ ...server, args: ['--insecure'], env: { ...server.env, ADDRESS: address } });
  const client = connectRaw(fn.address);
  try {
    await client.run(body);
    return performance.now() - t0;
  } finally {
    client.close();
    await fn.stop();
  }
}

export async function coldStart(server: ColdStartProcess, body: Buffer, runs: number): Promise<ColdStart> {
  const samplesMs: number[] = [];
  for (let i = 0; i < runs; i++) samplesMs.push(await once(server, body));
  return { samplesMs, medianMs: median(samplesMs) };
}
