/**
 * Which EKS add-ons are composed, and which of them get their AWS permissions
 * through EKS Pod Identity rather than the node role. Pure functions of the
 * spec, shared by the add-ons, their roles and the node role (which keeps the
 * CNI policy only where vpc-cni cannot use Pod Identity).
 */
import { DEFAULT_ADDONS, type AddonSpec, type EKSClusterSpec } from '../api/eks-cluster.js';
import { roleAttachmentKeys } from '../ground/iam.js';

/** Defaults first, then the user's entries; a user entry with a default's name overrides it. */
export function effectiveAddons(userAddons: readonly AddonSpec[]): AddonSpec[] {
  const byName = new Map<string, AddonSpec>(DEFAULT_ADDONS.map((name) => [name, { name, enabled: true }]));
  for (const addon of userAddons) byName.set(addon.name, addon);
  return [...byName.values()].filter((a) => a.enabled).sort((a, b) => a.name.localeCompare(b.name));
}

/** What EKS Auto Mode runs itself: composing them too would fight it. */
const AUTO_MODE_BUILT_IN: ReadonlySet<string> = new Set(['vpc-cni', 'kube-proxy', 'coredns', 'eks-pod-identity-agent', 'aws-ebs-csi-driver']);

/** The add-ons composed for this spec. */
export function composedAddons(spec: EKSClusterSpec): AddonSpec[] {
  const addons = effectiveAddons(spec.addons);
  return spec.autoMode.enabled ? addons.filter((a) => !AUTO_MODE_BUILT_IN.has(a.name)) : addons;
}

export interface AddonIdentity {
  /** The Kubernetes service account EKS installs the add-on with. */
  readonly serviceAccount: string;
  /** AWS managed policies, as paths after arn:<partition>:iam::aws:policy/. */
  readonly policies: readonly string[];
  /** Second part of the IAM role name. */
  readonly purpose: string;
}

/** Add-ons whose role the function composes (the service accounts and policies EKS documents for them). */
export const POD_IDENTITY_ADDONS: Readonly<Record<string, AddonIdentity>> = {
  'vpc-cni': { serviceAccount: 'aws-node', policies: ['AmazonEKS_CNI_Policy'], purpose: 'vpc-cni' },
  'aws-ebs-csi-driver': { serviceAccount: 'ebs-csi-controller-sa', policies: ['service-role/AmazonEBSCSIDriverPolicy'], purpose: 'ebs-csi' },
};

export function addonRoleKey(addonName: string): string {
  return `role-addon-${addonName}`;
}

/** Whether pods can get Pod Identity credentials: the agent add-on runs, or Auto Mode brings it. */
export function podIdentityAgentPresent(spec: EKSClusterSpec): boolean {
  return spec.autoMode.enabled || effectiveAddons(spec.addons).some((a) => a.name === 'eks-pod-identity-agent');
}

/**
 * The add-ons that get a composed role through Pod Identity: those of
 * POD_IDENTITY_ADDONS that are composed, have no IRSA role of the user's, and
 * can reach the agent.
 */
export function podIdentityAddons(spec: EKSClusterSpec): AddonSpec[] {
  if (!podIdentityAgentPresent(spec)) return [];
  return composedAddons(spec).filter((a) => POD_IDENTITY_ADDONS[a.name] !== undefined && !a.serviceAccountRoleArn);
}

export function usesPodIdentity(spec: EKSClusterSpec, addonName: string): boolean {
  return podIdentityAddons(spec).some((a) => a.name === addonName);
}

/** The add-on's composed role and its policy attachments, when it gets its AWS permissions through Pod Identity. */
export function addonIdentityKeys(spec: EKSClusterSpec, addonName: string): string[] {
  if (!usesPodIdentity(spec, addonName)) return [];
  const roleKey = addonRoleKey(addonName);
  return [roleKey, ...roleAttachmentKeys(roleKey, POD_IDENTITY_ADDONS[addonName]!.policies)];
}
