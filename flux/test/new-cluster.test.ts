// Adding a workload cluster is copying one folder and changing its name.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { analyze, type Analysis } from "./lib/analyze.js";
import { get } from "./lib/objects.js";
import { copyTree, copyWorkloadCluster, type TreeCopy } from "./lib/tree.js";

let tree: TreeCopy;
let analysis: Analysis;
beforeAll(async () => {
  tree = copyTree();
  copyWorkloadCluster(tree, "team-a", "team-b");
  analysis = await analyze(tree.root);
});
afterAll(() => tree.dispose());

describe("a second workload cluster copied from team-a as team-b", () => {
  it("passes every check", () => {
    expect(analysis.problems).toEqual(Object.fromEntries(Object.keys(analysis.problems).map((k) => [k, []])));
  });

  it("is a cluster of its own: EKSCluster, kubeconfig reference and apps in namespace team-b", () => {
    const objects = analysis.graph.applied.map((a) => a.object);
    const xr = objects.find((o) => o.kind === "EKSCluster" && o.metadata.namespace === "team-b");
    expect(xr?.metadata.name).toBe("team-b");
    const web = objects.find((o) => o.kind === "Kustomization" && o.metadata.namespace === "team-b" && o.metadata.name === "web");
    expect(get(web, "spec.kubeConfig.secretRef.name")).toBe("team-b-kubeconfig");
    expect(get(web, "spec.path")).toBe("./apps/web");
    const deployments = analysis.graph.applied.filter((a) => a.object.kind === "Deployment").map((a) => a.cluster);
    expect(deployments.sort()).toEqual(["workload:team-a/team-a-kubeconfig", "workload:team-b/team-b-kubeconfig"]);
  });
});
