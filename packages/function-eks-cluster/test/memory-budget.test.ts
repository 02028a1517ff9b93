/**
 * The container's memory limit (packages/function-image/memory-budget.ts) stands on two figures:
 * V8's heap ceiling under the image's flags, read here from V8 itself, and an
 * allowance for what the process holds beside the heap, checked against the
 * running function's own metrics after a burst of requests.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { connect, freePort, startFunction } from 'workshop';
import { FLOW_CONTROL_WINDOW_BYTES } from 'function-eks-cluster/src/server/flow-control.js';
import { productionScenario } from 'bench/scenarios.js';
import { heapCeilingMiB, memoryLimitMiB, OFF_HEAP_MIB } from 'function-image/memory-budget.js';
import { NODE_FLAGS, RUNTIME_ENV } from 'function-image/node-flags.js';
import { scrape, sample } from './support/scrape.js';

const MIB = 1024 * 1024;

describe('the memory budget', () => {
  it('takes the heap ceiling V8 sets under the image flags', () => {
    // Written as a plain string: `node -p` colours numbers when FORCE_COLOR is set, as Nx sets it.
    const limit = execFileSync(process.execPath, [...NODE_FLAGS, '-e', 'process.stdout.write(String(require("v8").getHeapStatistics().heap_size_limit))'], {
      encoding: 'utf8',
    });
    expect(heapCeilingMiB()).toBe(Number(limit) / MIB);
  });

  it.each([
    { reason: "the image's flags", flags: NODE_FLAGS, ceiling: 108, limit: 256 },
    { reason: 'a larger old generation moves the limit', flags: ['--max-semi-space-size=4', '--max-old-space-size=192'], ceiling: 204, limit: 320 },
    {
      reason: 'a smaller young generation within the same step keeps it',
      flags: ['--max-semi-space-size=2', '--max-old-space-size=96'],
      ceiling: 102,
      limit: 256,
    },
  ])('$reason', ({ flags, ceiling, limit }) => {
    expect(heapCeilingMiB(flags)).toBe(ceiling);
    expect(memoryLimitMiB(flags)).toBe(limit);
  });

  it('refuses flags without a heap bound', () => {
    expect(() => heapCeilingMiB(['--max-semi-space-size=4'])).toThrow(/sets no --max-old-space-size=<MiB>/);
  });

  it('leaves room for what the running function holds beside its heap, under load', async () => {
    const metricsPort = await freePort();
    const fn = await startFunction({
      args: ['--insecure', '--metrics-address', `127.0.0.1:${metricsPort}`],
      nodeArgs: [...NODE_FLAGS],
      env: { ...RUNTIME_ENV },
    });
    try {
      // The production example with everything observed (140 KiB a request), 32 in flight, 10 times over.
      const client = connect(fn.address, undefined, { 'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW_BYTES });
      const request = productionScenario('full').request;
      for (let round = 0; round < 10; round++) await Promise.all(Array.from({ length: 32 }, () => client.run(request)));
      client.close();
      const text = await scrape(metricsPort);
      const offHeapMiB = (sample(text, 'process_resident_memory_bytes') - sample(text, 'nodejs_heap_size_total_bytes')) / MIB;
      // 41 MiB at rest and 58 MiB after this load, measured here on Node 20.
      expect(offHeapMiB, `${offHeapMiB.toFixed(1)} MiB beside the heap`).toBeLessThan(OFF_HEAP_MIB);
    } finally {
      await fn.stop();
    }
  });
});
