/**
 * Crossplane sends the same XR on every poll, and mostly the same observed
 * state: planning the desired resources (reading and checking the spec,
 * subnets, names, versions, every resource body, the reference graph) is
 * most of compose()'s work and depends only on what it read. A Composer
 * keeps each XR's last plan with the log of every read it made of the
 * request (compose/read-log.ts) and reuses it while the new request answers
 * all those reads alike; gates, Usages, status and notices, which follow the
 * observed state, run on every request (compose.ts, finishComposition).
 */
import { isObject, type JsonObject } from '../api/schema-builder.js';
import { ObservedState } from '../ground/observed.js';
import { finishComposition, planComposition, type ComposeInput, type ComposeResult } from './compose.js';
import { compileReads, readsMatch, sortedKeys, trackReads, type CheckedReads } from './read-log.js';

/**
 * XRs whose plans are kept. A kept plan of the production example takes
 * about 0.15 MiB of heap, and the image caps the old generation at 96 MiB
 * (packages/function-image/node-flags.ts): 64 plans stay well inside it. More XRs than this,
 * polled in turn, miss every time.
 */
const DEFAULT_MAX_PLANS = 64;

interface Entry {
  readonly planned: ReturnType<typeof planComposition>;
  readonly reads: CheckedReads;
}

export interface Composer {
  compose(input: ComposeInput): ComposeResult;
  /** Requests answered with a kept plan, and plans made: for tests, the benchmark and the metrics (server/metrics.ts). */
  readonly stats: { hits: number; misses: number };
  /** XRs whose plan (or first sighting) is kept now, at most the capacity given to createComposer. */
  readonly size: number;
}

/** Which XR a request is about; undefined when it has no name to file a plan under. */
function xrIdentity(composite: unknown): string | undefined {
  const metadata = isObject(composite) ? composite.metadata : undefined;
  if (!isObject(metadata) || typeof metadata.name !== 'string' || typeof metadata.namespace !== 'string') return undefined;
  return `${metadata.namespace}/${metadata.name}`;
}

/**
 * The plan of a request, and (when `record`) the log of what it read. Both runs plan on a
 * copy of the request with sorted keys (read-log.ts says why), so that a
 * plan depends on the content of what it read, not on the order Crossplane
 * happened to send it in. The recording run comes first and reads through
 * proxies that refuse writes: if it fails, the plan is used once and not
 * kept. The plain run then gives the plan, so nothing of the proxies can
 * leak into a response.
 */
function plan(input: ComposeInput, record: boolean): { planned: Entry['planned']; reads: CheckedReads | undefined } {
  const canonical = sortedKeys({ composite: input.composite, resources: input.observed }) as { composite: unknown; resources: Record<string, JsonObject> };
  let reads: CheckedReads | undefined;
  if (record) {
    try {
      const { tracked, log } = trackReads(canonical);
      planComposition({ composite: tracked.composite, observed: tracked.resources });
      reads = compileReads(log);
    } catch {
      reads = undefined;
    }
  }
  return { planned: planComposition({ composite: canonical.composite, observed: canonical.resources }), reads };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * The plan with its resource and Usage bodies copied and deep-frozen: a kept body is
 * part of every later response, so nothing may change it, and the plain run's
 * bodies may share objects with the request that made them. Frozen, they also
 * tell the response encoder that their bytes can be kept (server/response-codec.ts).
 */
function sealed(planned: Entry['planned']): Entry['planned'] {
  if (!planned.ok) return deepFreeze(planned);
  const copies = new Map(planned.wanted.map((r) => [r, { ...r, body: deepFreeze(structuredClone(r.body)) }]));
  return {
    ...planned,
    // finishComposition reads the observed state of each request, never the one planned on: a kept plan does not hold on to it.
    ctx: { ...planned.ctx, observed: NOTHING_OBSERVED },
    wanted: planned.wanted.map((r) => copies.get(r)!),
    usages: planned.usages.map((u) => ({ ...u, usage: { ...u.usage, body: deepFreeze(structuredClone(u.usage.body)) } })),
  };
}

const NOTHING_OBSERVED = new ObservedState({}, {});

/** An XR met once: its next request is planned with the recording run and kept. */
const SEEN = 'seen';

export function createComposer(maxPlans: number = DEFAULT_MAX_PLANS): Composer {
  const plans = new Map<string, Entry | typeof SEEN>();
  const stats = { hits: 0, misses: 0 };
  const remember = (id: string, value: Entry | typeof SEEN) => {
    // Most recently used last: the first key is the one to drop.
    plans.delete(id);
    plans.set(id, value);
    if (plans.size > maxPlans) plans.delete(plans.keys().next().value!);
  };
  return {
    stats,
    get size() {
      return plans.size;
    },
    compose(input) {
      const id = xrIdentity(input.composite);
      const kept = id === undefined ? undefined : plans.get(id);
      let planned: Entry['planned'];
      if (kept !== undefined && kept !== SEEN && readsMatch({ composite: input.composite, resources: input.observed }, kept.reads)) {
        stats.hits++;
        planned = kept.planned;
        remember(id!, kept);
      } else {
        stats.misses++;
        // The first request of an XR (a new process's first answer among them) is not slowed by the recording
        // run: a plan is kept from the second on, when Crossplane is seen to come back with it.
        const made = plan(input, kept !== undefined);
        planned = made.reads === undefined ? made.planned : sealed(made.planned);
        if (id !== undefined) remember(id, made.reads === undefined ? SEEN : { planned, reads: made.reads });
      }
      if (!planned.ok) return planned;
      return finishComposition(planned, new ObservedState(input.composite as JsonObject, input.observed));
    },
  };
}
