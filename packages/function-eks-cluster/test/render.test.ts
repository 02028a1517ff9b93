/** `npm start`: the plan and the diagram for every example, and a bad XR answered with the function's message. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { composedBy, desiredStatus, PACKAGE_ROOT, planSvg, planText, renderWaves, REPO_ROOT, topologyOf } from 'workshop';

const EXAMPLES = join(REPO_ROOT, 'configuration', 'package', 'examples');

describe('the plan and the diagram', () => {
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')))('%s', async (file) => {
    const xr = parse(readFileSync(join(EXAMPLES, file), 'utf8')) as JsonObject;
    const rendered = await renderWaves(xr, async (req) => runFunction(req));
    expect(rendered.ok).toBe(true);
    if (!rendered.ok) return;
    const topology = topologyOf(xr, composedBy(rendered.final).desired, desiredStatus(rendered.final));
    const text = planText(topology, rendered.waves);
    const svg = planSvg(topology);
    const { name, namespace } = xr.metadata as { name: string; namespace: string };
    if (topology.external) {
      // An existing network is shown as external, by ID, in the plan and the picture.
      expect(text).toContain(`Network: EXISTING VPC ${topology.external.vpcId}`);
      expect(svg).toContain(`EXISTING VPC ${topology.external.vpcId} - external`);
      for (const id of [...topology.external.privateSubnetIds, ...topology.external.publicSubnetIds]) expect(svg).toContain(`>${id}</text>`);
    } else {
      expect(text).toContain(`VPC ${topology.vpcCidr}`);
    }
    if (topology.fluxIdentity) {
      expect(text).toContain(`Flux access: ConfigMap ${namespace}/${name}-kubeconfig (provider aws, cluster ARN`);
      expect(text).not.toContain('Kubeconfig: Secret');
    } else {
      expect(text).toContain(`Kubeconfig: Secret ${namespace}/${name}-kubeconfig, key "kubeconfig"`);
    }
    if (topology.flowLogs) expect(text).toContain(`flow logs: ${topology.flowLogs.trafficType} traffic to CloudWatch Logs group ${topology.flowLogs.logGroup}`);
    // Auto Mode has no node group wave.
    expect(rendered.waves.length).toBeGreaterThanOrEqual(file.includes('auto-mode') ? 3 : 4);
    // Each feature an XR turns on shows in the plan: vpc-cni on Pod Identity (by default), Karpenter, Auto Mode.
    const spec = xr.spec as JsonObject;
    const on = (block: string) => (spec[block] as JsonObject | undefined)?.enabled === true;
    if (on('autoMode')) expect(text).toMatch(/EKS Auto Mode: EKS runs the nodes \(node pools general-purpose, system, node role role-auto-node\)/);
    else expect(text).toContain('add-on vpc-cni (aws-node) -> role-addon-vpc-cni');
    if (on('karpenter'))
      expect(text).toMatch(
        /Karpenter: controller kube-system\/karpenter \(Pod Identity\); interruption queue \S+ fed by EventBridge rules health, rebalance, spot, state/,
      );
    for (const subnet of topology.subnets) {
      expect(text).toContain(subnet.cidr);
      expect(svg).toContain(`>${subnet.cidr}</text>`);
    }
    for (const output of [text, svg]) expect(output).not.toMatch(/NaN|undefined|\[object Object\]/);
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<text /g)?.length).toBe(svg.match(/<\/text>/g)?.length);
    expect(topology.status.summary).toMatch(/^Ready: all \d+ resources are ready/);
  });
});

describe('npm start with a bad XR', () => {
  it("prints the function's message, no stack trace, and exits 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bad-xr-'));
    const xr = join(dir, 'bad.yaml');
    writeFileSync(
      xr,
      'apiVersion: eks.gitops.dev/v1alpha1\nkind: EKSCluster\nmetadata: {name: x, namespace: y}\nspec:\n  region: us-west-2\n  network: {vpcCidr: 10.0.0.0/33}\n',
    );
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'workshop', 'render.ts'), xr], { cwd: PACKAGE_ROOT });
    const failure = await run.then(
      () => undefined,
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('spec.network.vpcCidr: "10.0.0.0/33" has a prefix length above 32');
    expect(failure?.stderr).not.toMatch(/\n\s+at /);
  });
});
