/**
 * A part of the e2e as a short list of stages: each a function with a name and
 * one line of what it proves, run in order on one context the part builds and
 * passes explicitly (no module-level state), each its own entry in the timeline.
 */
import type { Note, StageName, Timeline } from './timeline.js';

export interface Stage<C> extends StageName {
  run: (ctx: C, note: Note) => Promise<void>;
}

/** Runs the stages in order; the first failure ends the part, its stage marked FAILED in the timeline. */
export async function runStages<C>(timeline: Timeline, ctx: C, stages: readonly Stage<C>[]): Promise<void> {
  for (const stage of stages) await timeline.stage(stage, (note) => stage.run(ctx, note));
}
