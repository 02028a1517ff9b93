/**
 * One release identity: the ImageConfig that makes Crossplane install our
 * packages only when signed (flux/infrastructure/providers/package-signatures.yaml),
 * the one command README.md and docs/render-and-publish.md give for verifying a
 * release by hand, and the workflow that signs keylessly
 * (.github/workflows/release.yaml) name the same issuer and the same subject.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from './lib/tools.js';

interface KeylessIdentity {
  issuer: string;
  subjectRegExp: string;
}

const imageConfig = parse(readFileSync(join(REPO_ROOT, 'flux/infrastructure/providers/package-signatures.yaml'), 'utf8')) as {
  spec: { verification: { cosign: { authorities: { keyless?: { identities: KeylessIdentity[] } }[] } } };
};
const identities = imageConfig.spec.verification.cosign.authorities.flatMap((a) => a.keyless?.identities ?? []);

/** The issuer and subject of a document's `cosign verify` command (its --certificate-* flags). */
function verifyCommand(file: string): KeylessIdentity | undefined {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const command = /^cosign verify \S+ \\\n\s+--certificate-oidc-issuer (\S+) \\\n\s+--certificate-identity-regexp '([^']+)'$/m.exec(text);
  return command ? { issuer: command[1]!, subjectRegExp: command[2]! } : undefined;
}

describe("the release's signing identity", () => {
  it('is one keyless identity in the ImageConfig', () => {
    expect(identities).toHaveLength(1);
  });

  it.each(['README.md', 'docs/render-and-publish.md'])('%s verifies a release by hand against exactly that identity', (file) => {
    expect(verifyCommand(file), `${file}: a \`cosign verify <package> --certificate-oidc-issuer ... --certificate-identity-regexp '...'\` block`).toEqual(
      identities[0],
    );
  });

  it('names the workflow that signs keylessly with its OIDC token', () => {
    const workflow = /\\\.github\/workflows\/([a-z-]+)\\\.yaml/.exec(identities[0]!.subjectRegExp)?.[1];
    const file = `.github/workflows/${workflow}.yaml`;
    expect(existsSync(join(REPO_ROOT, file)), file).toBe(true);
    const text = readFileSync(join(REPO_ROOT, file), 'utf8');
    expect(text).toMatch(/^\s+id-token: write$/m);
    expect(text).toMatch(/npm run publish -- .* --keyless$/m);
  });

  it.each([
    {
      reason: 'the release workflow at a release tag',
      subject: 'https://github.com/eks-gitops/eks-gitops/.github/workflows/release.yaml@refs/tags/v0.2.0',
      want: true,
    },
    { reason: 'a fork (another owner)', subject: 'https://github.com/someone/eks-gitops/.github/workflows/release.yaml@refs/tags/v0.2.0', want: false },
    {
      reason: 'another workflow of the repository',
      subject: 'https://github.com/eks-gitops/eks-gitops/.github/workflows/ci.yaml@refs/tags/v0.2.0',
      want: false,
    },
    {
      reason: 'the release workflow on a branch',
      subject: 'https://github.com/eks-gitops/eks-gitops/.github/workflows/release.yaml@refs/heads/main',
      want: false,
    },
    {
      reason: 'a tag that is not a release version',
      subject: 'https://github.com/eks-gitops/eks-gitops/.github/workflows/release.yaml@refs/tags/v0.2.0-rc.1',
      want: false,
    },
    { reason: 'a look-alike host', subject: 'https://github.com.example/eks-gitops/eks-gitops/.github/workflows/release.yaml@refs/tags/v0.2.0', want: false },
  ])('accepts a certificate for $reason: $want', ({ subject, want }) => {
    expect(new RegExp(identities[0]!.subjectRegExp).test(subject)).toBe(want);
  });

  it("is GitHub Actions' OIDC issuer", () => {
    expect(identities[0]!.issuer).toBe('https://token.actions.githubusercontent.com');
  });
});
