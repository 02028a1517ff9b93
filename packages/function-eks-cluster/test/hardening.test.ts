/**
 * Hardened nodes (spec.nodeGroups[].launchTemplate) and security-group rules
 * of your own (spec.securityGroupRules): what is refused before anything is
 * composed, naming the field, the value and the fix; what the launch template
 * holds; how rules are named. Life after creation: test/day2.test.ts (1d, 1e).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import type { SecurityGroupRuleSpec } from 'function-eks-cluster/src/api/eks-cluster.js';
import { compose } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { ruleKey } from 'function-eks-cluster/src/network/security-group-rules.js';
import { validXr } from './support/bad-inputs.js';
import { reconcileToReady } from 'workshop';

type Spec = JsonObject & { nodeGroups: JsonObject[] };

function xrWith(edit: (spec: Spec) => void): JsonObject {
  const xr = validXr();
  edit(xr.spec as Spec);
  return xr;
}

const errorsOf = (xr: JsonObject) => {
  const result = compose({ composite: xr, observed: {} });
  return result.ok ? [] : result.errors;
};

describe('refused before anything is composed, naming the field and the fix', () => {
  it.each([
    {
      reason: 'a rule with both a CIDR and a prefix list',
      edit: (s: Spec) => (s.securityGroupRules = { cluster: [{ cidr: '10.1.0.0/16', prefixListId: 'pl-0a1b2c3d', fromPort: 443 }] }),
      path: 'spec.securityGroupRules.cluster[0]',
      says: /set exactly one/,
    },
    {
      reason: 'a rule without a source',
      edit: (s: Spec) => (s.securityGroupRules = { cluster: [{ fromPort: 443 }] }),
      path: 'spec.securityGroupRules.cluster[0]',
      says: /set exactly one/,
    },
    {
      reason: 'a CIDR with host bits (AWS would canonicalize it, and a second form of the same rule is a duplicate)',
      edit: (s: Spec) => (s.securityGroupRules = { cluster: [{ cidr: '10.1.2.3/16', fromPort: 443 }] }),
      path: 'spec.securityGroupRules.cluster[0]',
      says: /"10\.1\.2\.3\/16" has host bits set; the block is 10\.1\.0\.0\/16/,
    },
    {
      reason: 'tcp without a port',
      edit: (s: Spec) => (s.securityGroupRules = { cluster: [{ cidr: '10.1.0.0/16' }] }),
      path: 'spec.securityGroupRules.cluster[0]',
      says: /without fromPort; set fromPort/,
    },
    {
      reason: 'a port range upside down',
      edit: (s: Spec) => (s.securityGroupRules = { cluster: [{ cidr: '10.1.0.0/16', fromPort: 443, toPort: 80 }] }),
      path: 'spec.securityGroupRules.cluster[0]',
      says: /toPort 80 below fromPort 443; make toPort >= fromPort/,
    },
    {
      reason: 'ports with protocol all',
      edit: (s: Spec) => (s.securityGroupRules = { cluster: [{ cidr: '10.1.0.0/16', protocol: 'all', fromPort: 443 }] }),
      path: 'spec.securityGroupRules.cluster[0]',
      says: /remove fromPort and toPort/,
    },
    {
      reason: 'the same rule twice, toPort written out once (AWS: InvalidPermission.Duplicate)',
      edit: (s: Spec) =>
        (s.securityGroupRules = {
          cluster: [
            { cidr: '10.1.0.0/16', fromPort: 443, description: 'a' },
            { cidr: '10.1.0.0/16', fromPort: 443, toPort: 443, description: 'b' },
          ],
        }),
      path: 'spec.securityGroupRules.cluster[1]',
      says: /allows what spec\.securityGroupRules\.cluster\[0\] allows .*InvalidPermission\.Duplicate.*remove one of them/,
    },
    {
      reason: 'node rules while a group has no launch template',
      edit: (s: Spec) => (s.securityGroupRules = { nodes: [{ cidr: '10.1.0.0/16', fromPort: 443 }] }),
      path: 'spec.securityGroupRules.nodes',
      says: /general has none; set launchTemplate: \{\} on it/,
    },
    {
      reason: 'a custom AMI on Bottlerocket (the function joins custom AMIs the AL2023 way)',
      edit: (s: Spec) => {
        s.nodeGroups[0]!.amiType = 'BOTTLEROCKET_x86_64';
        s.nodeGroups[0]!.launchTemplate = { amiId: 'ami-0123456789abcdef0' };
      },
      path: 'spec.nodeGroups[0].launchTemplate.amiId',
      says: /amiType BOTTLEROCKET_x86_64.*set amiType to an AL2023 type, or remove amiId/,
    },
    {
      reason: 'a user-data script on Bottlerocket',
      edit: (s: Spec) => {
        s.nodeGroups[0]!.amiType = 'BOTTLEROCKET_ARM_64';
        s.nodeGroups[0]!.launchTemplate = { userData: 'echo hi' };
      },
      path: 'spec.nodeGroups[0].launchTemplate.userData',
      says: /TOML settings.*remove userData/,
    },
    {
      reason: 'a hop limit of 0',
      edit: (s: Spec) => (s.nodeGroups[0]!.launchTemplate = { metadataHopLimit: 0 }),
      path: 'spec.nodeGroups[0].launchTemplate.metadataHopLimit',
      says: /below the minimum 1/,
    },
    {
      reason: 'a description with a character AWS refuses',
      edit: (s: Spec) => (s.securityGroupRules = { cluster: [{ cidr: '10.1.0.0/16', fromPort: 443, description: "team's VPN" }] }),
      path: 'spec.securityGroupRules.cluster[0].description',
      says: /allowed characters/,
    },
  ])('$reason', ({ edit, path, says }) => {
    const errors = errorsOf(xrWith(edit));
    expect(errors.map((e) => e.path)).toEqual([path]);
    expect(errors[0]!.message).toMatch(says);
  });
});

describe('the launch template', () => {
  const composed = (edit: (spec: Spec) => void) => {
    const { result } = reconcileToReady(xrWith(edit));
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const body = (key: string) => result.resources.find((r) => r.key === key)?.body;
    return {
      template: dig(body('launchtemplate-general'), 'spec', 'forProvider') as JsonObject,
      group: dig(body('nodegroup-general'), 'spec', 'forProvider') as JsonObject,
    };
  };

  it('by default: IMDSv2 required with hop limit 2, an encrypted gp3 root volume of diskSize, the cluster and node security groups; the group sends no diskSize', () => {
    const { template, group } = composed((s) => (s.nodeGroups[0]!.launchTemplate = {}));
    expect(template.metadataOptions).toEqual({ httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 2 });
    expect(template.blockDeviceMappings).toEqual([
      { deviceName: '/dev/xvda', ebs: { volumeType: 'gp3', iops: 3000, throughput: 125, encrypted: 'true', deleteOnTermination: 'true', volumeSize: 50 } },
    ]);
    expect(template.vpcSecurityGroupIds).toHaveLength(2);
    expect(template.userData).toBeUndefined();
    expect(group.diskSize).toBeUndefined();
    expect(group.launchTemplate).toEqual({ id: expect.stringMatching(/^lt-/), version: '1' });
  });

  it('a custom AMI: amiType CUSTOM, no Kubernetes version, and user data that joins the cluster with nodeadm, labels and taints included', () => {
    const { template, group } = composed((s) => {
      s.nodeGroups[0]!.taints = [{ key: 'dedicated', value: 'gpu', effect: 'NO_EXECUTE' }];
      s.nodeGroups[0]!.launchTemplate = { amiId: 'ami-0123456789abcdef0', userData: 'echo ready' };
    });
    expect(group.amiType).toBe('CUSTOM');
    expect(group.version).toBeUndefined();
    expect(template.imageId).toBe('ami-0123456789abcdef0');
    const mime = Buffer.from(String(template.userData), 'base64').toString();
    expect(mime).toMatch(/^MIME-Version: 1\.0\nContent-Type: multipart\/mixed; boundary=/);
    expect(mime).toContain('Content-Type: application/node.eks.aws');
    expect(mime).toMatch(
      /kind: NodeConfig\nspec:\n {2}cluster:\n {4}name: team-a-[0-9a-z-]+\n {4}apiServerEndpoint: https:\/\/.+\n {4}certificateAuthority: \S+\n {4}cidr: 172\.20\.0\.0\/16/,
    );
    expect(mime).toContain('--node-labels=eks.gitops.dev/node-group=general');
    expect(mime).toContain('--register-with-taints=dedicated=gpu:NoExecute');
    expect(mime).toContain('Content-Type: text/x-shellscript; charset="us-ascii"\n\necho ready');
  });

  it('Bottlerocket: the OS volume encrypted, the data volume sized', () => {
    const { template } = composed((s) => {
      s.nodeGroups[0]!.amiType = 'BOTTLEROCKET_x86_64';
      s.nodeGroups[0]!.launchTemplate = {};
    });
    expect((template.blockDeviceMappings as JsonObject[]).map((m) => [m.deviceName, dig(m, 'ebs', 'encrypted'), dig(m, 'ebs', 'volumeSize')])).toEqual([
      ['/dev/xvda', 'true', undefined],
      ['/dev/xvdb', 'true', 50],
    ]);
  });
});

describe('rule names', () => {
  const ruleArb: fc.Arbitrary<SecurityGroupRuleSpec> = fc.record({
    cidr: fc.constantFrom('10.0.0.0/8', '192.168.0.0/16', '2001:db8::/32'),
    protocol: fc.constantFrom('tcp' as const, 'udp' as const),
    fromPort: fc.integer({ min: 0, max: 65535 }),
    description: fc.constantFrom('a', 'b'),
  });

  it('come from what a rule allows: reordering changes no name, a description changes no name, and distinct rules have distinct names', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 6 }), (rules) => {
        const keys = rules.map((r) => ruleKey('cluster', r));
        const reversed = [...rules].reverse().map((r) => ruleKey('cluster', r));
        expect([...reversed].reverse()).toEqual(keys);
        expect(rules.map((r) => ruleKey('cluster', { ...r, description: 'other' }))).toEqual(keys);
        const distinct = new Set(rules.map((r) => `${r.cidr} ${r.protocol} ${r.fromPort}`));
        expect(new Set(keys).size).toBe(distinct.size);
      }),
    );
  });

  it('differ between the cluster and the node security group', () => {
    const rule: SecurityGroupRuleSpec = { cidr: '10.0.0.0/8', protocol: 'tcp', fromPort: 443 };
    expect(ruleKey('cluster', rule)).not.toBe(ruleKey('nodes', rule));
  });
});
