/**
 * What a release must never rename for an XR that exists: the composition key
 * of every composed resource (Crossplane deletes a resource whose key the
 * function stops returning), its kind and API group (another group or kind is
 * another object), and the name the resource has in AWS. The committed fixture
 * (test/compatibility/fixture.json) records them for every example and a set of
 * generated XRs as the function composes them at full convergence;
 * test/compatibility.test.ts replays today's function against that recorded
 * world. `npm run compatibility:refresh -w workshop` records new
 * XRs and new keys (docs/guarantees.md says when that is legitimate).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import type { Json, JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { compose, type ComposeInput, type ComposeResult } from 'function-eks-cluster/src/compose/compose.js';
import { dig } from 'function-eks-cluster/src/ground/observed.js';
import { REPO_ROOT } from './function-process.js';
import { reconcileToReady } from './reconcile.js';
import { xrArb, xrDocument } from './xrs.js';

export const FIXTURE_PATH = join(REPO_ROOT, 'packages', 'function-eks-cluster', 'test', 'compatibility', 'fixture.json');
const EXAMPLES = join(REPO_ROOT, 'configuration', 'package', 'examples');
const EXTERNAL_NAME = 'crossplane.io/external-name';

/** The fixed seed and count of the generated XRs: changing either adds cases, it never replaces recorded ones. */
export const GENERATED_SEED = 25;
export const GENERATED_COUNT = 12;

/**
 * The forProvider fields that name a resource in AWS, by kind, where its AWS
 * name is not (only) the external-name annotation: the parts of the ID the
 * provider builds (provider-aws v2.7.0's external-name configuration), or of
 * the ARN or URL AWS gives it. A change of one is a delete and a create in AWS.
 * Every other kind is named by what the annotation holds (Cluster, NodeGroup,
 * Role, RolePolicy, log Group, EventBridge Rule: the annotation is the AWS name)
 * or by an ID AWS assigns at creation (VPC, Subnet, gateways, route tables,
 * security groups, endpoints, EIP, KMS Key, FlowLog, QueuePolicy, the
 * associations): the composition key then is the whole identity, since the
 * managed resource that holds the ID is the one the key names. References
 * (`*Ref`) name other composed resources, whose keys are recorded themselves.
 */
export const AWS_NAME_FIELDS: Readonly<Record<string, readonly string[]>> = {
  // ID <cluster>:<addon_name>.
  Addon: ['addonName'],
  // ID <cluster>:<principal_arn>.
  AccessEntry: ['principalArn'],
  // ID <cluster>#<principal_arn>#<policy_arn>.
  AccessPolicyAssociation: ['principalArn', 'policyArn'],
  // EKS allows one association per service account; both fields are immutable.
  PodIdentityAssociation: ['namespace', 'serviceAccount'],
  // The attachment is the pair of role and policy; it has no ID of its own.
  RolePolicyAttachment: ['policyArn'],
  // Its ARN ends in the issuer URL.
  OpenIDConnectProvider: ['url'],
  // Its URL and ARN end in the queue name.
  Queue: ['name'],
  // ID <bus>/<rule>/<target_id>.
  Target: ['targetId'],
  // ID <resource_id>,<key>.
  Tag: ['key'],
  // ID <route_table_id>_<destination>.
  Route: ['destinationCidrBlock'],
};

/** What one composed resource is known by, in Kubernetes and in AWS. */
export interface ComposedIdentity {
  apiVersion: string;
  kind: string;
  /** The crossplane.io/external-name the function sets, if any. */
  externalName?: string;
  /** The forProvider fields of AWS_NAME_FIELDS, when set. */
  awsName?: Record<string, Json>;
}

export interface CompatibilityCase {
  /** `examples/<file>@<sha256 of its text, 8 digits>` or `generated/<seed>/<n>`. */
  id: string;
  xr: JsonObject;
  resources: Record<string, ComposedIdentity>;
}

export interface Fixture {
  cases: CompatibilityCase[];
}

export function identityOf(body: JsonObject): ComposedIdentity {
  const identity: ComposedIdentity = { apiVersion: String(body.apiVersion), kind: String(body.kind) };
  const externalName = dig(body, 'metadata', 'annotations', EXTERNAL_NAME);
  if (typeof externalName === 'string') identity.externalName = externalName;
  const fields = (AWS_NAME_FIELDS[identity.kind] ?? []).flatMap((f) => {
    const value = dig(body, 'spec', 'forProvider', f);
    return value === undefined ? [] : [[f, value] as const];
  });
  if (fields.length > 0) identity.awsName = Object.fromEntries(fields);
  return identity;
}

/**
 * Usages are left out: nothing in AWS is behind them, and one composed under a
 * new key protects the same pair as the one Crossplane deletes.
 */
const recorded = (body: JsonObject) => body.kind !== 'Usage';

/** A release of the function: compose() as it is today, or, in the tests, as a later release might be. */
export type Release = (input: ComposeInput) => ComposeResult;

/** Every composed resource of `xr` at full convergence (all Ready) but its Usages, by key. */
export function convergedIdentities(xr: JsonObject, start: Record<string, JsonObject> = {}, release: Release = compose): Record<string, ComposedIdentity> {
  const { result } = reconcileToReady(xr, start, undefined, release);
  if (!result.ok) throw new Error(`does not compose: ${JSON.stringify(result.errors)}`);
  return Object.fromEntries(result.resources.filter((r) => recorded(r.body)).map((r) => [r.key, identityOf(r.body)]));
}

