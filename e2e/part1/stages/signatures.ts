/**
 * Part 1, stage crossplane/signatures: what core verifies against the release
 * key, and a rebuild signed with another key and an unsigned one refused
 * (../../lib/signatures.ts).
 */
import { join } from 'node:path';
import { expectSignaturesEnforced } from '../../lib/signatures.js';
import type { Stage } from '../../lib/stages.js';
import type { CrossplaneContext } from '../context.js';

export const signatures: Stage<CrossplaneContext> = {
  name: 'crossplane/signatures',
  proves: 'Signatures: our packages verified against the release key; one signed with another key and an unsigned one refused',
  async run({ group, work, packages, version, signing, kube }, note) {
    for (const line of await expectSignaturesEnforced(kube, group, signing, packages, version, join(work, 'signatures'))) note(line);
  },
};
