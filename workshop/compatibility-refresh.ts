/**
 * `npm run compatibility:refresh -w workshop [-- --rewrite]`: adds
 * to test/compatibility/fixture.json what it lacks (new examples, new
 * generated XRs, new keys of recorded XRs) and never changes a recorded entry;
 * `--rewrite` records everything anew. When each is legitimate:
 * docs/guarantees.md ("No release renames what exists").
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FIXTURE_PATH, fixtureText, readFixture, refreshed, wantedXrs, type Fixture } from './compatibility.js';

const rewrite = process.argv.includes('--rewrite');
const before: Fixture = existsSync(FIXTURE_PATH) ? readFixture() : { cases: [] };
const after = refreshed(before, wantedXrs(), rewrite);
mkdirSync(dirname(FIXTURE_PATH), { recursive: true });
writeFileSync(FIXTURE_PATH, fixtureText(after));
const count = (f: Fixture) => f.cases.reduce((n, c) => n + Object.keys(c.resources).length, 0);
process.stdout.write(
  `${FIXTURE_PATH}: ${after.cases.length} XRs (${after.cases.length - (rewrite ? 0 : before.cases.length)} new), ` +
    `${count(after)} composed resources (${count(after) - (rewrite ? 0 : count(before))} new)\n`,
);
