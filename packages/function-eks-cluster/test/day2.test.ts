/**
 * Day-2 changes against the simulated AWS's rules (dev/aws-world.ts), one
 * test per class of fault: a field AWS cannot change in place, what AWS allows
 * once, a feature switched on or off where AWS needs an order, a dependency AWS
 * enforces without a reference, and a combination AWS refuses at creation.
 * Each converges a live cluster, applies the change and asks what AWS saw.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/api/schema-builder.js';
import { dig } from '../src/ground/observed.js';
import { contains6, parseCidr6 } from '../src/network/cidr6.js';
import { compose } from '../src/compose/compose.js';
import { converge, SimulatedWorld, tearDown } from '../dev/aws-world.js';
import { refusesCreate, refusesUpdate } from '../dev/simulated-aws.js';
import { reconcileToReady } from '../dev/reconcile.js';
import { refusesDelete } from '../dev/simulated-aws.js';
import { passOf, simulateTeardown } from '../dev/teardown.js';
import { EXISTING_WORKSPACE_ID, exampleShape, mustCompose, xrDocument, type XRShape } from '../dev/xrs.js';

type Spec = JsonObject & { network: JsonObject };

/** A cluster converged to Ready in a fresh world. */
function live(shape: Partial<XRShape>, edit: (spec: Spec) => void = () => {}, world = new SimulatedWorld()) {
  const xr = xrDocument(exampleShape(shape));
  edit(xr.spec as Spec);
  const first = converge(world, xr);
  expect(first.result.ok && first.settled, JSON.stringify(first.result.ok ? world.unsynced() : first.result.errors)).toBe(true);
  return { world, xr: first.xr };
}

/** The same XR with its spec edited, as a commit to Git would change it. */
function edited(xr: JsonObject, edit: (spec: Spec) => void): JsonObject {
  const spec = structuredClone(xr.spec) as Spec;
  edit(spec);
  return { ...xr, spec };
}

const fatalOf = (result: { ok: boolean; errors?: { path: string; message: string }[] }) => (result.ok ? [] : (result.errors ?? []));

describe('1. a field AWS cannot change in place is replaced, not updated', () => {
  it('flow logs: a new traffic type makes a new flow log, and the old one goes once it is Ready', () => {
    const { world, xr } = live({ flowLogs: true });
    const after = converge(
      world,
      edited(xr, (spec) => ((spec.network.flowLogs as JsonObject).trafficType = 'REJECT')),
    );
    expect(world.unsynced()).toEqual([]);
    expect(after.settled).toBe(true);
    const flowLogs = Object.values(world.observed()).filter((o) => o.kind === 'FlowLog');
    expect(flowLogs.map((f) => (f.spec as JsonObject & { forProvider: JsonObject }).forProvider.trafficType)).toEqual(['REJECT']);
    // Make before break: the old flow log is deleted a round after the new one is created, so the VPC is always recorded.
    const flowLogEvents = world.events.filter((e) => e.kind === 'FlowLog');
    const replaced = flowLogEvents.filter((e) => e.what === 'created').at(-1)!;
    expect(flowLogEvents.filter((e) => e.what === 'deleted').map((e) => e.round)).toEqual([replaced.round + 1]);
  });
});

describe('1b. a node group field EKS cannot change in place gets a replacement group, Ready before the old one goes', () => {
  it.each([
    { reason: 'instance types', edit: (g: JsonObject) => (g.instanceTypes = ['m7i.xlarge']) },
    { reason: 'capacity type', edit: (g: JsonObject) => (g.capacityType = 'SPOT') },
    { reason: 'disk size', edit: (g: JsonObject) => (g.diskSize = 100) },
    { reason: 'zones', edit: (g: JsonObject) => (g.availabilityZones = ['a']) },
  ])('$reason', ({ edit }) => {
    const { world, xr } = live({});
    const after = converge(
      world,
      edited(xr, (spec) => edit((spec.nodeGroups as JsonObject[])[0]!)),
    );
    expect(world.unsynced()).toEqual([]);
    expect(after.settled).toBe(true);
    const created = world.events.find((e) => e.kind === 'NodeGroup' && e.what === 'created' && e.key !== 'nodegroup-general')!;
    const deleted = world.events.find((e) => e.key === 'nodegroup-general' && e.what === 'deleted')!;
    expect(deleted.round).toBeGreaterThan(created.round);
    expect(after.capacities.every((c) => c.nodeGroups.length > 0)).toBe(true);
    expect(after.capacities.at(-1)!.nodeGroups).toEqual([created.key]);
  });

  it('status says, while it runs, what replaces the old group, why, and that the old one goes only once the new one is Ready', () => {
    const { world, xr } = live({});
    const next = edited(xr, (spec) => ((spec.nodeGroups as JsonObject[])[0]!.instanceTypes = ['m7i.xlarge']));
    const during = compose({ composite: next, observed: world.observed() });
    if (!during.ok) throw new Error(JSON.stringify(during.errors));
    const replacement = during.resources.find((r) => r.body.kind === 'NodeGroup' && r.key !== 'nodegroup-general')!.key;
    expect(during.status.waitingFor).toContain(
      `nodegroup-general: replaced by ${replacement} (instance types m7i.large -> m7i.xlarge); deleted, and drained by EKS, once ${replacement} is Ready`,
    );
    const after = converge(world, next);
    expect(after.result.ok && after.result.status.waitingFor).toEqual([]);
  });
});

