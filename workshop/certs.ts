/** A throwaway PKI made with openssl: a CA, a server cert for 127.0.0.1, client certs from it and from a stranger CA. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pki {
  /** Holds ca.crt, tls.crt, tls.key for the server. */
  serverDir: string;
  ca: Buffer;
  client: { cert: Buffer; key: Buffer };
  stranger: { ca: Buffer; cert: Buffer; key: Buffer };
}

export function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe', timeout: 30_000 });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A self-signed CA in dir: <name>.crt and <name>.key. */
export function authority(dir: string, name: string): void {
  openssl(dir, 'req', '-x509', ...EC_KEY, '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
}

/** A certificate signed by the CA `ca` in dir: <name>.crt and <name>.key. */
export function leaf(dir: string, ca: string, name: string, extensions: string, subject = `/CN=${name}`): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, 'req', ...EC_KEY, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  );
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'fn-pki-'));
  authority(dir, 'ca');
  authority(dir, 'stranger-ca');
  leaf(dir, 'ca', 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf(dir, 'ca', 'client', 'extendedKeyUsage=clientAuth\n');
  leaf(dir, 'stranger-ca', 'stranger', 'extendedKeyUsage=clientAuth\n');
  const serverDir = join(dir, 'server-certs');
  mkdirSync(serverDir);
  copyFileSync(join(dir, 'ca.crt'), join(serverDir, 'ca.crt'));
  copyFileSync(join(dir, 'server.crt'), join(serverDir, 'tls.crt'));
  copyFileSync(join(dir, 'server.key'), join(serverDir, 'tls.key'));
  const read = (f: string) => readFileSync(join(dir, f));
  return {
    serverDir,
    ca: read('ca.crt'),
    client: { cert: read('client.crt'), key: read('client.key') },
    stranger: { ca: read('stranger-ca.crt'), cert: read('stranger.crt'), key: read('stranger.key') },
  };
}
