/**
 * Day-2 changes as a property: pairs of valid specs A -> B (an XR of
 * dev/xrs.ts, then a few edits a platform team commits: optional blocks on
 * and off, zones and node groups added and removed, fields AWS fixes at
 * creation changed, delivery switched, Auto Mode and Karpenter toggled, the
 * Kubernetes version raised), and what must hold when a live cluster at A is
 * changed to B against the simulated AWS (dev/aws-world.ts).
 */
import fc from 'fast-check';
import type { JsonObject } from '../src/api/schema-builder.js';
import { compose } from '../src/compose/compose.js';
import { converge, SimulatedWorld, tearDown, type Capacity } from './aws-world.js';
import { EXISTING_WORKSPACE_ID, FLUX_ROLE_ARN, xrArb, xrDocument, type XRShape } from './xrs.js';

type Spec = JsonObject & { network: JsonObject; nodeGroups?: JsonObject[] };

/** One edit of a spec, named for the report. */
interface Edit {
  readonly name: string;
  /** Whether it applies to this spec. */
  readonly applies: (spec: Spec) => boolean;
  readonly apply: (spec: Spec, pick: number) => void;
}

const groups = (spec: Spec) => (spec.nodeGroups ?? []) as JsonObject[];
const autoMode = (spec: Spec) => (spec.autoMode as JsonObject | undefined)?.enabled === true;
const karpenter = (spec: Spec) => (spec.karpenter as JsonObject | undefined)?.enabled === true;
const monitoring = (spec: Spec) => (spec.monitoring as JsonObject | undefined)?.enabled === true;
const composedNetwork = (spec: Spec) => spec.network.existing === undefined;
const zones = (spec: Spec) => (spec.network.availabilityZones ?? []) as string[];
const roles = (spec: Spec) => ((spec.podIdentity as JsonObject | undefined)?.roles ?? []) as JsonObject[];
const ZONES = ['a', 'b', 'c', 'd', 'e', 'f'];

