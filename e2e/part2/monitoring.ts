/**
 * The monitoring a team's cluster gets from its facts (part 2's stages
 * flux/aws-recovers and flux/team-b).
 */
import type { JsonObject, Kube } from 'function-eks-cluster/testing';
import { KUSTOMIZATION } from '../lib/flux.js';
import { isTrue, managed, nameOf } from '../lib/objects.js';

/**
 * The Prometheus workspace the function composed for a team's cluster
 * (spec.monitoring), Ready in the simulated AWS, is the one the cluster facts
 * name, and the monitoring Kustomization read nothing but the facts and the
 * team's ConfigMap tenant: no ConfigMap <team>-monitoring exists.
 */
export async function expectMonitoringFromFacts(kube: Kube, team: string): Promise<string> {
  const workspace = (await managed(kube, team)).find((o) => o.kind === 'Workspace');
  if (!workspace || !isTrue(workspace, 'Ready')) throw new Error(`no Ready Workspace (amp.aws.m.upbound.io) composed for ${team}`);
  const at = (workspace.status as JsonObject).atProvider as JsonObject;
  const facts = (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: team, name: `${team}-cluster-facts` })).data as JsonObject;
  const url = `${String(at.prometheusEndpoint)}api/v1/remote_write`;
  if (facts.amp_workspace_id !== at.id || facts.amp_remote_write_url !== url)
    throw new Error(`the facts name workspace ${String(facts.amp_workspace_id)} (${String(facts.amp_remote_write_url)}), AWS made ${String(at.id)} (${url})`);
  const monitoring = await kube.get({ ...KUSTOMIZATION, namespace: team, name: 'monitoring' });
  const names = (((monitoring.spec as JsonObject).postBuild as JsonObject).substituteFrom as JsonObject[]).map((r) => String(r.name));
  if (names.join(',') !== `${team}-cluster-facts,tenant`) throw new Error(`${team}/monitoring substitutes from ${names.join(', ')}`);
  if (await kube.find({ apiVersion: 'v1', kind: 'ConfigMap', namespace: team, name: `${team}-monitoring` }))
    throw new Error(`a ConfigMap ${team}-monitoring exists`);
  return `Workspace ${nameOf(workspace)} Ready: ${String(at.id)}; ConfigMap ${team}-cluster-facts: amp_workspace_id ${String(facts.amp_workspace_id)}, amp_remote_write_url ${String(facts.amp_remote_write_url)}; monitoring (${String((monitoring.spec as JsonObject).path)}) substitutes from ${names.join(' and ')} only, no ${team}-monitoring exists`;
}
