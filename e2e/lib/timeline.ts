/**
 * The run's timeline: each stage with its name, what it proves, when it started,
 * how long it took and its outcome, printed as it ends; at the end of the run
 * (passed or failed) the table of stages and one verdict line, which on failure
 * names the stage that failed. The formatting is pure (e2e/test/timeline.test.ts).
 */

/** What a stage is called in the timeline, and the one line of what it proves when it passes. */
export interface StageName {
  name: string;
  proves: string;
}

export interface StageRecord extends StageName {
  /** Milliseconds from the start of the run to the stage's start. */
  startMs: number;
  ms: number;
  notes: string[];
  ok: boolean;
}

/** Adds a line to the stage's entry in the timeline: what it saw. */
export type Note = (line: string) => void;

/** mm:ss.s from the start of the run. */
export function clock(ms: number): string {
  const s = ms / 1000;
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(1).padStart(4, '0')}`;
}

/** The table of stages (start offset, duration, outcome, name) and the verdict line. */
export function formatTimeline(stages: readonly StageRecord[], verdict: string): string {
  const rows = stages.map((s) => `  +${clock(s.startMs)}  ${(s.ms / 1000).toFixed(1).padStart(7)} s  ${s.ok ? 'ok    ' : 'FAILED'}  ${s.name}`);
  return ['', 'Timeline (start, duration, outcome, stage):', ...rows, '', verdict, ''].join('\n');
}

/** The verdict of a failed run: the stage that failed (or that none did: the failure came between or after them) and the error's first line. */
export function failureVerdict(stages: readonly StageRecord[], message: string): string {
  const first = message.split('\n')[0] ?? '';
  const failed = stages.find((s) => !s.ok);
  if (failed) return `FAIL in stage ${failed.name} (${failed.proves}): ${first}`;
  const last = stages.at(-1);
  return `FAIL ${last ? `after stage ${last.name}, outside any stage` : 'before the first stage'}: ${first}`;
}

export class Timeline {
  readonly stages: StageRecord[] = [];
  private readonly started = Date.now();

  /** Runs one stage; prints its line as it starts and as it ends; a failure ends the run. */
  async stage<T>(stage: StageName, body: (note: Note) => Promise<T>): Promise<T> {
    const start = Date.now();
    const notes: string[] = [];
    const note = (line: string) => notes.push(line);
    process.stdout.write(`\n[${this.clock()}] ${stage.name}: ${stage.proves}\n`);
    try {
      const value = await body(note);
      this.finish(stage, start, notes, true);
      return value;
    } catch (error) {
      this.finish(stage, start, notes, false);
      throw error;
    }
  }

  private finish(stage: StageName, start: number, notes: string[], ok: boolean): void {
    const ms = Date.now() - start;
    this.stages.push({ ...stage, startMs: start - this.started, ms, notes, ok });
    for (const line of notes) process.stdout.write(`           ${line}\n`);
    process.stdout.write(`[${this.clock()}] ${ok ? 'done' : 'FAILED'} in ${(ms / 1000).toFixed(1)} s: ${stage.name}\n`);
  }

  private clock(): string {
    return clock(Date.now() - this.started);
  }

  summary(verdict: string): string {
    return formatTimeline(this.stages, verdict);
  }

  /** The verdict of a run that failed with `message`. */
  failure(message: string): string {
    return failureVerdict(this.stages, message);
  }
}