const EDITS: readonly Edit[] = [
  {
    name: 'flow logs on/off',
    applies: () => true,
    apply: (spec) => {
      const on = (spec.network.flowLogs as JsonObject | undefined)?.enabled === true;
      spec.network.flowLogs = { enabled: !on };
    },
  },
  {
    name: 'flow log traffic type',
    applies: () => true,
    apply: (spec, pick) => {
      spec.network.flowLogs = { enabled: true, trafficType: ['ALL', 'ACCEPT', 'REJECT'][pick % 3]! };
    },
  },
  {
    name: 'node group added',
    applies: (spec) => !autoMode(spec) && groups(spec).length < 4,
    apply: (spec, pick) => {
      spec.nodeGroups = [...groups(spec), { name: `added${pick % 100}`, minSize: 1, maxSize: 3 }];
    },
  },
  {
    name: 'node group removed',
    applies: (spec) => groups(spec).length > 1,
    apply: (spec, pick) => {
      spec.nodeGroups = groups(spec).filter((_, i) => i !== pick % groups(spec).length);
    },
  },
  {
    name: 'node group field EKS fixes at creation',
    applies: (spec) => groups(spec).length > 0,
    apply: (spec, pick) => {
      const group = groups(spec)[pick % groups(spec).length]!;
      const changes: ((g: JsonObject) => void)[] = [
        (g) => (g.instanceTypes = ['m7i.xlarge']),
        (g) => (g.capacityType = 'SPOT'),
        (g) => (g.diskSize = 80),
        (g) => (g.amiType = 'BOTTLEROCKET_x86_64'),
        (g) => {
          if (composedNetwork(spec)) g.availabilityZones = zones(spec).slice(0, 1);
        },
      ];
      changes[pick % changes.length]!(group);
    },
  },
  {
    name: 'node group auto repair on, off or taken out',
    applies: (spec) => groups(spec).length > 0,
    apply: (spec, pick) => {
      const group = groups(spec)[pick % groups(spec).length]!;
      if (pick % 3 === 2) delete group.autoRepair;
      else group.autoRepair = pick % 3 === 0;
    },
  },
  {
    // DualStack switched on is made in place; any change of a live cluster's family, or IPv6 taken off a live network, is refused with the way back.
    name: 'IP family changed',
    applies: (spec) => composedNetwork(spec),
    apply: (spec, pick) => {
      spec.network.ipFamily = ['IPv4', 'DualStack', 'IPv6'][pick % 3]!;
    },
  },
  {
    name: 'node group sizes',
    applies: (spec) => groups(spec).length > 0,
    apply: (spec, pick) => {
      const group = groups(spec)[pick % groups(spec).length]!;
      group.minSize = pick % 3;
      group.maxSize = 3 + (pick % 4);
    },
  },
  {
    name: 'zone added',
    applies: (spec) => composedNetwork(spec) && zones(spec).length < 6,
    apply: (spec) => {
      spec.network.availabilityZones = [...zones(spec), ZONES.find((z) => !zones(spec).includes(z))!];
    },
  },
  {
    name: 'zone removed',
    applies: (spec) => composedNetwork(spec) && zones(spec).length > 2,
    apply: (spec, pick) => {
      spec.network.availabilityZones = zones(spec).filter((_, i) => i !== pick % zones(spec).length);
      spec.network.allowZoneRemoval = true;
    },
  },
  {
    name: 'Auto Mode on/off',
    applies: () => true,
    apply: (spec) => {
      if (autoMode(spec)) {
        spec.autoMode = { enabled: false };
        spec.nodeGroups = [{ name: 'general', minSize: 2, maxSize: 4 }];
      } else {
        spec.autoMode = { enabled: true };
        spec.nodeGroups = [];
        spec.karpenter = { enabled: false };
        // Auto Mode runs pod networking itself: the function refuses the VPC CNI's switches with it.
        delete spec.network.podSubnets;
        delete spec.network.prefixDelegation;
      }
    },
  },
  {
    name: 'Karpenter on/off',
    applies: (spec) => !autoMode(spec),
    apply: (spec) => {
      spec.karpenter = { enabled: !karpenter(spec) };
    },
  },
  {
    name: 'monitoring on/off',
    applies: () => true,
    apply: (spec) => {
      spec.monitoring = { enabled: !monitoring(spec) };
    },
  },
  {
    name: 'monitoring workspace composed/existing',
    applies: monitoring,
    apply: (spec) => {
      const existing = (spec.monitoring as JsonObject).workspaceId !== undefined;
      spec.monitoring = existing ? { enabled: true } : { enabled: true, workspaceId: EXISTING_WORKSPACE_ID };
    },
  },
  {
    // Custom networking in a secondary block: AWS cannot change the block, so a new one is refused (take it out first).
    name: 'pod subnets on/off',
    applies: (spec) => composedNetwork(spec) && !autoMode(spec),
    apply: (spec) => {
      if (spec.network.podSubnets) delete spec.network.podSubnets;
      else spec.network.podSubnets = { cidr: '100.64.0.0/16' };
    },
  },
  {
    name: 'prefix delegation on/off',
    applies: (spec) => !autoMode(spec),
    apply: (spec) => {
      if (spec.network.prefixDelegation) delete spec.network.prefixDelegation;
      else spec.network.prefixDelegation = true;
    },
  },
  {
    name: 'delivery mode',
    applies: () => true,
    apply: (spec) => {
      const aws = (spec.delivery as JsonObject | undefined)?.mode === 'AWSIdentity';
      spec.delivery = aws ? { mode: 'KubeconfigSecret' } : { mode: 'AWSIdentity', fluxRoleArn: FLUX_ROLE_ARN };
    },
  },
  {
    name: 'Pod Identity role moved to another service account',
    applies: (spec) => roles(spec).length > 0,
    apply: (spec, pick) => {
      roles(spec)[pick % roles(spec).length]!.serviceAccount = `moved-${pick % 10}`;
    },
  },
  {
    name: 'secrets encryption on',
    applies: (spec) => (spec.encryption as JsonObject | undefined)?.enabled !== true,
    apply: (spec) => {
      spec.encryption = { enabled: true };
    },
  },
  {
    name: 'deletion protection on/off',
    applies: () => true,
    apply: (spec) => {
      const on = (spec.controlPlane as JsonObject | undefined)?.deletionProtection === true;
      spec.controlPlane = { deletionProtection: !on };
    },
  },
  {
    // One minor or two: EKS moves one at a time, once the node groups run the control plane's (dev/simulated-aws.ts).
    name: 'Kubernetes version raised',
    applies: (spec) => spec.kubernetesVersion !== '1.36',
    apply: (spec) => {
      spec.kubernetesVersion = '1.36';
    },
  },
  {
    // On or off replaces the group (EKS can neither add nor take away a template); a change is a new version, rolled in place.
    name: 'node group launch template on, changed, on a custom AMI, or off',
    applies: (spec) => groups(spec).length > 0,
    apply: (spec, pick) => {
      const group = groups(spec)[pick % groups(spec).length]!;
      const variants: (() => void)[] = [
        () => (group.launchTemplate = {}),
        () => (group.launchTemplate = { metadataHopLimit: 1, rootVolume: { iops: 4000 }, tags: { hardened: 'yes' } }),
        () => (group.launchTemplate = { amiId: 'ami-0123456789abcdef0', userData: 'echo ready' }),
        () => delete group.launchTemplate,
      ];
      variants[Math.floor(pick / 7) % variants.length]!();
    },
  },
  {
    // Rules are known by what they allow: reordering is no change, a port changed is a new rule.
    name: 'security-group rules added, reordered, changed or removed',
    applies: () => true,
    apply: (spec, pick) => {
      const current = (spec.securityGroupRules ?? {}) as JsonObject;
      const cluster = [...((current.cluster ?? []) as JsonObject[])];
      const nodes = [...((current.nodes ?? []) as JsonObject[])];
      const templated = groups(spec).length > 0 && groups(spec).every((g) => g.launchTemplate !== undefined);
      switch (Math.floor(pick / 5) % 4) {
        case 0:
          cluster.push({ cidr: `10.${200 + (pick % 50)}.0.0/16`, fromPort: 443, description: 'peer' });
          if (templated) nodes.push({ prefixListId: 'pl-0a1b2c3d', fromPort: 30000, toPort: 32767 });
          break;
        case 1:
          cluster.reverse();
          nodes.reverse();
          break;
        case 2:
          if (cluster[0]) cluster[0] = { ...cluster[0], fromPort: 6443, toPort: 6443 };
          else cluster.push({ cidr: '2001:db8::/32', protocol: 'icmpv6' }, { cidr: '192.168.0.0/16', protocol: 'all' });
          break;
        default:
          cluster.length = 0;
          nodes.length = 0;
      }
      spec.securityGroupRules = { cluster, nodes };
    },
  },
];

