/**
 * The signing part of `npm run publish`'s command line and the cosign and syft
 * commands it runs (configuration/scripts/signing.ts). That the commands sign,
 * attest and verify for real: configuration/test/publish.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { attestSbomArgs, cosignTag, isLoopbackRegistry, parseSigning, signArgs } from '../scripts/signing.js';

describe('publish signing flags', () => {
  it.each([
    { reason: 'a key, logged by default', flags: ['--key', 'cosign.key'], want: { signer: { key: 'cosign.key' }, tlog: true } },
    { reason: 'a KMS key', flags: ['--key', 'awskms:///alias/release'], want: { signer: { key: 'awskms:///alias/release' }, tlog: true } },
    { reason: 'the CI identity', flags: ['--keyless'], want: { signer: { keyless: true }, tlog: true } },
    { reason: 'offline, with a key', flags: ['--no-tlog', '--key', 'k'], want: { signer: { key: 'k' }, tlog: false } },
    { reason: 'nothing says how to sign', flags: [], want: /published signed: give --key/ },
    { reason: 'a key without its reference', flags: ['--key'], want: /--key needs a cosign key reference/ },
    { reason: 'a flag where the key should be', flags: ['--key', '--no-tlog'], want: /--key needs a cosign key reference/ },
    { reason: 'two signers', flags: ['--key', 'k', '--keyless'], want: /one of --key and --keyless/ },
    { reason: 'keyless without the log that dates its certificate', flags: ['--keyless', '--no-tlog'], want: /--keyless needs the transparency log/ },
    { reason: 'an unknown flag', flags: ['--key', 'k', '--sbom'], want: /unknown argument "--sbom"/ },
  ])('$reason: $flags', ({ flags, want }) => {
    const got = parseSigning(flags);
    if (want instanceof RegExp) expect(got).toMatch(want);
    else expect(got).toEqual(want);
  });
});

describe('the cosign commands', () => {
  const offline = { signer: { key: 'cosign.key' }, tlog: false };
  it.each([
    { reason: 'a key, offline', args: signArgs('r@sha256:1', offline), want: ['sign', '--key', 'cosign.key', '--tlog-upload=false', '--yes', 'r@sha256:1'] },
    {
      reason: 'an index and its images',
      args: signArgs('r@sha256:1', { signer: { keyless: true }, tlog: true }, true),
      want: ['sign', '--tlog-upload=true', '--yes', '--recursive', 'r@sha256:1'],
    },
    {
      reason: 'an SPDX attestation',
      args: attestSbomArgs('r@sha256:1', 'sbom.json', offline),
      want: ['attest', '--key', 'cosign.key', '--tlog-upload=false', '--yes', '--type', 'spdxjson', '--predicate', 'sbom.json', 'r@sha256:1'],
    },
  ])('$reason', ({ args, want }) => {
    expect(args).toEqual(want);
  });

  it.each([
    { reason: 'signatures', kind: 'sig' as const, want: 'ghcr.io/o/fn:sha256-ab12.sig' },
    { reason: 'attestations', kind: 'att' as const, want: 'ghcr.io/o/fn:sha256-ab12.att' },
  ])('names the tag cosign keeps $reason under', ({ kind, want }) => {
    expect(cosignTag('ghcr.io/o/fn', 'sha256:ab12', kind)).toBe(want);
  });

  it.each([
    { reason: 'loopback', ref: '127.0.0.1:5000/o/fn@sha256:1', want: true },
    { reason: 'localhost', ref: 'localhost:5000/o/fn', want: true },
    { reason: 'a public registry', ref: 'ghcr.io/o/fn', want: false },
    { reason: 'a host that only starts like loopback', ref: '127.0.0.1.example.com/o/fn', want: false },
  ])('plain HTTP only on this machine: $reason', ({ ref, want }) => {
    expect(isLoopbackRegistry(ref)).toBe(want);
  });
});
