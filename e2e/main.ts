/**
 * `npm run e2e`: the end-to-end parts, each on its own local control plane,
 * sharing one loopback registry with the packages a release publishes.
 *   part 1 (e2e/part1-crossplane.ts): real Crossplane composes an EKSCluster;
 *   part 2 (e2e/part2-flux.ts): the Flux-driven rollout from Git;
 *   part 3 (e2e/part3-install.ts): README.md's install without Flux, run as written.
 * `bash e2e/run.sh crossplane`, `flux` or `install` runs one part (or several). Run by e2e/run.sh
 * inside a network namespace that has only loopback, so every listener stays
 * private to the run. What is real and what is simulated:
 * e2e/README.md. Prints a timeline and one verdict line; exits non-zero on failure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ProcessGroup } from 'function-eks-cluster/testing';
import { PACKAGE_HOME } from './lib/environment.js';
import { publishProviders } from './lib/provider-packages.js';
import { publish, publishRebuild, startRegistry } from './lib/registry.js';
import { pushMirror } from './lib/release-pins.js';
import { Signing } from './lib/signatures.js';
import { Timeline } from './lib/timeline.js';
import { crossplanePart, PART1_VERDICT } from './part1-crossplane.js';
import { fluxPart, PART2_VERDICT } from './part2-flux.js';
import { installPart, PART3_VERDICT } from './part3-install.js';

const OWNER = 'eks-gitops';
const VERSION = 'v0.1.0';
/** The release part 1 upgrades to while its XR is Ready. */
const NEXT_VERSION = 'v0.1.1';
const PARTS = ['crossplane', 'flux', 'install'] as const;

const chosen = process.argv.slice(2);
for (const part of chosen) if (!(PARTS as readonly string[]).includes(part)) throw new Error(`unknown part ${part}: choose from ${PARTS.join(', ')}`);
const runs = (part: (typeof PARTS)[number]) => chosen.length === 0 || chosen.includes(part);

const timeline = new Timeline();
const work = mkdtempSync(join(tmpdir(), 'eks-gitops-e2e-'));
const groups: ProcessGroup[] = [];
const verdicts: string[] = [];

async function main(): Promise<void> {
  // The run's release key, another key, and Sigstore's services played offline.
  const signing = new Signing(join(work, 'signing'));
  // Parts 2 and 3 run the chart, which turns signature verification on (flux/infrastructure/crossplane/release.yaml, README.md).
  const trustRootsFor = (dir: string) => signing.trustRootsFor(dir);
  const { registry, mirror } = await timeline.stage(
    {
      name: 'packages',
      proves: 'Packages: npm run publish, the next release rebuilt, a mirror of ghcr.io/eks-gitops and the provider packages, in a registry on 127.0.0.1',
    },
    async (note) => {
      const registry = await startRegistry(join(work, 'registry.log'));
      // What `npm run publish -- <registry>/<owner> <version> --key ...` pushes and signs (part 1 installs the Configuration from here).
      const published = await publish(`${registry}/${OWNER}`, VERSION, signing.publishFlags(), signing.env);
      note(`npm run publish: ${registry}/${OWNER}/function-eks-cluster:${VERSION} (amd64, arm64), ${registry}/${OWNER}/configuration-eks-cluster:${VERSION}`);
      for (const line of published.split('\n').filter((l) => /^(signed|attested) /.test(l))) note(line);
      for (const name of ['function-eks-cluster', 'configuration-eks-cluster']) {
        note(`the run's transparency log recorded ${signing.record(`${registry}/${OWNER}/${name}:${VERSION}`)} signature(s) of ${name}:${VERSION}`);
      }
      // What part 1 upgrades to, signed as a release is.
      if (runs('crossplane')) {
        const next = publishRebuild(`${registry}/${OWNER}`, NEXT_VERSION, join(work, 'next-release'));
        note(`next release, rebuilt and signed: ${next.map((ref) => signing.sign(ref)).join(', ')}`);
      }
      // What a release pushes to ghcr.io/eks-gitops, whose names flux/ and the
      // README use: the packages `npm run package` built, mirrored here for parts 2 and 3,
      // which install them by digest (e2e/lib/release-pins.ts).
      const mirror = `${registry}/mirror/${PACKAGE_HOME}`;
      note(`mirror of ${PACKAGE_HOME}: ${pushMirror(mirror, VERSION).join(', ')}`);
      for (const ref of publishProviders(registry, join(work, 'providers'))) note(`pushed ${ref}`);
      return { registry, mirror };
    },
  );

  if (runs('crossplane')) {
    const group = await crossplanePart({
      timeline,
      work: join(work, 'crossplane'),
      registry,
      packages: `${registry}/${OWNER}`,
      version: VERSION,
      nextVersion: NEXT_VERSION,
      signing,
    });
    groups.push(group);
    // Part 2 gets the machine to itself.
    await group.stopAll();
    verdicts.push(PART1_VERDICT);
  }
  if (runs('flux')) {
    const group = await fluxPart({ timeline, work: join(work, 'flux'), registry, mirror, version: VERSION, trustRootsFor });
    groups.push(group);
    await group.stopAll();
    verdicts.push(PART2_VERDICT);
  }
  if (runs('install')) {
    groups.push(await installPart({ timeline, work: join(work, 'install'), registry, mirror, version: VERSION, trustRootsFor }));
    verdicts.push(PART3_VERDICT);
  }
}

main().then(
  async () => {
    for (const g of groups) await g.stopAll();
    process.stdout.write(timeline.summary(`PASS: ${verdicts.join('; then ')}`));
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  },
  async (error: unknown) => {
    process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    for (const g of groups) await g.stopAll();
    process.stdout.write(timeline.summary(`${timeline.failure(error instanceof Error ? error.message : String(error))} (logs: ${work})`));
    process.exit(1);
  },
);