/** The XRs the fixture must hold: every example as its file reads now, and the generated ones. */
export function wantedXrs(): { id: string; xr: JsonObject }[] {
  const examples = readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const text = readFileSync(join(EXAMPLES, f), 'utf8');
      return { id: `examples/${f}@${createHash('sha256').update(text).digest('hex').slice(0, 8)}`, xr: parse(text) as JsonObject };
    });
  const generated = fc
    .sample(xrArb, { seed: GENERATED_SEED, numRuns: GENERATED_COUNT * 4 })
    .map((shape) => xrDocument(shape))
    .filter((xr) => reconcileToReady(xr, {}, 0).result.ok)
    .slice(0, GENERATED_COUNT)
    .map((xr, n) => ({ id: `generated/${GENERATED_SEED}/${n}`, xr }));
  return [...examples, ...generated];
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.lastIndexOf('/')) : '');

/**
 * The world a release recorded in `recorded` left behind, as the next release
 * observes it: today's converged resources, each carrying the AWS name the
 * recorded release gave it (annotation and name fields); a key today's
 * function no longer composes is observed as recorded, so that a release
 * which reads old keys back could keep it.
 */
export function recordedWorld(xr: JsonObject, recorded: Record<string, ComposedIdentity>): Record<string, JsonObject> {
  const { observed: today } = reconcileToReady(xr);
  const world: Record<string, JsonObject> = {};
  for (const [key, was] of Object.entries(recorded)) {
    const current = today[key];
    const body: JsonObject =
      current && current.kind === was.kind && groupOf(String(current.apiVersion)) === groupOf(was.apiVersion)
        ? structuredClone(current)
        : {
            apiVersion: was.apiVersion,
            kind: was.kind,
            metadata: { name: `${String(dig(xr, 'metadata', 'name'))}-${key}`, namespace: String(dig(xr, 'metadata', 'namespace')) },
            spec: { forProvider: {} },
            status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Available' }] },
          };
    const metadata = body.metadata as JsonObject;
    const annotations = { ...((metadata.annotations as JsonObject | undefined) ?? {}) };
    if (was.externalName !== undefined) annotations[EXTERNAL_NAME] = was.externalName;
    else delete annotations[EXTERNAL_NAME];
    if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
    else delete metadata.annotations;
    const forProvider = (((body.spec ??= {}) as JsonObject).forProvider ??= {}) as JsonObject;
    for (const [field, value] of Object.entries(was.awsName ?? {})) forProvider[field] = value;
    world[key] = body;
  }
  return world;
}

/**
 * What `release` renames or drops of what `recorded` holds when it composes
 * with the recorded world observed (a migration reads old names back from
 * it); empty when nothing.
 */
export function renamesOf(xr: JsonObject, recorded: Record<string, ComposedIdentity>, release: Release = compose): string[] {
  let now: Record<string, ComposedIdentity>;
  try {
    now = convergedIdentities(xr, recordedWorld(xr, recorded), release);
  } catch (error) {
    return [`the recorded XR ${error instanceof Error ? error.message : String(error)}`];
  }
  return Object.entries(recorded).flatMap(([key, was]) => {
    const is = now[key];
    if (!is) return [`${key} (${was.kind}) is no longer composed: Crossplane would delete it`];
    const problems: string[] = [];
    if (is.kind !== was.kind || groupOf(is.apiVersion) !== groupOf(was.apiVersion)) {
      problems.push(`${key} is composed as ${is.kind} of ${groupOf(is.apiVersion)}, was ${was.kind} of ${groupOf(was.apiVersion)}: another object`);
    }
    if (is.externalName !== was.externalName) {
      problems.push(`${key} (${was.kind}) is named "${is.externalName ?? '(none)'}" in AWS, was "${was.externalName ?? '(none)'}": a new AWS resource`);
    }
    for (const field of new Set([...Object.keys(was.awsName ?? {}), ...Object.keys(is.awsName ?? {})])) {
      const [before, after] = [JSON.stringify(was.awsName?.[field]), JSON.stringify(is.awsName?.[field])];
      if (before !== after) problems.push(`${key} (${was.kind}) forProvider.${field} is ${after ?? '(unset)'}, was ${before ?? '(unset)'}: a new AWS resource`);
    }
    return problems;
  });
}

/** Today's identities of a new case. */
export function recordCase(id: string, xr: JsonObject): CompatibilityCase {
  return { id, xr, resources: convergedIdentities(xr) };
}

/**
 * The fixture with what is missing added: new XRs as new cases, and in a
 * recorded case the keys today's function composes that it lacks. Recorded
 * entries are never changed (they are what exists); `rewrite` starts over.
 */
export function refreshed(fixture: Fixture, wanted: { id: string; xr: JsonObject }[], rewrite = false): Fixture {
  const kept = rewrite ? [] : fixture.cases;
  const grown = kept.map((c) => {
    const today = convergedIdentities(c.xr, recordedWorld(c.xr, c.resources));
    return { ...c, resources: { ...Object.fromEntries(Object.entries(today).filter(([k]) => !(k in c.resources))), ...c.resources } };
  });
  const known = new Set(grown.map((c) => c.id));
  return { cases: [...grown, ...wanted.filter((w) => !known.has(w.id)).map((w) => recordCase(w.id, w.xr))] };
}

export function readFixture(): Fixture {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as Fixture;
}

/** One line per case's XR and per resource, keys sorted: a refresh's diff reads as what it added. */
export function fixtureText(fixture: Fixture): string {
  const cases = fixture.cases.map((c) => {
    const resources = Object.keys(c.resources)
      .sort()
      .map((k) => `        ${JSON.stringify(k)}: ${JSON.stringify(c.resources[k])}`);
    return [
      '    {',
      `      "id": ${JSON.stringify(c.id)},`,
      `      "xr": ${JSON.stringify(c.xr)},`,
      '      "resources": {',
      resources.join(',\n'),
      '      }',
      '    }',
    ].join('\n');
  });
  return `{\n  "cases": [\n${cases.join(',\n')}\n  ]\n}\n`;
}