describe('1c. a field AWS keeps when a request leaves it out is switched off by saying so', () => {
  const repairOf = (world: SimulatedWorld) => dig(world.observed()['nodegroup-general'], 'status', 'atProvider', 'nodeRepairConfig', 'enabled');
  const group = (spec: Spec) => (spec.nodeGroups as JsonObject[])[0]!;

  it.each([
    { reason: 'taken out of the spec', edit: (g: JsonObject) => delete g.autoRepair },
    { reason: 'set false', edit: (g: JsonObject) => (g.autoRepair = false) },
  ])('node auto repair on, then $reason: off in AWS, changed in place', ({ edit }) => {
    const { world, xr } = live({}, (spec) => (group(spec).autoRepair = true));
    expect(repairOf(world)).toBe(true);
    const seen = world.events.length;
    const after = converge(
      world,
      edited(xr, (spec) => edit(group(spec))),
    );
    expect(after.settled).toBe(true);
    expect(repairOf(world)).toBe(false);
    const events = world.events.slice(seen).filter((e) => e.kind === 'NodeGroup');
    expect(events.map((e) => `${e.key} ${e.what}`)).toEqual(['nodegroup-general updated']);
  });

  it('an XR from before the field composes no repair setting, and AWS keeps its own', () => {
    const { world } = live({});
    expect(dig(world.observed()['nodegroup-general'], 'spec', 'forProvider', 'nodeRepairConfig')).toBeUndefined();
  });
});

describe('1d. hardened nodes: a template change rolls the nodes in place, switching the template on or off replaces the group', () => {
  const group = (spec: Spec) => (spec.nodeGroups as JsonObject[])[0]!;
  const nodeGroupEvents = (world: SimulatedWorld, from: number) =>
    world.events
      .slice(from)
      .filter((e) => e.kind === 'NodeGroup' || e.kind === 'LaunchTemplate')
      .map((e) => `${e.key} ${e.what}`);
  const templateOf = (world: SimulatedWorld, key: string) => dig(world.observed()[key], 'status', 'atProvider', 'launchTemplate') as JsonObject | undefined;

  it.each([
    { reason: 'a new hop limit', edit: (g: JsonObject) => (g.launchTemplate = { metadataHopLimit: 1 }) },
    { reason: 'a bigger root volume (diskSize, the template sizes it)', edit: (g: JsonObject) => (g.diskSize = 120) },
    { reason: 'more IOPS', edit: (g: JsonObject) => (g.launchTemplate = { rootVolume: { iops: 6000 } }) },
    { reason: 'instance tags', edit: (g: JsonObject) => (g.launchTemplate = { tags: { backup: 'daily' } }) },
  ])('$reason: a new template version, and the same node group moves to it in place', ({ edit }) => {
    const { world, xr } = live({}, (spec) => (group(spec).launchTemplate = {}));
    expect(templateOf(world, 'nodegroup-general')).toMatchObject({ version: '1' });
    const seen = world.events.length;
    const after = converge(
      world,
      edited(xr, (spec) => edit(group(spec))),
    );
    expect(after.settled).toBe(true);
    expect(world.unsynced()).toEqual([]);
    expect(nodeGroupEvents(world, seen)).toEqual(['launchtemplate-general updated', 'nodegroup-general updated']);
    expect(templateOf(world, 'nodegroup-general')).toMatchObject({ version: '2' });
    expect(dig(world.observed()['nodegroup-general'], 'spec', 'forProvider', 'diskSize')).toBeUndefined();
  });

  it.each([
    {
      reason: 'on, for a group created without one (launch_template.id is ForceNew: EKS cannot add a template)',
      before: () => {},
      after: (g: JsonObject) => (g.launchTemplate = {}),
      templated: true,
    },
    {
      reason: 'off (EKS cannot take a template away)',
      before: (g: JsonObject) => (g.launchTemplate = {}),
      after: (g: JsonObject) => delete g.launchTemplate,
      templated: false,
    },
    {
      reason: 'a custom AMI set (AMI type CUSTOM)',
      before: (g: JsonObject) => (g.launchTemplate = {}),
      after: (g: JsonObject) => (g.launchTemplate = { amiId: 'ami-0123456789abcdef0' }),
      templated: true,
    },
  ])('$reason: a replacement group, Ready before the old one goes; no node group without nodes; nothing left', ({ before, after, templated }) => {
    const { world, xr } = live({}, (spec) => before(group(spec)));
    const converged = converge(
      world,
      edited(xr, (spec) => after(group(spec))),
    );
    expect(converged.settled).toBe(true);
    expect(world.unsynced()).toEqual([]);
    const created = world.events.find((e) => e.kind === 'NodeGroup' && e.what === 'created' && e.key !== 'nodegroup-general')!;
    const deleted = world.events.find((e) => e.key === 'nodegroup-general' && e.what === 'deleted')!;
    expect(deleted.round).toBeGreaterThan(created.round);
    expect(converged.capacities.every((c) => c.nodeGroups.length > 0)).toBe(true);
    expect(templateOf(world, created.key) !== undefined).toBe(templated);
    // A template no group runs on goes, after the group that ran on it.
    const templates = Object.values(world.observed()).filter((o) => o.kind === 'LaunchTemplate');
    expect(templates.length).toBe(templated ? 1 : 0);
    if (!templated) {
      const gone = world.events.find((e) => e.kind === 'LaunchTemplate' && e.what === 'deleted')!;
      expect(gone.round).toBeGreaterThanOrEqual(deleted.round);
    }
    expect(tearDown(world)).toEqual([]);
  });

  it('without the replacement the simulated AWS refuses the switch, as the provider would (so the test above can fail)', () => {
    const { world } = live({});
    const observed = world.observed()['nodegroup-general']!;
    const applied = dig(observed, 'status', 'atProvider') as JsonObject;
    const message = refusesUpdate(observed, applied, { ...applied, launchTemplate: { id: 'lt-0123456789abcdef0', version: '1' } }, new Map());
    expect(message).toMatch(/cannot change the value of the argument "launch_template\.0\.id" from "" to "lt-0123456789abcdef0"/);
  });

  it('an XR from before the field composes exactly what it did: no template, no node security group', () => {
    const { world } = live({});
    expect(Object.values(world.observed()).filter((o) => o.kind === 'LaunchTemplate' || dig(o, 'metadata', 'name') === 'team-a-node-sg')).toEqual([]);
    expect(dig(world.observed()['nodegroup-general'], 'spec', 'forProvider', 'diskSize')).toBe(50);
  });
});

