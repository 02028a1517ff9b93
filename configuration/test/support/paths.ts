/** The files of this package and the Flux objects the tests read, by their place in the repository. */
import { join } from 'node:path';
import { REPO_ROOT } from 'workshop';

/** The package root (configuration/package): only what `crossplane xpkg build` packs. */
export const PACKAGE_ROOT = join(REPO_ROOT, 'configuration', 'package');
export const PACKAGE_META_FILE = join(PACKAGE_ROOT, 'crossplane.yaml');
export const XRD_FILE = join(PACKAGE_ROOT, 'apis', 'eksclusters', 'definition.yaml');
export const COMPOSITION_FILE = join(PACKAGE_ROOT, 'apis', 'eksclusters', 'composition.yaml');
export const ACTIVATION_POLICY_FILE = join(PACKAGE_ROOT, 'apis', 'eksclusters', 'activation-policy.yaml');
export const EXAMPLES_DIR = join(PACKAGE_ROOT, 'examples');
/** The Function object Flux installs: the name the Composition calls must be this one's. */
export const FLUX_FUNCTION_FILE = join(REPO_ROOT, 'flux', 'infrastructure', 'packages', 'function.yaml');
