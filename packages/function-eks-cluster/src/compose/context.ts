/** What every resource builder needs to know about the claim being composed. */
import type { EKSClusterSpec } from '../api/eks-cluster.js';
import type { JsonObject } from '../api/schema-builder.js';
import type { VersionPlan } from '../eks/versions.js';
import type { ObservedState } from './observed.js';

export interface ComposeContext {
  readonly xrName: string;
  readonly namespace: string;
  readonly spec: EKSClusterSpec;
  /** The EKS cluster name, also used in tags and AWS resource names. */
  readonly clusterName: string;
  /** aws, aws-cn or aws-us-gov: ARNs of AWS-managed policies depend on it. */
  readonly partition: string;
  readonly observed: ObservedState;
  /** Kubernetes versions to ask for now (see eks/versions.ts). */
  readonly versions: VersionPlan;
}

/** One composed resource the function wants, before gating. */
export interface DesiredResource {
  /** Composition resource name: stable, the key Crossplane tracks it by. */
  readonly key: string;
  readonly body: JsonObject;
  /** Emitted only once all of these are Ready (or when it exists already). */
  readonly waitsFor?: readonly string[];
  /** Emitted only once at least one of these is Ready (or when it exists already). */
  readonly waitsForAny?: readonly string[];
  /** What was kept instead of what the spec asks, and how to get the change. */
  readonly warnings?: readonly string[];
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Default EKS cluster name: unique across namespaces, without stuttering when both are equal. */
export function defaultClusterName(namespace: string, name: string): string {
  return namespace === name || namespace === '' ? name : `${namespace}-${name}`;
}
