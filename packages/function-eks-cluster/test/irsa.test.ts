/**
 * IRSA can take effect: spec.addons[].serviceAccountRoleArn (and any workload's
 * IAM role for a service account) needs the cluster's OIDC issuer registered as
 * an IAM OpenIDConnectProvider, which the function composes once the cluster reports it.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { validXr } from './support/bad-inputs.js';
import { mustCompose, reconcileToReady } from 'workshop';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';

const ROLE = 'arn:aws:iam::111122223333:role/ebs-csi';

function withEbsCsi(): JsonObject {
  const xr = validXr();
  (xr.spec as JsonObject).addons = [{ name: 'aws-ebs-csi-driver', serviceAccountRoleArn: ROLE }];
  return xr;
}

describe('IAM OIDC provider', () => {
  it('registers the issuer the cluster reports, for sts.amazonaws.com', () => {
    const { result, observed } = reconcileToReady(withEbsCsi());
    const composed = mustCompose(result);
    const provider = composed.resources.find((r) => r.body.kind === 'OpenIDConnectProvider');
    expect(provider?.body.apiVersion).toBe('iam.aws.m.upbound.io/v1beta1');
    const issuer = dig(observed[CLUSTER_KEY], 'status', 'atProvider', 'identity', 0, 'oidc', 0, 'issuer');
    expect(typeof issuer).toBe('string');
    expect(dig(provider!.body, 'spec', 'forProvider', 'url')).toBe(issuer);
    expect(dig(provider!.body, 'spec', 'forProvider', 'clientIdList')).toEqual(['sts.amazonaws.com']);
    expect(composed.status.cluster?.oidcProviderArn).toMatch(/^arn:aws:iam::\d{12}:oidc-provider\/oidc\.eks\./);
  });

  it('is not composed before the cluster reports its issuer, and stays once it exists', () => {
    const first = mustCompose(compose({ composite: withEbsCsi(), observed: {} }));
    expect(first.resources.some((r) => r.body.kind === 'OpenIDConnectProvider')).toBe(false);
    const { observed } = reconcileToReady(withEbsCsi());
    const key = Object.keys(observed).find((k) => observed[k]!.kind === 'OpenIDConnectProvider')!;
    const cluster = structuredClone(observed[CLUSTER_KEY]!);
    (cluster.status as JsonObject).atProvider = {};
    const again = mustCompose(compose({ composite: withEbsCsi(), observed: { ...observed, cluster } }));
    expect(dig(again.resources.find((r) => r.key === key)?.body, 'spec', 'forProvider', 'url')).toBe(dig(observed[key], 'spec', 'forProvider', 'url'));
  });

  it('an add-on with a service account role waits for the provider, which outlives it', () => {
    const { result, waves } = reconcileToReady(withEbsCsi());
    const composed = mustCompose(result);
    const key = composed.resources.find((r) => r.body.kind === 'OpenIDConnectProvider')!.key;
    const waveOf = (k: string) => waves.findIndex((w) => w.includes(k));
    expect(waveOf('addon-aws-ebs-csi-driver')).toBeGreaterThan(waveOf(key));
    expect(composed.resources.map((r) => r.key)).toContain(`usage-addon-aws-ebs-csi-driver-uses-${key}`);
    expect(dig(composed.resources.find((r) => r.key === 'addon-aws-ebs-csi-driver')!.body, 'spec', 'forProvider', 'serviceAccountRoleArn')).toBe(ROLE);
  });
});
