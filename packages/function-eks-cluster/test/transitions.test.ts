/**
 * Transitions as a property (dev/transitions.ts): a live cluster at a
 * generated spec A is changed to a generated spec B (optional blocks on and
 * off, zones and node groups added and removed, fields AWS fixes at creation
 * changed, delivery switched, Auto Mode and Karpenter toggled, the version
 * raised) against the simulated AWS. B is Ready or refused with the field and
 * the fix and nothing changed; AWS refuses nothing for good; no node group of
 * both specs, and no cluster that runs nodes, is ever left without nodes;
 * nothing is left in AWS after the teardown.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTransition, transitionArb } from '../dev/transitions.js';

/** Pairs per run: about 15 s on two cores shared with other work. */
const PAIRS = 200;

describe('changes to a live cluster', () => {
  it(`${PAIRS} generated pairs A -> B: Ready or refused with the fix, nothing refused for good, no node lost, nothing left`, () => {
    const started = Date.now();
    const outcomes = { ready: 0, refused: 0, skipped: 0 };
    fc.assert(
      fc.property(transitionArb, (pair) => {
        const { outcome, failures } = checkTransition(pair);
        outcomes[outcome]++;
        expect(failures, `edits: ${pair.edits.join(', ')}`).toEqual([]);
      }),
      { numRuns: PAIRS },
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `transitions: ${outcomes.ready + outcomes.refused} pairs run (${outcomes.ready} Ready, ${outcomes.refused} refused with the fix; ${outcomes.skipped} starting specs whose VPC is too small) in ${seconds.toFixed(1)} s`,
    );
    expect(outcomes.ready).toBeGreaterThan(PAIRS / 2);
  });
});
