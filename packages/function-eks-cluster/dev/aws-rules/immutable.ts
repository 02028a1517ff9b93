/**
 * Fields AWS (through the provider) cannot change in place, and how the
 * provider refuses a change of one. The table of arguments is generated from
 * the Terraform AWS provider's source (force-new.generated.ts, by
 * scripts/gen-aws-rules.ts); what the generator cannot decide is reviewed here:
 * the arguments decided at plan time (CustomizeDiff) and the arguments the
 * pinned provider release has that the scanned Terraform source lacks.
 *
 * upjet never replaces a resource: for a plugin-SDK resource it refuses the
 * update (crossplane/upjet@4f6e6e10dff2, the commit provider-aws v2.7.0 builds
 * on: pkg/controller/external_tfpluginsdk.go:731-765, assertNoForceNew), for a
 * plugin-framework one likewise (pkg/controller/external_tfpluginfw.go:826-845,
 * planRequiresReplace); the managed resource stays Synced=False and retries for
 * ever. An asynchronous resource reports it as "async update failed"
 * (pkg/controller/external_async_tfpluginsdk.go:186-207).
 */
import type { Json, JsonObject } from '../../src/api/schema-builder.js';
import { canonical } from '../../src/ground/canonical.js';
import { dig } from '../../src/ground/observed.js';

export interface ForceNewArgument {
  /** The Terraform argument, nested blocks joined with '.'. */
  readonly tf: string;
  /** Its forProvider field, then the reference and selector fields that populate it. */
  readonly crd: readonly string[];
  /** Optional and Computed: left out, AWS's value is kept, so leaving it out is no change. */
  readonly optionalComputed: boolean;
  readonly sensitive: boolean;
  /** File and line of its schema in the Terraform source. */
  readonly at: string;
}

export interface ConditionalForceNew {
  readonly tf: string;
  readonly call: string;
  readonly at: string;
}

export interface ForceNewKind {
  /** The Terraform resource the kind wraps; null for a kind of the provider's own (ClusterAuth). */
  readonly terraformResource: string | null;
  readonly source?: string;
  /** Written with the plugin framework (RequiresReplace) rather than the plugin SDK (ForceNew). */
  readonly framework?: boolean;
  /** upjet runs its operations asynchronously (r.UseAsync in provider-aws's config). */
  readonly async?: boolean;
  readonly immutable?: readonly ForceNewArgument[];
  readonly conditional?: readonly ConditionalForceNew[];
  /** Arguments of the pinned provider release that the scanned Terraform source lacks. */
  readonly unscanned?: readonly string[];
  /**
   * Top-level forProvider fields that are Optional and Computed and changed in
   * place: a request that leaves one out keeps AWS's value (Terraform plans no
   * change), so taking it out of the spec does not reset it.
   */
  readonly keptWhenOmitted?: readonly string[];
}

export type ForceNewTable = Readonly<Record<string, ForceNewKind>>;

/** Why an unscanned argument needs no entry of its own, with the source of that. */
export interface Review {
  readonly reason: string;
  readonly source: string;
}

/**
 * Arguments new between Terraform AWS provider 6.34.0 (scanned) and 6.55.0
 * (what provider-aws v2.7.0 builds on), by kind ("*" for every kind). None is
 * set by the function, which test/aws-rules.test.ts checks on every composed
 * example and generated XR: whatever Terraform says of them, no update of one
 * is ever asked.
 */
export const REVIEWED_UNSCANNED: Readonly<Record<string, Readonly<Record<string, Review>>>> = {
  '*': {
    region: {
      reason:
        "injected into every regional resource by Terraform AWS provider 6.0; the function sets it from spec.region, which the XRD's CEL rule makes immutable, so it never changes",
      source: 'src/api/eks-cluster.ts (x-kubernetes-validations: self.region == oldSelf.region)',
    },
  },
  'ec2.aws.m.upbound.io/v1beta1/Route': {
    odb_network_arn: { reason: 'a route target the function never sets', source: 'src/network/resources.ts' },
  },
  'eks.aws.m.upbound.io/v1beta1/Cluster': Object.fromEntries(
    [
      'outpost_config.control_plane_placement.spread_level',
      'outpost_config.etcd_instance_type',
      'outpost_config.etcd_placement',
      'outpost_config.etcd_placement.spread_level',
      'vpc_config.control_plane_egress_mode',
    ].map((tf) => [tf, { reason: 'Outposts and control-plane egress settings the function never sets', source: 'src/eks/cluster.ts' }]),
  ),
  'eks.aws.m.upbound.io/v1beta1/Addon': Object.fromEntries(
    ['namespace_config', 'namespace_config.namespace'].map((tf) => [
      tf,
      { reason: 'an add-on namespace the function never sets (EKS installs each add-on into its own)', source: 'src/eks/addons.ts' },
    ]),
  ),
};

