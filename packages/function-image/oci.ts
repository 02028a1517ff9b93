/**
 * OCI image documents: config, manifest and index (image-spec v1.1). Every
 * object is built field by field in a fixed order, so its JSON, and so its
 * digest, depend only on the values.
 */
import { blob, type Blob } from './digest.js';

export const MEDIA_TYPE = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export interface Platform {
  architecture: string;
  os: 'linux';
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface RuntimeConfig {
  User: string;
  ExposedPorts: Record<string, Record<string, never>>;
  Env: string[];
  Entrypoint: string[];
  WorkingDir: string;
  Labels: Record<string, string>;
}

export interface ImageConfig extends Platform {
  created: string;
  config: RuntimeConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history: { created: string; created_by: string; comment: string }[];
}

export function json(value: unknown): Blob {
  return blob(JSON.stringify(value));
}

export function descriptor(mediaType: string, b: Blob, extra: Pick<Descriptor, 'annotations' | 'platform'> = {}): Descriptor {
  return { mediaType, digest: b.digest, size: b.size, ...extra };
}

export function manifest(config: Blob, layers: readonly Descriptor[]): Blob {
  return json({ schemaVersion: 2, mediaType: MEDIA_TYPE.manifest, config: descriptor(MEDIA_TYPE.config, config), layers });
}

export function index(manifests: readonly Descriptor[]): Blob {
  return json({ schemaVersion: 2, mediaType: MEDIA_TYPE.index, manifests });
}

/** The OCI platform of a Debian/Go architecture name. */
export function platformOf(arch: 'amd64' | 'arm64'): Platform {
  return arch === 'arm64' ? { architecture: 'arm64', os: 'linux', variant: 'v8' } : { architecture: 'amd64', os: 'linux' };
}
