/** The run's timeline: each stage with its duration and what it produced, then one verdict line. */

export interface Stage {
  title: string;
  ms: number;
  notes: string[];
  ok: boolean;
}

export class Timeline {
  readonly stages: Stage[] = [];
  private readonly started = Date.now();

  /** Runs one stage; prints its line as it ends; a failure ends the run. */
  async stage<T>(title: string, body: (note: (line: string) => void) => Promise<T>): Promise<T> {
    const start = Date.now();
    const notes: string[] = [];
    const note = (line: string) => notes.push(line);
    process.stdout.write(`\n[${this.clock()}] ${title}\n`);
    try {
      const value = await body(note);
      this.finish(title, start, notes, true);
      return value;
    } catch (error) {
      this.finish(title, start, notes, false);
      throw error;
    }
  }

  private finish(title: string, start: number, notes: string[], ok: boolean): void {
    const ms = Date.now() - start;
    this.stages.push({ title, ms, notes, ok });
    for (const line of notes) process.stdout.write(`           ${line}\n`);
    process.stdout.write(`[${this.clock()}] ${ok ? 'done' : 'FAILED'} in ${(ms / 1000).toFixed(1)} s: ${title}\n`);
  }

  private clock(): string {
    const s = (Date.now() - this.started) / 1000;
    return `${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(1).padStart(4, '0')}`;
  }

  /** The table of stages and the verdict line. */
  summary(verdict: string): string {
    const rows = this.stages.map((s) => `  ${s.ok ? 'ok  ' : 'FAIL'}  ${(s.ms / 1000).toFixed(1).padStart(6)} s  ${s.title}`);
    return ['', 'Timeline:', ...rows, '', verdict, ''].join('\n');
  }
}