/** One change of a live cluster: the spec B it is changed to, and the edits that made B of A. */
export interface Change {
  readonly b: JsonObject;
  readonly edits: readonly string[];
}

/** A live cluster at spec A and the changes to try on it, each from A. */
export interface Transitions {
  readonly a: JsonObject;
  readonly changes: readonly Change[];
}

/** A small live cluster (at most three zones and two node groups, so that many pairs run), on 1.34, 1.35 or 1.36. */
const startArb: fc.Arbitrary<XRShape> = xrArb
  .filter((s) => s.zones.length <= 3 && s.nodeGroups.length <= 2 && !s.existing)
  .map((s) => ({ ...s, region: 'us-west-2' }));

const picksArb = fc.array(fc.tuple(fc.nat(EDITS.length - 1), fc.nat(1000)), { minLength: 1, maxLength: 3 });

/**
 * A spec A and `perStart` changes of it, so that pairs A -> B share the
 * convergence of A: a pair costs B's convergence and the teardown only.
 */
export function transitionsArb(perStart: number): fc.Arbitrary<Transitions> {
  return (
    fc
      .tuple(startArb, fc.constantFrom('1.34', '1.35', '1.36'), fc.array(picksArb, { minLength: perStart, maxLength: perStart }))
      .map(([shape, version, changes]) => {
        const a = xrDocument(shape);
        (a.spec as Spec).kubernetesVersion = version;
        // The API's default group, written out, so that edits of the list keep it.
        if (!autoMode(a.spec as Spec) && (a.spec as Spec).nodeGroups === undefined) (a.spec as Spec).nodeGroups = [{ name: 'default', minSize: 2, maxSize: 6 }];
        return { a, changes: changes.map((picks) => edited(a, picks)) };
      })
      // A starting spec the function refuses (a VPC too small for its zones) is no live cluster to change.
      .filter(({ a }) => compose({ composite: a, observed: {} }).ok)
  );
}

