/** Every bad input gets one fatal result naming the field and the fix, and the desired state untouched. */
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { describe, expect, it } from 'vitest';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { requestFor } from 'workshop';
import { BAD_INPUTS } from './support/bad-inputs.js';

describe('bad-input corpus', () => {
  it('has at least 50 cases with distinct names', () => {
    expect(BAD_INPUTS.length).toBeGreaterThanOrEqual(50);
    expect(new Set(BAD_INPUTS.map((c) => c.name)).size).toBe(BAD_INPUTS.length);
  });

  it.each(BAD_INPUTS.map((c) => [c.name, c] as const))('%s', (_, bad) => {
    const req = requestFor((bad.xr() ?? undefined) as Record<string, unknown>, bad.observed?.() ?? {});
    if (!bad.xr()) req.observed!.composite = undefined;
    const before = structuredClone(req.desired);
    const rsp = runFunction(req);
    const fatal = rsp.results.filter((r) => r.severity === Severity.SEVERITY_FATAL);
    expect(fatal).toHaveLength(1);
    expect(rsp.results).toHaveLength(1);
    expect(fatal[0]!.message).toContain(`${bad.path}:`);
    expect(fatal[0]!.message).toMatch(bad.fix);
    expect(fatal[0]!.message).not.toMatch(/\n|\bat .*\.(ts|js):\d+/);
    expect(rsp.desired).toEqual(before);
  });
});
