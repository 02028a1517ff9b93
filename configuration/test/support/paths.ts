/** The files of this package and the Flux objects the tests read, by their place in the repository. */
import { join } from 'node:path';
import { REPO_ROOT } from 'workshop';

export const CONFIGURATION_DIR = join(REPO_ROOT, 'configuration');
export const XRD_FILE = join(CONFIGURATION_DIR, 'apis', 'eksclusters', 'definition.yaml');
export const COMPOSITION_FILE = join(CONFIGURATION_DIR, 'apis', 'eksclusters', 'composition.yaml');
export const ACTIVATION_POLICY_FILE = join(CONFIGURATION_DIR, 'apis', 'eksclusters', 'activation-policy.yaml');
export const EXAMPLES_DIR = join(CONFIGURATION_DIR, 'examples');
/** The Function object Flux installs: the name the Composition calls must be this one's. */
export const FLUX_FUNCTION_FILE = join(REPO_ROOT, 'flux', 'infrastructure', 'packages', 'function.yaml');
