/**
 * apps/pod-networking in the workload API server: the VPC CNI's ENIConfig CRD,
 * which an EKS cluster's vpc-cni add-on installs and the loopback workload
 * cluster lacks (scripts/tools/vpc-cni.sh, at the add-on version the function
 * installs), and what helm-controller wrote there from the cluster's facts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TOOLS_DIR, waitFor, type JsonObject, type Kube, type ProcessGroup } from 'function-eks-cluster/testing';
import { isTrue } from './objects.js';

const CRD_FILE = join(TOOLS_DIR, 'crds', 'vpc-cni', 'customresourcedefinition.yaml');
export const ENI_CONFIG = { apiVersion: 'crd.k8s.amazonaws.com/v1alpha1', kind: 'ENIConfig' } as const;

/** Installs the VPC CNI's CRDs (ENIConfig among them), as the vpc-cni add-on does, and waits until the API server serves them. */
export async function installEniConfigCrd(workload: Kube, group: ProcessGroup): Promise<string> {
  const crds = parseAllDocuments(readFileSync(CRD_FILE, 'utf8')).map((d) => d.toJS() as JsonObject);
  const names: string[] = [];
  for (const crd of crds) {
    await workload.apply(crd, 'e2e-vpc-cni');
    const name = String((crd.metadata as JsonObject).name);
    await waitFor(
      `CRD ${name} Established`,
      async () =>
        isTrue(await workload.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name }), 'Established') ? true : undefined,
      60_000,
      group,
      500,
    );
    names.push(name);
  }
  if (!names.includes('eniconfigs.crd.k8s.amazonaws.com')) throw new Error(`${CRD_FILE} holds no ENIConfig CRD: ${names.join(', ')}`);
  return names.join(', ');
}

/** The ENIConfigs are the facts' pod subnets by zone, with the cluster security group: one per zone, named after it. */
export async function expectEniConfigsFromFacts(workload: Kube, facts: Record<string, string>): Promise<string> {
  const zones = (facts.pod_subnet_zones ?? '').split(',').filter(Boolean);
  const subnets = (facts.pod_subnet_ids ?? '').split(',').filter(Boolean);
  if (zones.length === 0 || zones.length !== subnets.length)
    throw new Error(`cluster facts: pod_subnet_zones "${facts.pod_subnet_zones}" and pod_subnet_ids "${facts.pod_subnet_ids}" do not list the same zones`);
  const found = await workload.list(ENI_CONFIG);
  const actual = found.map((e) => [String((e.metadata as JsonObject).name), JSON.stringify(e.spec)]).sort();
  const expected = zones.map((zone, i) => [zone, JSON.stringify({ securityGroups: [facts.cluster_security_group_id], subnet: subnets[i] })]).sort();
  const normalize = (rows: string[][]) => rows.map(([name, spec]) => `${name} ${JSON.stringify(JSON.parse(spec!), Object.keys(JSON.parse(spec!)).sort())}`);
  if (normalize(actual).join('\n') !== normalize(expected).join('\n'))
    throw new Error(`ENIConfigs in the workload API server:\n${normalize(actual).join('\n') || 'none'}\nexpected:\n${normalize(expected).join('\n')}`);
  return `ENIConfigs in the workload API server, one per zone from the facts: ${zones.map((z, i) => `${z} -> ${subnets[i]}`).join(', ')}, security group ${facts.cluster_security_group_id}`;
}