describe('1e. security-group rules of your own: known by what they allow, never twice', () => {
  const peer = { cidr: '10.70.0.0/16', fromPort: 443, description: 'Peer VPC to the API' };
  const vpn = { cidr: '192.168.0.0/20', fromPort: 443, description: 'VPN to the API' };
  const ruleEvents = (world: SimulatedWorld, from: number) =>
    world.events
      .slice(from)
      .filter((e) => e.kind === 'SecurityGroupIngressRule' && e.key.startsWith('sgr-'))
      .map((e) => e.what);
  const rules = (world: SimulatedWorld) => Object.keys(world.observed()).filter((k) => k.startsWith('sgr-cluster-'));

  it('reordered: nothing changes; a description edited: updated in place; a port changed: the new rule first, then the old one goes', () => {
    const { world, xr } = live({}, (spec) => (spec.securityGroupRules = { cluster: [peer, vpn] }));
    const keys = rules(world).sort();
    expect(keys).toHaveLength(2);
    let seen = world.events.length;
    const reordered = converge(
      world,
      edited(xr, (spec) => (spec.securityGroupRules = { cluster: [vpn, peer] })),
    );
    expect(reordered.settled).toBe(true);
    expect(ruleEvents(world, seen)).toEqual([]);
    seen = world.events.length;
    converge(
      world,
      edited(xr, (spec) => (spec.securityGroupRules = { cluster: [{ ...peer, description: 'Peer VPC B' }, vpn] })),
    );
    expect(ruleEvents(world, seen)).toEqual(['updated']);
    expect(rules(world).sort()).toEqual(keys);
    seen = world.events.length;
    const moved = converge(
      world,
      edited(xr, (spec) => (spec.securityGroupRules = { cluster: [{ ...peer, fromPort: 6443 }, vpn] })),
    );
    expect(moved.settled).toBe(true);
    expect(world.unsynced()).toEqual([]);
    const events = world.events.slice(seen).filter((e) => e.kind === 'SecurityGroupIngressRule');
    expect(events.map((e) => e.what)).toEqual(['created', 'deleted']);
    expect(events[1]!.round).toBeGreaterThan(events[0]!.round);
    expect(rules(world)).toHaveLength(2);
  });

  it('the same rule twice is refused, naming both entries and the fix, and nothing changes', () => {
    const { world, xr } = live({});
    const before = JSON.stringify(world.observed());
    const after = converge(
      world,
      edited(xr, (spec) => (spec.securityGroupRules = { cluster: [peer, vpn, { ...peer, description: 'again' }] })),
    );
    const errors = fatalOf(after.result);
    expect(errors.map((e) => e.path)).toEqual(['spec.securityGroupRules.cluster[2]']);
    expect(errors[0]!.message).toMatch(/spec\.securityGroupRules\.cluster\[0\].*InvalidPermission\.Duplicate.*; remove one/);
    expect(JSON.stringify(world.observed())).toBe(before);
  });

  it('AWS refuses a duplicate rule in a group (the simulated AWS too, so the refusal above guards something)', () => {
    const { world } = live({}, (spec) => (spec.securityGroupRules = { cluster: [peer] }));
    const [key] = rules(world);
    const rule = world.observed()[key!]!;
    const twin = { ...rule, metadata: { name: 'twin', namespace: 'team-a' } };
    const fp = dig(rule, 'spec', 'forProvider') as JsonObject;
    const world2 = new Map(Object.values(world.observed()).map((o) => [String(dig(o, 'metadata', 'name')), o]));
    expect(refusesCreate(twin, fp, world2)).toMatch(
      /InvalidPermission\.Duplicate: the specified rule "peer: 10\.70\.0\.0\/16, TCP, from port: 443, to port: 443, ALLOW" already exists/,
    );
  });

  it('node rules need a launch template on every group, and say how to get one', () => {
    const { world, xr } = live({});
    const after = converge(
      world,
      edited(xr, (spec) => (spec.securityGroupRules = { nodes: [peer] })),
    );
    const errors = fatalOf(after.result);
    expect(errors.map((e) => e.path)).toEqual(['spec.securityGroupRules.nodes']);
    expect(errors[0]!.message).toMatch(/general has none; set launchTemplate: \{\} on it/);
  });

  it('node rules on, then off with the templates: the node security group goes after its rules and the nodes, nothing left', () => {
    const withTemplate = (spec: Spec) => ((spec.nodeGroups as JsonObject[])[0]!.launchTemplate = {});
    const { world, xr } = live({}, (spec) => {
      withTemplate(spec);
      spec.securityGroupRules = { nodes: [peer] };
    });
    expect(Object.keys(world.observed()).filter((k) => k.startsWith('sgr-nodes-'))).toHaveLength(1);
    const off = converge(
      world,
      edited(xr, (spec) => {
        delete spec.securityGroupRules;
        delete (spec.nodeGroups as JsonObject[])[0]!.launchTemplate;
      }),
    );
    expect(off.settled).toBe(true);
    expect(world.unsynced()).toEqual([]);
    expect(
      Object.values(world.observed()).filter(
        (o) => o.kind === 'LaunchTemplate' || (o.kind === 'SecurityGroup' && /node-sg$/.test(String(dig(o, 'metadata', 'name')))),
      ),
    ).toEqual([]);
    expect(tearDown(world)).toEqual([]);
  });
});

