/**
 * spec.karpenter: the controller role through Pod Identity, the interruption
 * queue fed by four EventBridge rules, a node role with an EC2_LINUX access
 * entry, and the discovery tag on exactly one security group.
 */
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import type { Composition } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { mustCompose, passOf, reconcileToReady, simulateTeardown } from 'workshop';
import { validXr } from './support/bad-inputs.js';
import { KARPENTER_NODE_ROLE_KEY, KARPENTER_POLICY_KEY, KARPENTER_QUEUE_KEY } from 'function-eks-cluster/src/eks/karpenter.js';
import { CLUSTER_KEY } from 'function-eks-cluster/src/eks/cluster.js';

function settled(karpenter: JsonObject | undefined): { composition: Composition; observed: Record<string, JsonObject> } {
  const xr = validXr();
  if (karpenter) (xr.spec as JsonObject).karpenter = karpenter;
  const { result, observed } = reconcileToReady(xr);
  return { composition: mustCompose(result), observed };
}

const fp = (c: Composition, key: string, ...path: (string | number)[]): Json | undefined =>
  dig(c.resources.find((r) => r.key === key)?.body, 'spec', 'forProvider', ...path);
const at = (observed: Record<string, JsonObject>, key: string, ...path: string[]) => dig(observed[key], 'status', 'atProvider', ...path);

describe('Karpenter-ready cluster', () => {
  it('is off by default', () => {
    const { composition } = settled(undefined);
    expect(composition.resources.filter((r) => /karpenter/.test(r.key))).toEqual([]);
    expect(composition.status.karpenter).toBeUndefined();
  });

  it('feeds spot interruptions, rebalance recommendations, state changes and health events into its queue', () => {
    const { composition, observed } = settled({ enabled: true });
    const queueArn = at(observed, KARPENTER_QUEUE_KEY, 'arn');
    const rules = composition.resources.filter((r) => r.body.kind === 'Rule');
    expect(rules.map((r) => JSON.parse(String(fp(composition, r.key, 'eventPattern')))['detail-type'][0]).sort()).toEqual([
      'AWS Health Event',
      'EC2 Instance Rebalance Recommendation',
      'EC2 Instance State-change Notification',
      'EC2 Spot Instance Interruption Warning',
    ]);
    for (const rule of rules) {
      const target = rule.key.replace('karpenter-rule-', 'karpenter-target-');
      expect(fp(composition, target, 'ruleRef')).toEqual({ name: `team-a-${rule.key}` });
      expect(fp(composition, target, 'arn')).toBe(queueArn);
    }
    const policy = JSON.parse(String(fp(composition, 'karpenter-queue-policy', 'policy')));
    expect(policy.Statement[0]).toMatchObject({ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn });
    expect(policy.Statement[0].Principal.Service).toContain('events.amazonaws.com');
    expect(fp(composition, 'karpenter-queue-policy', 'queueUrlRef')).toEqual({ name: 'team-a-karpenter-queue' });
  });

  it('the controller role is associated with kube-system/karpenter, and its policy names this cluster, queue and node role', () => {
    const { composition, observed } = settled({ enabled: true });
    expect(fp(composition, 'pia-karpenter')).toMatchObject({
      namespace: 'kube-system',
      serviceAccount: 'karpenter',
      roleArnRef: { name: 'team-a-role-karpenter' },
    });
    const policy = String(fp(composition, KARPENTER_POLICY_KEY, 'policy'));
    for (const arn of [at(observed, CLUSTER_KEY, 'arn'), at(observed, KARPENTER_QUEUE_KEY, 'arn'), at(observed, KARPENTER_NODE_ROLE_KEY, 'arn')])
      expect(policy).toContain(String(arn));
    const passRole = JSON.parse(policy).Statement.find((s: JsonObject) => s.Action === 'iam:PassRole');
    expect(passRole.Resource).toBe(at(observed, KARPENTER_NODE_ROLE_KEY, 'arn'));
  });

  it('its nodes join through an EC2_LINUX access entry of their own role', () => {
    const { composition } = settled({ enabled: true, namespace: 'karpenter', serviceAccount: 'controller' });
    expect(fp(composition, 'access-karpenter-node')).toMatchObject({ type: 'EC2_LINUX', principalArnFromRoleRef: { name: 'team-a-role-karpenter-node' } });
    expect(fp(composition, 'pia-karpenter')).toMatchObject({ namespace: 'karpenter', serviceAccount: 'controller' });
    expect(composition.status.karpenter?.interruptionQueue).toBe(fp(composition, KARPENTER_QUEUE_KEY, 'name'));
  });

  it('the discovery tag is on exactly one security group, the cluster security group, and on private subnets only', () => {
    const { composition, observed } = settled({ enabled: true });
    const tags = composition.resources.filter((r) => r.body.kind === 'Tag' && fp(composition, r.key, 'key') === 'karpenter.sh/discovery');
    expect(tags).toHaveLength(1);
    expect(fp(composition, tags[0]!.key, 'resourceId')).toBe(at(observed, CLUSTER_KEY, 'vpcConfig', 'clusterSecurityGroupId'));
    expect(fp(composition, tags[0]!.key, 'value')).toBe(composition.status.cluster?.name);
    for (const subnet of composition.resources.filter((r) => r.body.kind === 'Subnet')) {
      const discovery = (fp(composition, subnet.key, 'tags') as JsonObject)['karpenter.sh/discovery'];
      expect(discovery !== undefined, subnet.key).toBe(subnet.key.startsWith('subnet-private-'));
    }
  });

  it('tears down in an order AWS accepts: targets before the queue, the inline policy before its role, the tag before the cluster', () => {
    const { composition } = settled({ enabled: true });
    const teardown = simulateTeardown(composition.resources, { namespaceDeleted: true });
    expect(teardown.refusals).toEqual([]);
    expect(teardown.left).toEqual([]);
    expect(passOf(teardown, 'Target/team-a-karpenter-target-spot')).toBeLessThan(passOf(teardown, 'Queue/team-a-karpenter-queue'));
    expect(passOf(teardown, 'RolePolicy/team-a-role-karpenter-controller')).toBeLessThan(passOf(teardown, 'Role/team-a-role-karpenter'));
    expect(passOf(teardown, 'Tag/team-a-karpenter-sg-discovery')).toBeLessThan(passOf(teardown, 'Cluster/team-a-cluster'));
  });
});
