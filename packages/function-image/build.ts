/**
 * Assembles the runtime image for one architecture in memory: layers as
 * deterministic tars, gzipped, then the OCI config and manifest. Same inputs,
 * same bytes, same digest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { blob, gzip, sha256, type Blob } from './digest.js';
import { PACKAGE_ROOT, loadInputs, type Arch, type Inputs } from './inputs.js';
import { NODE_FLAGS, RUNTIME_ENV_ENTRIES } from './node-flags.js';
import { MEDIA_TYPE, descriptor, json, manifest, platformOf, type Descriptor, type ImageConfig } from './oci.js';
import { FUNCTION_DIR, NODE_DIR, USER_ID, imageLayers } from './rootfs.js';
import { writeTar } from './tar.js';

const PORT = 9443;
const ENTRYPOINT = [`/${NODE_DIR}/bin/node`, ...NODE_FLAGS, `/${FUNCTION_DIR}/main.cjs`];

export interface BuiltLayer {
  /** The gzipped tar, as stored and pushed. */
  blob: Blob;
  /** sha256 of the uncompressed tar (the config's diff_id). */
  diffId: string;
  uncompressedSize: number;
  descriptor: Descriptor;
}

export interface Image {
  arch: Arch;
  layers: BuiltLayer[];
  config: Blob;
  configDoc: ImageConfig;
  manifest: Blob;
  /** The image digest: sha256 of the manifest. */
  digest: string;
}

export interface BuildOptions {
  inputs?: Inputs;
  /** Directory holding main.cjs and main.cjs.LEGAL.txt (default: the package's dist/). */
  bundleDir?: string;
  /** Seconds since the epoch for every timestamp (default: $SOURCE_DATE_EPOCH, else 0). */
  epoch?: number;
  version?: string;
  /** Extra image-config labels. */
  labels?: Record<string, string>;
}

export function sourceDateEpoch(): number {
  const value = process.env.SOURCE_DATE_EPOCH;
  if (value === undefined || value === '') return 0;
  if (!/^\d+$/.test(value)) throw new Error(`SOURCE_DATE_EPOCH must be a whole number of seconds, not ${JSON.stringify(value)}`);
  return Number(value);
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function buildLayer(tar: Buffer, annotations?: Record<string, string>): BuiltLayer {
  const compressed = blob(gzip(tar));
  return {
    blob: compressed,
    diffId: `sha256:${sha256(tar)}`,
    uncompressedSize: tar.length,
    descriptor: descriptor(MEDIA_TYPE.layerGzip, compressed, annotations ? { annotations } : {}),
  };
}

/** Puts layers and a config together; the manifest follows from them. */
function assemble(arch: Arch, layers: BuiltLayer[], configDoc: ImageConfig): Image {
  const config = json(configDoc);
  const m = manifest(
    config,
    layers.map((l) => l.descriptor),
  );
  return { arch, layers, config, configDoc, manifest: m, digest: m.digest };
}

export function buildImage(arch: Arch, options: BuildOptions = {}): Image {
  const inputs = options.inputs ?? loadInputs();
  const epoch = options.epoch ?? sourceDateEpoch();
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const version = options.version ?? packageVersion();
  const sources = imageLayers(inputs, arch, options.bundleDir ?? join(PACKAGE_ROOT, 'dist'));
  const layers = sources.map((s) => buildLayer(writeTar(s.entries, epoch)));
  const configDoc: ImageConfig = {
    created,
    ...platformOf(arch),
    config: {
      User: `${USER_ID}:${USER_ID}`,
      ExposedPorts: { [`${PORT}/tcp`]: {} },
      Env: [`PATH=/${NODE_DIR}/bin`, ...RUNTIME_ENV_ENTRIES],
      Entrypoint: ENTRYPOINT,
      WorkingDir: `/${FUNCTION_DIR}`,
      Labels: {
        'org.opencontainers.image.title': 'function-eks-cluster',
        'org.opencontainers.image.description': 'Crossplane composition function: a compact EKSCluster in, the whole AWS topology out',
        'org.opencontainers.image.version': version,
        'org.opencontainers.image.licenses': 'Apache-2.0',
        'org.opencontainers.image.created': created,
        'dev.eks-gitops.nodejs.version': inputs.node.version,
        ...options.labels,
      },
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: sources.map((s) => ({ created, created_by: 'function-eks-cluster image/build.ts', comment: s.comment })),
  };
  return assemble(arch, layers, configDoc);
}
