/** Writes images as an OCI image layout directory (image-spec v1.1 "image-layout"). */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Image } from './build.js';
import type { Blob } from './digest.js';
import { MEDIA_TYPE, descriptor, index, platformOf } from './oci.js';

export const REF_NAME = 'org.opencontainers.image.ref.name';

function imageBlobs(image: Image): Blob[] {
  return [...image.layers.map((l) => l.blob), image.config, image.manifest];
}

/**
 * `dir` is replaced by a layout whose index.json lists each image's manifest
 * with its platform and the ref name `tag`: one image, or one per architecture.
 */
export function writeOciLayout(dir: string, images: readonly Image[], tag: string): Blob {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of images.flatMap(imageBlobs)) writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice('sha256:'.length)), b.data);
  const top = index(
    images.map((image) => descriptor(MEDIA_TYPE.manifest, image.manifest, { annotations: { [REF_NAME]: tag }, platform: platformOf(image.arch) })),
  );
  writeFileSync(join(dir, 'index.json'), top.data);
  return top;
}
