/**
 * A throwaway PKI for a loopback kube-apiserver, made with openssl: a CA, a
 * serving cert for 127.0.0.1, an admin client cert in group system:masters,
 * and the service-account signing key pair.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authority, leaf, openssl } from '../../../packages/function-eks-cluster/test/support/certs.js';

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

export function makeApiserverPki(dir: string): ApiserverPki {
  authority(dir, 'ca');
  leaf(dir, 'ca', 'server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n', '/CN=kube-apiserver');
  leaf(dir, 'ca', 'admin', 'extendedKeyUsage=clientAuth\n', '/O=system:masters/CN=admin');
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
