/**
 * apps/pod-networking's chart, rendered by the real Helm with the values its
 * HelmRelease takes from the cluster facts: one ENIConfig per zone, named
 * after the zone (what vpc-cni looks up with ENI_CONFIG_LABEL_DEF
 * topology.kubernetes.io/zone), of the kind the VPC CNI's own CRD serves
 * (scripts/tools/vpc-cni.sh, at the add-on version the function installs).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tool, TOOLS_DIR } from 'function-eks-cluster/testing';

const CHART = join(REPO_ROOT, 'apps', 'pod-networking', 'chart');
type Doc = { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> };

function render(values: Record<string, string>): Doc[] {
  const sets = Object.entries(values).flatMap(([k, v]) => ['--set-string', `${k}=${v.replace(/,/g, '\\,')}`]);
  const out = execFileSync(tool('helm'), ['template', 'pod-networking', CHART, ...sets], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);
}

function renderError(values: Record<string, string>): string {
  try {
    render(values);
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  throw new Error('helm rendered the chart');
}

// The file holds the VPC CNI's CRDs; ENIConfig's is the one named so.
const crd = parseAllDocuments(readFileSync(join(TOOLS_DIR, 'crds', 'vpc-cni', 'customresourcedefinition.yaml'), 'utf8'))
  .map((d) => d.toJS() as CrdDoc)
  .find((d) => d.spec.names.kind === 'ENIConfig')!;
type CrdDoc = {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema: { openAPIV3Schema: { properties: { spec: { required: string[] } } } } }[];
  };
};

const facts = { zones: 'us-east-1a,us-east-1b,us-east-1c', subnetIds: 'subnet-0a,subnet-0b,subnet-0c', securityGroupId: 'sg-0c1' };

describe('apps/pod-networking chart', () => {
  it('writes one ENIConfig per zone, named after it, with its pod subnet and the cluster security group', () => {
    const docs = render(facts);
    expect(docs.map((d) => [d.metadata.name, d.spec.subnet, d.spec.securityGroups])).toEqual([
      ['us-east-1a', 'subnet-0a', ['sg-0c1']],
      ['us-east-1b', 'subnet-0b', ['sg-0c1']],
      ['us-east-1c', 'subnet-0c', ['sg-0c1']],
    ]);
  });

  it("is of the kind and version the VPC CNI's CRD serves, with every field it requires", () => {
    const served = crd.spec.versions.filter((v) => v.served);
    for (const doc of render(facts)) {
      expect(doc.kind).toBe(crd.spec.names.kind);
      expect(served.map((v) => `${crd.spec.group}/${v.name}`)).toContain(doc.apiVersion);
      const version = served.find((v) => `${crd.spec.group}/${v.name}` === doc.apiVersion)!;
      for (const field of version.schema.openAPIV3Schema.properties.spec.required) expect(doc.spec[field], field).toBeDefined();
    }
  });

  const refused: { reason: string; values: Record<string, string>; message: RegExp }[] = [
    {
      reason: 'a zone without its subnet',
      values: { ...facts, subnetIds: 'subnet-0a,subnet-0b' },
      message: /zones \(3\) and subnetIds \(2\) must list the same zones/,
    },
    { reason: 'facts without pod subnets (custom networking off)', values: { ...facts, zones: '' }, message: /zones: the cluster facts' pod_subnet_zones/ },
    { reason: 'no security group', values: { ...facts, securityGroupId: '' }, message: /securityGroupId: the cluster facts' cluster_security_group_id/ },
  ];
  it.each(refused)('refuses $reason, naming the fact', ({ values, message }) => {
    expect(renderError(values)).toMatch(message);
  });
});