/** A plan-time ForceNew: whether the change from `before` to `after` (resolved forProvider) replaces the resource. */
export interface ConditionalRule {
  /** The forProvider field reported in the refusal. */
  readonly field: string;
  readonly replaces: (before: JsonObject, after: JsonObject) => boolean;
  readonly source: string;
}

const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/**
 * Every CustomizeDiff ForceNew of the generated table, by kind and Terraform
 * argument. An argument the function never sets has no rule; the test says which.
 */
const cidrBlockChanged = (before: JsonObject, after: JsonObject) =>
  before.cidrBlock !== undefined && after.cidrBlock !== undefined && before.cidrBlock !== after.cidrBlock;

export const CONDITIONAL_RULES: Readonly<Record<string, Readonly<Record<string, ConditionalRule>>>> = {
  'ec2.aws.m.upbound.io/v1beta1/VPC': {
    // A changed CIDR block replaces the VPC unless IPAM gives it (ipv4_netmask_length, which the function never sets).
    cidr_block: { field: 'cidrBlock', replaces: cidrBlockChanged, source: 'internal/service/ec2/vpc_.go:449-454 (CustomizeDiff: diff.ForceNew(cidr_block))' },
  },
  'ec2.aws.m.upbound.io/v1beta1/VPCIPv4CidrBlockAssociation': {
    // The same for a secondary block: a new CIDR is a new association (the function refuses it, compose/pod-network-plan.ts).
    cidr_block: {
      field: 'cidrBlock',
      replaces: cidrBlockChanged,
      source: 'internal/service/ec2/vpc_ipv4_cidr_block_association.go:57-66 (CustomizeDiff: diff.ForceNew(cidr_block))',
    },
  },
  'ec2.aws.m.upbound.io/v1beta1/Subnet': {
    // An IPv6 block is associated, swapped or disassociated in place (AssociateSubnetCidrBlock,
    // DisassociateSubnetCidrBlock), unless the subnet assigns IPv6 addresses on creation: then a
    // change of the block replaces the subnet. Adding a block and the flag in one update is in place
    // (the flag is set after the block). Left out, the block is kept (Optional and Computed).
    ipv6_cidr_block: {
      field: 'ipv6CidrBlock',
      replaces: (before, after) =>
        before.assignIpv6AddressOnCreation === true && after.ipv6CidrBlock !== undefined && (before.ipv6CidrBlock ?? '') !== after.ipv6CidrBlock,
      source: 'internal/service/ec2/vpc_subnet.go:192-205 (customdiff.ForceNewIf), :342-361 (resourceSubnetUpdate)',
    },
  },
  'amp.aws.m.upbound.io/v1beta1/Workspace': {
    // Once set, an alias cannot be unset; changing it is an update (UpdateWorkspaceAlias).
    alias: {
      field: 'alias',
      replaces: (before, after) => typeof before.alias === 'string' && before.alias !== '' && (after.alias === undefined || after.alias === ''),
      source: 'internal/service/amp/workspace.go:49-52 (customdiff.ForceNewIfChange)',
    },
  },
  'eks.aws.m.upbound.io/v1beta1/NodeGroup': {
    // A launch template added to a node group created without one: launch_template.id is ForceNew and goes from
    // "" to the template's ID. Taken away: removing the block plans no replacement (id is Optional and Computed),
    // but EKS has no call that takes a template from a node group (UpdateNodegroupVersion only moves it to another
    // version of the same template: https://docs.aws.amazon.com/eks/latest/APIReference/API_UpdateNodegroupVersion.html),
    // so the group would keep it and the provider report the drift for ever; refused here, so that a test sees it.
    'launch_template.id': {
      field: 'launchTemplate.id',
      replaces: (before, after) => (dig(before, 'launchTemplate', 'id') === undefined) !== (dig(after, 'launchTemplate', 'id') === undefined),
      source: 'internal/service/eks/node_group.go:109 (launch_template.id ForceNew); internal/service/eks/node_group.go:551-575 (UpdateNodegroupVersion)',
    },
  },
  'eks.aws.m.upbound.io/v1beta1/Cluster': {
    // You cannot disable envelope encryption after enabling it.
    encryption_config: {
      field: 'encryptionConfig',
      replaces: (before, after) => list(before.encryptionConfig).length === 1 && list(after.encryptionConfig).length === 0,
      source: 'internal/service/eks/cluster.go:60 (customdiff.ForceNewIfChange)',
    },
    // A node role that is set cannot change; a role added where none was, or unset while Auto Mode
    // (or its built-in node pools) is switched off, is no replacement.
    'compute_config.node_role_arn': {
      field: 'computeConfig.nodeRoleArn',
      replaces: (before, after) => {
        const old = dig(before, 'computeConfig', 'nodeRoleArn');
        const next = dig(after, 'computeConfig', 'nodeRoleArn');
        if (dig(after, 'computeConfig') === undefined) return false;
        if (dig(after, 'computeConfig', 'enabled') !== true && next === undefined) return false;
        if (list(dig(after, 'computeConfig', 'nodePools')).length === 0 && next === undefined) return false;
        return typeof old === 'string' && old !== '' && old !== next;
      },
      source: 'internal/service/eks/cluster.go:1941-1978 (validateAutoModeComputeConfigCustomizeDiff)',
    },
  },
};

