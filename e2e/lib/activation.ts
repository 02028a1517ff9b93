/**
 * What Crossplane activated. The provider packages declare SafeStart, as the
 * real ones do (provider-packages.ts), so each managed resource definition
 * (MRD) stays Inactive, with no CRD, until an activation policy names it. The
 * run proves both sides: every kind the function composes is Active and served,
 * exactly those are, and a kind of the same providers that nothing composes
 * stays Inactive with no CRD, so the enforcement is on.
 */
import { activationNames, waitFor, type JsonObject, type Kube, type ProcessGroup } from 'function-eks-cluster/testing';
import { condition, isTrue, nameOf } from './objects.js';

const MRD = { apiVersion: 'apiextensions.crossplane.io/v1alpha1', kind: 'ManagedResourceDefinition' };
const MRAP = { apiVersion: 'apiextensions.crossplane.io/v1alpha1', kind: 'ManagedResourceActivationPolicy' };
const CRD = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' };
/** A kind of provider-aws-ec2 the function never composes. */
const NOT_COMPOSED = 'instances.ec2.aws.m.upbound.io';

const stateOf = (mrd: JsonObject): string => String((mrd.spec as JsonObject).state ?? 'Inactive');

/**
 * Waits until every provider revision declares SafeStart, the policies are
 * `policies`, and the MRDs Active are exactly the kinds composed, each
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
  const mrds = await waitFor(
    `the MRDs of the ${wanted.length} kinds composed Active and Established, and only those`,
    async () => {
      const found = (await kube.list(MRAP)).map(nameOf).sort();
      if (JSON.stringify(found) !== JSON.stringify([...policies].sort())) throw new Error(`activation policies: ${found.join(', ') || 'none'}`);
      const all = await kube.list(MRD);
      const active = all.filter((m) => stateOf(m) === 'Active').map(nameOf);
      const missing = wanted.filter((n) => !active.includes(n));
      const extra = active.filter((n) => !wanted.includes(n));
      const unestablished = all.filter((m) => wanted.includes(nameOf(m)) && !isTrue(m, 'Established')).map(nameOf);
      if (missing.length || extra.length || unestablished.length)
        throw new Error(
          `not Active: ${missing.join(', ') || 'none'}; Active but not composed: ${extra.join(', ') || 'none'}; not Established: ${unestablished.join(', ') || 'none'}`,
        );
      return all;
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
    `${revisions.length} provider revisions declare SafeStart; policies ${policies.join(', ')}: ${wanted.length} MRDs Active, ` +
    `${inactive} of ${mrds.length} Inactive (${NOT_COMPOSED}: ${established?.reason ?? 'no condition'}, no CRD)`
  );
}
