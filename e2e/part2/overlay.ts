/**
 * The overlay the environment forces in part 2, as patches of the bootstrap
 * Kustomization (each one is listed in e2e/README.md): nothing under flux/ or
 * apps/ is edited.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { REPO_ROOT, type JsonObject } from 'function-eks-cluster/testing';

/**
 * The chart sources teams may use (flux/infrastructure/provider-config/tenant-flux-sources.yaml),
 * with the loopback ones serving Karpenter's and Prometheus' charts.
 */
function allowedChartSources(urls: string[]): { path: string; value: string } {
  const policy = parseAllDocuments(readFileSync(join(REPO_ROOT, 'flux', 'infrastructure', 'provider-config', 'tenant-flux-sources.yaml'), 'utf8'))
    .map((d) => d.toJS() as JsonObject)
    .find((d) => d.kind === 'ValidatingAdmissionPolicy')!;
  const variables = (policy.spec as JsonObject).variables as { name: string; expression: string }[];
  const index = variables.findIndex((v) => v.name === 'allowed');
  const expression = variables[index]?.expression.trim() ?? '';
  if (!expression.endsWith(']')) throw new Error('tenant-flux-sources.yaml has no variable "allowed" holding a list');
  return { path: `/spec/variables/${index}/expression`, value: `${expression.slice(0, -1)}, ${urls.map((url) => `'${url}'`).join(', ')}]` };
}

/** The overlay the environment forces, as patches of the bootstrap Kustomization (each one is listed in e2e/README.md). */
export function overlay(helmRepositoryUrl: string, karpenterChartUrl: string, prometheusChartUrl: string): JsonObject[] {
  const nested = (target: JsonObject, patches: JsonObject[]) => ({ target, patch: JSON.stringify([{ op: 'add', path: '/spec/patches', value: patches }]) });
  // For a Kustomization that has patches of its own: adds to them.
  const appended = (target: JsonObject, patches: JsonObject[]) => ({
    target,
    patch: JSON.stringify(patches.map((value) => ({ op: 'add', path: '/spec/patches/-', value }))),
  });
  return [
    // public.ecr.aws and prometheus-community.github.io cannot be reached: the charts the team's
    // OCIRepository and HelmRepository name are served on 127.0.0.1, which the platform's policy
    // on chart sources then allows too.
    nested({ kind: 'Kustomization', name: 'crossplane-provider-config' }, [
      {
        target: { kind: 'ValidatingAdmissionPolicy', name: 'tenant-flux-sources' },
        patch: JSON.stringify([{ op: 'replace', ...allowedChartSources([karpenterChartUrl, prometheusChartUrl]) }]),
      },
    ]),
    // charts.crossplane.io cannot be reached: the same chart, served on 127.0.0.1.
    nested({ kind: 'Kustomization', name: 'crossplane' }, [
      {
        target: { kind: 'HelmRepository', name: 'crossplane-stable' },
        patch: JSON.stringify([{ op: 'replace', path: '/spec/url', value: helmRepositoryUrl }]),
      },
    ]),
    // (workload-clusters applies the team's grant, whose entry Kustomization
    // applies the team's folder, whose Kustomizations apply the apps.)
    // team-b is delivered with Flux's own AWS identity, which no process here can
    // have: its web, Karpenter and pod-networking Kustomizations and its Prometheus release, which
    // reach the cluster with it, are left out; everything else of team-b is applied (its grant,
    // EKSCluster, facts, monitoring's AWS side).
    nested({ kind: 'Kustomization', name: 'workload-clusters' }, [
      ...['team-a', 'team-b'].map((team) =>
        nested({ kind: 'Kustomization', name: `tenant-${team}` }, [
          // The template's one Kustomization, named ${team} until substituted after the build.
          nested({ kind: 'Kustomization' }, [
            ...(team === 'team-b'
              ? ['web', 'karpenter', 'karpenter-nodes', 'pod-networking'].map((name) => ({
                  patch: stringify({
                    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
                    kind: 'Kustomization',
                    metadata: { name, namespace: team },
                    $patch: 'delete',
                  }),
                }))
              : []),
            nested(
              { kind: 'Kustomization', name: 'monitoring' },
              team === 'team-a'
                ? // Prometheus' chart from the loopback Helm repository, the same version (team-a's: team-b's is left out).
                  [
                    {
                      target: { kind: 'HelmRepository', name: 'prometheus-community' },
                      patch: JSON.stringify([{ op: 'replace', path: '/spec/url', value: prometheusChartUrl }]),
                    },
                  ]
                : [
                    { patch: stringify({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'prometheus' }, $patch: 'delete' }) },
                    // The Usage held by that HelmRelease (apps/monitoring/base/teardown-order.yaml): with no
                    // HelmRelease it would never be Available. Selected by kind: its name is substituted after the build.
                    {
                      target: { group: 'protection.crossplane.io', kind: 'Usage' },
                      patch: stringify({
                        apiVersion: 'protection.crossplane.io/v1beta1',
                        kind: 'Usage',
                        metadata: { name: 'held-by-prometheus' },
                        $patch: 'delete',
                      }),
                    },
                    {
                      patch: stringify({
                        apiVersion: 'source.toolkit.fluxcd.io/v1',
                        kind: 'HelmRepository',
                        metadata: { name: 'prometheus-community' },
                        $patch: 'delete',
                      }),
                    },
                  ],
            ),
            // Karpenter's chart from the loopback registry (plain HTTP), the same release (team-a's: team-b's is left out above).
            ...(team === 'team-a'
              ? [
                  appended({ kind: 'Kustomization', name: 'karpenter' }, [
                    {
                      target: { kind: 'OCIRepository', name: 'karpenter' },
                      patch: JSON.stringify([
                        { op: 'replace', path: '/spec/url', value: karpenterChartUrl },
                        { op: 'add', path: '/spec/insecure', value: true },
                      ]),
                    },
                  ]),
                ]
              : []),
          ]),
        ]),
      ),
    ]),
  ];
}
