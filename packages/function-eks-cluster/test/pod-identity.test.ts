/**
 * EKS Pod Identity: vpc-cni by default and aws-ebs-csi-driver when listed get
 * their own role through the add-on's association, not the node role; the
 * user's spec.podIdentity.roles become role, attachments and association;
 * each is deleted before what it needs.
 */
import { describe, expect, it } from 'vitest';
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose, type Composition } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { mustCompose, passOf, reconcileToReady, simulateTeardown } from 'workshop';
import { validXr } from './support/bad-inputs.js';

const LBC_POLICY = 'arn:aws:iam::111122223333:policy/AWSLoadBalancerControllerIAMPolicy';

function xrWith(spec: JsonObject): JsonObject {
  const xr = validXr();
  Object.assign(xr.spec as JsonObject, spec);
  return xr;
}

function settled(spec: JsonObject = {}): { composition: Composition; observed: Record<string, JsonObject> } {
  const { result, observed } = reconcileToReady(xrWith(spec));
  return { composition: mustCompose(result), observed };
}

const body = (c: Composition, key: string) => c.resources.find((r) => r.key === key)?.body;
const fp = (c: Composition, key: string, ...path: (string | number)[]): Json | undefined => dig(body(c, key), 'spec', 'forProvider', ...path);
const keys = (c: Composition) => c.resources.map((r) => r.key);
const arnOf = (observed: Record<string, JsonObject>, key: string) => dig(observed[key], 'status', 'atProvider', 'arn');

describe('Pod Identity for add-ons', () => {
  it('vpc-cni gets its own role by default, trusted by pods.eks.amazonaws.com, and the node role no CNI policy', () => {
    const { composition, observed } = settled();
    expect(fp(composition, 'addon-vpc-cni', 'podIdentityAssociation')).toEqual([
      { roleArn: arnOf(observed, 'role-addon-vpc-cni'), serviceAccount: 'aws-node' },
    ]);
    expect(JSON.parse(String(fp(composition, 'role-addon-vpc-cni', 'assumeRolePolicy')))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    });
    expect(fp(composition, 'role-addon-vpc-cni-amazoneks-cni-policy', 'policyArn')).toBe('arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy');
    expect(keys(composition)).not.toContain('role-node-amazoneks-cni-policy');
    expect(keys(composition)).toContain('addon-eks-pod-identity-agent');
  });

  it('node groups start only once vpc-cni, its role and the agent are Ready', () => {
    const { waves } = reconcileToReady(xrWith({}));
    const waveOf = (key: string) => waves.findIndex((w) => w.includes(key));
    for (const before of ['role-addon-vpc-cni-amazoneks-cni-policy', 'addon-vpc-cni', 'addon-eks-pod-identity-agent']) {
      expect(waveOf('nodegroup-general'), before).toBeGreaterThan(waveOf(before));
    }
    expect(waveOf('addon-vpc-cni')).toBeGreaterThan(waveOf('role-addon-vpc-cni-amazoneks-cni-policy'));
  });

  const nodeRoleCni: { reason: string; spec: JsonObject; cni: boolean; vpcCniRole: boolean }[] = [
    { reason: 'Pod Identity by default: no CNI policy on the node role', spec: {}, cni: false, vpcCniRole: true },
    {
      reason: 'an IRSA role of the user: vpc-cni uses it, the node role keeps nothing extra either way',
      spec: { addons: [{ name: 'vpc-cni', serviceAccountRoleArn: 'arn:aws:iam::111122223333:role/cni' }] },
      cni: true,
      vpcCniRole: false,
    },
    {
      reason: 'no agent: vpc-cni can only use the node role',
      spec: { addons: [{ name: 'eks-pod-identity-agent', enabled: false }] },
      cni: true,
      vpcCniRole: false,
    },
    {
      reason: 'the user brings their own CNI: the node role keeps the policy, as before',
      spec: { addons: [{ name: 'vpc-cni', enabled: false }] },
      cni: true,
      vpcCniRole: false,
    },
  ];
  it.each(nodeRoleCni)('$reason', ({ spec, cni, vpcCniRole }) => {
    const { composition } = settled(spec);
    expect(keys(composition).includes('role-node-amazoneks-cni-policy')).toBe(cni);
    expect(keys(composition).includes('role-addon-vpc-cni')).toBe(vpcCniRole);
  });

  it('an existing node role keeps its CNI policy: running aws-node pods still use the node credentials', () => {
    const { observed } = reconcileToReady(xrWith({ addons: [{ name: 'eks-pod-identity-agent', enabled: false }] }));
    expect(observed['role-node-amazoneks-cni-policy']).toBeDefined();
    const next = mustCompose(compose({ composite: xrWith({}), observed }));
    expect(keys(next)).toContain('role-node-amazoneks-cni-policy');
    expect(keys(next)).toContain('role-addon-vpc-cni');
  });

  it('aws-ebs-csi-driver, when listed, gets its role with the service-role policy of the partition', () => {
    const { composition, observed } = settled({ addons: [{ name: 'aws-ebs-csi-driver' }] });
    expect(fp(composition, 'addon-aws-ebs-csi-driver', 'podIdentityAssociation')).toEqual([
      { roleArn: arnOf(observed, 'role-addon-aws-ebs-csi-driver'), serviceAccount: 'ebs-csi-controller-sa' },
    ]);
    expect(fp(composition, 'role-addon-aws-ebs-csi-driver-amazonebscsidriverpolicy', 'policyArn')).toBe(
      'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
    );
    const china = mustCompose(
      reconcileToReady({
        ...xrWith({ addons: [{ name: 'aws-ebs-csi-driver' }] }),
        spec: {
          ...(xrWith({ addons: [{ name: 'aws-ebs-csi-driver' }] }).spec as JsonObject),
          region: 'cn-north-1',
          network: { availabilityZones: ['a', 'b'] },
        },
      }).result,
    );
    expect(fp(china, 'role-addon-aws-ebs-csi-driver-amazonebscsidriverpolicy', 'policyArn')).toBe(
      'arn:aws-cn:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy',
    );
  });

  it('an add-on outlives neither its role nor its policy, and node groups keep the CNI policy while they drain', () => {
    const { composition } = settled({ addons: [{ name: 'aws-ebs-csi-driver' }] });
    for (const usage of [
      'usage-addon-vpc-cni-uses-role-addon-vpc-cni',
      'usage-addon-vpc-cni-uses-role-addon-vpc-cni-amazoneks-cni-policy',
      'usage-nodegroup-general-uses-role-addon-vpc-cni-amazoneks-cni-policy',
      'usage-addon-aws-ebs-csi-driver-uses-role-addon-aws-ebs-csi-driver',
      'usage-role-addon-vpc-cni-amazoneks-cni-policy-uses-role-addon-vpc-cni',
    ])
      expect(keys(composition), usage).toContain(usage);
    const teardown = simulateTeardown(composition.resources, { namespaceDeleted: false });
    expect(teardown.refusals).toEqual([]);
    expect(passOf(teardown, 'Addon/team-a-addon-vpc-cni')).toBeLessThan(
      passOf(teardown, 'RolePolicyAttachment/team-a-role-addon-vpc-cni-amazoneks-cni-policy'),
    );
  });
});

