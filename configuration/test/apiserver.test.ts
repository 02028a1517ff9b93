/**
 * The XRD in a real kube-apiserver: the CRD Crossplane would create from
 * apis/eksclusters/definition.yaml is installed into etcd + kube-apiserver on
 * loopback, then
 * (a) every example and the Flux team-an XR is accepted,
 * (b) what the apiserver stores (its defaulting) equals the spec the
 *     function's readXR() computes from the raw file (its defaulting),
 * (c) the CEL and list-type rules reject what they must, with our messages,
 *     and allow growing a cluster.
 * Needs .tools/bin/etcd and .tools/bin/kube-apiserver (`npm run tools`).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ApiException, ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, loadYaml, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compositeCrd } from './support/composite-crd.js';
import {
  API_GROUP,
  API_VERSION,
  KIND,
  PLURAL,
  ProcessGroup,
  readXR,
  REPO_ROOT,
  startControlPlane,
  type ApiServer,
  type JsonObject,
} from 'function-eks-cluster/testing';

const XRD_FILE = join(REPO_ROOT, 'configuration', 'package', 'apis', 'eksclusters', 'definition.yaml');
const EXAMPLES_DIR = join(REPO_ROOT, 'configuration', 'package', 'examples');
const XR_FILES = [
  ...readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(EXAMPLES_DIR, f)),
  join(REPO_ROOT, 'flux', 'workload-clusters', 'team-a', 'eks-cluster', 'eks-cluster.yaml'),
];

const MESSAGES = {
  vpcCidr: 'vpcCidr is immutable: every subnet is computed from it',
  region: 'region is immutable',
  zones: 'availability zones cannot be removed: their subnets, NAT gateways and nodes would be deleted',
  minMax: 'minSize must be less than or equal to maxSize',
  desired: 'desiredSize must lie between minSize and maxSize',
};

let plane: ApiServer;
let group: ProcessGroup;
let dir: string;
let objects: CustomObjectsApi;
let core: CoreV1Api;

const ref = (namespace: string) => ({ group: API_GROUP, version: API_VERSION, plural: PLURAL, namespace });

function yamlFile(path: string): JsonObject {
  return parse(readFileSync(path, 'utf8')) as JsonObject;
}

/**
 * What Flux substitutes into the Flux XR before the API server sees it
 * (postBuild.substituteFrom ConfigMap tenant, flux/workload-clusters/tenant/facts.yaml).
 */
const FLUX_FACTS: Record<string, string> = { permissions_boundary_arn: 'arn:aws:iam::210987654321:policy/eks-gitops-tenant-boundary' };

function xrFile(path: string): JsonObject {
  const text = readFileSync(path, 'utf8').replace(/\$\{(\w+)\}/g, (match, name: string) => FLUX_FACTS[name] ?? match);
  return parse(text) as JsonObject;
}

function xr(name: string, namespace: string, spec: JsonObject): JsonObject {
  return { apiVersion: `${API_GROUP}/${API_VERSION}`, kind: KIND, metadata: { name, namespace }, spec };
}

