/** KMS envelope encryption of Kubernetes Secrets: the user's key, or one composed for the cluster. */
import type { ComposeContext, DesiredResource } from '../ground/context.js';
import { awsTags, managed } from '../ground/managed.js';
import { KMS } from '../ground/composed-kinds.js';

export const KMS_KEY = 'kms-key';

export function encryptionResources(ctx: ComposeContext): DesiredResource[] {
  const { enabled, kmsKeyArn } = ctx.spec.encryption;
  if (!enabled || kmsKeyArn) return [];
  return [
    managed(ctx, {
      group: 'controlPlane',
      key: KMS_KEY,
      apiVersion: KMS,
      kind: 'Key',
      forProvider: {
        region: ctx.spec.region,
        description: `Secrets encryption for EKS cluster ${ctx.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: awsTags(ctx, KMS_KEY),
      },
    }),
  ];
}

/** The key ARN once known: the user's, or the composed key's once AWS created it. */
export function encryptionKeyArn(ctx: ComposeContext): string | undefined {
  const { enabled, kmsKeyArn } = ctx.spec.encryption;
  if (!enabled) return undefined;
  return kmsKeyArn ?? ctx.observed.atProvider(KMS_KEY, 'arn');
}
