/**
 * What AWS fills in at creation for an Optional and Computed argument the
 * request leaves out, where a later change of it is refused: without it the
 * simulated AWS would take a value asked for later as the first one (the
 * immutability check of workshop/aws-rules/immutable.ts skips an argument AWS has no
 * value for). Hand-written, each with its source: the provider schema says the
 * argument is computed, not what AWS computes.
 */
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';

interface CreationDefault {
  /** Top-level forProvider field and what AWS sets when a create leaves it out. */
  readonly field: string;
  readonly value: JsonObject;
  readonly source: string;
}

export const CREATION_DEFAULTS: Readonly<Record<string, readonly CreationDefault[]>> = {
  'eks.aws.m.upbound.io/v1beta1/Cluster': [
    {
      field: 'kubernetesNetworkConfig',
      value: { ipFamily: 'ipv4' },
      source:
        'https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigRequest.html (ipFamily: "If you don\'t specify a value, ipv4 is used by default")',
    },
  ],
};

/** What AWS has after creating `kind` (apiVersion/kind) from `forProvider`. */
export function withCreationDefaults(kind: string, forProvider: JsonObject): JsonObject {
  const missing = (CREATION_DEFAULTS[kind] ?? []).filter((d) => forProvider[d.field] === undefined);
  return missing.length === 0 ? forProvider : { ...forProvider, ...Object.fromEntries(missing.map((d) => [d.field, d.value])) };
}
