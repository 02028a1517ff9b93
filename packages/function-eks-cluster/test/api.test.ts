/** One source of truth: the XRD file, the docs/api.md table and the function's defaults all come from src/api/eks-cluster.ts. */
import { describe, expect, it } from 'vitest';
import { readXR } from 'function-eks-cluster/src/compose/xr.js';
import { specSchema } from 'function-eks-cluster/src/api/eks-cluster.js';
import type { Json, SchemaNode } from 'function-eks-cluster/src/api/schema-builder.js';
import { conform, type FieldError } from 'function-eks-cluster/src/api/validate.js';
import { fieldRows } from 'function-eks-cluster/src/api/xrd.js';
import { generatedApiFiles } from 'function-eks-cluster/scripts/api-files.js';

function defaults(node: SchemaNode, path: string): { path: string; node: SchemaNode; value: Json }[] {
  const own = node.default !== undefined ? [{ path, node, value: node.default }] : [];
  const children = Object.entries(node.properties ?? {}).flatMap(([k, child]) => defaults(child, `${path}.${k}`));
  const items = node.items ? defaults(node.items, `${path}[]`) : [];
  return [...own, ...children, ...items];
}

describe('generated API files', () => {
  it.each(generatedApiFiles().map((f) => [f.path.split('/').slice(-2).join('/'), f] as const))(
    '%s is up to date (npm run gen-api -w function-eks-cluster)',
    (_, file) => {
      expect(file.actual).toBe(file.expected);
    },
  );

  it('the docs/api.md table lists every spec field of the schema', () => {
    const apiDoc = generatedApiFiles().find((f) => f.path.endsWith('api.md'))!.actual;
    for (const row of fieldRows()) expect(apiDoc).toContain(`| \`${row.path}\` |`);
  });
});

describe('defaults', () => {
  it.each(defaults(specSchema.node, 'spec').map((d) => [d.path, d] as const))('the default of %s passes its own schema', (path, d) => {
    const errors: FieldError[] = [];
    conform(structuredClone(d.value), d.node, path, errors);
    expect(errors).toEqual([]);
  });

  it('an XR with only a region gets the documented defaults', () => {
    const read = readXR({ apiVersion: 'eks.gitops.dev/v1alpha1', kind: 'EKSCluster', metadata: { name: 'a', namespace: 'b' }, spec: { region: 'us-west-2' } });
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.xr.spec).toEqual({
      region: 'us-west-2',
      kubernetesVersion: '1.36',
      network: { vpcCidr: '10.0.0.0/16', availabilityZones: ['a', 'b', 'c'], ipFamily: 'IPv4', nat: 'HighlyAvailable', vpcEndpoints: 'Auto', subnets: {} },
      nodeGroups: [
        {
          name: 'default',
          instanceTypes: ['m7i.large'],
          minSize: 2,
          maxSize: 6,
          amiType: 'AL2023_x86_64_STANDARD',
          capacityType: 'ON_DEMAND',
          diskSize: 50,
          maxUnavailable: 1,
          labels: {},
          taints: [],
        },
      ],
      controlPlane: { supportType: 'STANDARD', deletionProtection: false, zonalShift: false },
      delivery: { mode: 'KubeconfigSecret' },
      endpointAccess: { public: true, private: true, publicCidrs: ['0.0.0.0/0'] },
      access: { clusterAdmins: [] },
      addons: [],
      logging: { types: ['api', 'audit', 'authenticator'] },
      encryption: { enabled: false },
      podIdentity: { roles: [] },
      karpenter: { enabled: false, namespace: 'kube-system', serviceAccount: 'karpenter' },
      monitoring: { enabled: false },
      autoMode: { enabled: false, nodePools: ['general-purpose', 'system'] },
      tags: {},
      providerConfigName: 'default',
      providerConfigKind: 'ClusterProviderConfig',
      managementPolicies: ['*'],
    });
  });

  it("leaves spec.crossplane (Crossplane's own fields) alone", () => {
    const read = readXR({
      apiVersion: 'eks.gitops.dev/v1alpha1',
      kind: 'EKSCluster',
      metadata: { name: 'a', namespace: 'b' },
      spec: { region: 'us-west-2', crossplane: { compositionRef: { name: 'eksclusters.eks.gitops.dev' } } },
    });
    expect(read.ok).toBe(true);
  });
});
