/**
 * A Helm repository on 127.0.0.1 serving one chart packaged by a tools script:
 * the Crossplane chart that flux/infrastructure/crossplane pins
 * (charts.crossplane.io cannot be reached here; the chart's source ships in the
 * Crossplane core module, and scripts/tools/flux-controllers.sh packages it at
 * the pinned version), or the Prometheus chart of apps/monitoring
 * (e2e/lib/prometheus.ts). The index is what `helm repo index` would write for
 * that one chart, but for its appVersion, which nothing reads.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT, TOOLS_DIR, type JsonObject } from 'workshop';

export interface HelmRepository {
  url: string;
  chart: { name: string; version: string; digest: string };
  close(): Promise<void>;
}

/** Serves .tools/charts/<name>-<version>.tgz, which `script` packages. */
export async function startHelmRepository(name: string, version: string, script: string): Promise<HelmRepository> {
  const file = `${name}-${version}.tgz`;
  const path = join(TOOLS_DIR, 'charts', file);
  if (!existsSync(path)) throw new Error(`${path} missing: npm run tools packages the chart (${script})`);
  const tgz = readFileSync(path);
  const digest = createHash('sha256').update(tgz).digest('hex');
  const server = createServer((req, res) => {
    if (req.url === '/index.yaml') {
      res.writeHead(200, { 'content-type': 'application/x-yaml' }).end(index);
    } else if (req.url === `/${file}`) {
      res.writeHead(200, { 'content-type': 'application/gzip' }).end(tgz);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const created = new Date().toISOString();
  const index = stringify({
    apiVersion: 'v1',
    entries: { [name]: [{ apiVersion: 'v1', name, version, digest, created, urls: [`${url}/${file}`] }] },
    generated: created,
  });
  return { url, chart: { name, version, digest }, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The Crossplane chart at the version flux/infrastructure/crossplane/release.yaml pins (the README's `helm install` names the same). */
export function startCrossplaneChartRepository(): Promise<HelmRepository> {
  const release = parse(readFileSync(join(REPO_ROOT, 'flux', 'infrastructure', 'crossplane', 'release.yaml'), 'utf8')) as JsonObject;
  return startHelmRepository(
    'crossplane',
    String((((release.spec as JsonObject).chart as JsonObject).spec as JsonObject).version),
    'scripts/tools/flux-controllers.sh',
  );
}
