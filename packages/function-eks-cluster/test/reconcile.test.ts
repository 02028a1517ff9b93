/** The workshop's one reconcile loop (workshop/reconcile.ts), driven in-process and over RunFunction. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { reconcileToReady, renderWaves, REPO_ROOT, settle } from 'workshop';

const EXAMPLES = join(REPO_ROOT, 'configuration', 'package', 'examples');

describe('one loop for both composers', () => {
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')))(
    '%s: compose() and RunFunction see the same waves and observe the same state',
    async (file) => {
      const xr = parse(readFileSync(join(EXAMPLES, file), 'utf8')) as JsonObject;
      const inProcess = reconcileToReady(xr);
      const overRunFunction = await renderWaves(xr, async (req) => runFunction(req));
      expect(overRunFunction.ok).toBe(true);
      if (!overRunFunction.ok) return;
      expect(overRunFunction.waves.map((w) => w.keys)).toEqual(inProcess.waves);
      expect(overRunFunction.observed).toEqual(inProcess.observed);
    },
  );
});

describe('where the loop stops', () => {
  const endless = (round: number) => ({ desired: { [`r${round}`]: { kind: 'ConfigMap', metadata: { name: `r${round}` } } } });
  it.each([
    {
      reason: 'a composer that always composes something new is cut off after 12 waves, then composed once more',
      composes: endless,
      expected: { ok: true, waves: 12, final: 12 },
    },
    {
      reason: 'a composer that composes one resource settles after one wave',
      composes: () => endless(0),
      expected: { ok: true, waves: 1, final: 1 },
    },
    {
      reason: 'a fatal pass ends the loop with its message',
      composes: (round: number) => (round === 1 ? { fatal: 'spec.x: bad', desired: {} } : endless(round)),
      expected: { ok: false, fatal: 'spec.x: bad' },
    },
  ])('$reason', async ({ composes, expected }) => {
    // The answer of each pass is its round; `composes` says what that round composed.
    const settled = await settle(async (_, round) => round, composes);
    if (!settled.ok) expect(settled).toEqual(expected);
    else expect({ ok: true, waves: settled.waves.length, final: settled.final }).toEqual(expected);
  });
});
