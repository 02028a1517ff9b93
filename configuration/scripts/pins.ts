/**
 * How the Flux tree names a release of our two packages: by digest, with the
 * release's tag beside it for people and Renovate (flux/infrastructure/packages,
 * flux/README.md "Pinned by digest"):
 *
 *   function.yaml       package: ghcr.io/eks-gitops/function-eks-cluster@sha256:<index> # v0.2.0
 *   configuration.yaml  package: ghcr.io/eks-gitops/configuration-eks-cluster:v0.2.0@sha256:<manifest>
 *
 * The Function's tag is a comment, not part of the reference: Crossplane v2.4
 * records a package installed as repository:tag@digest in its lock under
 * "repository:tag", where the Configuration's dependency on the repository is
 * never found (its revision stays at "missing dependencies"); installed as
 * repository@digest it is found, at version <digest>, the version the
 * Configuration's dependency names (publish.ts). Nothing depends on the
 * Configuration, so it keeps the tag in its reference, where `kubectl get
 * configurations` shows it.
 *
 * `npm run publish` prints both lines for what it pushed; Renovate keeps them
 * current (renovate.json, flux/test/renovate.test.ts); the end-to-end run
 * points them at what it pushed (e2e/lib/release-pins.ts).
 */

export type PinForm = 'digest, tag in a comment' | 'tag@digest';

export interface PinnedPackage {
  /** The package's repository name under the release's owner. */
  name: string;
  /** The Flux file whose `package:` line names it (from the repository root). */
  file: string;
  form: PinForm;
}

export const PINNED_PACKAGES: readonly PinnedPackage[] = [
  { name: 'function-eks-cluster', file: 'flux/infrastructure/packages/function.yaml', form: 'digest, tag in a comment' },
  { name: 'configuration-eks-cluster', file: 'flux/infrastructure/packages/configuration.yaml', form: 'tag@digest' },
];

export interface Pin {
  repository: string;
  tag: string;
  digest: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The `package:` line (without indentation) that names `pin` in `form`. */
export function pinLine(form: PinForm, { repository, tag, digest }: Pin): string {
  if (!DIGEST.test(digest)) throw new Error(`${repository}: "${digest}" is not a sha256 digest (sha256:<64 hex digits>)`);
  return form === 'tag@digest' ? `package: ${repository}:${tag}@${digest}` : `package: ${repository}@${digest} # ${tag}`;
}

const PACKAGE_LINE = /^([ \t]*)package: .*$/gm;

/** The pin a file's one `package:` line names, read back in `form`; undefined when the line is not a pin of that form. */
export function readPin(form: PinForm, text: string): Pin | undefined {
  const lines = [...text.matchAll(PACKAGE_LINE)].map((m) => m[0].trim());
  if (lines.length !== 1) return undefined;
  const match =
    form === 'tag@digest'
      ? /^package: ([^\s@]+):([^\s:@/]+)@(sha256:[0-9a-f]{64})$/.exec(lines[0]!)
      : /^package: ([^\s@]+)@(sha256:[0-9a-f]{64}) # (\S+)$/.exec(lines[0]!);
  if (!match) return undefined;
  return form === 'tag@digest' ? { repository: match[1]!, tag: match[2]!, digest: match[3]! } : { repository: match[1]!, digest: match[2]!, tag: match[3]! };
}

/** `text` with its one `package:` line naming `pin` in `form` (indentation kept). */
export function repin(form: PinForm, text: string, pin: Pin): string {
  const count = [...text.matchAll(PACKAGE_LINE)].length;
  if (count !== 1) throw new Error(`expected one "package:" line, found ${count}`);
  return text.replace(PACKAGE_LINE, (_line, indentation: string) => `${indentation}${pinLine(form, pin)}`);
}
