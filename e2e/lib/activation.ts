/**
 * What Crossplane activated. The provider packages declare SafeStart, as the
 * real ones do (provider-packages.ts), so each managed resource definition
 * (MRD) stays Inactive, with no CRD, until an activation policy names it. The
 * run proves both sides: the policies that should have activated every kind
 * the function composes did (their status.activated), those kinds are Active
 * and served, nothing else is but what another policy asked for, and a kind of
 * the same providers that nothing composes stays Inactive with no CRD, so the
 * enforcement is on.
 */
import { activationNames, waitFor, type JsonObject, type Kube, type ProcessGroup } from 'workshop';
import { condition, isTrue, nameOf } from './objects.js';

const MRD = { apiVersion: 'apiextensions.crossplane.io/v1alpha1', kind: 'ManagedResourceDefinition' };
const MRAP = { apiVersion: 'apiextensions.crossplane.io/v1alpha1', kind: 'ManagedResourceActivationPolicy' };
const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
/** A kind of provider-aws-ec2 the function never composes. */
const NOT_COMPOSED = 'instances.ec2.aws.m.upbound.io';

const stateOf = (mrd: JsonObject): string => String((mrd.spec as JsonObject).state ?? 'Inactive');

/**
 * Waits until every provider revision declares SafeStart, each of `policies`
 * has activated every kind composed, and the MRDs Active are exactly those
 * (and what other policies, e.g. the platform's own, activated), each
 * Established with its CRD; then checks the kind not composed. Returns a line
 * for the timeline.
 */
export async function expectActivation(kube: Kube, group: ProcessGroup, policies: readonly string[]): Promise<string> {
  const wanted = activationNames();
  const revisions = await waitFor(
    'every ProviderRevision declaring SafeStart',
    async () => {
      const all = await kube.list({ apiVersion: 'pkg.crossplane.io/v1', kind: 'ProviderRevision' });
      const without = all.filter((r) => !((r.status as JsonObject | undefined)?.capabilities as string[] | undefined)?.includes('SafeStart'));
      if (all.length === 0 || without.length > 0) throw new Error(`without SafeStart: ${without.map(nameOf).join(', ') || 'no revision yet'}`);
      return all;
    },
    120_000,
    group,
    1000,
  );
  const { mrds, others } = await waitFor(
    `${policies.join(' and ')} activating the ${wanted.length} kinds composed, and only those Active`,
    async () => {
      const found = await kube.list(MRAP);
      const activatedBy = (p: JsonObject) => ((p.status as JsonObject | undefined)?.activated as string[] | undefined) ?? [];
      for (const name of policies) {
        const policy = found.find((p) => nameOf(p) === name);
        if (!policy) throw new Error(`no activation policy ${name}; there are: ${found.map(nameOf).join(', ') || 'none'}`);
        const short = wanted.filter((n) => !activatedBy(policy).includes(n));
        if (short.length) throw new Error(`${name} has not activated ${short.join(', ')}`);
      }
      const others = found.filter((p) => !policies.includes(nameOf(p)));
      const byOthers = new Set(others.flatMap(activatedBy));
      const all = await kube.list(MRD);
      const active = all.filter((m) => stateOf(m) === 'Active').map(nameOf);
      const missing = wanted.filter((n) => !active.includes(n));
      const extra = active.filter((n) => !wanted.includes(n) && !byOthers.has(n));
      const unestablished = all.filter((m) => wanted.includes(nameOf(m)) && !isTrue(m, 'Established')).map(nameOf);
      if (missing.length || extra.length || unestablished.length)
        throw new Error(
          `not Active: ${missing.join(', ') || 'none'}; Active but neither composed nor activated by another policy: ${extra.join(', ') || 'none'}; ` +
            `not Established: ${unestablished.join(', ') || 'none'}`,
        );
      return { mrds: all, others };
    },
    120_000,
    group,
    1000,
  );
  for (const name of wanted) if (!(await kube.find({ ...CRD, name }))) throw new Error(`MRD ${name} is Active but its CRD is missing`);
  const notComposed = mrds.find((m) => nameOf(m) === NOT_COMPOSED);
  if (!notComposed) throw new Error(`no MRD ${NOT_COMPOSED}: the provider packages lack the kinds the function does not compose`);
  const established = condition(notComposed, 'Established');
  if (stateOf(notComposed) !== 'Inactive' || established?.status === 'True' || (await kube.find({ ...CRD, name: NOT_COMPOSED })))
    throw new Error(`${NOT_COMPOSED}, composed by nothing, is ${stateOf(notComposed)} (Established ${established?.status}): activation is not enforced`);
  const inactive = mrds.filter((m) => stateOf(m) !== 'Active').length;
  return (
    `${revisions.length} provider revisions declare SafeStart; ${policies.join(' and ')} each activated the ${wanted.length} kinds composed` +
    `${others.length ? ` (other policies: ${others.map(nameOf).join(', ')})` : ''}; ` +
    `${inactive} of ${mrds.length} MRDs Inactive (${NOT_COMPOSED}: ${established?.reason ?? 'no condition'}, no CRD)`
  );
}