describe('Pod Identity roles of the user', () => {
  const lbc = { podIdentity: { roles: [{ name: 'lbc', namespace: 'kube-system', serviceAccount: 'aws-load-balancer-controller', policyArns: [LBC_POLICY] }] } };

  it('a role, its attachments and an association by reference to this cluster and this role', () => {
    const { composition } = settled(lbc);
    const roleKey = 'role-pi-lbc';
    const attachment = keys(composition).find((k) => k.startsWith(`${roleKey}-awsloadbalancercontrolleriampolicy-`))!;
    expect(fp(composition, attachment, 'policyArn')).toBe(LBC_POLICY);
    expect(fp(composition, attachment, 'roleRef')).toEqual({ name: 'team-a-role-pi-lbc' });
    expect(body(composition, 'pia-lbc')?.kind).toBe('PodIdentityAssociation');
    expect(fp(composition, 'pia-lbc')).toMatchObject({
      region: 'us-west-2',
      clusterNameRef: { name: 'team-a-cluster' },
      roleArnRef: { name: 'team-a-role-pi-lbc' },
      namespace: 'kube-system',
      serviceAccount: 'aws-load-balancer-controller',
    });
  });

  it('two policies of one name in different accounts get different attachments', () => {
    const other = LBC_POLICY.replace('111122223333', '444455556666');
    const { composition } = settled({ podIdentity: { roles: [{ ...lbc.podIdentity.roles[0]!, policyArns: [LBC_POLICY, other] }] } });
    const attachments = composition.resources.filter((r) => r.body.kind === 'RolePolicyAttachment' && r.key.startsWith('role-pi-lbc-'));
    expect(attachments.map((a) => fp(composition, a.key, 'policyArn')).sort()).toEqual([LBC_POLICY, other].sort());
  });

  it('the association goes before the cluster and the role; attachments before the role', () => {
    const { composition } = settled(lbc);
    const teardown = simulateTeardown(composition.resources, { namespaceDeleted: true });
    expect(teardown.refusals).toEqual([]);
    expect(teardown.left).toEqual([]);
    const pia = passOf(teardown, 'PodIdentityAssociation/team-a-pia-lbc');
    expect(pia).toBeLessThan(passOf(teardown, 'Cluster/team-a-cluster'));
    expect(pia).toBeLessThan(passOf(teardown, 'Role/team-a-role-pi-lbc'));
  });

  it('adding a role composes only its own resources', () => {
    const { composition: before, observed } = settled(lbc);
    const grown = xrWith({
      podIdentity: {
        roles: [
          ...lbc.podIdentity.roles,
          { name: 'dns', namespace: 'kube-system', serviceAccount: 'external-dns', policyArns: ['arn:aws:iam::aws:policy/AmazonRoute53FullAccess'] },
        ],
      },
    });
    const after = mustCompose(compose({ composite: grown, observed }));
    const added = keys(after).filter((k) => !keys(before).includes(k));
    expect(added.length).toBeGreaterThan(0);
    for (const k of added) expect(k).toMatch(/dns/);
    for (const r of before.resources) expect(body(after, r.key)).toEqual(r.body);
  });
});
