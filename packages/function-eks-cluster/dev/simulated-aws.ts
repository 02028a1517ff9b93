/**
 * Plays the AWS providers for local renders and tests: turns desired composed
 * resources into observed ones, Ready, with plausible deterministic IDs.
 */
import { createHash } from 'node:crypto';
import type { Json, JsonObject } from '../src/api/schema-builder.js';
import { dig } from '../src/compose/observed.js';

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

const ACCOUNT = '111122223333';

function atProviderFor(kind: string, key: string, body: JsonObject): JsonObject {
  const region = String(dig(body, 'spec', 'forProvider', 'region') ?? 'us-east-1');
  const name = String(dig(body, 'metadata', 'annotations', 'crossplane.io/external-name') ?? dig(body, 'metadata', 'name'));
  const forProvider = (dig(body, 'spec', 'forProvider') ?? {}) as JsonObject;
  const ids: Record<string, () => JsonObject> = {
    VPC: () => ({ id: `vpc-${hex(key, 17)}` }),
    Subnet: () => ({ id: `subnet-${hex(key, 17)}`, arn: `arn:aws:ec2:${region}:${ACCOUNT}:subnet/subnet-${hex(key, 17)}` }),
    InternetGateway: () => ({ id: `igw-${hex(key, 17)}` }),
    NATGateway: () => ({ id: `nat-${hex(key, 17)}` }),
    EIP: () => ({ id: `eipalloc-${hex(key, 17)}`, allocationId: `eipalloc-${hex(key, 17)}` }),
    RouteTable: () => ({ id: `rtb-${hex(key, 17)}` }),
    Route: () => ({ id: `r-rtb-${hex(key, 17)}` }),
    RouteTableAssociation: () => ({ id: `rtbassoc-${hex(key, 17)}` }),
    Role: () => ({ id: name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` }),
    RolePolicyAttachment: () => ({ id: `${name}-${hex(key, 8)}` }),
    Key: () => ({ id: hex(key, 32), arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${hex(key, 32)}` }),
    Cluster: () => ({
      id: name,
      arn: `arn:aws:eks:${region}:${ACCOUNT}:cluster/${name}`,
      endpoint: `https://${hex(key, 32).toUpperCase()}.gr7.${region}.eks.amazonaws.com`,
      identity: [{ oidc: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${hex(key, 32).toUpperCase()}` }] }],
      status: 'ACTIVE',
    }),
    NodeGroup: () => ({ id: name, status: 'ACTIVE' }),
    Addon: () => ({ id: String(forProvider.addonName ?? key), addonVersion: 'v1.0.0-eksbuild.1' }),
  };
  return { ...forProvider, ...(ids[kind]?.() ?? { id: `${key}-${hex(key, 8)}` }) };
}

const READY: Json[] = [
  { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: '2026-01-01T00:00:00Z' },
  { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2026-01-01T00:00:00Z' },
];

/** The observed form of a desired resource once its provider has created it. */
export function observeReady(key: string, desired: JsonObject): JsonObject {
  const kind = String(desired.kind);
  const observed = structuredClone(desired);
  observed.status = kind === 'Usage' ? { conditions: READY } : { atProvider: atProviderFor(kind, key, desired), conditions: READY };
  return observed;
}

/** The observed form while the provider is still creating it, or failing. */
export function observeNotReady(desired: JsonObject, reason: string, message: string): JsonObject {
  const observed = structuredClone(desired);
  observed.status = {
    atProvider: {},
    conditions: [
      { type: 'Ready', status: 'False', reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ],
  };
  return observed;
}
