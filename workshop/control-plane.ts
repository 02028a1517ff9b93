/**
 * A real Kubernetes control plane as local processes on 127.0.0.1, from the
 * pinned binaries in .tools/bin (scripts/tools/etcd.sh, kube-apiserver.sh):
 * one etcd; one kube-apiserver per requested cluster, each with its own etcd
 * prefix (they share etcd but never see each other's objects); optionally
 * kube-controller-manager with the garbage-collector and namespace controllers
 * for the first one. One CA signs the serving certificate (IP SAN 127.0.0.1)
 * and an admin client certificate (group system:masters). Nothing schedules or
 * runs pods. Everything is bounded in time and stopped with the group.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { authority, leaf, openssl } from './certs.js';
import { freePort } from './function-process.js';
import { waitFor, type ProcessGroup } from './processes.js';
import { tool } from 'pinned-tools';

export interface ControlPlanePki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  saPublicKey: string;
  saPrivateKey: string;
  ca: Buffer;
  admin: { cert: Buffer; key: Buffer };
}

/** A throwaway PKI made with openssl in `dir`. */
function makeControlPlanePki(dir: string): ControlPlanePki {
  mkdirSync(dir, { recursive: true });
  authority(dir, 'ca');
  leaf(dir, 'ca', 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', '/CN=kube-apiserver');
  leaf(dir, 'ca', 'admin', 'extendedKeyUsage=clientAuth\n', '/O=system:masters/CN=admin');
  openssl(dir, 'genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key');
  openssl(dir, 'pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
  const path = (f: string) => join(dir, f);
  return {
    dir,
    caCert: path('ca.crt'),
    caKey: path('ca.key'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    saPublicKey: path('sa.pub'),
    saPrivateKey: path('sa.key'),
    ca: readFileSync(path('ca.crt')),
    admin: { cert: readFileSync(path('admin.crt')), key: readFileSync(path('admin.key')) },
  };
}

export interface ApiServer {
  name: string;
  server: string;
  kubeConfig: KubeConfig;
  /** An admin kubeconfig with all data embedded (Flux accepts nothing else), as YAML. */
  kubeconfigYaml: string;
  /** The same, written to a file (for processes that read KUBECONFIG). */
  kubeconfigFile: string;
  /** GET a path as the admin, untyped (client-node's models drop fields they do not know). */
  getJson(path: string): Promise<unknown>;
}

export interface ControlPlane {
  pki: ControlPlanePki;
  apiservers: ApiServer[];
  /** The first API server. */
  primary: ApiServer;
}

interface Probe {
  status: number;
  body: string;
}

function get(url: string, pki?: ControlPlanePki): Promise<Probe> {
  return new Promise((done, fail) => {
    const options = { timeout: 5_000, ...(pki ? { ca: pki.ca, cert: pki.admin.cert, key: pki.admin.key } : {}) };
    const req = (pki ? request : httpRequest)(url, options, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', fail);
    req.end();
  });
}

const ok = async (probe: Promise<Probe>) => {
  const answer = await probe;
  if (answer.status !== 200) throw new Error(`${answer.status} ${answer.body.slice(0, 500)}`);
  return true;
};

function kubeconfigYaml(name: string, server: string, pki: ControlPlanePki): string {
  const b64 = (b: Buffer) => b.toString('base64');
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.ca)}`,
    'users:',
    '- name: admin',
    '  user:',
    `    client-certificate-data: ${b64(pki.admin.cert)}`,
    `    client-key-data: ${b64(pki.admin.key)}`,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    '    user: admin',
    `current-context: ${name}`,
    '',
  ].join('\n');
}

export interface ControlPlaneOptions {
  /** Where certificates, data and kubeconfigs go. */
  dir: string;
  /** One API server per name; each gets its kube-controller-manager when asked. */
  clusters: string[];
  controllerManager?: boolean;
  readyTimeoutMs: number;
}

/** Starts etcd, the API servers and kube-controller-manager in `group`; resolves once all answer. */
export async function startControlPlane(group: ProcessGroup, options: ControlPlaneOptions): Promise<ControlPlane> {
  const deadline = Date.now() + options.readyTimeoutMs;
  const remaining = () => Math.max(1000, deadline - Date.now());
  const pki = makeControlPlanePki(join(options.dir, 'pki'));
  const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
  const etcdUrl = `http://127.0.0.1:${etcdClient}`;
  const peerUrl = `http://127.0.0.1:${etcdPeer}`;
  group.start('etcd', tool('etcd'), [
    '--name=loopback',
    `--data-dir=${join(options.dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=loopback=${peerUrl}`,
    '--listen-metrics-urls=',
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]);
  await waitFor('etcd /health', () => ok(get(`${etcdUrl}/health`)), remaining(), group);

  const apiservers: ApiServer[] = [];
  for (const [i, name] of options.clusters.entries()) {
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const certDir = join(options.dir, `${name}-certs`);
    mkdirSync(certDir, { recursive: true });
    group.start(`kube-apiserver-${name}`, tool('kube-apiserver'), [
      `--etcd-servers=${etcdUrl}`,
      // Each cluster its own keyspace in the shared etcd; the first keeps Kubernetes' default.
      `--etcd-prefix=${i === 0 ? '/registry' : `/${name}`}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      `--tls-cert-file=${pki.serverCert}`,
      `--tls-private-key-file=${pki.serverKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--service-account-issuer=${server}`,
      `--service-account-key-file=${pki.saPublicKey}`,
      `--service-account-signing-key-file=${pki.saPrivateKey}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
      '--endpoint-reconciler-type=none',
    ]);
    const yaml = kubeconfigYaml(name, server, pki);
    const kubeconfigFile = join(options.dir, `${name}.kubeconfig`);
    writeFileSync(kubeconfigFile, yaml, { mode: 0o600 });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(yaml);
    apiservers.push({
      name,
      server,
      kubeConfig,
      kubeconfigYaml: yaml,
      kubeconfigFile,
      getJson: async (path: string) => {
        const answer = await get(`${server}${path}`, pki);
        if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body.slice(0, 500)}`);
        return JSON.parse(answer.body) as unknown;
      },
    });
  }
  for (const a of apiservers) await waitFor(`kube-apiserver ${a.name} /readyz`, () => ok(get(`${a.server}/readyz`, pki)), remaining(), group);

  const primary = apiservers[0]!;
  // One per cluster: without its namespace controller a deleted namespace stays Terminating.
  if (options.controllerManager) {
    for (const a of apiservers) {
      group.start(`kube-controller-manager-${a.name}`, tool('kube-controller-manager'), [
        `--kubeconfig=${a.kubeconfigFile}`,
        `--authentication-kubeconfig=${a.kubeconfigFile}`,
        `--authorization-kubeconfig=${a.kubeconfigFile}`,
        '--controllers=namespace-controller,garbage-collector-controller',
        '--leader-elect=false',
        '--secure-port=0',
        `--root-ca-file=${pki.caCert}`,
        `--service-account-private-key-file=${pki.saPrivateKey}`,
      ]);
    }
  }
  return { pki, apiservers, primary };
}
