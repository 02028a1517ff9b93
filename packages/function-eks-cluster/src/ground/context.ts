/** What every resource builder needs to know about the XR being composed. */
import { createHash } from 'node:crypto';
import type { EKSClusterSpec } from '../api/eks-cluster.js';
import type { JsonObject } from '../api/schema-builder.js';
import type { ObservedState } from './observed.js';

/** Kubernetes versions to ask for now (eks/versions.ts plans them). */
export interface VersionPlan {
  /** What the Cluster is asked to run now. */
  readonly controlPlane: string;
  /** What node groups are asked to run now. */
  readonly nodes: string;
  /** Set while an upgrade is walked one step at a time. */
  readonly note?: string;
  /** Set when the spec names a lower version than the control plane runs, which is kept. */
  readonly behind?: Notice;
}

/**
 * Where a cluster stands between the EKS Auto Mode its spec asks for and the
 * one AWS runs (eks/auto-mode.ts): off, on, or switching on (what it needs
 * first, node groups kept), draining (Auto Mode runs, the node groups go), or
 * switching off (node groups first, compute off once they are Ready).
 */
export type AutoModePhase = 'off' | 'on' | 'switching-on' | 'draining' | 'switching-off';

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
  /** EKS Auto Mode's phase; `spec` is the spec as it applies to the nodes in it (eks/auto-mode.ts). */
  readonly autoMode: AutoModePhase;
}

/** A warning for the user about what the function cannot check or fix itself; `reason` is the result's reason. */
export interface Notice {
  readonly reason: string;
  readonly message: string;
}

/**
 * The part of the cluster a composed resource belongs to: each but the last
 * has its own XR condition (lifecycle/status.ts). Usages only order deletion.
 */
export type StatusGroup = 'network' | 'controlPlane' | 'nodes' | 'addons' | 'access' | 'deletionOrder';

/** One composed resource the function wants, before gating. */
export interface DesiredResource {
  /** Composition resource name: stable, the key Crossplane tracks it by. */
  readonly key: string;
  readonly body: JsonObject;
  readonly group: StatusGroup;
  /**
   * What AWS will not delete while this resource exists, though it holds no
   * reference to it (references are found in the body): kept until it is gone.
   */
  readonly needs?: readonly string[];
  /** What must be gone before this resource is deleted, though it holds no reference to this one. */
  readonly keptBy?: readonly string[];
  /** Emitted only once all of these are Ready (or when it exists already). */
  readonly waitsFor?: readonly string[];
  /** Emitted only once at least one of these is Ready (or when it exists already). */
  readonly waitsForAny?: readonly string[];
  /** What was kept instead of what the spec asks, and how to get the change. */
  readonly warnings?: readonly string[];
  /**
   * Set on a resource on its way out, composed until it may go: one being
   * replaced (make before break: what replaces it, why, when it goes) or one
   * no longer wanted that a leaving resource still uses (lifecycle/leaving.ts).
   * The XR's status lists it.
   */
  readonly leaving?: string;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * A short hash of the XR's identity. Namespace and name cannot contain '/', so
 * distinct XRs hash distinct inputs: this, not the readable part, keeps AWS
 * names apart (a-b/c and a/b-c read alike; long names are cut).
 */
function xrId(namespace: string, name: string): string {
  return createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 8);
}

/** The readable start of AWS names: <namespace>-<name>, or <name> when both are equal. */
function readableName(namespace: string, name: string): string {
  return namespace === name || namespace === '' ? name : `${namespace}-${name}`;
}

/** At most `room` characters, without a dangling separator before what follows. */
function fit(text: string, room: number): string {
  return text.slice(0, room).replace(/[-_]+$/, '');
}

export const EKS_CLUSTER_NAME_MAX = 100;
export const IAM_ROLE_NAME_MAX = 64;

/** Default EKS cluster name of a new XR: <namespace>-<name>-<xrId>, cut to the EKS limit of 100. */
export function defaultClusterName(namespace: string, name: string): string {
  const id = xrId(namespace, name);
  return `${fit(readableName(namespace, name), EKS_CLUSTER_NAME_MAX - id.length - 1)}-${id}`;
}

/**
 * IAM role names are account-wide (all regions) and at most 64 characters:
 * <cluster name, cut>-<xrId>-<purpose>. The XR's id keeps two XRs apart even
 * when they share a spec.clusterName in different regions.
 */
export function derivedRoleName(namespace: string, name: string, clusterName: string | undefined, purpose: string): string {
  const id = xrId(namespace, name);
  const readable = clusterName ?? readableName(namespace, name);
  return `${fit(readable, IAM_ROLE_NAME_MAX - id.length - purpose.length - 2)}-${id}-${purpose}`;
}
