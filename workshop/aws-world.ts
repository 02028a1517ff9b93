/**
 * A composite's whole life against the simulated AWS, round by round, as
 * Crossplane and the providers play it: the function composes from what is
 * observed, Crossplane applies every desired resource and deletes every one no
 * longer desired (unless a Usage holds it), and each provider creates, updates
 * or deletes in AWS unless AWS (workshop/simulated-aws.ts and its rules in
 * workshop/aws-rules/) refuses, which leaves the resource Synced=False and is
 * retried next round. Beside the managed resources live what controllers
 * launch: EKS Auto Mode's instances while the cluster's compute is on, and
 * Karpenter's while its controller can act (its role, policy and Pod Identity
 * association, and the cluster); Karpenter terminates its own only at teardown,
 * when its NodePools are pruned, and only if it still can.
 *
 * Where workshop/reconcile.ts makes each new resource Ready at once (creation only),
 * this one also updates, refuses and deletes: it is what day-2 changes are
 * tested against (test/day2.test.ts, test/transitions.test.ts).
 */
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose, type ComposeResult } from 'function-eks-cluster/src/compose/compose.js';
import { canonical } from 'function-eks-cluster/src/ground/canonical.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { INSTANCE_KIND, launchedInstance, type LaunchedBy } from './aws-rules/dependencies.js';
import { CALENDAR_CHECKED_ON } from './eks-calendar.js';
import {
  atProviderFor,
  frozenWorld,
  refusesCreate,
  refusesDelete,
  refusesUpdate,
  refusesVersionUpdate,
  resolveReferences,
  withKeptFields,
  type ClusterVersionState,
  type Managed,
} from './simulated-aws.js';
import { withCreationDefaults } from './aws-rules/computed.js';

export interface WorldEvent {
  readonly round: number;
  /** Composition key, or the instance's name. */
  readonly key: string;
  readonly kind: string;
  readonly what: 'created' | 'updated' | 'deleted' | 'refused-create' | 'refused-update' | 'refused-delete' | 'launched' | 'terminated';
  readonly message?: string;
}

interface Entry {
  readonly key: string;
  /** The managed resource as the API server holds it: the last desired body, and its status. */
  body: JsonObject;
  /** What AWS has: the resolved forProvider of the last create or update it accepted. */
  applied?: JsonObject;
  /** canonical(applied), kept: compared with what is desired on every round. */
  appliedCanonical?: string;
  /** A Cluster's last in-place Kubernetes upgrade, for EKS's rollback rules. */
  upgrade?: ClusterVersionState['upgrade'];
  /** The round the object was first applied in: a Usage becomes Available some rounds later. */
  createdRound?: number;
  deleting: boolean;
}

/** The day the simulated AWS lives on, for the EKS calendar: the day the calendar was checked, so that tests do not age. */
const MODEL_DAY = CALENDAR_CHECKED_ON;

const USAGE = 'protection.crossplane.io/v1beta1';
const nameOf = (o: JsonObject) => String(dig(o, 'metadata', 'name'));
/** Objects with no external state: Crossplane's Usages and plain Kubernetes objects. */
const local = (o: JsonObject) => o.apiVersion === USAGE || o.apiVersion === 'v1';
const condition = (type: string, status: string, reason: string, message?: string): Json => ({ type, status, reason, ...(message ? { message } : {}) });
const READY = [condition('Ready', 'True', 'Available'), condition('Synced', 'True', 'ReconcileSuccess')];

/** What runs pods, counted: node groups with nodes, Auto Mode's instances, Karpenter's. */
export interface Capacity {
  readonly nodeGroups: readonly string[];
  readonly autoMode: number;
  readonly karpenter: number;
}

export class SimulatedWorld {
  /**
   * @param usageDelay rounds between a Usage's creation and Crossplane marking
   * it Available. Crossplane's Usage controller labels what a Usage protects
   * on its own schedule (later still when it retries with backoff because the
   * object did not exist yet); a larger delay models that.
   * @param usagesProtect false: no Usage protects anything, as when Crossplane
   * has not labelled, or has already unlabelled, what a Usage names.
   */
  constructor(
    private readonly usageDelay = 1,
    private readonly usagesProtect = true,
  ) {}

  readonly events: WorldEvent[] = [];
  round = 0;
  private readonly entries = new Map<string, Entry>();
  private readonly instances = new Map<string, JsonObject>();
  /** The XR is deleted: its resources go, and Flux prunes Karpenter's NodePools from the cluster. */
  private tornDown = false;