describe('2. what AWS allows once is asked for once', () => {
  it.each([
    {
      reason: "a Pod Identity role for Karpenter's own service account",
      shape: { karpenter: true },
      role: { namespace: 'kube-system', serviceAccount: 'karpenter' },
      path: 'spec.podIdentity.roles[0].serviceAccount',
    },
    {
      reason: "a Pod Identity role for vpc-cni's service account, which the add-on's own association takes",
      shape: {},
      role: { namespace: 'kube-system', serviceAccount: 'aws-node' },
      path: 'spec.podIdentity.roles[0].serviceAccount',
    },
  ])('$reason is refused, naming the field and the fix, and nothing changes', ({ shape, role, path }) => {
    const { world, xr } = live(shape);
    const before = JSON.stringify(world.observed());
    const next = edited(xr, (spec) => {
      spec.podIdentity = { roles: [{ name: 'mine', ...role, policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }] };
    });
    const after = converge(world, next);
    const errors = fatalOf(after.result);
    expect(errors.map((e) => e.path)).toEqual([path]);
    expect(errors[0]!.message).toMatch(new RegExp(`${role.namespace}/${role.serviceAccount}.*; `));
    expect(JSON.stringify(world.observed())).toBe(before);
  });

  it('two roles for one service account are refused too', () => {
    const { world, xr } = live({});
    const policyArns = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    const next = edited(xr, (spec) => {
      spec.podIdentity = {
        roles: [
          { name: 'a', namespace: 'apps', serviceAccount: 'web', policyArns },
          { name: 'b', namespace: 'apps', serviceAccount: 'web', policyArns },
        ],
      };
    });
    expect(fatalOf(converge(world, next).result).map((e) => e.path)).toEqual(['spec.podIdentity.roles[1].serviceAccount']);
  });
});

describe('3. a feature switched on or off on a live cluster follows the order AWS needs', () => {
  it('Auto Mode on: the node role first, then compute with its node role, and the node groups only once Auto Mode runs nodes', () => {
    const { world, xr } = live({});
    const after = converge(
      world,
      edited(xr, (spec) => {
        spec.autoMode = { enabled: true };
        spec.nodeGroups = [];
      }),
    );
    expect(world.unsynced()).toEqual([]);
    expect(after.settled).toBe(true);
    expect(after.capacities.every((c) => c.nodeGroups.length + c.autoMode + c.karpenter > 0)).toBe(true);
    expect(after.capacities.at(-1)).toEqual({ nodeGroups: [], autoMode: 1, karpenter: 0 });
    expect(world.events.filter((e) => e.what.startsWith('refused'))).toEqual([]);
  });

  it('Auto Mode off: node groups Ready first, then compute off; the Auto Mode node role stays, held by the cluster', () => {
    const { world, xr } = live({ autoMode: true, nodeGroups: [] });
    const after = converge(
      world,
      edited(xr, (spec) => {
        spec.autoMode = { enabled: false };
        spec.nodeGroups = [{ name: 'general', minSize: 2, maxSize: 4 }];
      }),
    );
    expect(world.unsynced()).toEqual([]);
    expect(after.settled).toBe(true);
    expect(after.capacities.every((c) => c.nodeGroups.length + c.autoMode + c.karpenter > 0)).toBe(true);
    expect(after.capacities.at(-1)).toEqual({ nodeGroups: ['nodegroup-general'], autoMode: 0, karpenter: 0 });
    expect(world.observed()['role-auto-node']).toBeDefined();
  });
});

describe('3a. monitoring switched on and off on a live cluster: the workspace comes and goes alone, its ID in the facts', () => {
  const factsOf = (result: ReturnType<typeof converge>['result']) =>
    (mustCompose(result).resources.find((r) => r.key === 'cluster-facts')!.body.data ?? {}) as Record<string, string>;
  const WORKSPACE = /^ws-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/;

  it('on: only the workspace is created, and the facts name it; off: only it is deleted (AWS deletes its metrics), the facts drop it, nothing is left', () => {
    const { world, xr: off } = live({});
    expect(factsOf(converge(world, off).result)).not.toHaveProperty('amp_workspace_id');
    let seen = world.events.length;
    const on = converge(
      world,
      edited(off, (spec) => (spec.monitoring = { enabled: true })),
    );
    expect(on.settled).toBe(true);
    expect(world.events.slice(seen).map((e) => `${e.what} ${e.kind}`)).toEqual(['created Workspace']);
    const facts = factsOf(on.result);
    expect(facts.amp_workspace_id).toMatch(WORKSPACE);
    expect(facts.amp_remote_write_url).toBe(`https://aps-workspaces.us-west-2.amazonaws.com/workspaces/${facts.amp_workspace_id}/api/v1/remote_write`);

    // Off: apps/monitoring must have stopped writing first (docs/cluster-facts.md); nothing waits for the workspace.
    seen = world.events.length;
    const offAgain = converge(
      world,
      edited(on.xr, (spec) => (spec.monitoring = { enabled: false })),
    );
    expect(offAgain.settled).toBe(true);
    expect(world.events.slice(seen).map((e) => `${e.what} ${e.kind}`)).toEqual(['deleted Workspace']);
    expect(Object.keys(world.observed()).filter((key) => key.startsWith('monitoring'))).toEqual([]);
    // A Kustomization still reading the facts for the workspace now fails on the missing key instead of writing nowhere.
    expect(factsOf(offAgain.result)).not.toHaveProperty('amp_workspace_id');
    expect(factsOf(offAgain.result)).not.toHaveProperty('amp_remote_write_url');
    expect(tearDown(world)).toEqual([]);
  });

  it('a workspace of your own instead: the composed one is deleted and the facts name yours; back again, a new one is composed', () => {
    const { world, xr } = live({ monitoring: 'composed' });
    const composedId = factsOf(converge(world, xr).result).amp_workspace_id;
    expect(composedId).toMatch(WORKSPACE);
    let seen = world.events.length;
    const own = converge(
      world,
      edited(xr, (spec) => (spec.monitoring = { enabled: true, workspaceId: EXISTING_WORKSPACE_ID })),
    );
    expect(own.settled).toBe(true);
    expect(world.events.slice(seen).map((e) => `${e.what} ${e.kind}`)).toEqual(['deleted Workspace']);
    expect(factsOf(own.result)).toMatchObject({
      amp_workspace_id: EXISTING_WORKSPACE_ID,
      amp_remote_write_url: `https://aps-workspaces.us-west-2.amazonaws.com/workspaces/${EXISTING_WORKSPACE_ID}/api/v1/remote_write`,
    });
    seen = world.events.length;
    const back = converge(
      world,
      edited(own.xr, (spec) => (spec.monitoring = { enabled: true })),
    );
    expect(back.settled).toBe(true);
    expect(world.events.slice(seen).map((e) => `${e.what} ${e.kind}`)).toEqual(['created Workspace']);
    expect(factsOf(back.result).amp_workspace_id).toMatch(WORKSPACE);
    // Nothing composed deletes a workspace the spec named: the teardown leaves only what was never composed.
    expect(tearDown(world)).toEqual([]);
  });

  it('a workspace ID with monitoring off is refused, naming the field, the value and the fix; nothing changes', () => {
    const { world, xr } = live({ monitoring: 'composed' });
    const before = JSON.stringify(world.observed());
    const errors = fatalOf(
      converge(
        world,
        edited(xr, (spec) => (spec.monitoring = { enabled: false, workspaceId: EXISTING_WORKSPACE_ID })),
      ).result,
    );
    expect(errors).toEqual([
      {
        path: 'spec.monitoring.workspaceId',
        message: `"${EXISTING_WORKSPACE_ID}" is used only with spec.monitoring.enabled: true; set enabled: true to write to it, or remove workspaceId`,
      },
    ]);
    expect(JSON.stringify(world.observed())).toBe(before);
  });
});

