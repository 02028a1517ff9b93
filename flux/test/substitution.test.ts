// Flux's post-build substitution, by the Flux CLI (test/lib/kustomize.ts): the
// variables a path needs (`flux envsubst --strict`) and the substituted objects
// (`flux build kustomization` with postBuild.substitute), on a one-file folder.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPath, plainKustomization, requiredVariables, substitutePath } from './lib/kustomize.js';
import { get } from './lib/objects.js';

const root = mkdtempSync(join(tmpdir(), 'flux-substitution-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A folder holding one ConfigMap whose data.value is the given text, built as a Kustomization with postBuild would build it. */
function folder(value: string, labels: Record<string, string> = {}) {
  const path = `case-${++folders}`;
  const ks = plainKustomization(path);
  ks.spec = { ...(ks.spec as object), postBuild: { substitute: {} } };
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', labels }, data: { value } };
  mkdirSync(join(root, path));
  writeFileSync(join(root, path, 'config.yaml'), JSON.stringify(configMap));
  return { path, ks, built: buildPath(root, path, ks) };
}

describe('the variables a path needs, as `flux envsubst --strict` finds them', () => {
  it.each([
    { reason: 'a plain reference', value: '${a}-${b}', want: ['a', 'b'] },
    { reason: 'a default (:=) needs no value', value: '${a:=x}', want: [] },
    { reason: 'a default (:-) needs no value', value: '${a:-x}', want: [] },
    { reason: 'an escape ($${...}) is no reference', value: '$${a}', want: [] },
    { reason: 'a substring needs the variable', value: '${a:0:3}', want: ['a'] },
    { reason: 'an object that opts out is not substituted', value: '${a}', labels: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' }, want: [] },
  ])('$reason', ({ value, labels, want }) => {
    expect(requiredVariables(folder(value, labels).built, 'test')).toEqual(want);
  });

  it.each([
    {
      reason: '${a:?message}: Flux substitutes the message, it does not fail',
      value: '${a:?set a}',
      error: /ConfigMap c: \$\{a:\?\.\.\.\} does not fail in Flux/,
    },
    { reason: '${a-x} without a colon: Flux refuses it', value: '${a-x}', error: /flux envsubst --strict refuses the built objects: missing closing brace/ },
  ])('refused: $reason', ({ value, error }) => {
    expect(() => requiredVariables(folder(value).built, 'test')).toThrow(error);
  });
});

describe('the substituted objects, as `flux build kustomization` substitutes them', () => {
  it.each([
    { reason: 'a value', value: '${a}', vars: { a: 'one' }, want: 'one' },
    { reason: 'a default when unset', value: '${b:=two}', vars: { a: 'one' }, want: 'two' },
    { reason: 'an escape stays a reference', value: '$${a}', vars: { a: 'one' }, want: '${a}' },
    { reason: 'a substring', value: '${a:0:3}', vars: { a: 'abcdef' }, want: 'abc' },
  ])('$reason', ({ value, vars, want }) => {
    const { path, ks, built } = folder(value);
    expect(get(substitutePath(root, path, ks, built, vars, 'test')[0], 'data.value')).toBe(want);
  });

  it('a variable without a value fails, naming the object and where to set it', () => {
    const { path, ks, built } = folder('${missing}');
    expect(() => substitutePath(root, path, ks, built, { a: 'one' }, 'test')).toThrow(
      /^test: ConfigMap c: variable \$\{missing\} has no value \(set it in postBuild\.substitute.*Flux says: variable not set \(strict mode\): "missing"$/,
    );
  });
});
