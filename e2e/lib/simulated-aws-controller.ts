/**
 * The simulated AWS of the end-to-end run: a controller that plays the
 * provider-aws-ec2/-eks/-iam/-kms controllers against the management API server,
 * with the rules of workshop/simulated-aws.ts (the same
 * ids `npm start` shows; what AWS refuses on create and on delete).
 *
 * Each pass lists every managed resource kind we compose in the watched
 * namespaces and, like a provider:
 * - puts its finalizer on a new resource, so a deletion waits for "AWS";
 * - resolves its references once their targets are Ready (a Cluster only once
 *   ACTIVE), then "creates" it after a short delay: status.atProvider with
 *   plausible ids, Ready=True and Synced=True; or, when AWS would refuse it,
 *   Synced=False with AWS's message, tried again next pass;
 * - for ClusterAuth, writes the kubeconfig Secret that reaches the workload
 *   API server, controlled by the ClusterAuth as crossplane-runtime's
 *   connection publisher writes it: the provider never deletes it (its
 *   UnpublishConnection does nothing), the garbage collector does once the
 *   ClusterAuth is gone, retrying while Crossplane's Usage webhook refuses;
 * - for a created Cluster asked for another Kubernetes version, refuses what EKS
 *   refuses (a skipped minor, a downgrade that is no rollback EKS allows, node
 *   groups not at the running version) with
 *   Synced=False and AWS's message, else runs the new version;
 * - on deletion, refuses what AWS refuses (Synced=False, DeleteFailed) and
 *   otherwise records the deletion and removes its finalizer.
 * It counts every deletion and every spec change of a resource it created, so
 * the run can prove nothing was destroyed or replaced before the teardown.
 */
import {
  atProviderFor,
  Kube,
  KubeError,
  MANAGED_GROUPS,
  refusesClusterUpgradeOverNodeGroups,
  refusesCreate,
  refusesDelete,
  refusesUpdate,
  refusesVersionUpdate,
  resolveReferences,
  withKeptFields,
  type ClusterVersionState,
  type JsonObject,
  type Managed,
} from 'workshop';

const FINALIZER = 'e2e.eks-gitops.dev/simulated-aws';
const FIELD_MANAGER = 'simulated-aws';

/** Every managed resource kind the function composes (apps/monitoring's are among them), by API version. */
export const MANAGED_KINDS: { apiVersion: string; kind: string }[] = MANAGED_GROUPS.flatMap((g) => g.kinds.map((kind) => ({ apiVersion: g.apiVersion, kind })));

/** How long "AWS" takes to create a kind, in passes (the real EKS control plane takes the longest). */
const CREATE_PASSES: Record<string, number> = { Cluster: 4, NodeGroup: 3, NATGateway: 2, Addon: 2 };

export interface Event {
  at: number;
  kind: string;
  name: string;
  what: 'created' | 'refused' | 'deleted' | 'delete-refused' | 'changed' | 'failing';
  message?: string;
}

export interface SimulatorOptions {
  namespaces: string[];
  /** The kubeconfig ClusterAuth writes: it reaches the workload API server. */
  workloadKubeconfig: string;
  intervalMs?: number;
}

const key = (o: Managed) => `${String(o.kind)}/${String((o.metadata as JsonObject).name)}`;
const nameOf = (o: Managed) => String((o.metadata as JsonObject).name);
const ns = (o: Managed) => String((o.metadata as JsonObject).namespace);
const refOf = (o: Managed) => ({ apiVersion: String(o.apiVersion), kind: String(o.kind), namespace: ns(o), name: nameOf(o) });

export class SimulatedAws {
  readonly events: Event[] = [];
  /** Names whose creation is made to fail, with AWS's message. */
  readonly failing = new Map<string, string>();
  /** How many calls answered ThrottlingException: the proof that the fault took effect. */
  throttledCalls = 0;
  /** A throttling window armed by throttleFor(), which opens at the next create or delete call. */
  private throttleArmedMs = 0;
  private throttleUntil = 0;
  private readonly createdSpec = new Map<string, string>();
  /** What "AWS" has of each resource it created: the resolved forProvider of its last accepted create or update. */
  private readonly applied = new Map<string, JsonObject>();
  /** The in-place Kubernetes upgrade each Cluster last had, for EKS's rollback rules. */
  private readonly upgrades = new Map<string, NonNullable<ClusterVersionState['upgrade']>>();
  private readonly pending = new Map<string, number>();
  private readonly lastList = new Map<string, Managed[]>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  passErrors = 0;
  lastPassError = '';

