/**
 * AWS permissions for pods through EKS Pod Identity: a role trusted by
 * pods.eks.amazonaws.com per add-on that needs one (vpc-cni, aws-ebs-csi-driver,
 * associated through the Addon's own podIdentityAssociation, eks/addons.ts) and
 * per entry of spec.podIdentity.roles (associated through a
 * PodIdentityAssociation). No OIDC provider or trust policy per cluster is
 * involved: the agent on each node hands out the credentials.
 */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import type { JsonObject } from '../api/schema-builder.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { placeReplaceable } from '../ground/replacement.js';
import { EKS } from '../ground/composed-kinds.js';
import { addonRoleKey, POD_IDENTITY_ADDONS, podIdentityAddons } from './addon-set.js';
import { CLUSTER_KEY } from './cluster.js';
import { role, roleAttachmentKeys } from '../ground/iam.js';

export const POD_IDENTITY_SERVICE = 'pods.eks.amazonaws.com';

export function podIdentityRoleKey(name: string): string {
  return `role-pi-${name}`;
}

function podIdentityAssociationKey(name: string): string {
  return `pia-${name}`;
}

/**
 * An association of `roleKey` with a service account; it waits for the role's
 * policies, so pods never get a role without them. EKS cannot move an
 * association to another service account (the provider refuses: Terraform
 * RequiresReplace), so a move makes a new association under a new key
 * (ground/replacement.ts). The old one is left out at once: EKS allows one
 * association per service account, so two roles swapping theirs could never
 * both be created while the old ones stay.
 */
export function podIdentityAssociation(
  ctx: ComposeContext,
  base: string,
  roleKey: string,
  policies: readonly string[],
  namespace: string,
  serviceAccount: string,
): DesiredResource {
  const where = (key: string): JsonObject => ({
    namespace: ctx.observed.forProvider(key, 'namespace') ?? null,
    serviceAccount: ctx.observed.forProvider(key, 'serviceAccount') ?? null,
  });
  const { key } = placeReplaceable(ctx.observed, base, { namespace, serviceAccount }, where);
  return managed(ctx, {
    group: 'access',
    key,
    apiVersion: EKS,
    kind: 'PodIdentityAssociation',
    forProvider: {
      region: ctx.spec.region,
      clusterNameRef: ref(ctx, CLUSTER_KEY),
      roleArnRef: ref(ctx, roleKey),
      namespace,
      serviceAccount,
      tags: awsTags(ctx, key),
    },
    waitsFor: [CLUSTER_KEY, roleKey, ...roleAttachmentKeys(roleKey, policies)],
  });
}

export function podIdentityResources(ctx: ComposeContext): DesiredResource[] {
  const addonRoles = podIdentityAddons(ctx.spec).flatMap((addon) => {
    const identity = POD_IDENTITY_ADDONS[addon.name]!;
    return role(ctx, addonRoleKey(addon.name), identity.purpose, POD_IDENTITY_SERVICE, identity.policies);
  });
  const userRoles = [...ctx.spec.podIdentity.roles]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((r) => {
      const roleKey = podIdentityRoleKey(r.name);
      const policies = [...r.policyArns].sort();
      return [
        ...role(ctx, roleKey, `pi-${r.name}`, POD_IDENTITY_SERVICE, policies),
        podIdentityAssociation(ctx, podIdentityAssociationKey(r.name), roleKey, policies, r.namespace, r.serviceAccount),
      ];
    });
  return [...addonRoles, ...userRoles];
}