/** The value of a Terraform argument in a resolved forProvider: the field, or what its reference resolved to. */
export function argumentValue(forProvider: JsonObject, crd: readonly string[]): Json | undefined {
  for (const path of crd) {
    if (path.endsWith('Selector')) continue;
    const field = path.endsWith('Refs') ? `${path.slice(0, -4)}s` : path.endsWith('Ref') ? path.slice(0, -3) : path;
    const value = valueAt(forProvider, field.split('.'));
    if (value !== undefined) return value;
  }
  return undefined;
}

/** A dotted path through objects, mapped over the items of any list on the way. */
function valueAt(value: Json | undefined, path: readonly string[]): Json | undefined {
  if (path.length === 0 || value === undefined || value === null) return value ?? undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => valueAt(v, path));
    return items.every((i) => i === undefined) ? undefined : items.map((i) => i ?? null);
  }
  if (typeof value !== 'object') return undefined;
  return valueAt(value[path[0]!], path.slice(1));
}

/** How Terraform's flatmap names a changed argument, and its old and new text (a list: its first differing item, or its count). */
function flatDiff(tf: string, before: Json | undefined, after: Json | undefined): { key: string; from: string; to: string } {
  const text = (v: Json | undefined) => (v === undefined || v === null ? '' : typeof v === 'object' ? canonical(v) : String(v));
  if (Array.isArray(before) || Array.isArray(after)) {
    const a = list(before);
    const b = list(after);
    if (a.length !== b.length) return { key: `${tf}.#`, from: String(a.length), to: String(b.length) };
    const i = a.findIndex((v, n) => canonical(v) !== canonical(b[n]));
    return { key: `${tf}.${i}`, from: text(a[i]), to: text(b[i]) };
  }
  return { key: tf, from: text(before), to: text(after) };
}

/** Terraform's flatmap key of a nested argument: a single nested block is list item 0 (vpc_config.0.subnet_ids). */
const flatKey = (tf: string) => tf.split('.').join('.0.');

export const REFUSAL_PREFIX = 'refuse to update the external resource because the following update requires replacing it';

/**
 * Why the provider refuses to update a resource of `kind` (apiVersion/kind)
 * from `before` to `after` (both resolved forProvider), with upjet's message as
 * the Synced condition carries it; undefined when the update is made in place.
 */
export function refusesImmutableChange(table: ForceNewTable, kind: string, before: JsonObject, after: JsonObject): string | undefined {
  const entry = table[kind];
  if (!entry?.immutable) return undefined;
  const failed = (what: string) => (entry.async ? `update failed: async update failed: ${what}` : `update failed: ${what}`);
  for (const argument of entry.immutable) {
    const old = argumentValue(before, argument.crd);
    const next = argumentValue(after, argument.crd);
    if (next === undefined && (argument.optionalComputed || old === undefined)) continue;
    if (old === undefined && argument.optionalComputed) continue;
    if (canonical(old) === canonical(next)) continue;
    if (entry.framework) {
      const path = argument.tf
        .split('.')
        .map((step) => `AttributeName("${step}")`)
        .join('.');
      // upjet repeats the sentence: planRequiresReplace's text goes into an Errorf with the same words.
      const why = 'diff contains fields that require resource replacement';
      return failed(`${why}: ${why}: ${path}, `);
    }
    const diff = flatDiff(flatKey(argument.tf), old, next);
    return failed(
      argument.sensitive
        ? `${REFUSAL_PREFIX}: cannot change the value of the argument "${diff.key}"`
        : `${REFUSAL_PREFIX}: cannot change the value of the argument "${diff.key}" from "${diff.from}" to "${diff.to}"`,
    );
  }
  for (const [tf, rule] of Object.entries(CONDITIONAL_RULES[kind] ?? {})) {
    if (!rule.replaces(before, after)) continue;
    // A nested block is a list of one in Terraform's state: its removal reads "x.#" from "1" to "0".
    const block = (v: Json | undefined) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [v] : v);
    const diff = flatDiff(flatKey(tf), block(dig(before, ...rule.field.split('.'))), block(dig(after, ...rule.field.split('.'))));
    return failed(`${REFUSAL_PREFIX}: cannot change the value of the argument "${diff.key}" from "${diff.from}" to "${diff.to}"`);
  }
  return undefined;
}