  constructor(
    private readonly kube: Kube,
    private readonly options: SimulatorOptions,
  ) {}

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.pass().catch((error: unknown) => {
        this.passErrors++;
        this.lastPassError = error instanceof Error ? error.message : String(error);
      });
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.intervalMs ?? 400);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  count(what: Event['what']): number {
    return this.events.filter((e) => e.what === what).length;
  }

  private record(o: Managed, what: Event['what'], message?: string): void {
    this.events.push({ at: Date.now(), kind: String(o.kind), name: nameOf(o), what, ...(message ? { message } : {}) });
  }

  private async setConditions(
    o: Managed,
    ready: { status: string; reason: string; message?: string },
    synced: { status: string; reason: string; message?: string },
    atProvider?: JsonObject,
    failedOperation?: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    const condition = (type: string, c: { status: string; reason: string; message?: string }) => ({ type, lastTransitionTime: now, ...c });
    // How upjet reports an AWS call that failed, besides Synced=False.
    const lastAsync =
      failedOperation === undefined ? [] : [condition('LastAsyncOperation', { status: 'False', reason: 'ApplyFailure', message: failedOperation })];
    // A merge patch, not an apply: the API server drops atProvider fields a kind's
    // schema lacks (as a provider's typed client never sends them) instead of refusing.
    await this.kube.mergePatch(
      refOf(o),
      { status: { ...(atProvider ? { atProvider } : {}), conditions: [condition('Ready', ready), condition('Synced', synced), ...lastAsync] } },
      'status',
    );
  }

  /**
   * From the next create or delete call on, every such call answers
   * ThrottlingException for `ms`: armed rather than started, so the fault meets
   * calls even when nothing is being created at the moment it is set.
   */
  throttleFor(ms: number): void {
    this.throttleArmedMs = ms;
  }

  /** Whether a create or delete call made now is throttled; the first call opens an armed window. */
  private throttling(): boolean {
    if (this.throttleArmedMs > 0) {
      this.throttleUntil = Date.now() + this.throttleArmedMs;
      this.throttleArmedMs = 0;
    }
    return Date.now() < this.throttleUntil;
  }

  /** What upjet reports when AWS throttles a call: Synced=False with AWS's error; counted. */
  private throttle(o: Managed, reason: 'Creating' | 'Deleting', call: 'create' | 'delete'): Promise<void> {
    this.throttledCalls++;
    return this.setConditions(
      o,
      { status: 'False', reason },
      { status: 'False', reason: 'ReconcileError', message: `${call} failed: ThrottlingException: Rate exceeded` },
    );
  }

  private async pass(): Promise<void> {
    const objects = await this.list();
    const world = new Map(objects.map((o) => [nameOf(o), o]));
    for (const o of objects) {
      try {
        await this.reconcile(o, world);
      } catch (error) {
        // Retried next pass, as a provider requeues; a conflict or a vanished object is routine.
        if (error instanceof KubeError && (error.status === 404 || error.status === 409)) continue;
        this.passErrors++;
        this.lastPassError = `${key(o)}: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
  }

  /**
   * Every managed resource of the kinds we compose in the watched namespaces,
   * listed kind by kind. With `stale: false` a listing the API server refuses
   * throws instead of standing in with the last one.
   */
  private async list({ stale } = { stale: true }): Promise<Managed[]> {
    const objects: Managed[] = [];
    for (const namespace of this.options.namespaces) {
      for (const k of MANAGED_KINDS) {
        const cacheKey = `${namespace}/${k.kind}`;
        try {
          const listed = await this.kube.list({ ...k, namespace });
          this.lastList.set(cacheKey, listed);
          objects.push(...listed);
        } catch (error) {
          // The API server answers 429 while a CRD's storage (re)initializes, as a
          // provider's informer would, go on with what was listed last.
          if (!stale || !(error instanceof KubeError && (error.status === 429 || error.status >= 500))) throw error;
          this.passErrors++;
          this.lastPassError = error.message;
          objects.push(...(this.lastList.get(cacheKey) ?? []));
        }
      }
    }
    return objects;
  }

  private async reconcile(o: Managed, world: Map<string, Managed>): Promise<void> {
    const meta = o.metadata as JsonObject;
    const finalizers = (meta.finalizers as string[] | undefined) ?? [];
    // A ClusterAuth's atProvider holds only lastRefreshTime (the API server prunes an id).
    const observed = ((o.status as JsonObject | undefined)?.atProvider ?? {}) as JsonObject;
    const exists = observed.id !== undefined || observed.lastRefreshTime !== undefined;

    if (meta.deletionTimestamp) {
      if (!finalizers.includes(FINALIZER)) return;
      if (this.throttling()) return this.throttle(o, 'Deleting', 'delete');
      // The pass's world was listed kind by kind, which takes seconds under load: a
      // dependant listed early may be gone by now. AWS judges the world at the
      // call, so a refusal stands only if a fresh listing still gives it.
      // A listing that fell back on an earlier one (the API server busy) is no view of the world now: ask again next pass.
      let refusal: string | undefined;
      if (exists && refusesDelete(o, world)) {
        const fresh = await this.list({ stale: false }).catch(() => undefined);
        if (!fresh) return;
        refusal = refusesDelete(o, new Map(fresh.map((x) => [nameOf(x), x])));
      }
      if (refusal) {
        if (this.events.at(-1)?.name !== nameOf(o) || this.events.at(-1)?.what !== 'delete-refused') this.record(o, 'delete-refused', refusal);
        return this.setConditions(
          o,
          { status: 'False', reason: 'Deleting' },
          { status: 'False', reason: 'ReconcileError', message: `delete failed: ${refusal}` },
        );
      }
      this.record(o, 'deleted');
      world.delete(nameOf(o));
      await this.kube.mergePatch(refOf(o), {
        metadata: { finalizers: finalizers.filter((f) => f !== FINALIZER), resourceVersion: meta.resourceVersion },
      } as JsonObject);
      return;
    }

    if (!finalizers.includes(FINALIZER)) {
      await this.kube.mergePatch(refOf(o), { metadata: { finalizers: [...finalizers, FINALIZER], resourceVersion: meta.resourceVersion } } as JsonObject);
      return;
    }

    const spec = JSON.stringify((o.spec as JsonObject).forProvider ?? {});
    if (exists) {
      if (o.kind === 'Cluster' && (await this.updateVersion(o, world))) return;
      if (await this.update(o, world)) return;
      const before = this.createdSpec.get(key(o));
      if (before !== undefined && before !== spec) {
        this.record(o, 'changed', 'spec.forProvider changed after creation');
        this.createdSpec.set(key(o), spec);
      }
      const failure = this.failing.get(nameOf(o));
      const conditions = ((o.status as JsonObject).conditions as JsonObject[] | undefined) ?? [];
      const ready = conditions.find((c) => c.type === 'Ready');
      const synced = conditions.find((c) => c.type === 'Synced');
      if (failure !== undefined && ready?.status === 'True') {
        this.record(o, 'failing', failure);
        return this.setConditions(
          o,
          { status: 'False', reason: 'Unavailable', message: failure },
          { status: 'False', reason: 'ReconcileError', message: `observe failed: ${failure}` },
        );
      }
      if (failure === undefined && (ready?.status !== 'True' || synced?.status !== 'True')) {
        return this.setConditions(o, { status: 'True', reason: 'Available' }, { status: 'True', reason: 'ReconcileSuccess' });
      }
      return;
    }
    if (this.throttling()) return this.throttle(o, 'Creating', 'create');

    const { forProvider, unresolved } = resolveReferences(o, world);
    if (unresolved.length > 0) {
      return this.setConditions(
        o,
        { status: 'False', reason: 'Creating' },
        { status: 'False', reason: 'ReconcileError', message: `cannot resolve references: waiting for ${unresolved.join(', ')}` },
      );
    }
    const refusal = refusesCreate(o, forProvider, world) ?? this.failing.get(nameOf(o));
    if (refusal) {
      if (!this.events.some((e) => e.name === nameOf(o) && e.what === 'refused' && e.message === refusal)) this.record(o, 'refused', refusal);
      return this.setConditions(
        o,
        { status: 'False', reason: 'Creating', message: refusal },
        { status: 'False', reason: 'ReconcileError', message: `create failed: ${refusal}` },
        undefined,
        refusal,
      );
    }
    // Creation takes a few passes, as AWS does.
    const waited = (this.pending.get(key(o)) ?? 0) + 1;
    this.pending.set(key(o), waited);
    if (waited < (CREATE_PASSES[String(o.kind)] ?? 1)) return;

    // What the provider observes: the resolved spec and the ids AWS assigned.
    const atProvider = {
      ...forProvider,
      ...atProviderFor(String(o.kind), `${ns(o)}/${nameOf(o)}`, { ...o, spec: { ...(o.spec as JsonObject), forProvider } }),
      ...(o.kind === 'ClusterAuth' ? { lastRefreshTime: new Date().toISOString() } : {}),
    };
    this.applied.set(key(o), forProvider);
    if (o.kind === 'ClusterAuth') await this.writeKubeconfig(o);
    await this.setConditions(o, { status: 'True', reason: 'Available' }, { status: 'True', reason: 'ReconcileSuccess' }, atProvider);
    this.createdSpec.set(key(o), spec);
    this.record(o, 'created');
    world.set(nameOf(o), await this.kube.get(refOf(o)));
  }

  /**
   * A created Cluster asked for another Kubernetes version: refused as EKS refuses it
   * (the calendar's rules; node groups not yet at the running version)
   * (Synced=False with the message, Ready unchanged, as upjet reports a failed
   * update; true: the pass is done with it), else "AWS" runs the new version.
   */
  private async updateVersion(o: Managed, world: Map<string, Managed>): Promise<boolean> {
    const forProvider = ((o.spec as JsonObject).forProvider ?? {}) as JsonObject;
    const running = ((o.status as JsonObject).atProvider as JsonObject).version;
    const wanted = forProvider.version;
    if (typeof wanted !== 'string' || typeof running !== 'string' || wanted === running) return false;
    const today = new Date().toISOString().slice(0, 10);
    const upgrade = this.upgrades.get(key(o));
    const supportType = String((forProvider.upgradePolicy as JsonObject | undefined)?.supportType ?? 'EXTENDED');
    const refusal =
      refusesVersionUpdate({ version: running, supportType, ...(upgrade ? { upgrade } : {}) }, wanted, today) ??
      refusesClusterUpgradeOverNodeGroups(o, { version: running }, forProvider, world);
    if (refusal) {
      if (!this.events.some((e) => e.name === nameOf(o) && e.what === 'refused' && e.message === refusal)) this.record(o, 'refused', refusal);
      await this.setConditions(
        o,
        { status: 'True', reason: 'Available' },
        { status: 'False', reason: 'ReconcileError', message: `update failed: ${refusal}` },
        undefined,
        refusal,
      );
      return true;
    }
    if (Number(wanted.split('.')[1]) > Number(running.split('.')[1])) this.upgrades.set(key(o), { from: running, on: today, by: 'user' });
    else this.upgrades.delete(key(o));
    await this.kube.mergePatch(refOf(o), { status: { atProvider: { version: wanted } } }, 'status');
    return false;
  }

  /**
   * A created resource whose spec changed: refused as the provider and AWS
   * refuse it (workshop/simulated-aws.ts refusesUpdate: a field the provider cannot
   * change in place, with upjet's message; EKS Auto Mode's prerequisites),
   * Synced=False and Ready unchanged, retried next pass; else "AWS" applies it
   * and reports it in atProvider. True when the pass is done with it.
   */
  private async update(o: Managed, world: Map<string, Managed>): Promise<boolean> {
    const applied = this.applied.get(key(o));
    if (!applied) return false;
    const resolved = resolveReferences(o, world);
    const { unresolved } = resolved;
    // AWS keeps what a request leaves out of an Optional and Computed argument (workshop/aws-rules/force-new.generated.ts).
    const forProvider = withKeptFields(o, applied, resolved.forProvider);
    if (unresolved.length > 0 || sameJson(forProvider, applied)) return false;
    const refusal = refusesUpdate(o, applied, forProvider, world);
    if (refusal) {
      if (!this.events.some((e) => e.name === nameOf(o) && e.what === 'refused' && e.message === refusal)) this.record(o, 'refused', refusal);
      await this.setConditions(o, { status: 'True', reason: 'Available' }, { status: 'False', reason: 'ReconcileError', message: refusal });
      return true;
    }
    this.applied.set(key(o), forProvider);
    const previous = (o.status as JsonObject | undefined)?.atProvider as JsonObject | undefined;
    const atProvider = {
      ...forProvider,
      ...atProviderFor(String(o.kind), `${ns(o)}/${nameOf(o)}`, { ...o, spec: { ...(o.spec as JsonObject), forProvider } }, previous),
    };
    await this.kube.mergePatch(refOf(o), { status: { atProvider } }, 'status');
    return false;
  }

  /** What provider-aws-eks's ClusterAuth writes: the kubeconfig, endpoint and CA of the cluster, in a Secret it controls. */
  private async writeKubeconfig(o: Managed): Promise<void> {
    const secretName = String(((o.spec as JsonObject).writeConnectionSecretToRef as JsonObject | undefined)?.name ?? '');
    if (!secretName) return;
    const server = /server: (\S+)/.exec(this.options.workloadKubeconfig)?.[1] ?? '';
    const ca = /certificate-authority-data: (\S+)/.exec(this.options.workloadKubeconfig)?.[1] ?? '';
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    await this.kube.apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: secretName,
          namespace: ns(o),
          ownerReferences: [
            {
              apiVersion: String(o.apiVersion),
              kind: String(o.kind),
              name: nameOf(o),
              uid: String((o.metadata as JsonObject).uid),
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        type: 'connection.crossplane.io/v1alpha1',
        data: { kubeconfig: b64(this.options.workloadKubeconfig), endpoint: b64(server), clusterCA: ca },
      },
      FIELD_MANAGER,
    );
  }
}

/** Whether two JSON values are equal whatever the order of their keys (the API server keeps the order it was given). */
function sameJson(a: unknown, b: unknown): boolean {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sorted)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([x], [y]) => (x < y ? -1 : 1))
              .map(([k, w]) => [k, sorted(w)]),
          )
        : v;
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}
