/**
 * How `npm run publish` signs what it pushes (the commands; publish.ts runs
 * them): cosign (scripts/tools/cosign.sh) signs each package by digest and
 * attaches the SBOM of each runtime image, made by syft (scripts/tools/syft.sh)
 * from the pushed image itself, as a signed SPDX attestation. Signatures and
 * attestations go where cosign v2 and Crossplane look for them: the tags
 * `sha256-<digest>.sig` and `.att` of the package's repository.
 */

/** A cosign key reference (file, env://, k8s://, awskms://, ...) or the CI's OIDC identity (Fulcio certificate). */
export type Signer = { key: string } | { keyless: true };

export interface Signing {
  signer: Signer;
  /**
   * Record each signature in the public transparency log (Rekor). On for every
   * release: Crossplane v2.4.0 accepts a signature only with its log entry.
   * Off only where Rekor is out of reach (the offline tests, --no-tlog).
   */
  tlog: boolean;
}

export const SIGNING_USAGE = '--key <cosign key reference> | --keyless [--no-tlog]';

/** The signing flags of publish's command line, or a message saying what is wrong. */
export function parseSigning(flags: readonly string[]): Signing | string {
  let signer: Signer | undefined;
  let tlog = true;
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    if (flag === '--key' || flag === '--keyless') {
      if (signer) return 'give one of --key and --keyless, once';
      if (flag === '--keyless') signer = { keyless: true };
      else {
        const key = flags[++i];
        if (!key || key.startsWith('--')) return '--key needs a cosign key reference, e.g. --key cosign.key or --key awskms:///alias/release';
        signer = { key };
      }
    } else if (flag === '--no-tlog') tlog = false;
    else return `unknown argument ${JSON.stringify(flag)}`;
  }
  if (!signer) return 'packages are published signed: give --key <cosign key reference> or --keyless (a CI identity)';
  if ('keyless' in signer && !tlog) return '--keyless needs the transparency log: its certificate lives ten minutes, the log entry proves when it signed';
  return { signer, tlog };
}

/** The flags cosign sign and cosign attest share. */
function signerFlags({ signer, tlog }: Signing): string[] {
  return [...('key' in signer ? ['--key', signer.key] : []), `--tlog-upload=${tlog}`, '--yes'];
}

/** `cosign sign` of one digest; `recursive` also signs each platform image of an index. */
export function signArgs(digestRef: string, signing: Signing, recursive = false): string[] {
  return ['sign', ...signerFlags(signing), ...(recursive ? ['--recursive'] : []), digestRef];
}

/** `cosign attest` of an SPDX SBOM on one digest. */
export function attestSbomArgs(digestRef: string, sbomFile: string, signing: Signing): string[] {
  return ['attest', ...signerFlags(signing), '--type', 'spdxjson', '--predicate', sbomFile, digestRef];
}

/**
 * `syft scan` of one pushed image: every cataloger syft runs on images, plus
 * npm lockfiles (off for images by default), which is how the bundle's
 * dependencies are listed (packages/function-image/bundle-packages.ts).
 */
export function sbomArgs(digestRef: string, name: string, version: string, sbomFile: string): string[] {
  return [
    'scan',
    `registry:${digestRef}`,
    '--select-catalogers',
    '+javascript-lock-cataloger',
    '--source-name',
    name,
    '--source-version',
    version,
    '-o',
    `spdx-json=${sbomFile}`,
  ];
}

/** Plain HTTP only to a registry on this machine, as crane and the crossplane CLI do. */
export function isLoopbackRegistry(ref: string): boolean {
  return /^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?\//.test(ref);
}

/** The tag cosign stores the signatures (`sig`) or attestations (`att`) of `digest` under. */
export function cosignTag(repository: string, digest: string, kind: 'sig' | 'att'): string {
  return `${repository}:${digest.replace(':', '-')}.${kind}`;
}