/** The spec the function works with after its own defaulting, or its errors. */
function functionSpec(composite: JsonObject): JsonObject {
  const read = readXR(structuredClone(composite));
  if (!read.ok) throw new Error(`readXR rejected it: ${read.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
  return JSON.parse(JSON.stringify(read.xr.spec)) as JsonObject;
}

/** The apiserver's Status message for a failed call. */
function statusMessage(error: unknown): { code: number; message: string } {
  if (!(error instanceof ApiException)) throw error;
  let body: unknown = error.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // Not a Status: e.g. "404 page not found" before a new resource is served.
    }
  }
  const message = body && typeof body === 'object' && 'message' in body ? String(body.message) : String(error.message);
  return { code: error.code, message };
}

async function rejection(call: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await call;
  } catch (error) {
    return statusMessage(error);
  }
  throw new Error('the apiserver accepted it');
}

async function ensureNamespace(name: string): Promise<void> {
  try {
    await core.createNamespace({ body: { metadata: { name } } });
  } catch (error) {
    if (statusMessage(error).code !== 409) throw error;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'apiserver-test-'));
  group = new ProcessGroup(dir);
  plane = (await startControlPlane(group, { dir, clusters: ['apiserver'], readyTimeoutMs: 180_000 })).primary;
  objects = plane.kubeConfig.makeApiClient(CustomObjectsApi);
  core = plane.kubeConfig.makeApiClient(CoreV1Api);
});

afterAll(async () => {
  await group?.stopAll();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the CRD Crossplane derives from the XRD', () => {
  it('is accepted, becomes Established and stores the schema unchanged', async () => {
    const crd = compositeCrd(yamlFile(XRD_FILE) as Parameters<typeof compositeCrd>[0]);
    const extensions = plane.kubeConfig.makeApiClient(ApiextensionsV1Api);
    // The typed API serializes by its model's field names: a plain object would
    // lose default, enum and every x-kubernetes-* key. loadYaml builds the model.
    const body = loadYaml<V1CustomResourceDefinition>(JSON.stringify(crd));
    try {
      await extensions.createCustomResourceDefinition({ body });
    } catch (error) {
      throw new Error(`the apiserver rejected the CRD: ${statusMessage(error).message}`);
    }
    const name = String((crd.metadata as JsonObject).name);
    const deadline = Date.now() + 30_000;
    let conditions: { type: string; status: string; message?: string }[] = [];
    while (Date.now() < deadline) {
      const got = await extensions.readCustomResourceDefinition({ name });
      conditions = got.status?.conditions ?? [];
      if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) break;
      await sleep(200);
    }
    expect(conditions).toContainEqual(expect.objectContaining({ type: 'NamesAccepted', status: 'True' }));
    expect(conditions).toContainEqual(expect.objectContaining({ type: 'Established', status: 'True' }));

    const stored = (await plane.getJson(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)) as JsonObject;
    expect(stored.spec).toMatchObject(crd.spec as JsonObject);

    // Served once the handler for the new resource is up: until then 404, or 429 while its storage initializes.
    const servedDeadline = Date.now() + 30_000;
    for (;;) {
      try {
        await objects.listNamespacedCustomObject(ref('default'));
        break;
      } catch (error) {
        const { code } = statusMessage(error);
        if ((code !== 404 && code !== 429) || Date.now() > servedDeadline) throw error;
        await sleep(250);
      }
    }
  });
});

describe('every XR in the repository', () => {
  for (const file of XR_FILES) {
    it(`${relative(REPO_ROOT, file)}: accepted, and the apiserver defaults it as the function does`, async () => {
      const raw = xrFile(file);
      const { name, namespace } = raw.metadata as { name: string; namespace: string };
      await ensureNamespace(namespace);
      let created: JsonObject;
      try {
        created = (await objects.createNamespacedCustomObject({ ...ref(namespace), body: raw })) as JsonObject;
      } catch (error) {
        throw new Error(`the apiserver rejected ${file}: ${statusMessage(error).message}`);
      }
      try {
        const stored = (await objects.getNamespacedCustomObject({ ...ref(namespace), name })) as JsonObject;
        expect(stored.spec).toEqual(created.spec);
        expect(stored.spec).toStrictEqual(functionSpec(raw));
      } finally {
        // minimal.yaml and the Flux XR are both team-a/team-a.
        await objects.deleteNamespacedCustomObject({ ...ref(namespace), name });
      }
    });
  }

  it('keeps Crossplane machinery under spec.crossplane, which the function ignores', async () => {
    await ensureNamespace('machinery');
    const raw = xr('machinery', 'machinery', {
      region: 'eu-west-1',
      crossplane: { compositionRef: { name: 'eksclusters.eks.gitops.dev' }, compositionUpdatePolicy: 'Manual' },
    });
    const created = (await objects.createNamespacedCustomObject({ ...ref('machinery'), body: raw })) as JsonObject;
    const { crossplane, ...ours } = created.spec as JsonObject;
    expect(crossplane).toEqual({ compositionRef: { name: 'eksclusters.eks.gitops.dev' }, compositionUpdatePolicy: 'Manual' });
    expect(ours).toStrictEqual(functionSpec(raw));
  });

  it('defaults sparse node groups, add-ons and subnet tiers as the function does', async () => {
    await ensureNamespace('sparse');
    const raw = xr('sparse', 'sparse', {
      region: 'us-east-2',
      network: { availabilityZones: ['use2-az1', 'use2-az2'], subnets: { isolated: {}, private: { prefixLength: 20 } } },
      nodeGroups: [{ name: 'a' }, { name: 'b', minSize: 0, maxSize: 1, desiredSize: 1, labels: { role: 'b' } }],
      addons: [{ name: 'aws-ebs-csi-driver' }, { name: 'kube-proxy', enabled: false }],
      endpointAccess: { public: false },
      encryption: { enabled: true },
    });
    const created = (await objects.createNamespacedCustomObject({ ...ref('sparse'), body: raw })) as JsonObject;
    expect(created.spec).toStrictEqual(functionSpec(raw));
  });

  it('accepts the status the function writes and prunes fields it does not declare', async () => {
    const current = (await objects.getNamespacedCustomObject({ ...ref('sparse'), name: 'sparse' })) as JsonObject;
    const status = {
      conditions: [{ type: 'Ready', status: 'False', reason: 'Creating', message: 'waiting', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      vpcId: 'vpc-0123456789abcdef0',
      subnets: [{ name: 'sparse-private-use2-az1', tier: 'private', zone: 'use2-az1', cidr: '10.0.0.0/20', id: 'subnet-1' }],
      cluster: { name: 'sparse', version: '1.34' },
      kubeconfigSecret: { name: 'sparse-kubeconfig', key: 'kubeconfig' },
      resources: { ready: 3, total: 40 },
      waitingFor: ['cluster: creating'],
      summary: '3/40 ready',
    };
    const updated = (await objects.replaceNamespacedCustomObjectStatus({
      ...ref('sparse'),
      name: 'sparse',
      body: { ...current, status: { ...status, notDeclared: true } },
    })) as JsonObject;
    expect(updated.status).toEqual(status);
  });
});

describe('validation rules in the apiserver', () => {
  const namespace = 'rules';
  const base = () => ({
    region: 'us-west-2',
    network: { vpcCidr: '10.0.0.0/16', availabilityZones: ['a', 'b', 'c'] },
    nodeGroups: [{ name: 'general', minSize: 1, maxSize: 3 }],
  });
  let serial = 0;

  /** A stored XR and its current state, to update. */
  async function stored(): Promise<JsonObject> {
    const name = `rules-${++serial}`;
    await ensureNamespace(namespace);
    return (await objects.createNamespacedCustomObject({ ...ref(namespace), body: xr(name, namespace, base()) })) as JsonObject;
  }

  async function update(current: JsonObject, change: (spec: JsonObject) => void): Promise<JsonObject> {
    const next = structuredClone(current);
    change(next.spec as JsonObject);
    const name = String((next.metadata as JsonObject).name);
    return (await objects.replaceNamespacedCustomObject({ ...ref(namespace), name, body: next })) as JsonObject;
  }

  async function rejectedCreate(spec: JsonObject): Promise<string> {
    await ensureNamespace(namespace);
    const body = xr(`rejected-${++serial}`, namespace, spec);
    const { code, message } = await rejection(objects.createNamespacedCustomObject({ ...ref(namespace), body }));
    expect(code).toBe(422);
    // The function, given the same raw XR, refuses it too.
    expect(readXR(structuredClone(body)).ok).toBe(false);
    return message;
  }

  const network = (spec: JsonObject) => spec.network as JsonObject;
  const groups = (spec: JsonObject) => spec.nodeGroups as JsonObject[];

  it('rejects changing vpcCidr', async () => {
    const current = await stored();
    const { code, message } = await rejection(update(current, (s) => void (network(s).vpcCidr = '10.1.0.0/16')));
    expect(code).toBe(422);
    expect(message).toContain(MESSAGES.vpcCidr);
  });

  it('rejects changing region', async () => {
    const current = await stored();
    const { code, message } = await rejection(update(current, (s) => void (s.region = 'eu-west-1')));
    expect(code).toBe(422);
    expect(message).toContain(MESSAGES.region);
  });

  it('rejects removing a zone', async () => {
    const current = await stored();
    const { code, message } = await rejection(update(current, (s) => void (network(s).availabilityZones = ['a', 'c'])));
    expect(code).toBe(422);
    expect(message).toContain(MESSAGES.zones);
  });

  it('accepts adding a zone, in any order', async () => {
    const current = await stored();
    const updated = await update(current, (s) => void (network(s).availabilityZones = ['d', 'c', 'b', 'a']));
    expect(network(updated.spec as JsonObject).availabilityZones).toEqual(['d', 'c', 'b', 'a']);
  });

  it('accepts adding a node group, defaulted as the function does', async () => {
    const current = await stored();
    const updated = await update(current, (s) => void groups(s).push({ name: 'batch', capacityType: 'SPOT', minSize: 0, maxSize: 5 }));
    expect(groups(updated.spec as JsonObject).map((g) => g.name)).toEqual(['general', 'batch']);
    expect(updated.spec).toStrictEqual(
      functionSpec(xr('x', namespace, { ...base(), nodeGroups: [...base().nodeGroups, { name: 'batch', capacityType: 'SPOT', minSize: 0, maxSize: 5 }] })),
    );
  });

  it('rejects minSize > maxSize, on create and on update', async () => {
    expect(await rejectedCreate({ ...base(), nodeGroups: [{ name: 'g', minSize: 4, maxSize: 3 }] })).toContain(MESSAGES.minMax);
    const current = await stored();
    const { message } = await rejection(update(current, (s) => void (groups(s)[0]!.minSize = 9)));
    expect(message).toContain(MESSAGES.minMax);
  });

  it('rejects minSize above the default maxSize when maxSize is left out', async () => {
    expect(await rejectedCreate({ ...base(), nodeGroups: [{ name: 'g', minSize: 7 }] })).toContain(MESSAGES.minMax);
  });

  it('rejects desiredSize outside minSize..maxSize', async () => {
    expect(await rejectedCreate({ ...base(), nodeGroups: [{ name: 'g', minSize: 2, maxSize: 4, desiredSize: 5 }] })).toContain(MESSAGES.desired);
    expect(await rejectedCreate({ ...base(), nodeGroups: [{ name: 'g', minSize: 2, maxSize: 4, desiredSize: 1 }] })).toContain(MESSAGES.desired);
  });

  it('rejects duplicate node group names (list-type map keyed by name)', async () => {
    const message = await rejectedCreate({ ...base(), nodeGroups: [{ name: 'g' }, { name: 'g', minSize: 1 }] });
    expect(message).toMatch(/spec\.nodeGroups\[1\]: Duplicate value/);
  });

  it('rejects duplicate zones (list-type set)', async () => {
    const message = await rejectedCreate({ ...base(), network: { availabilityZones: ['a', 'b', 'a'] } });
    expect(message).toMatch(/spec\.network\.availabilityZones\[2\]: Duplicate value: "a"/);
  });

  it('rejects an unknown nat mode', async () => {
    const message = await rejectedCreate({ ...base(), network: { nat: 'Double' } });
    expect(message).toContain('spec.network.nat: Unsupported value: "Double"');
    expect(message).toContain('"None", "Single", "HighlyAvailable", "Regional"');
  });
});
