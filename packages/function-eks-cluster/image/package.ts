/**
 * `npm run package`: the runtime image for each architecture, daemonless.
 *
 *   tsx image/package.ts [amd64|arm64 ...]     (default: both)
 *
 * Writes into <workspace>/dist/image/:
 *   function-eks-cluster-<arch>.oci/   OCI image layout of the runtime image
 *   function-eks-cluster-<arch>.tar    the same image as a `docker save` tarball,
 *                                      the input of crossplane xpkg build --embed-runtime-image-tarball
 *   function-eks-cluster.oci/          one OCI layout holding every architecture built
 *   images.json                        digests and sizes
 * and into <workspace>/dist/xpkg/stand-in/ the xpkg-shaped STAND-IN (see xpkg.ts).
 * The real .xpkg files come from the crossplane CLI (README, release workflow).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildImage, packageVersion, sourceDateEpoch, type Image } from './build.js';
import { dockerArchive } from './docker-archive.js';
import { ensureInputs } from './fetch.js';
import { ARCHES, PACKAGE_ROOT, WORKSPACE_ROOT, isArch, loadInputs, type Arch } from './inputs.js';
import { writeOciLayout } from './layout.js';
import { standInXpkg } from './xpkg.js';

export const NAME = 'function-eks-cluster';
export const IMAGE_OUT = join(WORKSPACE_ROOT, 'dist', 'image');
export const XPKG_OUT = join(WORKSPACE_ROOT, 'dist', 'xpkg');

export function sizes(image: Image): { compressed: number; uncompressed: number } {
  return {
    compressed: image.layers.reduce((n, l) => n + l.blob.size, image.config.size + image.manifest.size),
    uncompressed: image.layers.reduce((n, l) => n + l.uncompressedSize, 0),
  };
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

export function packageImages(arches: readonly Arch[]): Image[] {
  const inputs = loadInputs();
  ensureInputs(arches, inputs);
  const epoch = sourceDateEpoch();
  const tag = `v${packageVersion()}`;
  const packageYaml = readFileSync(join(PACKAGE_ROOT, 'package', 'crossplane.yaml'), 'utf8');
  mkdirSync(IMAGE_OUT, { recursive: true });
  rmSync(join(XPKG_OUT, 'stand-in'), { recursive: true, force: true });
  mkdirSync(join(XPKG_OUT, 'stand-in'), { recursive: true });
  const images = arches.map((arch) => {
    const image = buildImage(arch, { inputs, epoch });
    const base = join(IMAGE_OUT, `${NAME}-${arch}`);
    writeOciLayout(`${base}.oci`, [image], tag);
    writeFileSync(`${base}.tar`, dockerArchive(image, `${NAME}-runtime:${tag}-${arch}`, epoch));
    const standIn = standInXpkg(image, packageYaml, epoch);
    writeFileSync(join(XPKG_OUT, 'stand-in', `${NAME}-${arch}.stand-in.tar`), dockerArchive(standIn, `${NAME}-xpkg-stand-in:${tag}-${arch}`, epoch));
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
      layers: image.layers.map((l, i) => ({ digest: l.blob.digest, size: l.blob.size, diffId: l.diffId, uncompressedSize: l.uncompressedSize, comment: image.configDoc.history[i]!.comment })),
    })),
  };
  writeFileSync(join(IMAGE_OUT, 'images.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(`${NAME} index: ${index.digest}; written to dist/image and dist/xpkg/stand-in`);
  return images;
}

if (process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]))) {
  const requested = process.argv.slice(2);
  const bad = requested.filter((a) => !isArch(a));
  if (bad.length) throw new Error(`unknown architecture ${bad.join(', ')}; use ${ARCHES.join(' or ')}`);
  packageImages(requested.length ? (requested as Arch[]) : ARCHES);
}
