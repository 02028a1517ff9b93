// Every managed resource kind the management cluster runs is activated, and its
// provider installed: what Flux applies itself (apps/monitoring's IAM role and
// Pod Identity association) and what the function composes for every EKSCluster
// Flux applies. provider-aws declares the safe-start capability, so Crossplane
// serves a kind only once an activation policy names it. Two policies do here,
// and each must name every kind, so that a fresh install and an upgraded one
// agree: the chart's "default", from the crossplane HelmRelease's
// provider.defaultActivations (core init writes it once, at install), and the
// Configuration's (configuration/package/apis/eksclusters/activation-policy.yaml, which
// follows the Configuration's upgrades).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { activates, mrdName, providerAwsMemberFor } from 'workshop';
import { composedByFunction } from './checks.js';
import { MANAGEMENT, type Graph } from './graph.js';
import { get, groupOf, idOf, str } from './objects.js';
import { ACTIVATION_POLICY } from './tools.js';

const FIX = 'add the kind to MANAGED_GROUPS in packages/function-eks-cluster/src/ground/composed-kinds.ts and run npm run gen-api -w function-eks-cluster';
const PROVIDERS_FIX =
  'run npm run gen-api -w function-eks-cluster, which writes flux/infrastructure/providers/providers.yaml from MANAGED_GROUPS (packages/function-eks-cluster/src/ground/composed-kinds.ts)';

export function checkActivation(graph: Graph, root: string): string[] {
  const problems: string[] = [];
  const mgmt = graph.applied.filter((a) => a.cluster === MANAGEMENT).map((a) => a.object);
  const sources: { name: string; patterns: string[] }[] = [];
  const releases = mgmt.filter((o) => o.kind === 'HelmRelease' && get(o, 'spec.chart.spec.chart') === 'crossplane');
  for (const release of releases) {
    const patterns = get(release, 'spec.values.provider.defaultActivations');
    if (!Array.isArray(patterns))
      problems.push(`${idOf(release)}: no spec.values.provider.defaultActivations: the chart's default ["*"] activates every kind of every provider`);
    else sources.push({ name: `${idOf(release)} (provider.defaultActivations)`, patterns: patterns.map(String) });
  }
  const policyFile = join(root, ACTIVATION_POLICY);
  const policy = existsSync(policyFile) ? (parse(readFileSync(policyFile, 'utf8')) as unknown) : undefined;
  const policyPatterns = get(policy, 'spec.activate');
  if (get(policy, 'kind') !== 'ManagedResourceActivationPolicy' || !Array.isArray(policyPatterns))
    problems.push(`${ACTIVATION_POLICY}: no ManagedResourceActivationPolicy with spec.activate: the Configuration would activate nothing it composes`);
  else sources.push({ name: `the Configuration's policy (${ACTIVATION_POLICY})`, patterns: policyPatterns.map(String) });

  const installed = new Set(
    mgmt
      .filter((o) => o.apiVersion === 'pkg.crossplane.io/v1' && o.kind === 'Provider')
      .map((o) => /\/(provider-aws-[a-z0-9]+)(:|@|$)/.exec(str(get(o, 'spec.package')) ?? '')?.[1]),
  );
  const kinds = new Map<string, { apiVersion: string; kind: string; example: string; composed: boolean }>();
  const add = (apiVersion: string, kind: string, example: string, composed: boolean) =>
    kinds.set(`${apiVersion} ${kind}`, { apiVersion, kind, example, composed: composed || (kinds.get(`${apiVersion} ${kind}`)?.composed ?? false) });
  for (const o of mgmt) add(o.apiVersion, o.kind, idOf(o), false);
  for (const c of composedByFunction(graph)) add(c.apiVersion, c.kind, `${c.kind} ${c.namespace}/${c.name} (composed by the function)`, true);
  // A kind only the platform's own objects use (the fence's IAM Policies) may be activated by a policy Flux applies from Git instead.
  const gitPatterns = mgmt.filter((o) => o.kind === 'ManagedResourceActivationPolicy').flatMap((o) => (get(o, 'spec.activate') as unknown[] | undefined) ?? []);
  for (const { apiVersion, kind, example, composed } of kinds.values()) {
    const member = providerAwsMemberFor(groupOf(apiVersion));
    if (!member) continue;
    const name = mrdName(apiVersion, kind);
    const activatedInGit = !composed && gitPatterns.some((p) => activates(String(p), name));
    for (const source of activatedInGit ? [] : sources)
      if (!source.patterns.some((p) => activates(p, name))) problems.push(`${example}: ${name} is not activated by ${source.name}: ${FIX}`);
    if (!installed.has(member)) problems.push(`${example}: its provider ${member} is not a Provider Flux installs: ${PROVIDERS_FIX}`);
  }
  return problems;
}
