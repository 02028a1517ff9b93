/**
 * Specs AWS would refuse, refused before anything is composed: what EKS allows
 * once per cluster, asked for twice, and combinations EKS refuses at creation.
 * Without these the provider retries AWS's refusal for ever (a 409 for the
 * second Pod Identity association of a service account; InvalidParameter for
 * Auto Mode on an old Kubernetes version) while the XR looks merely slow.
 */
import type { EKSClusterSpec } from '../api/eks-cluster.js';
import type { FieldError } from '../api/validate.js';
import { POD_IDENTITY_ADDONS, podIdentityAddons } from '../eks/addon-set.js';

/** The Kubernetes minor EKS Auto Mode starts at (https://docs.aws.amazon.com/eks/latest/userguide/create-auto.html). */
export const AUTO_MODE_MIN_MINOR = 29;

const minor = (version: string) => Number(version.split('.')[1]);

export function checkAutoModeVersion(spec: EKSClusterSpec, errors: FieldError[]): void {
  if (!spec.autoMode.enabled || minor(spec.kubernetesVersion) >= AUTO_MODE_MIN_MINOR) return;
  errors.push({
    path: 'spec.autoMode.enabled',
    message: `is true with spec.kubernetesVersion "${spec.kubernetesVersion}", and EKS Auto Mode needs Kubernetes 1.${AUTO_MODE_MIN_MINOR} or later; raise spec.kubernetesVersion to "1.${AUTO_MODE_MIN_MINOR}" or later first, or turn autoMode off`,
  });
}

/** Who holds a service account's Pod Identity association, in words. */
interface Holder {
  readonly serviceAccount: string;
  readonly what: string;
}

/**
 * EKS allows one Pod Identity association per cluster, namespace and service
 * account, an add-on's own podIdentityAssociation included
 * (https://docs.aws.amazon.com/eks/latest/userguide/pod-id-association.html):
 * each later claim on a service account is refused, naming what holds it.
 */
export function checkPodIdentityUniqueness(spec: EKSClusterSpec, errors: FieldError[]): void {
  const held = new Map<string, Holder>();
  const claim = (path: string, serviceAccount: string, what: string, fix: string) => {
    const holder = held.get(serviceAccount);
    if (!holder) {
      held.set(serviceAccount, { serviceAccount, what });
      return;
    }
    errors.push({
      path,
      message: `${serviceAccount} already has a Pod Identity association (${holder.what}), and EKS allows one per service account; ${fix}`,
    });
  };
  for (const addon of podIdentityAddons(spec)) {
    const identity = POD_IDENTITY_ADDONS[addon.name]!;
    claim(`spec.addons`, `kube-system/${identity.serviceAccount}`, `the ${addon.name} add-on's own`, 'remove one of them');
  }
  if (spec.karpenter.enabled) {
    claim(
      'spec.karpenter.serviceAccount',
      `${spec.karpenter.namespace}/${spec.karpenter.serviceAccount}`,
      "Karpenter's controller, spec.karpenter",
      'give Karpenter another spec.karpenter.serviceAccount',
    );
  }
  spec.podIdentity.roles.forEach((role, i) => {
    claim(
      `spec.podIdentity.roles[${i}].serviceAccount`,
      `${role.namespace}/${role.serviceAccount}`,
      `spec.podIdentity.roles "${role.name}"`,
      'use another service account for this role, or remove it (the role it has now keeps working)',
    );
  });
}
