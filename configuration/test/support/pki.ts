/**
 * A throwaway PKI for a loopback kube-apiserver, made with openssl: a CA, a
 * serving cert for 127.0.0.1, an admin client cert in group system:masters,
 * and the service-account signing key pair.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ApiserverPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  saPublicKey: string;
  saPrivateKey: string;
  /** PEM contents, for the client. */
  ca: Buffer;
  admin: { cert: Buffer; key: Buffer };
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe', timeout: 30_000 });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function leaf(dir: string, name: string, subject: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, 'req', ...EC, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
}

export function makeApiserverPki(dir: string): ApiserverPki {
  openssl(dir, 'req', '-x509', ...EC, '-days', '2', '-subj', '/CN=loopback-ca', '-keyout', 'ca.key', '-out', 'ca.crt');
  leaf(dir, 'server', '/CN=kube-apiserver', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  leaf(dir, 'admin', '/O=system:masters/CN=admin', 'extendedKeyUsage=clientAuth\n');
  openssl(dir, 'genpkey', '-algorithm', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', 'sa.key');
  openssl(dir, 'pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub');
  const path = (f: string) => join(dir, f);
  return {
    dir,
    caCert: path('ca.crt'),
    serverCert: path('server.crt'),
    serverKey: path('server.key'),
    saPublicKey: path('sa.pub'),
    saPrivateKey: path('sa.key'),
    ca: readFileSync(path('ca.crt')),
    admin: { cert: readFileSync(path('admin.crt')), key: readFileSync(path('admin.key')) },
  };
}
