/**
 * Validation of Crossplane and provider-aws objects against their real CRD
 * schemas, as the @crossplane-models npm packages carry them: types, enums and
 * required fields from the compiled validators, unknown fields from the type
 * declarations. Used by this package's tests and by flux/test.
 */
import { createRequire } from 'node:module';
import { unknownFields } from './model-fields.js';

const require = createRequire(import.meta.url);

type ModelClass = new (data: unknown) => { validate(): void };

/** The npm package holding the schema of an API group, if any. */
export function modelPackage(apiVersion: string): string | undefined {
  const group = apiVersion.split('/')[0] ?? '';
  if (group === 'crossplane.io' || group.endsWith('.crossplane.io')) return '@crossplane-models/crossplane';
  if (/(^|\.)aws(\.m)?\.upbound\.io$/.test(group)) return '@crossplane-models/provider-upjet-aws';
  return undefined;
}

/**
 * Problems of one object, or undefined when it conforms. `newerFields` lists
 * paths (e.g. "spec.forProvider.availabilityMode") that newer releases than
 * the offline schemas added, and which are therefore allowed.
 */
export function crdProblems(object: { apiVersion: string; kind: string }, newerFields: readonly string[] = []): string | undefined {
  const pkg = modelPackage(object.apiVersion);
  if (!pkg) return `no CRD schema package for ${object.apiVersion}`;
  let Model: ModelClass | undefined;
  try {
    Model = (require(`${pkg}/${object.apiVersion}/${object.kind}`) as Record<string, ModelClass | undefined>)[object.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) return `no schema for ${object.apiVersion} ${object.kind} in ${pkg}`;
  try {
    new Model(object).validate();
  } catch (error) {
    return (error as Error).message;
  }
  const unknown = unknownFields(object as unknown as Record<string, unknown>, newerFields);
  return unknown.length > 0 ? `fields the CRD does not have (the API server would drop them): ${unknown.join(', ')}` : undefined;
}
