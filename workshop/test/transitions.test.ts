/**
 * Transitions as a property (workshop/transitions.ts): a live cluster at a
 * generated spec A is changed to a generated spec B (optional blocks on and
 * off, zones and node groups added and removed, fields AWS fixes at creation
 * changed, delivery switched, Auto Mode and Karpenter toggled, the version
 * raised by one or two minors) against the simulated AWS. B is Ready or
 * refused with the field and the fix and nothing changed; AWS refuses nothing
 * for good; no node group of both specs, and no cluster that runs nodes, is
 * ever left without nodes; nothing is left in AWS after the teardown.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTransitions, transitionsArb } from '../transitions.js';

/**
 * Starting specs per part, changes tried on each (A converges once and is
 * copied for each change), and parts: over 2,000 pairs, in parts that each
 * stay well inside the test timeout on two cores shared with the rest of
 * `npm test`.
 */
const STARTS = 117;
const CHANGES_PER_START = 6;
const PARTS = 3;
const AT_LEAST = 2000;

describe('changes to a live cluster', () => {
  const outcomes = { ready: 0, refused: 0, skipped: 0 };
  let seconds = 0;

  it.each(Array.from({ length: PARTS }, (_, i) => i + 1))(
    `part %i of ${PARTS}: ${STARTS * CHANGES_PER_START} generated pairs A -> B, Ready or refused with the fix, nothing refused for good, no node lost, nothing left`,
    () => {
      const started = Date.now();
      fc.assert(
        fc.property(transitionsArb(CHANGES_PER_START), (transitions) => {
          checkTransitions(transitions).forEach(({ outcome, failures }, i) => {
            outcomes[outcome]++;
            expect(failures, `edits: ${transitions.changes[i]!.edits.join(', ')}`).toEqual([]);
          });
        }),
        { numRuns: STARTS },
      );
      seconds += (Date.now() - started) / 1000;
    },
  );

  it(`over ${AT_LEAST} pairs ran, most of them to Ready`, () => {
    const run = outcomes.ready + outcomes.refused;
    expect(run).toBeGreaterThanOrEqual(AT_LEAST);
    expect(outcomes.ready).toBeGreaterThan(run / 2);
  });

  afterAll(() => {
    console.log(
      `transitions: ${outcomes.ready + outcomes.refused} pairs run (${outcomes.ready} Ready, ${outcomes.refused} refused with the fix; ${outcomes.skipped} skipped) in ${seconds.toFixed(1)} s`,
    );
  });
});