describe('3b. a Kubernetes version raised on a live cluster follows the order EKS enforces', () => {
  it.each([
    { reason: 'one minor: the control plane, then the node groups', from: '1.35', to: '1.36', steps: ['1.36'] },
    { reason: 'two minors: each minor in turn, the node groups catching up before the next', from: '1.34', to: '1.36', steps: ['1.35', '1.36'] },
  ])('$reason', ({ from, to, steps }) => {
    const { world, xr } = live({}, (spec) => (spec.kubernetesVersion = from));
    const seen = world.events.length;
    const after = converge(
      world,
      edited(xr, (spec) => (spec.kubernetesVersion = to)),
    );
    expect(world.events.slice(seen).filter((e) => e.what.startsWith('refused'))).toEqual([]);
    expect(after.settled).toBe(true);
    const versionOf = (kind: string) =>
      Object.values(world.observed())
        .filter((o) => o.kind === kind)
        .map((o) => ((o.status as JsonObject).atProvider as JsonObject).version);
    expect(versionOf('Cluster')).toEqual([to]);
    expect(new Set(versionOf('NodeGroup'))).toEqual(new Set([to]));
    // The cluster was updated once per minor, each after the node groups had caught up.
    const updates = world.events.slice(seen).filter((e) => e.what === 'updated' && (e.kind === 'Cluster' || e.kind === 'NodeGroup'));
    expect(updates.filter((e) => e.kind === 'Cluster')).toHaveLength(steps.length);
    const clusterRounds = updates.filter((e) => e.kind === 'Cluster').map((e) => e.round);
    const groupRounds = updates.filter((e) => e.kind === 'NodeGroup').map((e) => e.round);
    expect(Math.min(...groupRounds)).toBeGreaterThan(clusterRounds[0]!);
    if (clusterRounds[1] !== undefined) expect(clusterRounds[1]).toBeGreaterThan(Math.min(...groupRounds));
  });

  it('a version EKS cannot skip to, asked of the model directly, is refused with its message', () => {
    const { world } = live({}, (spec) => (spec.kubernetesVersion = '1.34'));
    const cluster = Object.entries(world.observed()).find(([, o]) => o.kind === 'Cluster')!;
    const skipping = {
      ...cluster[1],
      spec: { ...(cluster[1].spec as JsonObject), forProvider: { ...((cluster[1].spec as JsonObject).forProvider as JsonObject), version: '1.36' } },
    };
    const desired = { ...world.observed(), [cluster[0]]: skipping };
    world.step(desired);
    expect(world.unsynced().map((u) => u.message)).toEqual([expect.stringMatching(/Unsupported Kubernetes minor version update from 1.34 to 1.36/)]);
  });
});

describe('4. a dependency AWS enforces without a reference is kept in the deletion order', () => {
  it("Karpenter's controller can still terminate the nodes it launched when the cluster is deleted: nothing is left in AWS", () => {
    const { world } = live({ karpenter: true });
    expect(world.capacity().karpenter).toBe(1);
    expect(tearDown(world)).toEqual([]);
    const terminated = world.events.find((e) => e.what === 'terminated')!;
    const clusterDeleted = world.events.find((e) => e.kind === 'Cluster' && e.what === 'deleted')!;
    expect(terminated.round).toBeLessThan(clusterDeleted.round);
  });
});

/**
 * Flow logs switched off on a converged cluster: it settles, AWS refuses no
 * deletion, the role outlives its policy and nothing of the flow log is left.
 * Returns the round each kind was deleted in, for the order a test adds.
 */
function flowLogsSwitchedOffInOrder(world: SimulatedWorld, xr: JsonObject): (kind: string) => number {
  const seen = world.events.length;
  const after = converge(
    world,
    edited(xr, (spec) => (spec.network.flowLogs = { enabled: false })),
  );
  expect(after.settled).toBe(true);
  const events = world.events.slice(seen);
  expect(events.filter((e) => e.what === 'refused-delete')).toEqual([]);
  const deletedAt = (kind: string) => events.find((e) => e.kind === kind && e.what === 'deleted')!.round;
  expect(deletedAt('RolePolicy')).toBeLessThan(deletedAt('Role'));
  expect(Object.keys(world.observed()).filter((key) => key.includes('flow-log'))).toEqual([]);
  return deletedAt;
}

describe('4c. a Ready XR is one whose deletion order is in force', () => {
  it('flow logs switched on, then off the moment the XR reports Ready: the role outlives its policy, and AWS refuses nothing', () => {
    // Crossplane slow to mark the Usages Available (its Usage controller in backoff, as a loaded e2e saw it).
    const { world, xr: off } = live({ flowLogs: false }, undefined, new SimulatedWorld(4));
    const on = converge(
      world,
      edited(off, (spec) => (spec.network.flowLogs = { enabled: true })),
    );
    expect(on.settled).toBe(true);
    const xr = on.xr;
    // Ready waited for Crossplane to mark every Usage Available (a Usage protects nothing before: dev/aws-world.ts).
    expect(Object.keys(world.observed()).filter((key) => key.startsWith('usage-') && key.includes('flow-log')).length).toBeGreaterThan(0);
    const deletedAt = flowLogsSwitchedOffInOrder(world, xr);
    expect(deletedAt('FlowLog')).toBeLessThan(deletedAt('Group'));
  });
});

