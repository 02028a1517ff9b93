// The manifests in this repository, as Flux would apply them from
// `flux bootstrap --path=flux/clusters/management`, validated offline.
import { beforeAll, describe, expect, it } from "vitest";
import { analyze, type Analysis } from "./lib/analyze.js";
import { MANAGEMENT } from "./lib/graph.js";
import { get } from "./lib/objects.js";
import { REPO_ROOT } from "./lib/tools.js";

let analysis: Analysis;
beforeAll(async () => {
  analysis = await analyze(REPO_ROOT);
});

const checks: [string, string][] = [
  ["builds", "every kustomization directory builds with kubectl kustomize"],
  ["paths", "every Flux Kustomization path builds, and every kustomization directory is applied by one"],
  ["schemas", "every object validates against its schema (kubeconform strict; crossplane resource validate against the Crossplane and provider-aws CRDs and our XRD)"],
  ["duplicates", "no object is applied twice to the same cluster"],
  ["kubeconfigRefs", "every kubeConfig.secretRef names <EKSCluster>-kubeconfig, key kubeconfig, in its namespace, gated on the EKSCluster being Ready"],
  ["references", "every dependsOn, sourceRef and reference target exists"],
  ["pinned", "every chart, package and image version is pinned"],
  ["secrets", "no plaintext Secret data, no AWS keys, no static provider credentials"],
  ["namespaces", "every namespace used is created in the cluster that uses it"],
  ["clusterNames", "each workload cluster folder names one cluster everywhere"],
  ["versions", "Flux installs the provider-aws and Crossplane versions whose CRDs the schemas check uses"],
];

describe("flux/ and apps/", () => {
  it("runs every check listed here", () => {
    expect(Object.keys(analysis.problems).sort()).toEqual(checks.map(([name]) => name).sort());
  });

  it.each(checks)("%s: %s", (name) => {
    expect(analysis.problems[name]).toEqual([]);
  });

  it("delivers the apps to workload cluster team-a only through its kubeconfig Secret", () => {
    const find = (kind: string, ns: string, name: string) =>
      analysis.graph.applied.find((a) => a.object.kind === kind && a.object.metadata.namespace === ns && a.object.metadata.name === name);
    const kubeconfig = { name: "team-a-kubeconfig", key: "kubeconfig" };
    expect(find("EKSCluster", "team-a", "team-a")?.cluster).toBe(MANAGEMENT);
    expect(get(find("Kustomization", "team-a", "web")?.object, "spec.kubeConfig.secretRef")).toEqual(kubeconfig);
    expect(get(find("HelmRelease", "team-a", "prometheus")?.object, "spec.kubeConfig.secretRef")).toEqual(kubeconfig);
    expect(find("Deployment", "web", "web")?.cluster).toBe("workload:team-a/team-a-kubeconfig");
  });
});
