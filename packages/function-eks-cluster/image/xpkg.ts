/**
 * A STAND-IN for `crossplane xpkg build --embed-runtime-image-tarball`: the
 * runtime image plus one layer holding package.yaml, marked the way the xpkg
 * specification asks (layer annotation `io.crossplane.xpkg: base` and the
 * config label `io.crossplane.xpkg:<layer digest>: base`). It exists so the
 * package's shape can be tested on machines without the real CLI; it is
 * labelled as a stand-in and is never what we publish. Unlike the CLI it does
 * not parse or re-serialize crossplane.yaml, nor lint it.
 */
import { assemble, buildLayer, type Image } from './build.js';
import { writeTar } from './tar.js';

export const XPKG_ANNOTATION = 'io.crossplane.xpkg';
export const PACKAGE_FILE = 'package.yaml';
export const STAND_IN_LABEL = 'dev.eks-gitops.xpkg.stand-in';

export function standInXpkg(runtime: Image, packageYaml: string, epoch: number): Image {
  const layer = buildLayer(writeTar([{ type: 'file', path: PACKAGE_FILE, data: Buffer.from(packageYaml) }], epoch), { [XPKG_ANNOTATION]: 'base' });
  const { configDoc } = runtime;
  return assemble(runtime.arch, [...runtime.layers, layer], {
    ...configDoc,
    config: {
      ...configDoc.config,
      Labels: {
        ...configDoc.config.Labels,
        [`${XPKG_ANNOTATION}:${layer.blob.digest}`]: 'base',
        [STAND_IN_LABEL]: 'written by image/xpkg.ts, not by crossplane xpkg build',
      },
    },
    rootfs: { type: 'layers', diff_ids: [...configDoc.rootfs.diff_ids, layer.diffId] },
    history: [...configDoc.history, { created: configDoc.created, created_by: 'function-eks-cluster image/xpkg.ts', comment: 'package.yaml (xpkg stand-in)' }],
  });
}
