/**
 * `npm run publish -- <registry>/<owner> <version> --key <ref> | --keyless [--no-tlog]`:
 * pushes, with the real `crossplane xpkg push`,
 *   <registry>/<owner>/function-eks-cluster:<version>       one multi-arch package (amd64, arm64)
 *   <registry>/<owner>/configuration-eks-cluster:<version>  whose Function dependency is the package above, by digest
 * then signs both by digest with cosign (the Function's index and each platform
 * image), and attests on the Function's index and on each platform image the
 * SPDX SBOM syft makes of that pushed image (signing.ts). The Function packages
 * come from `npm run package` (Nx runs it first); the Configuration is rebuilt
 * here, once the Function is pushed, so that its dependency names the
 * repository this same command pushes to at the digest it pushed: a Function
 * installed by digest, as the Flux tree installs it, has that digest for its
 * version in Crossplane's lock, and only a digest constraint matches it
 * (pins.ts). Last, it prints the two lines that pin this release in the Flux
 * tree (flux/infrastructure/packages), which is reproducible: the same source
 * gives the same digests. Registry credentials are the Docker config's
 * (~/.docker/config.json), as for any crossplane xpkg push; a key's password is
 * cosign's COSIGN_PASSWORD.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tool, xpkgPush } from 'workshop';
import { buildConfigurationPackage, CONFIGURATION_NAME, FUNCTION_NAME, XPKG_DIR } from './package.js';
import { PINNED_PACKAGES, pinLine } from './pins.js';
import { attestSbomArgs, cosignTag, isLoopbackRegistry, parseSigning, sbomArgs, signArgs, SIGNING_USAGE, type Signing } from './signing.js';

const ARCHES = ['amd64', 'arm64'];
const USAGE = `usage: npm run publish -- <registry>/<owner> <version> ${SIGNING_USAGE}
  e.g. npm run publish -- ghcr.io/eks-gitops v0.2.0 --keyless            (in the release workflow)
       COSIGN_PASSWORD=... npm run publish -- registry.example.com/platform v0.2.0 --key cosign.key`;

function fail(message: string): never {
  process.stderr.write(`publish: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const [target, version, ...flags] = process.argv.slice(2);
if (!target || !version) fail('expected a target and a version');
// Crossplane resolves dependency versions as semantic versions with a leading v.
if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) fail(`version ${JSON.stringify(version)} is not a release version like v1.2.3`);
// An OCI repository path: lower case, no tag, no scheme.
if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/.test(target)) fail(`target ${JSON.stringify(target)} is not <registry>/<owner> (lower case, no tag, no scheme)`);
const signing = parseSigning(flags);
if (typeof signing === 'string') fail(signing);

const functionPackages = ARCHES.map((arch) => join(XPKG_DIR, `${FUNCTION_NAME}-${arch}.xpkg`));
const missing = functionPackages.filter((f) => !existsSync(f));
if (missing.length > 0) fail(`${missing.join(', ')} missing: run npm run package first`);

// syft reads a registry on this machine over plain HTTP only when told; cosign and crane do by themselves.
const toolEnv = { ...process.env, SYFT_CHECK_FOR_APP_UPDATE: 'false', ...(isLoopbackRegistry(target) ? { SYFT_REGISTRY_INSECURE_USE_HTTP: 'true' } : {}) };
const run = (name: 'cosign' | 'syft' | 'crane', args: string[]) =>
  execFileSync(tool(name), args, { encoding: 'utf8', env: toolEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 2 ** 20 });

const functionRepository = `${target}/${FUNCTION_NAME}`;
const push = (files: string[], ref: string): string => {
  xpkgPush(files, ref, 'inherit');
  const digest = run('crane', ['digest', ref]).trim();
  console.log(`pushed ${ref} (${digest})`);
  return digest;
};
const signer = (s: Signing) =>
  ('key' in s.signer ? `key ${s.signer.key}` : 'keyless, this CI identity') + (s.tlog ? ', in the transparency log' : ', no transparency log');
const sign = (repository: string, digest: string, recursive = false) => {
  run('cosign', signArgs(`${repository}@${digest}`, signing, recursive));
  console.log(
    `signed ${repository}@${digest}${recursive ? ' and each platform image' : ''} (${signer(signing)}): signature ${cosignTag(repository, digest, 'sig')}`,
  );
};

const work = mkdtempSync(join(tmpdir(), 'publish-'));
try {
  const indexDigest = push(functionPackages, `${functionRepository}:${version}`);
  sign(functionRepository, indexDigest, true);
  const index = JSON.parse(run('crane', ['manifest', `${functionRepository}@${indexDigest}`])) as {
    manifests: { digest: string; platform: { os: string; architecture: string } }[];
  };
  const sboms = index.manifests.map(({ digest, platform }) => {
    const file = join(work, `sbom-${platform.architecture}.spdx.json`);
    const ref = `${functionRepository}@${digest}`;
    run('syft', sbomArgs(ref, FUNCTION_NAME, version, file));
    const packages = (JSON.parse(readFileSync(file, 'utf8')) as { packages: unknown[] }).packages.length;
    return { ref, digest, file, what: `${platform.os}/${platform.architecture}: ${packages} packages` };
  });
  // Each platform image carries its own SBOM; the index carries all, so that a check by tag sees them.
  for (const sbom of sboms) {
    for (const [ref, digest] of [
      [sbom.ref, sbom.digest],
      [`${functionRepository}@${indexDigest}`, indexDigest],
    ] as const) {
      run('cosign', attestSbomArgs(ref, sbom.file, signing));
      console.log(`attested SBOM (SPDX, syft; ${sbom.what}) on ${ref}: attestation ${cosignTag(functionRepository, digest, 'att')}`);
    }
  }
  const configurationRepository = `${target}/${CONFIGURATION_NAME}`;
  const configuration = buildConfigurationPackage({ repository: functionRepository, version: indexDigest });
  const configurationDigest = push([configuration], `${configurationRepository}:${version}`);
  sign(configurationRepository, configurationDigest);
  const digests: Record<string, string> = { [FUNCTION_NAME]: indexDigest, [CONFIGURATION_NAME]: configurationDigest };
  console.log(`pins of ${version} in the Flux tree (Renovate proposes them once the tags are pushed; or set them by hand):`);
  for (const { name, file, form } of PINNED_PACKAGES) {
    console.log(`  ${file}: ${pinLine(form, { repository: `${target}/${name}`, tag: version, digest: digests[name]! })}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
