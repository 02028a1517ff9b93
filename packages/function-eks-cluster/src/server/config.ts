/** Server settings from flags, then environment variables, then defaults. */

export interface ServerConfig {
  readonly address: string;
  readonly insecure: boolean;
  readonly tlsServerCertsDir: string;
  readonly debug: boolean;
  readonly maxRecvMessageSize: number;
  /** Where /metrics is served over plain HTTP, as HOST:PORT; empty: not served (server/metrics-server.ts). */
  readonly metricsAddress: string;
}

export const DEFAULTS: ServerConfig = {
  address: '0.0.0.0:9443',
  insecure: false,
  tlsServerCertsDir: '/tls/server',
  debug: false,
  maxRecvMessageSize: 16 * 1024 * 1024,
  metricsAddress: '',
};

export const USAGE = `function-eks-cluster: Crossplane composition function for eks.gitops.dev EKSCluster

Flags (environment variable in brackets):
  --address HOST:PORT          listen address, ":9443" means all interfaces [ADDRESS] (default ${DEFAULTS.address})
  --insecure                   serve without TLS, for local development only [INSECURE=true]
  --tls-server-certs-dir DIR   holds tls.crt, tls.key and ca.crt; client certificates are required [TLS_SERVER_CERTS_DIR] (default ${DEFAULTS.tlsServerCertsDir})
  --max-recv-message-size N    largest request in bytes [MAX_RECV_MESSAGE_SIZE] (default ${DEFAULTS.maxRecvMessageSize})
  --metrics-address HOST:PORT  serve Prometheus metrics over HTTP at /metrics, ":8080" means all interfaces [METRICS_ADDRESS] (default: not served)
  --debug                      log more [DEBUG=true]
  --help                       print this text
`;

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; message: string } | { ok: 'help' };

function truthy(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

/** ":9443" is how Crossplane and the Go SDK write "every interface"; grpc-js needs a host. */
function normalizeAddress(address: string): string {
  return address.startsWith(':') ? `0.0.0.0${address}` : address;
}

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));

function isHostPort(address: string): boolean {
  return /^[^\s]*:\d{1,5}$/.test(address) && portOf(address) <= 65535;
}

/** Two listeners on one port: refused at startup rather than by the second bind. Port 0 picks a free port each time. */
function sharesPort(a: string, b: string): boolean {
  return portOf(a) !== 0 && portOf(a) === portOf(b);
}

/** Every setting: its flag, its environment variable, and for valued flags what the value is. */
type Setting = keyof ServerConfig;

const SETTINGS: Record<Setting, { flag: string; env: string; needs?: string }> = {
  address: { flag: '--address', env: 'ADDRESS', needs: 'a value, e.g. --address 127.0.0.1:9443' },
  tlsServerCertsDir: { flag: '--tls-server-certs-dir', env: 'TLS_SERVER_CERTS_DIR', needs: 'a directory' },
  maxRecvMessageSize: { flag: '--max-recv-message-size', env: 'MAX_RECV_MESSAGE_SIZE', needs: 'a number of bytes' },
  metricsAddress: { flag: '--metrics-address', env: 'METRICS_ADDRESS', needs: 'a value, e.g. --metrics-address :8080' },
  insecure: { flag: '--insecure', env: 'INSECURE' },
  debug: { flag: '--debug', env: 'DEBUG' },
};

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  // Raw text of each setting: defaults, then the environment, then flags.
  const raw = Object.fromEntries((Object.keys(SETTINGS) as Setting[]).map((name) => [name, env[SETTINGS[name].env] || String(DEFAULTS[name])])) as Record<
    Setting,
    string
  >;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (flag === '--help' || flag === '-h') return { ok: 'help' };
    const name = (Object.keys(SETTINGS) as Setting[]).find((n) => SETTINGS[n].flag === flag);
    if (!name) return { ok: false, message: `unknown flag ${arg}; see --help` };
    const setting = SETTINGS[name];
    if (!setting.needs) {
      raw[name] = inline || 'true';
      continue;
    }
    const value = inline ?? argv[++i];
    if (!value) return { ok: false, message: `${flag} needs ${setting.needs}` };
    raw[name] = value;
  }
  const maxRecvMessageSize = Number(raw.maxRecvMessageSize);
  if (!Number.isInteger(maxRecvMessageSize) || maxRecvMessageSize < 1024) {
    return { ok: false, message: `max receive message size ${JSON.stringify(raw.maxRecvMessageSize)} must be a whole number of bytes, at least 1024` };
  }
  const address = normalizeAddress(raw.address);
  if (!isHostPort(address)) {
    return { ok: false, message: `address ${JSON.stringify(raw.address)} must be HOST:PORT or :PORT` };
  }
  const metricsAddress = raw.metricsAddress === '' ? '' : normalizeAddress(raw.metricsAddress);
  if (metricsAddress !== '' && !isHostPort(metricsAddress)) {
    return { ok: false, message: `metrics address ${JSON.stringify(raw.metricsAddress)} must be HOST:PORT or :PORT, e.g. :8080` };
  }
  if (metricsAddress !== '' && sharesPort(address, metricsAddress)) {
    return {
      ok: false,
      message: `metrics address ${JSON.stringify(raw.metricsAddress)} uses the port of the gRPC address ${JSON.stringify(raw.address)}; choose another port, e.g. :8080`,
    };
  }
  return {
    ok: true,
    config: {
      address,
      insecure: truthy(raw.insecure) ?? DEFAULTS.insecure,
      tlsServerCertsDir: raw.tlsServerCertsDir,
      debug: truthy(raw.debug) ?? DEFAULTS.debug,
      maxRecvMessageSize,
      metricsAddress,
    },
  };
}
