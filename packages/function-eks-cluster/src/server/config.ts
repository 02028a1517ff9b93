/** Server settings from flags, then environment variables, then defaults. */

export interface ServerConfig {
  readonly address: string;
  readonly insecure: boolean;
  readonly tlsServerCertsDir: string;
  readonly debug: boolean;
  readonly maxRecvMessageSize: number;
}

export const DEFAULTS: ServerConfig = {
  address: '0.0.0.0:9443',
  insecure: false,
  tlsServerCertsDir: '/tls/server',
  debug: false,
  maxRecvMessageSize: 16 * 1024 * 1024,
};

export const USAGE = `function-eks-cluster: Crossplane composition function for eks.gitops.dev EKSCluster

Flags (environment variable in brackets):
  --address HOST:PORT          listen address, ":9443" means all interfaces [ADDRESS] (default ${DEFAULTS.address})
  --insecure                   serve without TLS, for local development only [INSECURE=true]
  --tls-server-certs-dir DIR   holds tls.crt, tls.key and ca.crt; client certificates are required [TLS_SERVER_CERTS_DIR] (default ${DEFAULTS.tlsServerCertsDir})
  --max-recv-message-size N    largest request in bytes [MAX_RECV_MESSAGE_SIZE] (default ${DEFAULTS.maxRecvMessageSize})
  --debug                      log more [DEBUG=true]
  --help                       print this text
`;

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; message: string } | { ok: 'help' };

function truthy(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** ":9443" is how Crossplane and the Go SDK write "every interface"; grpc-js needs a host. */
export function normalizeAddress(address: string): string {
  return address.startsWith(':') ? `0.0.0.0${address}` : address;
}

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  let address = env.ADDRESS || DEFAULTS.address;
  let insecure = truthy(env.INSECURE) ?? DEFAULTS.insecure;
  let tlsServerCertsDir = env.TLS_SERVER_CERTS_DIR || DEFAULTS.tlsServerCertsDir;
  let debug = truthy(env.DEBUG) ?? DEFAULTS.debug;
  let maxRecv = env.MAX_RECV_MESSAGE_SIZE || String(DEFAULTS.maxRecvMessageSize);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--help':
      case '-h':
        return { ok: 'help' };
      case '--insecure':
        insecure = inline === undefined ? true : truthy(inline) ?? true;
        break;
      case '--debug':
        debug = inline === undefined ? true : truthy(inline) ?? true;
        break;
      case '--address': {
        const v = value();
        if (!v) return { ok: false, message: '--address needs a value, e.g. --address 127.0.0.1:9443' };
        address = v;
        break;
      }
      case '--tls-server-certs-dir': {
        const v = value();
        if (!v) return { ok: false, message: '--tls-server-certs-dir needs a directory' };
        tlsServerCertsDir = v;
        break;
      }
      case '--max-recv-message-size': {
        const v = value();
        if (!v) return { ok: false, message: '--max-recv-message-size needs a number of bytes' };
        maxRecv = v;
        break;
      }
      default:
        return { ok: false, message: `unknown flag ${arg}; see --help` };
    }
  }
  const maxRecvMessageSize = Number(maxRecv);
  if (!Number.isInteger(maxRecvMessageSize) || maxRecvMessageSize < 1024) {
    return { ok: false, message: `max receive message size ${JSON.stringify(maxRecv)} must be a whole number of bytes, at least 1024` };
  }
  if (!/^[^\s]*:\d{1,5}$/.test(normalizeAddress(address))) {
    return { ok: false, message: `address ${JSON.stringify(address)} must be HOST:PORT or :PORT` };
  }
  return { ok: true, config: { address: normalizeAddress(address), insecure, tlsServerCertsDir, debug, maxRecvMessageSize } };
}
