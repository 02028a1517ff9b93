/**
 * Every object the function composes validates against the real CRD schema of
 * its kind: provider-upjet-aws 2.3 and Crossplane 2.1 schemas, compiled into
 * validators by @crossplane-models (the Go module proxy here serves neither CRD
 * set), and has no field its CRD lacks (read from the same package's types).
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
import { crdProblems } from './support/crd-models.js';

/**
 * Fields newer than the schemas available offline (provider 2.3.0), each with
 * the release that added it. Nothing else may be unknown.
 */
const NEWER_THAN_SCHEMAS: Record<string, string[]> = {
  // Regional NAT gateways, provider-aws-ec2 v2.5.0.
  NATGateway: ['spec.forProvider.availabilityMode', 'spec.forProvider.vpcIdRef'],
};

function schemaErrors(body: JsonObject): string | undefined {
  const problem = crdProblems(body as unknown as Parameters<typeof crdProblems>[0], NEWER_THAN_SCHEMAS[String(body.kind)] ?? []);
  return problem && `${String(body.kind)} ${JSON.stringify((body.metadata as JsonObject).name)}: ${problem}`;
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

  it.each([
    ['a wrong type', { region: 42 }, /region must be string/],
    ['a misspelt field', { region: 'us-west-2', vpcIdRefs: [{ name: 'x' }] }, /fields the CRD does not have .*spec\.forProvider\.vpcIdRefs/],
    ['an unknown field inside a reference', { region: 'us-west-2', vpcIdRef: { name: 'x', namespaceName: 'y' } }, /spec\.forProvider\.vpcIdRef\.namespaceName/],
  ])('catches %s (the check can fail)', async (_, forProvider, expected) => {
    const broken = { apiVersion: 'ec2.aws.m.upbound.io/v1beta1', kind: 'Subnet', metadata: { name: 'x' }, spec: { forProvider } };
    expect(await schemaErrors(broken as unknown as JsonObject)).toMatch(expected);
  });

  it('the generated XRD is a valid apiextensions.crossplane.io/v2 CompositeResourceDefinition', async () => {
    expect(await schemaErrors(compositeResourceDefinition())).toBeUndefined();
  });
});