function edited(a: JsonObject, picks: readonly (readonly [number, number])[]): Change {
  const spec = structuredClone(a.spec) as Spec;
  const edits: string[] = [];
  for (const [which, pick] of picks) {
    const edit = EDITS[which]!;
    if (!edit.applies(spec)) continue;
    edit.apply(spec, pick);
    edits.push(edit.name);
  }
  return { b: { ...a, spec }, edits };
}

export interface TransitionOutcome {
  /** 'ready': B converged to Ready; 'refused': the function refused B; 'skipped': A never converged into a cluster. */
  readonly outcome: 'ready' | 'refused' | 'skipped';
  /** Every property broken, in words; empty when all hold. */
  readonly failures: string[];
}

const compute = (c: Capacity) => c.nodeGroups.length + c.autoMode;
const specOf = (xr: JsonObject) => xr.spec as Spec;

/**
 * Converges A to Ready once, then for each change, in a copy of that world,
 * applies B and converges again, then deletes the XR. It must hold that: B is
 * Ready, or refused with a fatal result that names the field and the fix and
 * changes nothing; AWS refuses no update or deletion for good, and no deletion
 * hangs; a node group of both specs always has nodes, and while B runs nodes
 * some node group or Auto Mode does at the end of every round; nothing is
 * left in AWS after the teardown. One outcome per change.
 */
export function checkTransitions({ a, changes }: Transitions): TransitionOutcome[] {
  const live = new SimulatedWorld();
  const first = converge(live, a);
  if (!first.result.ok) return changes.map(() => ({ outcome: 'skipped', failures: [] }));
  const startFailures = first.settled ? [] : [`A did not converge: ${JSON.stringify(live.unsynced())}`];
  return changes.map(({ b }) => changeOf(live.clone(), first, b, startFailures));
}

function changeOf(world: SimulatedWorld, first: ReturnType<typeof converge>, b: JsonObject, startFailures: readonly string[]): TransitionOutcome {
  const failures = [...startFailures];
  const a = first.xr;
  const before = world.clone();
  const second = converge(world, { ...b, status: first.xr.status ?? {} });
  let last = second.xr;
  if (!second.result.ok) {
    for (const e of second.result.errors) {
      if (!e.path.startsWith('spec.') || !e.message.includes('; ')) failures.push(`fatal without a field or a fix: ${e.path}: ${e.message}`);
    }
    if (JSON.stringify(world.observed()) !== JSON.stringify(before.observed())) failures.push('a fatal result changed the composed resources');
    last = first.xr;
  } else {
    if (!second.settled) failures.push(`B did not converge in ${second.rounds} rounds`);
    failures.push(...world.unsynced().map((u) => `refused for good: ${u.key}: ${u.message}`));
    failures.push(...world.deleting().map((key) => `deletion never completes: ${key}`));
    failures.push(...nodeLoss(specOf(a), specOf(b), first.capacities.at(-1)!, second.capacities));
  }
  // Deletion protection is lifted first, as a person deleting a protected cluster must.
  if ((specOf(last).controlPlane as JsonObject | undefined)?.deletionProtection === true)
    converge(world, { ...last, spec: { ...specOf(last), controlPlane: { ...(specOf(last).controlPlane as JsonObject), deletionProtection: false } } });
  const left = tearDown(world);
  if (left.length > 0) failures.push(`left in AWS after the teardown: ${left.join(', ')}`);
  return { outcome: second.result.ok ? 'ready' : 'refused', failures };
}

/** Where running pods lose their nodes before replacements are Ready. */
function nodeLoss(a: Spec, b: Spec, start: Capacity, rounds: readonly Capacity[]): string[] {
  const failures: string[] = [];
  const runsNodes = (spec: Spec) => groups(spec).length > 0 || autoMode(spec);
  if (compute(start) > 0 && runsNodes(b)) {
    const empty = rounds.findIndex((c) => compute(c) === 0);
    if (empty >= 0) failures.push(`no node group and no Auto Mode node at the end of round ${empty + 1}`);
  }
  const kept = groups(a)
    .map((g) => String(g.name))
    .filter((name) => groups(b).some((g) => g.name === name));
  for (const name of kept) {
    const mine = (key: string) => key === `nodegroup-${name}` || new RegExp(`^nodegroup-${name}-[0-9a-f]{6}$`).test(key);
    const gap = rounds.findIndex((c) => !c.nodeGroups.some(mine));
    if (gap >= 0) failures.push(`node group ${name} had no nodes at the end of round ${gap + 1}`);
  }
  return failures;
}
