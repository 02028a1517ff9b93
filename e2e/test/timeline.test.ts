/**
 * The e2e's timeline and stage runner: the table printed at the end of a run
 * (start offset, duration, outcome, stage) and the verdict naming the stage that
 * failed (table cases), and that a part's stages run in order on the context
 * they are given, the first failure ending the part and marked in the timeline.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runStages, type Stage } from '../lib/stages.js';
import { clock, failureVerdict, formatTimeline, Timeline, type StageRecord } from '../lib/timeline.js';

const record = (name: string, startMs: number, ms: number, ok = true): StageRecord => ({ name, proves: `${name} proven`, startMs, ms, ok, notes: [] });

describe('clock', () => {
  const cases: { reason: string; ms: number; want: string }[] = [
    { reason: 'the start of the run', ms: 0, want: '00:00.0' },
    { reason: 'seconds keep one decimal and two digits', ms: 5_250, want: '00:05.3' },
    { reason: 'minutes roll over at 60 s', ms: 61_000, want: '01:01.0' },
    { reason: 'a part that takes over an hour still reads as minutes', ms: 3_725_400, want: '62:05.4' },
  ];
  for (const c of cases) it(c.reason, () => expect(clock(c.ms)).toBe(c.want));
});

describe('formatTimeline', () => {
  const cases: { reason: string; stages: StageRecord[]; verdict: string; want: string[] }[] = [
    {
      reason: 'each stage on its row: start offset, duration, outcome, name; then the verdict',
      stages: [record('packages', 0, 12_340), record('flux/bootstrap', 12_400, 61_050)],
      verdict: 'PASS: it works',
      want: [
        '',
        'Timeline (start, duration, outcome, stage):',
        '  +00:00.0     12.3 s  ok      packages',
        '  +00:12.4     61.0 s  ok      flux/bootstrap',
        '',
        'PASS: it works',
        '',
      ],
    },
    {
      reason: 'a failed stage reads FAILED in the outcome column, aligned with ok',
      stages: [record('flux/gate-fails', 95_000, 300_000, false)],
      verdict: 'FAIL in stage flux/gate-fails',
      want: ['', 'Timeline (start, duration, outcome, stage):', '  +01:35.0    300.0 s  FAILED  flux/gate-fails', '', 'FAIL in stage flux/gate-fails', ''],
    },
    {
      reason: 'a run that failed before any stage still prints its verdict',
      stages: [],
      verdict: 'FAIL before the first stage: no registry',
      want: ['', 'Timeline (start, duration, outcome, stage):', '', 'FAIL before the first stage: no registry', ''],
    },
  ];
  for (const c of cases) it(c.reason, () => expect(formatTimeline(c.stages, c.verdict).split('\n')).toEqual(c.want));
});

describe('failureVerdict', () => {
  const cases: { reason: string; stages: StageRecord[]; message: string; want: string }[] = [
    {
      reason: 'the failed stage is named with what it proves, and only the first line of the error is kept',
      stages: [record('packages', 0, 1), record('flux/fence', 1, 2, false)],
      message: 'Kustomization team-a/escape not refused\n    at stack',
      want: 'FAIL in stage flux/fence (flux/fence proven): Kustomization team-a/escape not refused',
    },
    {
      reason: 'every stage passed: the failure came after them (the processes stopping), and says so',
      stages: [record('packages', 0, 1), record('flux/teardown', 1, 2)],
      message: 'git server did not close',
      want: 'FAIL after stage flux/teardown, outside any stage: git server did not close',
    },
    {
      reason: 'no stage began: the failure is before the first',
      stages: [],
      message: 'unknown part x',
      want: 'FAIL before the first stage: unknown part x',
    },
  ];
  for (const c of cases) it(c.reason, () => expect(failureVerdict(c.stages, c.message)).toBe(c.want));
});

describe('runStages', () => {
  beforeEach(() => vi.spyOn(process.stdout, 'write').mockImplementation(() => true));
  afterEach(() => vi.restoreAllMocks());

  interface Ctx {
    ran: string[];
  }
  const passing = (name: string): Stage<Ctx> => ({
    name,
    proves: `${name} passes`,
    run: async (ctx, note) => {
      ctx.ran.push(name);
      note(`${name} saw it`);
    },
  });
  const failing = (name: string): Stage<Ctx> => ({
    name,
    proves: `${name} passes`,
    run: async (ctx) => {
      ctx.ran.push(name);
      throw new Error(`${name} broke`);
    },
  });

  const cases: { reason: string; stages: Stage<Ctx>[]; ran: string[]; outcomes: string[]; error?: string; verdict?: string }[] = [
    {
      reason: 'all stages run in the order of the list, on the context given, each with its notes',
      stages: [passing('a'), passing('b'), passing('c')],
      ran: ['a', 'b', 'c'],
      outcomes: ['a ok', 'b ok', 'c ok'],
    },
    {
      reason: 'the first failure ends the part: later stages do not run, the verdict names the failed stage',
      stages: [passing('a'), failing('b'), passing('c')],
      ran: ['a', 'b'],
      outcomes: ['a ok', 'b FAILED'],
      error: 'b broke',
      verdict: 'FAIL in stage b (b passes): b broke',
    },
    {
      reason: 'a failing first stage is named too',
      stages: [failing('a'), passing('b')],
      ran: ['a'],
      outcomes: ['a FAILED'],
      error: 'a broke',
      verdict: 'FAIL in stage a (a passes): a broke',
    },
  ];
  for (const c of cases)
    it(c.reason, async () => {
      const timeline = new Timeline();
      const ctx: Ctx = { ran: [] };
      const run = runStages(timeline, ctx, c.stages);
      if (c.error) await expect(run).rejects.toThrow(c.error);
      else await run;
      expect(ctx.ran).toEqual(c.ran);
      expect(timeline.stages.map((s) => `${s.name} ${s.ok ? 'ok' : 'FAILED'}`)).toEqual(c.outcomes);
      expect(timeline.stages.filter((s) => s.ok).map((s) => s.notes)).toEqual(c.ran.filter((n) => !c.error?.startsWith(n)).map((n) => [`${n} saw it`]));
      if (c.verdict) expect(timeline.failure(c.error!)).toBe(c.verdict);
      for (const [i, s] of timeline.stages.entries()) if (i > 0) expect(s.startMs).toBeGreaterThanOrEqual(timeline.stages[i - 1]!.startMs);
    });
});