describe('4d. a feature switched off leaves in deletion order even when no Usage is in force', () => {
  it('flow logs off: the function keeps the role and the log group composed until their users are gone, so AWS refuses nothing', () => {
    const { world: protectedWorld, xr } = live({ flowLogs: true });
    // Crossplane's Usages protect nothing (an in-use label not yet set, or removed with the last Usage): the function alone keeps the order.
    const world = protectedWorld.clone(false);
    const deletedAt = flowLogsSwitchedOffInOrder(world, xr);
    expect(deletedAt('FlowLog')).toBeLessThan(deletedAt('Role'));
    expect(deletedAt('FlowLog')).toBeLessThan(deletedAt('Group'));
  });

  it('while the role waits for its users, the XR says so, and is not Ready', () => {
    const { world: protectedWorld, xr } = live({ flowLogs: true });
    const world = protectedWorld.clone(false);
    const off = edited(xr, (spec) => (spec.network.flowLogs = { enabled: false }));
    const first = mustCompose(compose({ composite: off, observed: world.observed() }));
    const role = first.resources.find((r) => r.key === 'vpc-flow-log-role');
    expect(role?.body.kind).toBe('Role');
    expect(first.status.waitingFor).toContainEqual(
      expect.stringMatching(/^vpc-flow-log-role: no longer wanted; deleted once .*vpc-flow-log-role-policy.* gone/),
    );
    expect(first.allReady).toBe(false);
  });
});

describe('4a. an XR composed by an earlier release keeps a deletion order that never deadlocks', () => {
  it("its Usage of the cluster by Karpenter's association still stands: the node groups keep the association instead of the cluster", () => {
    const xr = xrDocument(exampleShape({ karpenter: true }));
    const { observed } = reconcileToReady(xr);
    const old: JsonObject = {
      apiVersion: 'protection.crossplane.io/v1beta1',
      kind: 'Usage',
      metadata: { name: 'team-a-usage-pia-karpenter-uses-cluster', namespace: 'team-a' },
      spec: {
        of: { apiVersion: 'eks.aws.m.upbound.io/v1beta1', kind: 'Cluster', resourceRef: { name: 'team-a-cluster' } },
        by: { apiVersion: 'eks.aws.m.upbound.io/v1beta1', kind: 'PodIdentityAssociation', resourceRef: { name: 'team-a-pia-karpenter' } },
      },
    };
    const upgraded = mustCompose(compose({ composite: xr, observed: { ...observed, 'usage-pia-karpenter-uses-cluster': old } }));
    const teardown = simulateTeardown([...upgraded.resources, { key: 'usage-pia-karpenter-uses-cluster', body: old }], { namespaceDeleted: true });
    expect(teardown.left).toEqual([]);
    expect(teardown.refusals).toEqual([]);
    expect(passOf(teardown, 'PodIdentityAssociation/team-a-pia-karpenter')).toBeLessThan(passOf(teardown, 'Cluster/team-a-cluster'));
    expect(passOf(teardown, 'NodeGroup/team-a-nodegroup-general')).toBeLessThan(passOf(teardown, 'PodIdentityAssociation/team-a-pia-karpenter'));
  });
});

