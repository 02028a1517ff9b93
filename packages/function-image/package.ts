/**
 * `npm run package`: the runtime image for each architecture, daemonless.
 *
 *   tsx packages/function-image/package.ts [amd64|arm64 ...]     (default: both)
 *
 * Writes into <workspace>/dist/image/:
 *   function-eks-cluster-<arch>.oci/   OCI image layout of the runtime image
 *   function-eks-cluster-<arch>.tar    the same image as a `docker save` tarball,
 *                                      the input of crossplane xpkg build --embed-runtime-image-tarball
 *   function-eks-cluster.oci/          one OCI layout holding every architecture built
 *   images.json                        digests and sizes
 * and into <workspace>/dist/xpkg/:
 *   function-eks-cluster-<arch>.xpkg   the Function package, built by the real
 *                                      `crossplane xpkg build --embed-runtime-image-tarball`
 *                                      from package/crossplane.yaml and the tarball above
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildImage, packageVersion, sourceDateEpoch, type Image } from './build.js';
import { dockerArchive } from './docker-archive.js';
import { ensureInputs } from './fetch.js';
import { ARCHES, PACKAGE_ROOT, WORKSPACE_ROOT, isArch, loadInputs, type Arch } from './inputs.js';
import { writeOciLayout } from './layout.js';
import { tool } from 'pinned-tools';

const NAME = 'function-eks-cluster';
const IMAGE_OUT = join(WORKSPACE_ROOT, 'dist', 'image');
const XPKG_OUT = join(WORKSPACE_ROOT, 'dist', 'xpkg');

function sizes(image: Image): { compressed: number; uncompressed: number } {
  return {
    compressed: image.layers.reduce((n, l) => n + l.blob.size, image.config.size + image.manifest.size),
    uncompressed: image.layers.reduce((n, l) => n + l.uncompressedSize, 0),
  };
}

/** The Function package of one architecture, as `crossplane xpkg build` writes it. */
function functionPackageFile(arch: Arch): string {
  return join(XPKG_OUT, `${NAME}-${arch}.xpkg`);
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

function packageImages(arches: readonly Arch[]): Image[] {
  const inputs = loadInputs();
  ensureInputs(arches, inputs);
  const epoch = sourceDateEpoch();
  const tag = `v${packageVersion()}`;
  const crossplane = tool('crossplane');
  mkdirSync(IMAGE_OUT, { recursive: true });
  mkdirSync(XPKG_OUT, { recursive: true });
  const images = arches.map((arch) => {
    const image = buildImage(arch, { inputs, epoch });
    const base = join(IMAGE_OUT, `${NAME}-${arch}`);
    writeOciLayout(`${base}.oci`, [image], tag);
    writeFileSync(`${base}.tar`, dockerArchive(image, `${NAME}-runtime:${tag}-${arch}`, epoch));
    const xpkg = functionPackageFile(arch);
    rmSync(xpkg, { force: true });
    execFileSync(
      crossplane,
      ['xpkg', 'build', '--package-root', join(PACKAGE_ROOT, 'package'), '--embed-runtime-image-tarball', `${base}.tar`, '--package-file', xpkg],
      { stdio: 'inherit' },
    );
    const { compressed, uncompressed } = sizes(image);
    console.log(`${NAME} ${arch}: ${image.digest}  ${mib(compressed)} compressed, ${mib(uncompressed)} uncompressed`);
    return image;
  });
  const index = writeOciLayout(join(IMAGE_OUT, `${NAME}.oci`), images, tag);
  const summary = {
    name: NAME,
    version: packageVersion(),
    nodejs: inputs.node.version,
    sourceDateEpoch: epoch,
    index: index.digest,
    images: images.map((image) => ({
      arch: image.arch,
      digest: image.digest,
      ...sizes(image),
      layers: image.layers.map((l, i) => ({
        digest: l.blob.digest,
        size: l.blob.size,
        diffId: l.diffId,
        uncompressedSize: l.uncompressedSize,
        comment: image.configDoc.history[i]!.comment,
      })),
    })),
  };
  writeFileSync(join(IMAGE_OUT, 'images.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`${NAME} index: ${index.digest}; written to dist/image and dist/xpkg`);
  return images;
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const requested = process.argv.slice(2);
  const bad = requested.filter((a) => !isArch(a));
  if (bad.length) throw new Error(`unknown architecture ${bad.join(', ')}; use ${ARCHES.join(' or ')}`);
  packageImages(requested.length ? (requested as Arch[]) : ARCHES);
}
