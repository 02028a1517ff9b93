/** The EKS control plane. */
import type { Json, JsonObject } from '../api/schema-builder.js';
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { awsTags, managed, ref } from '../ground/managed.js';
import { EKS } from '../ground/composed-kinds.js';
import type { PlannedSubnet } from '../network/subnet-plan.js';
import { encryptionKeyArn, KMS_KEY } from './encryption.js';
import { autoModeClusterConfig, autoModeClusterNeeds, autoModeWarnings } from './auto-mode.js';
import { CLUSTER_ROLE_KEY, clusterRoleAttachmentKeys, clusterRoleAutoModeKeys } from './iam.js';

export const CLUSTER_KEY = 'cluster';

function encryptionConfig(ctx: ComposeContext): Json | undefined {
  const keyArn = encryptionKeyArn(ctx);
  if (keyArn) return { provider: { keyArn }, resources: ['secrets'] };
  // Encryption cannot be switched off on a live cluster: keep what exists
  // rather than ask the provider for the impossible while the key is unobserved.
  return ctx.observed.forProvider(CLUSTER_KEY, 'encryptionConfig');
}

/**
 * The control plane's subnets: the private ones, chosen once. An existing
 * cluster keeps the subnets it was created in: the provider treats a change of
 * vpcConfig.subnetIds as a replacement of the cluster, and the control plane
 * needs no new zone to serve nodes there.
 */
function controlPlaneSubnets(ctx: ComposeContext, subnets: readonly PlannedSubnet[]): JsonObject {
  // An existing network's subnets are given by ID (network/existing is not composed).
  const field = ctx.spec.network.existing ? 'subnetIds' : 'subnetIdRefs';
  const existing = ctx.observed.forProvider(CLUSTER_KEY, 'vpcConfig', field);
  if (Array.isArray(existing) && existing.length > 0) return { [field]: existing };
  if (ctx.spec.network.existing) return { subnetIds: [...ctx.spec.network.existing.privateSubnetIds] };
  return { subnetIdRefs: subnets.filter((s) => s.tier === 'private').map((s) => ref(ctx, s.key)) };
}

/** @param nodeGroupKeys the spec's node groups, as composed: switching Auto Mode off waits for them */
export function clusterResource(ctx: ComposeContext, subnets: readonly PlannedSubnet[], nodeGroupKeys: readonly string[]): DesiredResource {
  const { spec } = ctx;
  const forProvider: JsonObject = {
    region: spec.region,
    version: ctx.versions.controlPlane,
    roleArnRef: ref(ctx, CLUSTER_ROLE_KEY),
    vpcConfig: {
      ...controlPlaneSubnets(ctx, subnets),
      endpointPrivateAccess: spec.endpointAccess.private,
      endpointPublicAccess: spec.endpointAccess.public,
      ...(spec.endpointAccess.public ? { publicAccessCidrs: spec.endpointAccess.publicCidrs } : {}),
    },
    accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
    // The add-ons are managed below as EKS add-ons; self-managed copies would fight them.
    bootstrapSelfManagedAddons: false,
    enabledClusterLogTypes: [...spec.logging.types].sort(),
    // Always explicit: EKS's own default is EXTENDED (billed), and a false must reach a cluster that had true.
    upgradePolicy: { supportType: spec.controlPlane.supportType },
    deletionProtection: spec.controlPlane.deletionProtection,
    // Fixed at creation (compose/observed-checks.ts refuses a change); IPv4 sends nothing, EKS's default, as before the field.
    ...(spec.network.ipFamily === 'IPv6' ? { kubernetesNetworkConfig: { ipFamily: 'ipv6' } } : {}),
    zonalShiftConfig: { enabled: spec.controlPlane.zonalShift },
    tags: awsTags(ctx, CLUSTER_KEY),
  };
  Object.assign(forProvider, autoModeClusterConfig(ctx, clusterRoleAutoModeKeys(), nodeGroupKeys));
  const encryption = encryptionConfig(ctx);
  if (encryption !== undefined) forProvider.encryptionConfig = encryption;
  const composedKey = spec.encryption.enabled && !spec.encryption.kmsKeyArn;
  // EKS checks the role's policies and the subnets at creation; asking earlier only fails and retries.
  const waitsFor = [
    CLUSTER_ROLE_KEY,
    ...clusterRoleAttachmentKeys(ctx),
    ...autoModeClusterNeeds(ctx),
    ...subnets.filter((s) => s.tier === 'private').map((s) => s.key),
    ...(composedKey ? [KMS_KEY] : []),
  ];
  // Without its policies the control plane cannot clean up its network interfaces; without its key, the secrets it encrypted.
  const needs = [...clusterRoleAttachmentKeys(ctx), ...autoModeClusterNeeds(ctx), KMS_KEY];
  return managed(ctx, {
    group: 'controlPlane',
    key: CLUSTER_KEY,
    apiVersion: EKS,
    kind: 'Cluster',
    externalName: ctx.clusterName,
    forProvider,
    waitsFor,
    needs,
    warnings: autoModeWarnings(ctx, nodeGroupKeys),
  });
}
