/**
 * etcd and kube-apiserver as local processes on 127.0.0.1, from the pinned
 * binaries `npm run tools` builds into .tools/bin (scripts/tools/etcd.sh,
 * scripts/tools/kube-apiserver.sh). Flags as envtest runs them; everything is
 * bounded in time and stopped by stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { freePort, REPO_ROOT } from '../../../packages/function-eks-cluster/dev/function-process.js';
import { makeApiserverPki, type ApiserverPki } from './pki.js';

export { REPO_ROOT };
const BIN = join(REPO_ROOT, '.tools', 'bin');

export interface ControlPlane {
  server: string;
  kubeConfig: KubeConfig;
  /** GET a path as the admin, untyped (client-node's models drop fields they do not know). */
  getJson(path: string): Promise<unknown>;
  /** The tail of both processes' logs, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

function binary(name: string): string {
  const path = join(BIN, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run tools\` first`);
  return path;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Probe {
  status: number;
  body: string;
}

function get(url: string, pki?: ApiserverPki): Promise<Probe> {
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

/** Polls until `probe` answers 200, a process exits, or the deadline passes. */
async function waitUntilOk(what: string, probe: () => Promise<Probe>, processes: Started[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    for (const p of processes) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) {
        throw new Error(`${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) while waiting for ${what}:\n${p.tail()}`);
      }
    }
    try {
      const answer = await probe();
      if (answer.status === 200) return;
      last = `${answer.status} ${answer.body.slice(0, 2000)}`;
    } catch (error) {
      last = String(error);
    }
    await sleep(250);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms; last answer: ${last}\n${processes.map((p) => p.tail()).join('\n')}`);
}

interface Started {
  name: string;
  child: ChildProcess;
  tail(): string;
}

function start(name: string, bin: string, args: string[], logDir: string): Started {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const tail = () => {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    return `--- ${name} (last lines) ---\n${text.split('\n').slice(-40).join('\n')}`;
  };
  return { name, child, tail };
}

async function terminate(p: Started, graceMs: number): Promise<void> {
  const { child } = p;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Starts both; `readyTimeoutMs` bounds the whole start, etcd and apiserver together. */
export async function startControlPlane(opts: { readyTimeoutMs: number }): Promise<ControlPlane> {
  const deadline = Date.now() + opts.readyTimeoutMs;
  const remaining = () => Math.max(0, deadline - Date.now());
  const etcdBin = binary('etcd');
  const apiserverBin = binary('kube-apiserver');
  const dir = mkdtempSync(join(tmpdir(), 'apiserver-test-'));
  const pki = makeApiserverPki(dir);
  const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
  const processes: Started[] = [];
  const stop = async () => {
    // The apiserver first, so it does not log etcd going away as an error.
    for (const p of [...processes].reverse()) await terminate(p, 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => processes.forEach((p) => p.child.kill('SIGKILL'));
  process.once('exit', onExit);
  try {
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    processes.push(
      start('etcd', etcdBin, [
        '--name=loopback',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=loopback=${peerUrl}`,
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ], dir),
    );
    await waitUntilOk('etcd /health', () => get(`${etcdUrl}/health`), processes, remaining());

    const server = `https://127.0.0.1:${securePort}`;
    mkdirSync(join(dir, 'apiserver-certs'));
    processes.push(
      start('kube-apiserver', apiserverBin, [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--cert-dir=${join(dir, 'apiserver-certs')}`,
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
      ], dir),
    );
    await waitUntilOk('kube-apiserver /readyz', () => get(`${server}/readyz`, pki), processes, remaining());

    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'loopback', server, caData: pki.ca.toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'admin', certData: pki.admin.cert.toString('base64'), keyData: pki.admin.key.toString('base64') }],
      contexts: [{ name: 'loopback', cluster: 'loopback', user: 'admin' }],
      currentContext: 'loopback',
    });
    return {
      server,
      kubeConfig,
      getJson: async (path: string) => {
        const answer = await get(`${server}${path}`, pki);
        if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body.slice(0, 500)}`);
        return JSON.parse(answer.body) as unknown;
      },
      logs: () => processes.map((p) => p.tail()).join('\n'),
      stop: async () => {
        process.off('exit', onExit);
        await stop();
      },
    };
  } catch (error) {
    process.off('exit', onExit);
    await stop();
    throw error;
  }
}