describe('4b. what the deletion order holds for the cluster’s life is refused or kept, never left hanging in deletion', () => {
  it('a zone the control plane was created in cannot be removed; the fix is named and nothing changes', () => {
    const { world, xr } = live({ zones: ['a', 'b', 'c'] });
    const before = JSON.stringify(world.observed());
    const next = edited(xr, (spec) => {
      spec.network.availabilityZones = ['a', 'b'];
      spec.network.allowZoneRemoval = true;
    });
    const errors = fatalOf(converge(world, next).result);
    expect(errors.map((e) => e.path)).toContain('spec.network.availabilityZones');
    expect(errors[0]!.message).toMatch(/control plane.*; put the zone back/);
    expect(JSON.stringify(world.observed())).toBe(before);
  });

  it('Karpenter switched off keeps its AWS resources until the cluster is deleted, with a warning, and nothing hangs', () => {
    const { world, xr } = live({ karpenter: true });
    const after = converge(
      world,
      edited(xr, (spec) => (spec.karpenter = { enabled: false })),
    );
    expect(after.settled).toBe(true);
    expect(world.deleting()).toEqual([]);
    expect(after.result.ok && after.result.warnings).toContainEqual(expect.stringMatching(/^spec\.karpenter\.enabled is false, but Karpenter's AWS resources/));
    expect(tearDown(world)).toEqual([]);
  });
});

describe('3c. pod networking switched on and off on a live cluster: the add-on in place, then new nodes, and the block goes only after its subnets', () => {
  const cniEnv = (world: SimulatedWorld) => {
    const values = dig(world.observed()['addon-vpc-cni'], 'status', 'atProvider', 'configurationValues');
    return values === undefined ? {} : (JSON.parse(String(values)) as { env: Record<string, string> }).env;
  };
  const groupsOf = (world: SimulatedWorld) => Object.keys(world.observed()).filter((k) => k.startsWith('nodegroup-'));
  const since = (world: SimulatedWorld, seen: number) => world.events.slice(seen);
  const PODS = { cidr: '100.64.0.0/16' };

  it('custom networking on: the block, then its subnets; vpc-cni updated in place; the node group replaced once the add-on runs it, Ready before the old one goes', () => {
    const { world, xr } = live({});
    const seen = world.events.length;
    const on = converge(
      world,
      edited(xr, (spec) => (spec.network.podSubnets = PODS)),
    );
    expect(world.unsynced()).toEqual([]);
    expect(on.settled).toBe(true);
    const events = since(world, seen);
    expect(events.filter((e) => e.what.startsWith('refused'))).toEqual([]);
    const round = (key: string, what: string) => events.find((e) => e.key === key && e.what === what)!.round;
    expect(round('subnet-pods-a', 'created')).toBeGreaterThan(round('vpc-cidr-pods', 'created'));
    expect(events.filter((e) => e.key === 'addon-vpc-cni').map((e) => e.what)).toEqual(['updated']);
    // aws-node looks up the pod subnets as soon as it runs custom networking: they exist first.
    expect(round('addon-vpc-cni', 'updated')).toBeGreaterThan(round('subnet-pods-b', 'created'));
    expect(cniEnv(world)).toEqual({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'true', ENI_CONFIG_LABEL_DEF: 'topology.kubernetes.io/zone' });
    // Nodes pick their ENIConfig at start: a new group, started after the add-on had the new configuration.
    const [replacement] = groupsOf(world);
    expect(replacement).toMatch(/^nodegroup-general-[0-9a-f]{6}$/);
    expect(round(replacement!, 'created')).toBeGreaterThan(round('addon-vpc-cni', 'updated'));
    expect(round('nodegroup-general', 'deleted')).toBeGreaterThan(round(replacement!, 'created'));
    expect(on.capacities.every((c) => c.nodeGroups.length > 0)).toBe(true);
    expect(tearDown(world)).toEqual([]);
  });

  it('custom networking off: vpc-cni told "false" (AWS would keep the old value), new nodes, and the pod subnets go only once the old nodes are gone, the block after them', () => {
    const { world, xr } = live({}, (spec) => (spec.network.podSubnets = PODS));
    const [started] = groupsOf(world);
    const seen = world.events.length;
    const off = converge(
      world,
      edited(xr, (spec) => delete spec.network.podSubnets),
    );
    expect(world.unsynced()).toEqual([]);
    expect(off.settled).toBe(true);
    const events = since(world, seen);
    expect(events.filter((e) => e.what.startsWith('refused'))).toEqual([]);
    expect(cniEnv(world)).toEqual({ AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG: 'false' });
    const round = (key: string, what: string) => events.find((e) => e.key === key && e.what === what)!.round;
    expect(round('subnet-pods-a', 'deleted')).toBeGreaterThan(round(started!, 'deleted'));
    expect(round('vpc-cidr-pods', 'deleted')).toBeGreaterThan(round('subnet-pods-b', 'deleted'));
    expect(Object.keys(world.observed()).filter((k) => k.includes('pods'))).toEqual([]);
    expect(off.capacities.every((c) => c.nodeGroups.length > 0)).toBe(true);
    expect(tearDown(world)).toEqual([]);
  });

  it.each([
    { reason: 'on', from: undefined, to: true, env: { ENABLE_PREFIX_DELEGATION: 'true', WARM_PREFIX_TARGET: '1' } },
    { reason: 'off', from: true, to: undefined, env: { ENABLE_PREFIX_DELEGATION: 'false' } },
  ])('prefix delegation $reason: vpc-cni changed in place, the node group replaced (EKS sets max pods at node start)', ({ from, to, env }) => {
    const { world, xr } = live({}, (spec) => from && (spec.network.prefixDelegation = from));
    const seen = world.events.length;
    const after = converge(
      world,
      edited(xr, (spec) => (to ? (spec.network.prefixDelegation = to) : delete spec.network.prefixDelegation)),
    );
    expect(world.unsynced()).toEqual([]);
    expect(after.settled).toBe(true);
    expect(cniEnv(world)).toEqual(env);
    const events = since(world, seen);
    expect(events.filter((e) => e.kind === 'Addon').map((e) => `${e.key} ${e.what}`)).toEqual(['addon-vpc-cni updated']);
    expect(events.filter((e) => e.kind === 'NodeGroup').map((e) => e.what)).toEqual(['created', 'deleted']);
  });

  it('a new pod block on a live cluster is refused with the way there; nothing changes', () => {
    const { world, xr } = live({}, (spec) => (spec.network.podSubnets = PODS));
    const seen = world.events.length;
    const moved = converge(
      world,
      edited(xr, (spec) => (spec.network.podSubnets = { cidr: '100.65.0.0/16' })),
    );
    expect(fatalOf(moved.result)).toEqual([
      {
        path: 'spec.network.podSubnets.cidr',
        message:
          'changed from 100.64.0.0/16 to 100.65.0.0/16, but AWS cannot change an associated block, nor disassociate it while its pod subnets exist; set it back to 100.64.0.0/16, or take spec.network.podSubnets out (the node groups are replaced and the pod subnets and block deleted), then set 100.65.0.0/16',
      },
    ]);
    expect(world.events.length).toBe(seen);
  });

  it('the simulated AWS refuses to disassociate a block while a subnet lies in it, as AWS does', () => {
    const { world } = live({}, (spec) => (spec.network.podSubnets = PODS));
    const observed = world.observed();
    const refusal = refusesDelete(observed['vpc-cidr-pods']!, new Map(Object.values(observed).map((o) => [String(dig(o, 'metadata', 'name')), o])));
    expect(refusal).toMatch(/^InvalidCidrBlock\.InUse: The vpc 'vpc-[0-9a-f]{17}' currently has a subnet within CIDR block 100\.64\.0\.0\/16$/);
  });
});

describe('5. a combination AWS refuses at creation is refused, naming the fix', () => {
  it('Auto Mode on a Kubernetes version it does not support', () => {
    const xr = xrDocument(exampleShape({ autoMode: true, nodeGroups: [] }));
    (xr.spec as JsonObject).kubernetesVersion = '1.28';
    const result = converge(new SimulatedWorld(), xr).result;
    const errors = fatalOf(result);
    expect(errors.map((e) => e.path)).toEqual(['spec.autoMode.enabled']);
    expect(errors[0]!.message).toMatch(/"1\.28".*1\.29.*; /);
  });
});

describe('6. IPv6 (spec.network.ipFamily): the network gains it in place, the cluster’s family is fixed at creation', () => {
  const ipv6Of = (world: SimulatedWorld, key: string) => dig(world.observed()[key], 'status', 'atProvider', 'ipv6CidrBlock');
  const subnetKeys = (world: SimulatedWorld) => Object.keys(world.observed()).filter((k) => k.startsWith('subnet-'));

  it('IPv4 to DualStack on a live cluster: the VPC gets its /56 and each subnet a /64 in place, the egress-only gateway and ::/0 routes are added, nothing is replaced', () => {
    const { world, xr } = live({ zones: ['a', 'b'] });
    const seen = world.events.length;
    const after = converge(
      world,
      edited(xr, (spec) => (spec.network.ipFamily = 'DualStack')),
    );
    expect(after.settled, JSON.stringify(world.unsynced())).toBe(true);
    const events = world.events.slice(seen);
    expect(events.filter((e) => e.what === 'deleted' || e.what.startsWith('refused'))).toEqual([]);
    expect(events.filter((e) => e.kind === 'Cluster' || e.kind === 'NodeGroup')).toEqual([]);
    expect(events.filter((e) => e.what === 'updated').map((e) => e.key)).toEqual(expect.arrayContaining(['vpc', ...subnetKeys(world)]));
    expect(
      events
        .filter((e) => e.what === 'created')
        .map((e) => e.key)
        .sort(),
    ).toEqual(['eigw', 'route-private-a-ipv6-default', 'route-private-b-ipv6-default', 'route-public-ipv6-default', 'usage-eigw-uses-vpc']);
    const vpcBlock = parseCidr6(String(ipv6Of(world, 'vpc')))!;
    const blocks = subnetKeys(world).map((k) => String(ipv6Of(world, k)));
    expect(new Set(blocks).size).toBe(blocks.length);
    expect(blocks.every((b) => contains6(vpcBlock, parseCidr6(b)!))).toBe(true);
  });

  it('a zone added to a live dual-stack network: the new subnets take their own /64s, the others keep theirs', () => {
    const { world, xr } = live({ zones: ['a', 'b'] }, (spec) => (spec.network.ipFamily = 'DualStack'));
    const before = Object.fromEntries(subnetKeys(world).map((k) => [k, ipv6Of(world, k)]));
    const after = converge(
      world,
      edited(xr, (spec) => (spec.network.availabilityZones = ['a', 'b', 'c'])),
    );
    expect(after.settled).toBe(true);
    for (const [key, block] of Object.entries(before)) expect(ipv6Of(world, key)).toBe(block);
    expect(ipv6Of(world, 'subnet-private-c')).toMatch(/::\/64$/);
    expect(world.events.filter((e) => e.kind === 'Subnet' && e.what !== 'created')).toEqual([]);
  });

  it('an IPv6 cluster: created with ipFamily ipv6 in subnets that have IPv6, vpc-cni’s role carrying the IPv6 permissions before it installs', () => {
    const { world } = live({}, (spec) => (spec.network.ipFamily = 'IPv6'));
    expect(dig(world.observed().cluster, 'status', 'atProvider', 'kubernetesNetworkConfig', 'ipFamily')).toBe('ipv6');
    const created = (key: string) => world.events.find((e) => e.key === key && e.what === 'created')!.round;
    expect(created('role-addon-vpc-cni-cni-ipv6')).toBeLessThan(created('addon-vpc-cni'));
    expect(String(dig(world.observed()['role-addon-vpc-cni-cni-ipv6'], 'spec', 'forProvider', 'policy'))).toContain('ec2:AssignIpv6Addresses');
    expect(tearDown(world)).toEqual([]);
  });

  it.each([
    { reason: 'IPv4 to IPv6', from: 'IPv4', to: 'IPv6', fix: /runs ipv4 .*set it back to IPv4 \(or DualStack/ },
    { reason: 'DualStack to IPv6', from: 'DualStack', to: 'IPv6', fix: /runs ipv4 .*set it back to IPv4 \(or DualStack/ },
    { reason: 'IPv6 to DualStack', from: 'IPv6', to: 'DualStack', fix: /runs ipv6 .*set it back to IPv6,/ },
    { reason: 'IPv6 to IPv4', from: 'IPv6', to: 'IPv4', fix: /runs ipv6 .*set it back to IPv6,/ },
    { reason: 'DualStack to IPv4 (IPv6 taken off the network)', from: 'DualStack', to: 'IPv4', fix: /take IPv6 off the live VPC.*set it back to DualStack$/ },
  ])('$reason on a live cluster is refused with the way back, and nothing changes', ({ from, to, fix }) => {
    const { world, xr } = live({}, (spec) => (spec.network.ipFamily = from));
    const before = JSON.stringify(world.observed());
    const errors = fatalOf(
      converge(
        world,
        edited(xr, (spec) => (spec.network.ipFamily = to)),
      ).result,
    );
    expect(errors.map((e) => e.path)).toEqual(['spec.network.ipFamily']);
    expect(errors[0]!.message).toMatch(fix);
    expect(JSON.stringify(world.observed())).toBe(before);
  });

  it('without the function’s refusal, the provider would refuse the change for ever: EKS fixed the family (ipv4, its default) at creation', () => {
    const { world, xr } = live({});
    const next = mustCompose(compose({ composite: xr, observed: world.observed() }));
    const desired = Object.fromEntries(next.resources.map((r) => [r.key, r.body]));
    const cluster = structuredClone(desired.cluster!) as JsonObject & { spec: { forProvider: JsonObject } };
    cluster.spec.forProvider.kubernetesNetworkConfig = { ipFamily: 'ipv6' };
    for (let round = 0; round < 3; round++) world.step({ ...desired, cluster });
    expect(world.unsynced().map((u) => `${u.key}: ${u.message}`)).toEqual([
      'cluster: update failed: async update failed: refuse to update the external resource because the following update requires replacing it: cannot change the value of the argument "kubernetes_network_config.0.ip_family" from "ipv4" to "ipv6"',
    ]);
  });
});
