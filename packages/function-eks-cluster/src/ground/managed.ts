/** The common shape of every managed resource the function composes. */
import type { Json, JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource, StatusGroup } from './context.js';

/** Kubernetes name of a composed resource: deterministic, so references can name it. */
export function resourceName(ctx: Pick<ComposeContext, 'xrName'>, key: string): string {
  return `${ctx.xrName}-${key}`;
}

/** A reference to another composed resource, by its name in the same namespace. */
export function ref(ctx: Pick<ComposeContext, 'xrName'>, key: string): JsonObject {
  return { name: resourceName(ctx, key) };
}

/** Tags on every AWS resource: the user's, then ours (ours win: they are how we find things). */
export function awsTags(ctx: ComposeContext, key: string, extra: Record<string, string> = {}): JsonObject {
  return {
    ...ctx.spec.tags,
    Name: `${ctx.clusterName}-${key}`,
    'eks.gitops.dev/cluster': ctx.clusterName,
    ...extra,
  };
}

export interface ManagedOptions {
  key: string;
  group: StatusGroup;
  needs?: readonly string[];
  keptBy?: readonly string[];
  apiVersion: string;
  kind: string;
  forProvider: JsonObject;
  initProvider?: JsonObject;
  /** AWS-side name, when it must differ from the Kubernetes name. */
  externalName?: string;
  labels?: Record<string, string>;
  connectionSecretName?: string;
  managementPolicies?: readonly string[];
  waitsFor?: readonly string[];
  waitsForAny?: readonly string[];
  /** Told to the user: what the function kept instead of what was asked, and why. */
  warnings?: readonly string[];
}

export function managed(ctx: ComposeContext, opts: ManagedOptions): DesiredResource {
  const metadata: JsonObject = { name: resourceName(ctx, opts.key), namespace: ctx.namespace };
  if (opts.externalName) metadata.annotations = { 'crossplane.io/external-name': opts.externalName };
  if (opts.labels) metadata.labels = { ...opts.labels };
  const spec: JsonObject = { forProvider: opts.forProvider };
  if (opts.initProvider) spec.initProvider = opts.initProvider;
  spec.managementPolicies = [...(opts.managementPolicies ?? ctx.spec.managementPolicies)] as Json[];
  spec.providerConfigRef = { kind: ctx.spec.providerConfigKind, name: ctx.spec.providerConfigName };
  if (opts.connectionSecretName) spec.writeConnectionSecretToRef = { name: opts.connectionSecretName };
  return {
    key: opts.key,
    body: { apiVersion: opts.apiVersion, kind: opts.kind, metadata, spec },
    group: opts.group,
    ...(opts.needs && opts.needs.length > 0 ? { needs: opts.needs } : {}),
    ...(opts.keptBy && opts.keptBy.length > 0 ? { keptBy: opts.keptBy } : {}),
    ...(opts.waitsFor ? { waitsFor: opts.waitsFor } : {}),
    ...(opts.waitsForAny ? { waitsForAny: opts.waitsForAny } : {}),
    ...(opts.warnings && opts.warnings.length > 0 ? { warnings: opts.warnings } : {}),
  };
}