  /**
   * An independent copy of this world as it is now, so that many changes can
   * start from one converged cluster without converging it again for each.
   */
  clone(usagesProtect = this.usagesProtect): SimulatedWorld {
    const copy = new SimulatedWorld(this.usageDelay, usagesProtect);
    copy.events.push(...this.events);
    copy.round = this.round;
    copy.tornDown = this.tornDown;
    // Bodies, applied states and instances are replaced, never changed in place: only the entries are copied.
    for (const [key, entry] of this.entries) copy.entries.set(key, { ...entry });
    for (const [name, instance] of this.instances) copy.instances.set(name, instance);
    return copy;
  }

  /** What Crossplane sends the function: every composed resource, with its status. */
  observed(): Record<string, JsonObject> {
    return Object.fromEntries([...this.entries.values()].map((e) => [e.key, e.body]));
  }

  /** The managed resources and launched instances AWS (and the API server) still hold. */
  remaining(): string[] {
    return [
      ...[...this.entries.values()].map((e) => `${String(e.body.kind)}/${e.key}`),
      ...[...this.instances.keys()].map((n) => `${INSTANCE_KIND}/${n}`),
    ].sort();
  }

  /** Resources whose last update or create AWS refused, with the message. */
  unsynced(): { key: string; message: string }[] {
    return [...this.entries.values()].flatMap((e) => {
      const synced = (dig(e.body, 'status', 'conditions') as JsonObject[] | undefined)?.find((c) => c.type === 'Synced');
      return synced?.status === 'False' ? [{ key: e.key, message: String(synced.message ?? '') }] : [];
    });
  }

  /** Resources Crossplane is deleting that are still there (a Usage holds them, or AWS refuses). */
  deleting(): string[] {
    return [...this.entries.values()].filter((e) => e.deleting).map((e) => e.key);
  }

  capacity(): Capacity {
    const launched = (by: LaunchedBy) => [...this.instances.values()].filter((i) => dig(i, 'spec', 'forProvider', 'launchedBy') === by).length;
    return {
      nodeGroups: [...this.entries.values()].filter((e) => e.body.kind === 'NodeGroup' && e.applied !== undefined).map((e) => e.key),
      autoMode: launched('auto-mode'),
      karpenter: launched('karpenter'),
    };
  }

  /** One round: Crossplane applies `desired` (every key; undefined: the XR is deleted), the providers and controllers act. True when anything changed. */
  step(desired: Readonly<Record<string, JsonObject>> | undefined): boolean {
    this.round++;
    if (desired === undefined) this.tornDown = true;
    const before = this.events.length;
    const start = this.worldByName();
    for (const [key, body] of Object.entries(desired ?? {})) this.apply(key, body, start);
    for (const entry of this.entries.values()) if (!desired || !(entry.key in desired)) entry.deleting = true;
    this.delete(start);
    this.act(start);
    return this.events.length > before;
  }

  /** Every object by Kubernetes name, as the simulated AWS's rules read the world: managed resources and instances; never changed afterwards. */
  private worldByName(): ReadonlyMap<string, Managed> {
    const world = new Map<string, Managed>();
    for (const e of this.entries.values()) world.set(nameOf(e.body), e.body);
    for (const [name, instance] of this.instances) world.set(name, instance);
    return frozenWorld(world);
  }

  private record(key: string, kind: unknown, what: WorldEvent['what'], message?: string): void {
    this.events.push({ round: this.round, key, kind: String(kind), what, ...(message ? { message } : {}) });
  }

  private setStatus(entry: Entry, conditions: Json[], atProvider?: JsonObject): void {
    const status = (entry.body.status ?? {}) as JsonObject;
    entry.body = { ...entry.body, status: { ...status, ...(atProvider ? { atProvider } : {}), conditions } };
  }

  /** The message of the last refusal recorded for `key` of this kind, so a refusal repeated every round is recorded once. */
  private refused(entry: Entry, what: WorldEvent['what'], message: string): void {
    const last = [...this.events].reverse().find((e) => e.key === entry.key);
    if (last?.what !== what || last.message !== message) this.record(entry.key, entry.body.kind, what, message);
  }

