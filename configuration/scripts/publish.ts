/**
 * `npm run publish -- <registry>/<owner> <version>`: pushes, with the real
 * `crossplane xpkg push`,
 *   <registry>/<owner>/function-eks-cluster:<version>       one multi-arch package (amd64, arm64)
 *   <registry>/<owner>/configuration-eks-cluster:<version>  whose Function dependency is the package above
 * The Function packages come from `npm run package` (Nx runs it first); the
 * Configuration is rebuilt here so that its dependency names the repository and
 * version this same command pushes to. Registry credentials are the Docker
 * config's (~/.docker/config.json), as for any crossplane xpkg push.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { xpkgPush } from 'function-eks-cluster/testing';
import { buildConfigurationPackage, CONFIGURATION_NAME, FUNCTION_NAME, XPKG_DIR } from './package.js';

const ARCHES = ['amd64', 'arm64'];
const USAGE = 'usage: npm run publish -- <registry>/<owner> <version>   e.g. npm run publish -- ghcr.io/eks-gitops v0.2.0';

function fail(message: string): never {
  process.stderr.write(`publish: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const [target, version, ...extra] = process.argv.slice(2);
if (!target || !version || extra.length > 0) fail('expected exactly two arguments');
// Crossplane resolves dependency versions as semantic versions with a leading v.
if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) fail(`version ${JSON.stringify(version)} is not a release version like v1.2.3`);
// An OCI repository path: lower case, no tag, no scheme.
if (!/^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)+$/.test(target)) fail(`target ${JSON.stringify(target)} is not <registry>/<owner> (lower case, no tag, no scheme)`);

const functionPackages = ARCHES.map((arch) => join(XPKG_DIR, `${FUNCTION_NAME}-${arch}.xpkg`));
const missing = functionPackages.filter((f) => !existsSync(f));
if (missing.length > 0) fail(`${missing.join(', ')} missing: run npm run package first`);

const functionRepository = `${target}/${FUNCTION_NAME}`;
const configuration = buildConfigurationPackage({ repository: functionRepository, version });
const push = (files: string[], ref: string) => {
  xpkgPush(files, ref, 'inherit');
  console.log(`pushed ${ref}`);
};
push(functionPackages, `${functionRepository}:${version}`);
push([configuration], `${target}/${CONFIGURATION_NAME}:${version}`);
