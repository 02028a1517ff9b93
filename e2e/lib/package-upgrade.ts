/**
 * A release upgrade as Crossplane sees one: the Function's and the
 * Configuration's package references bumped to the next release (what a commit
 * bumping the tags in flux/infrastructure/packages/ applies), a new
 * FunctionRevision for the new package digest, served where the test runs the
 * next release's image (the test plays the package runtime for that revision
 * only), the previous revision made inactive, and both packages Installed and
 * Healthy at the new version.
 */
import { waitFor, type JsonObject, type Kube, type ProcessGroup } from 'workshop';
import { playPackageRuntime } from './crossplane.js';
import { conditions, isTrue, nameOf } from './objects.js';

const PKG = 'pkg.crossplane.io/v1';

export interface PackageUpgrade {
  /** The next release's package references. */
  functionPackage: string;
  configurationPackage: string;
  /** The Configuration object's name. */
  configuration: string;
  /** Where the next release's function serves (dns:///host:port). */
  endpoint: string;
}

export interface Upgraded {
  function: string;
  /** The FunctionRevision active before, and the new one. */
  previous: string;
  revision: string;
}

const statusOf = (o: JsonObject) => (o.status ?? {}) as JsonObject;
const line = (o: JsonObject) =>
  `${String(o.kind)} ${nameOf(o)}: ${conditions(o)
    .map((c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`)
    .join('; ')}`;

export async function upgradePackages(kube: Kube, group: ProcessGroup, to: PackageUpgrade): Promise<Upgraded> {
  const functions = await kube.list({ apiVersion: PKG, kind: 'Function' });
  if (functions.length !== 1) throw new Error(`expected one Function, found ${functions.map(nameOf).join(', ') || 'none'}`);
  const fnRef = { apiVersion: PKG, kind: 'Function', name: nameOf(functions[0]!) };
  const cfgRef = { apiVersion: PKG, kind: 'Configuration', name: to.configuration };
  const previous = String(statusOf(functions[0]!).currentRevision);
  const known = new Set((await kube.list({ apiVersion: PKG, kind: 'FunctionRevision' })).map(nameOf));

  await kube.mergePatch(fnRef, { spec: { package: to.functionPackage } });
  await kube.mergePatch(cfgRef, { spec: { package: to.configurationPackage } });

  const revision = await waitFor(
    'a new FunctionRevision for the next release',
    async () => {
      const fresh = (await kube.list({ apiVersion: PKG, kind: 'FunctionRevision' })).filter((r) => !known.has(nameOf(r)));
      return fresh.length === 1 ? nameOf(fresh[0]!) : undefined;
    },
    120_000,
    group,
    500,
  );
  await waitFor(
    'the Function and the Configuration Installed and Healthy at the next release',
    async () => {
      await playPackageRuntime(kube, 'FunctionRevision', to.endpoint, (name) => name === revision);
      await playPackageRuntime(kube, 'ProviderRevision');
      const [fn, cfg, old] = [await kube.get(fnRef), await kube.get(cfgRef), await kube.get({ apiVersion: PKG, kind: 'FunctionRevision', name: previous })];
      const done =
        [fn, cfg].every((p) => isTrue(p, 'Installed') && isTrue(p, 'Healthy')) &&
        statusOf(fn).currentRevision === revision &&
        statusOf(fn).currentIdentifier === to.functionPackage &&
        statusOf(cfg).currentIdentifier === to.configurationPackage &&
        (old.spec as JsonObject).desiredState === 'Inactive';
      if (done) return true;
      throw new Error(
        `${line(fn)} (revision ${String(statusOf(fn).currentRevision)}); ${line(cfg)}; ${previous}: ${String((old.spec as JsonObject).desiredState)}`,
      );
    },
    240_000,
    group,
    1000,
  );
  return { function: fnRef.name, previous, revision };
}
