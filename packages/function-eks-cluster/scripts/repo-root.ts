import { join } from 'node:path';

/** The repository's root, for the generators that write into configuration/ and read flux/. */
export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
