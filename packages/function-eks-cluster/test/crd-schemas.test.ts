/**
 * Every object the function composes validates against the real CRD schema of
 * its kind: provider-upjet-aws 2.3 and Crossplane 2.1 schemas, compiled into
 * validators by @crossplane-models (the Go module proxy here serves neither CRD set).
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../src/api/schema-builder.js';
import { compositeResourceDefinition } from '../src/api/xrd.js';
import { REPO_ROOT } from '../dev/api-files.js';
import { claimArb, claimDocument, isTooSmall, mustCompose, reconcileToReady } from './support/claims.js';

type Validatable = { validate(): void };
type ModelClass = new (data: unknown) => Validatable;

async function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
  const [group, version] = apiVersion.split('/') as [string, string];
  const pkg = group.endsWith('upbound.io') ? '@crossplane-models/provider-upjet-aws' : '@crossplane-models/crossplane';
  const module = (await import(`${pkg}/${group}/${version}`)) as Record<string, ModelClass | undefined>;
  const model = module[kind];
  if (!model) throw new Error(`no schema for ${apiVersion} ${kind} in ${pkg}`);
  return model;
}

async function schemaErrors(body: JsonObject): Promise<string | undefined> {
  const Model = await modelFor(String(body.apiVersion), String(body.kind));
  try {
    new Model(body).validate();
    return undefined;
  } catch (error) {
    return `${String(body.kind)} ${JSON.stringify((body.metadata as JsonObject).name)}: ${(error as Error).message}`;
  }
}

function examples(): { file: string; xr: JsonObject }[] {
  const dir = join(REPO_ROOT, 'configuration', 'examples');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((file) => ({ file, xr: parse(readFileSync(join(dir, file), 'utf8')) as JsonObject }));
}

describe('composed resources against the provider and Crossplane CRD schemas', () => {
  it.each(examples().map((e) => [e.file, e.xr] as const))('%s, every resource once all are composed', async (_, xr) => {
    const { result } = reconcileToReady(xr);
    const errors = await Promise.all(mustCompose(result).resources.map((r) => schemaErrors(r.body)));
    expect(errors.filter(Boolean)).toEqual([]);
  });

  it('generated claims', async () => {
    const samples = fc.sample(claimArb, { numRuns: 150, seed: 42 });
    for (const shape of samples) {
      const { result } = reconcileToReady(claimDocument(shape));
      if (isTooSmall(result)) continue;
      const errors = await Promise.all(mustCompose(result).resources.map((r) => schemaErrors(r.body)));
      expect(errors.filter(Boolean)).toEqual([]);
    }
  });

  it('catches a resource that breaks its schema (the check can fail)', async () => {
    const broken = { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'Subnet', metadata: { name: 'x' }, spec: { forProvider: { region: 42 } } };
    expect(await schemaErrors(broken as unknown as JsonObject)).toMatch(/region must be string/);
  });

  it('the generated XRD is a valid apiextensions.crossplane.io/v2 CompositeResourceDefinition', async () => {
    expect(await schemaErrors(compositeResourceDefinition())).toBeUndefined();
  });
});
