/**
 * The one reconcile loop of the workshop: compose, let the simulated AWS make
 * every new resource Ready, send the observed state back, until nothing new
 * appears. The loop is a generator so that one body serves both kinds of
 * composer: in-process `compose()` (synchronous, the tests and the bench) and a
 * RunFunction client or the real `crossplane composition render` (asynchronous,
 * `npm start` and configuration/test).
 */
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose, type ComposeInput, type ComposeResult, type Composition } from 'function-eks-cluster/src/compose/compose.js';
import { observeReady } from './simulated-aws.js';

/** What one composition pass returned: the desired composed resources by name, or the fatal message. */
export interface Composed {
  fatal?: string;
  desired: Record<string, JsonObject>;
}

/** The observed state to compose next, and the round (0 for the first pass). */
export interface Pass {
  observed: Record<string, JsonObject>;
  round: number;
}

export interface Reconciled<A> {
  /** The last composer answer: the fatal one, or the one that composed nothing new (or the bound was hit). */
  last: A;
  /** The message of a fatal pass, which ended the loop. */
  fatal?: string;
  /** The keys first composed in each round. */
  waves: string[][];
  observed: Record<string, JsonObject>;
}

/**
 * Decides everything: what is fresh (composed but not yet observed), observes it
 * Ready, stops when a pass composes nothing new or is fatal, and after
 * `maxRounds` waves composes once more and stops. Callers that want a failure
 * inject it into the returned observed state.
 */
function* rounds(start: Record<string, JsonObject>, maxRounds: number): Generator<Pass, Omit<Reconciled<unknown>, 'last'>, Composed> {
  const observed = { ...start };
  const waves: string[][] = [];
  for (let round = 0; ; round++) {
    const { fatal, desired } = yield { observed: { ...observed }, round };
    if (fatal !== undefined) return { fatal, waves, observed };
    const fresh = Object.keys(desired).filter((k) => !(k in observed));
    if (fresh.length === 0 || round >= maxRounds) return { waves, observed };
    waves.push(fresh);
    for (const key of fresh) observed[key] = observeReady(key, desired[key]!);
  }
}

/** The loop with a synchronous composer. */
function reconcileSync<A>(run: (pass: Pass) => A, read: (answer: A) => Composed, start: Record<string, JsonObject> = {}, maxRounds = 10): Reconciled<A> {
  const loop = rounds(start, maxRounds);
  let answer!: A;
  for (let step = loop.next(); ;) {
    if (step.done) return { last: answer, ...step.value };
    answer = run(step.value);
    step = loop.next(read(answer));
  }
}

/** The loop with an asynchronous composer. */
export async function reconcileAsync<A>(
  run: (pass: Pass) => Promise<A>,
  read: (answer: A) => Composed,
  start: Record<string, JsonObject> = {},
  maxRounds = 10,
): Promise<Reconciled<A>> {
  const loop = rounds(start, maxRounds);
  let answer!: A;
  for (let step = loop.next(); ;) {
    if (step.done) return { last: answer, ...step.value };
    answer = await run(step.value);
    step = loop.next(read(answer));
  }
}

/** What an in-process compose() composed. */
function composedIn(result: ComposeResult): Composed {
  if (!result.ok) return { fatal: JSON.stringify(result.errors), desired: {} };
  return { desired: Object.fromEntries(result.resources.map((r) => [r.key, r.body])) };
}

/**
 * Reconciles `xr` with the in-process compose() until nothing new appears, each
 * round making everything Ready. `waves` lists the keys first composed in each round.
 * `composer` stands in for compose(), e.g. as another release of it.
 */
export function reconcileToReady(
  xr: JsonObject,
  start: Record<string, JsonObject> = {},
  maxRounds = 10,
  composer: (input: ComposeInput) => ComposeResult = compose,
): { result: ComposeResult; observed: Record<string, JsonObject>; waves: string[][] } {
  const { last, observed, waves } = reconcileSync(({ observed }) => composer({ composite: xr, observed }), composedIn, start, maxRounds);
  return { result: last, observed, waves };
}

/** Observed, Ready, what `result` composed (only `keys` when given). */
export function observedFrom(result: Composition, keys?: Iterable<string>): Record<string, JsonObject> {
  const wanted = keys ? new Set(keys) : undefined;
  const observed: Record<string, JsonObject> = {};
  for (const r of result.resources) if (!wanted || wanted.has(r.key)) observed[r.key] = observeReady(r.key, r.body);
  return observed;
}