  private apply(key: string, desired: JsonObject, world: ReadonlyMap<string, Managed>): void {
    let entry = this.entries.get(key);
    if (entry?.deleting) return; // a resource being deleted is created anew once it is gone
    if (!entry) {
      entry = {
        key,
        body: { ...desired, status: { conditions: [condition('Ready', 'False', 'Creating'), condition('Synced', 'True', 'ReconcileSuccess')] } },
        deleting: false,
      };
      this.entries.set(key, entry);
    } else {
      entry.body = { ...desired, status: entry.body.status ?? {} };
    }
    if (local(desired)) {
      if (entry.applied === undefined) {
        this.record(key, desired.kind, 'created');
        entry.createdRound = this.round;
      }
      entry.applied = {};
      // Crossplane marks a Usage Available once it has put the in-use label on
      // what it protects; its deletion webhook selects on that label, so until
      // then the Usage protects nothing.
      const pending = desired.apiVersion === USAGE && this.round - (entry.createdRound ?? 0) < this.usageDelay;
      this.setStatus(entry, pending ? [condition('Ready', 'False', 'Creating'), condition('Synced', 'True', 'ReconcileSuccess')] : READY);
      return;
    }
    const resolved = resolveReferences(entry.body, world);
    const { unresolved } = resolved;
    const forProvider = entry.applied ? withKeptFields(entry.body, entry.applied, resolved.forProvider) : resolved.forProvider;
    if (unresolved.length > 0) {
      const ready = entry.applied ? condition('Ready', 'True', 'Available') : condition('Ready', 'False', 'Creating');
      this.setStatus(entry, [ready, condition('Synced', 'False', 'ReconcileError', `cannot resolve references: waiting for ${unresolved.join(', ')}`)]);
      return;
    }
    if (entry.applied === undefined) return this.create(entry, forProvider, world);
    entry.appliedCanonical ??= canonical(entry.applied);
    if (canonical(forProvider) === entry.appliedCanonical) {
      this.setStatus(entry, READY);
      return;
    }
    const refusal = refusesClusterVersion(entry, forProvider) ?? refusesUpdate(entry.body, entry.applied, forProvider, world);
    if (refusal) {
      this.refused(entry, 'refused-update', refusal);
      this.setStatus(entry, [condition('Ready', 'True', 'Available'), condition('Synced', 'False', 'ReconcileError', refusal)]);
      return;
    }
    recordUpgrade(entry, forProvider);
    entry.applied = forProvider;
    delete entry.appliedCanonical;
    this.setStatus(entry, READY, this.atProvider(entry, forProvider));
    this.record(key, entry.body.kind, 'updated');
  }

  private atProvider(entry: Entry, forProvider: JsonObject): JsonObject {
    const kind = String(entry.body.kind);
    const previous = dig(entry.body, 'status', 'atProvider') as JsonObject | undefined;
    return { ...forProvider, ...atProviderFor(kind, entry.key, { ...entry.body, spec: { ...(entry.body.spec as JsonObject), forProvider } }, previous) };
  }

  private create(entry: Entry, forProvider: JsonObject, world: ReadonlyMap<string, Managed>): void {
    const refusal = refusesCreate(entry.body, forProvider, world);
    if (refusal) {
      this.refused(entry, 'refused-create', refusal);
      this.setStatus(entry, [condition('Ready', 'False', 'Creating', refusal), condition('Synced', 'False', 'ReconcileError', `create failed: ${refusal}`)]);
      return;
    }
    entry.applied = withCreationDefaults(`${String(entry.body.apiVersion)}/${String(entry.body.kind)}`, forProvider);
    delete entry.appliedCanonical;
    this.setStatus(entry, READY, this.atProvider(entry, entry.applied));
    this.record(entry.key, entry.body.kind, 'created');
  }

