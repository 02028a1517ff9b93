/**
 * The lines that pin a release by digest in the Flux tree (scripts/pins.ts):
 * what `npm run publish` prints, what the end-to-end run writes into its
 * checkout, read back the same.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PINNED_PACKAGES, pinLine, readPin, repin, type PinForm } from '../scripts/pins.js';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const pin = { repository: 'ghcr.io/eks-gitops/function-eks-cluster', tag: 'v0.2.0', digest: digest('a') };
const FORMS: PinForm[] = ['digest, tag in a comment', 'tag@digest'];

describe('pins.ts', () => {
  it.each([
    { reason: 'the Function: the digest alone in the reference, the tag in a comment', form: FORMS[0]!, package: `${pin.repository}@${pin.digest}` },
    { reason: 'the Configuration: tag and digest in the reference', form: FORMS[1]!, package: `${pin.repository}:${pin.tag}@${pin.digest}` },
  ])('$reason', ({ form, package: reference }) => {
    const text = `apiVersion: pkg.crossplane.io/v1\nkind: Function\nspec:\n  ${pinLine(form, pin)}\n`;
    expect((parse(text) as { spec: { package: string } }).spec.package).toBe(reference);
    expect(readPin(form, text)).toEqual(pin);
  });

  it.each(FORMS)('repin (%s) rewrites the one package line, keeps its indentation and every other line', (form) => {
    const text = `# a comment\nspec:\n    ${pinLine(form, pin)}\n  runtimeConfigRef: {name: x}\n`;
    const next = { ...pin, tag: 'v0.3.0', digest: digest('b') };
    const out = repin(form, text, next);
    expect(out).toBe(`# a comment\nspec:\n    ${pinLine(form, next)}\n  runtimeConfigRef: {name: x}\n`);
    expect(readPin(form, out)).toEqual(next);
  });

  it.each([
    { reason: 'a tag alone', line: `package: ${pin.repository}:v0.2.0` },
    { reason: 'the other form', line: `package: ${pin.repository}:v0.2.0@${pin.digest}`, form: FORMS[0] },
    { reason: 'a digest with no tag', line: `package: ${pin.repository}@${pin.digest}` },
    { reason: 'a short digest', line: `package: ${pin.repository}@sha256:abc # v0.2.0` },
    { reason: 'two package lines', line: `package: ${pin.repository}@${pin.digest} # v0.2.0\n  package: ${pin.repository}@${pin.digest} # v0.2.0` },
  ])('reads no pin from $reason', ({ line, form }) => {
    expect(readPin(form ?? FORMS[0]!, `spec:\n  ${line}\n`)).toBeUndefined();
  });

  it('refuses to write what is no sha256 digest, or into a file without exactly one package line', () => {
    expect(() => pinLine(FORMS[0]!, { ...pin, digest: 'sha256:abc' })).toThrow(/"sha256:abc" is not a sha256 digest/);
    expect(() => repin(FORMS[1]!, 'spec: {}\n', pin)).toThrow(/expected one "package:" line, found 0/);
  });

  it('names one Function file and one Configuration file', () => {
    expect(PINNED_PACKAGES.map((p) => [p.name, p.form])).toEqual([
      ['function-eks-cluster', 'digest, tag in a comment'],
      ['configuration-eks-cluster', 'tag@digest'],
    ]);
  });
});
