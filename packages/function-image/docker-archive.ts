/**
 * The `docker save` / `docker load` tarball: manifest.json naming the config and
 * the layers, each a file in the archive. Layers stay gzipped (docker load and
 * go-containerregistry's tarball reader, which `crossplane xpkg build
 * --embed-runtime-image-tarball` uses, both accept that), so the layer digests
 * in a package built from it are the ones of our OCI layout.
 */
import type { Image } from './build.js';
import { writeTar, type TarEntry } from './tar.js';

const hex = (digest: string) => digest.slice('sha256:'.length);

export function dockerArchive(image: Image, repoTag: string, mtime: number): Buffer {
  const configName = `${hex(image.config.digest)}.json`;
  const layerNames = image.layers.map((l) => `${hex(l.blob.digest)}.tar.gz`);
  const entries: TarEntry[] = [
    { type: 'file', path: 'manifest.json', data: Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }])) },
    { type: 'file', path: configName, data: image.config.data },
    ...image.layers.map((l, i): TarEntry => ({ type: 'file', path: layerNames[i]!, data: l.blob.data })),
  ];
  return writeTar(entries, mtime);
}