  /**
   * Deletions, against the world at the start of the round: a Usage goes once
   * what uses it is gone; anything else once no Available Usage protects it and AWS
   * accepts (a resource AWS never created goes at once).
   */
  private delete(world: ReadonlyMap<string, Managed>): void {
    const present = new Set([...this.entries.values()].map((e) => `${String(e.body.kind)}/${nameOf(e.body)}`));
    const end = (usage: JsonObject, side: 'of' | 'by') =>
      `${String(dig(usage, 'spec', side, 'kind'))}/${String(dig(usage, 'spec', side, 'resourceRef', 'name'))}`;
    const usages = [...this.entries.values()].filter((e) => e.body.apiVersion === USAGE);
    const available = (usage: JsonObject) =>
      (dig(usage, 'status', 'conditions') as JsonObject[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True');
    const protectedIds = new Set(usages.filter((u) => this.usagesProtect && available(u.body)).map((u) => end(u.body, 'of')));
    const gone: Entry[] = [];
    for (const entry of this.entries.values()) {
      if (!entry.deleting) continue;
      if (entry.body.apiVersion === USAGE) {
        if (!present.has(end(entry.body, 'by'))) gone.push(entry);
        continue;
      }
      if (protectedIds.has(`${String(entry.body.kind)}/${nameOf(entry.body)}`)) continue;
      const refusal = entry.applied !== undefined && !local(entry.body) ? refusesDelete(entry.body, world) : undefined;
      if (refusal) this.refused(entry, 'refused-delete', refusal);
      else gone.push(entry);
    }
    for (const entry of gone) {
      this.entries.delete(entry.key);
      this.record(entry.key, entry.body.kind, 'deleted');
    }
  }

  /** What EKS Auto Mode and Karpenter do this round, with what exists at its start and end. */
  private act(start: ReadonlyMap<string, Managed>): void {
    const end = this.worldByName();
    const cluster = [...end.values()].find((o) => o.kind === 'Cluster' && dig(o, 'status', 'atProvider', 'id') !== undefined);
    const launched = (by: LaunchedBy) => [...this.instances.keys()].filter((n) => dig(this.instances.get(n), 'spec', 'forProvider', 'launchedBy') === by);
    const terminate = (names: string[]) => {
      for (const name of names) {
        this.instances.delete(name);
        this.record(name, INSTANCE_KIND, 'terminated');
      }
    };
    const applied = cluster ? this.entries.get([...this.entries.values()].find((e) => e.body === cluster)!.key)?.applied : undefined;
    // Auto Mode: EKS runs instances while compute is on, and terminates them when it is switched off or the cluster goes.
    const autoModeRole =
      applied && dig(applied, 'computeConfig', 'enabled') === true ? roleNamed(end, dig(applied, 'computeConfig', 'nodeRoleArn')) : undefined;
    if (autoModeRole && !this.tornDown) this.launch('auto-mode', clusterSubnet(cluster!, end), autoModeRole);
    else terminate(launched('auto-mode'));
    // Karpenter: launches while its controller can act; terminates its own only at teardown, if it can act for the whole round.
    const karpenterAtStart = karpenterController(start);
    const karpenterNow = karpenterController(end);
    if (this.tornDown) {
      if (karpenterAtStart && karpenterNow && cluster) terminate(launched('karpenter'));
    } else if (karpenterNow && cluster) {
      this.launch('karpenter', discoverySubnet(cluster, end) ?? clusterSubnet(cluster, end), karpenterNow.nodeRole);
    }
  }

  private launch(by: LaunchedBy, subnetId: string | undefined, roleName: string): void {
    const name = `${by}-node-1`;
    if (this.instances.has(name) || subnetId === undefined) return;
    this.instances.set(name, launchedInstance(name, by, subnetId, roleName));
    this.record(name, INSTANCE_KIND, 'launched');
  }
}

/** Why EKS refuses a Cluster's Kubernetes version change (UpdateClusterVersion: workshop/simulated-aws.ts refusesVersionUpdate), as upjet reports it. */
function refusesClusterVersion(entry: Entry, forProvider: JsonObject): string | undefined {
  const running = entry.applied?.version;
  const wanted = forProvider.version;
  if (entry.body.kind !== 'Cluster' || typeof running !== 'string' || typeof wanted !== 'string' || running === wanted) return undefined;
  const supportType = String(dig(forProvider, 'upgradePolicy', 'supportType') ?? 'EXTENDED');
  const refusal = refusesVersionUpdate({ version: running, supportType, ...(entry.upgrade ? { upgrade: entry.upgrade } : {}) }, wanted, MODEL_DAY);
  return refusal ? `update failed: async update failed: ${refusal}` : undefined;
}

/** An accepted version change of a Cluster: an upgrade is remembered for EKS's rollback window, a rollback forgets it. */
function recordUpgrade(entry: Entry, forProvider: JsonObject): void {
  const running = entry.applied?.version;
  const wanted = forProvider.version;
  if (entry.body.kind !== 'Cluster' || typeof running !== 'string' || typeof wanted !== 'string' || running === wanted) return;
  if (Number(wanted.split('.')[1]) > Number(running.split('.')[1])) entry.upgrade = { from: running, on: MODEL_DAY, by: 'user' };
  else delete entry.upgrade;
}

/** The Kubernetes name of the Role whose ARN is `arn`. */
function roleNamed(world: ReadonlyMap<string, Managed>, arn: Json | undefined): string | undefined {
  const role = [...world.values()].find((o) => o.kind === 'Role' && dig(o, 'status', 'atProvider', 'arn') === arn);
  return role ? nameOf(role) : undefined;
}

function clusterSubnet(cluster: Managed, world: ReadonlyMap<string, Managed>): string | undefined {
  const ids = dig(resolveReferences(cluster, world).forProvider, 'vpcConfig', 'subnetIds');
  return Array.isArray(ids) && typeof ids[0] === 'string' ? ids[0] : undefined;
}

/** A subnet tagged for Karpenter's discovery of this cluster (network/resources.ts tags the private ones). */
function discoverySubnet(cluster: Managed, world: ReadonlyMap<string, Managed>): string | undefined {
  const name = dig(cluster, 'metadata', 'annotations', 'crossplane.io/external-name');
  const subnet = [...world.values()].find(
    (o) =>
      o.kind === 'Subnet' && dig(o, 'spec', 'forProvider', 'tags', 'karpenter.sh/discovery') === name && dig(o, 'status', 'atProvider', 'id') !== undefined,
  );
  return subnet ? String(dig(subnet, 'status', 'atProvider', 'id')) : undefined;
}

/**
 * Karpenter's controller, when it can act: a created Pod Identity association
 * whose role has a created inline policy allowed to launch instances
 * (Karpenter's reference policy: src/eks/karpenter.ts), and the node role that
 * policy may pass.
 */
function karpenterController(world: ReadonlyMap<string, Managed>): { nodeRole: string } | undefined {
  const created = [...world.values()].filter((o) => dig(o, 'status', 'atProvider', 'id') !== undefined);
  for (const association of created.filter((o) => o.kind === 'PodIdentityAssociation')) {
    const roleArn = resolveReferences(association, world).forProvider.roleArn;
    const role = roleNamed(world, roleArn);
    for (const policy of created.filter((o) => o.kind === 'RolePolicy' && resolveReferences(o, world).forProvider.role === role)) {
      const document = dig(policy, 'spec', 'forProvider', 'policy');
      if (typeof document !== 'string' || !document.includes('ec2:RunInstances')) continue;
      const statements = (JSON.parse(document) as { Statement: JsonObject[] }).Statement;
      const passRole = statements.find((s) => s.Action === 'iam:PassRole' || (Array.isArray(s.Action) && s.Action.includes('iam:PassRole')));
      const nodeRole = roleNamed(world, passRole?.Resource);
      if (nodeRole) return { nodeRole };
    }
  }
  return undefined;
}

export interface Convergence {
  /** The last composition: the fatal one, or the last composed. */
  readonly result: ComposeResult;
  readonly rounds: number;
  /** Whether a round changed nothing and everything composed was Ready. */
  readonly settled: boolean;
  /** The fewest node sources seen at the end of a round, and the round it happened. */
  readonly capacities: Capacity[];
}

/**
 * Composes `xr` against the world and applies it, round by round, until a
 * round changes nothing and the composition is all Ready, or `maxRounds`; a
 * fatal composition stops at once and changes nothing. The XR carries the
 * status the function wrote last, as Crossplane stores it.
 */
export function converge(world: SimulatedWorld, xr: JsonObject, maxRounds = 24): Convergence & { xr: JsonObject } {
  let current = xr;
  const capacities: Capacity[] = [];
  for (let round = 1; ; round++) {
    const result = compose({ composite: current, observed: world.observed() });
    if (!result.ok) return { result, rounds: round, settled: false, capacities, xr: current };
    current = { ...current, status: result.status as unknown as JsonObject };
    const changed = world.step(Object.fromEntries(result.resources.map((r) => [r.key, r.body])));
    capacities.push(world.capacity());
    if ((!changed && result.allReady) || round >= maxRounds) return { result, rounds: round, settled: !changed && result.allReady, capacities, xr: current };
  }
}

/** Deletes the XR: rounds of deletion until nothing changes. Returns what AWS still holds. */
export function tearDown(world: SimulatedWorld, maxRounds = 40): string[] {
  for (let round = 0; round < maxRounds && world.step(undefined); round++);
  return world.remaining();
}
