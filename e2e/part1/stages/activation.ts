/**
 * Part 1, stage crossplane/activation: with SafeStart providers and no default
 * policy, the Configuration's own policy activates exactly the kinds composed
 * (../../lib/activation.ts).
 */
import { expectActivation } from '../../lib/activation.js';
import type { Stage } from '../../lib/stages.js';
import type { CrossplaneContext } from '../context.js';

/** The policy the Configuration package ships (configuration/package/apis/eksclusters/activation-policy.yaml); core init makes none here. */
const CONFIGURATION_POLICY = 'configuration-eks-cluster';

export const activation: Stage<CrossplaneContext> = {
  name: 'crossplane/activation',
  proves: "Activation: SafeStart providers; the Configuration's policy activates exactly the kinds the function composes",
  async run({ group, kube }, note) {
    note(await expectActivation(kube, group, [CONFIGURATION_POLICY]));
  },
};
