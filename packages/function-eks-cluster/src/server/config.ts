/** Server settings from flags, then environment variables, then defaults. */
import { DEFAULT_LIMITS, type ConnectionLimits } from './connection-limits.js';

export interface ServerConfig {
  readonly address: string;
  readonly insecure: boolean;
  readonly tlsServerCertsDir: string;
  readonly debug: boolean;
  readonly maxRecvMessageSize: number;
  /** Where /metrics is served over plain HTTP, as HOST:PORT; empty: not served (server/metrics-server.ts). */
  readonly metricsAddress: string;
  /** What clients may hold of the process (server/connection-limits.ts). */
  readonly limits: ConnectionLimits;
}

export const DEFAULTS: ServerConfig = {
  address: '0.0.0.0:9443',
  insecure: false,
  tlsServerCertsDir: '/tls/server',
  debug: false,
  maxRecvMessageSize: 16 * 1024 * 1024,
  metricsAddress: '',
  limits: DEFAULT_LIMITS,
};

const MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
/** The longest timer Node keeps (a longer one fires at once): 24h is well below it. */
const MAX_DURATION_MS = 24 * MS.h;

/** "10s", "500ms", "5m", "1h": a whole number and one unit. */
function parseDuration(text: string): number | undefined {
  const m = /^(\d+)(ms|s|m|h)$/.exec(text);
  return m ? Number(m[1]) * MS[m[2] as keyof typeof MS] : undefined;
}

/** The largest unit that divides `ms` evenly: 300000 is "5m". */
function formatDuration(ms: number): string {
  const unit = (['h', 'm', 's'] as const).find((u) => ms % MS[u] === 0);
  return unit ? `${ms / MS[unit]}${unit}` : `${ms}ms`;
}

export const USAGE = `function-eks-cluster: Crossplane composition function for eks.gitops.dev EKSCluster

Flags (environment variable in brackets):
  --address HOST:PORT          listen address, ":9443" means all interfaces [ADDRESS] (default ${DEFAULTS.address})
  --insecure                   serve without TLS, for local development only [INSECURE=true]
  --tls-server-certs-dir DIR   holds tls.crt, tls.key and ca.crt; client certificates are required [TLS_SERVER_CERTS_DIR] (default ${DEFAULTS.tlsServerCertsDir})
  --max-recv-message-size N    largest request in bytes [MAX_RECV_MESSAGE_SIZE] (default ${DEFAULTS.maxRecvMessageSize})
  --metrics-address HOST:PORT  serve Prometheus metrics over HTTP at /metrics, ":8080" means all interfaces [METRICS_ADDRESS] (default: not served)
  --max-connections N          open connections at most; one more is closed at once [MAX_CONNECTIONS] (default ${DEFAULT_LIMITS.maxConnections})
  --max-bytes-in-flight N      request bytes received and not yet answered, across connections, in bytes; the request that passes it is reset [MAX_BYTES_IN_FLIGHT] (default ${DEFAULT_LIMITS.maxBytesInFlight})
  --handshake-timeout D        a connection without a TLS and HTTP/2 handshake after D is closed [HANDSHAKE_TIMEOUT] (default ${formatDuration(DEFAULT_LIMITS.handshakeTimeoutMs)})
  --request-timeout D          a request whose last byte has not arrived D after its headers is reset [REQUEST_TIMEOUT] (default ${formatDuration(DEFAULT_LIMITS.requestTimeoutMs)})
  --idle-timeout D             a connection without requests for D is closed [IDLE_TIMEOUT] (default ${formatDuration(DEFAULT_LIMITS.idleTimeoutMs)})
  --debug                      log more [DEBUG=true]
  --help                       print this text
Durations (D): a whole number with ms, s, m or h, e.g. 10s; from 1ms to 24h.
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
type Setting = Exclude<keyof ServerConfig, 'limits'> | keyof ConnectionLimits;

const SETTINGS: Record<Setting, { flag: string; env: string; needs?: string }> = {
  address: { flag: '--address', env: 'ADDRESS', needs: 'a value, e.g. --address 127.0.0.1:9443' },
  tlsServerCertsDir: { flag: '--tls-server-certs-dir', env: 'TLS_SERVER_CERTS_DIR', needs: 'a directory' },
  maxRecvMessageSize: { flag: '--max-recv-message-size', env: 'MAX_RECV_MESSAGE_SIZE', needs: 'a number of bytes' },
  metricsAddress: { flag: '--metrics-address', env: 'METRICS_ADDRESS', needs: 'a value, e.g. --metrics-address :8080' },
  maxConnections: { flag: '--max-connections', env: 'MAX_CONNECTIONS', needs: 'a number of connections, e.g. --max-connections 64' },
  maxBytesInFlight: { flag: '--max-bytes-in-flight', env: 'MAX_BYTES_IN_FLIGHT', needs: 'a number of bytes, e.g. --max-bytes-in-flight 33554432' },
  handshakeTimeoutMs: { flag: '--handshake-timeout', env: 'HANDSHAKE_TIMEOUT', needs: 'a duration, e.g. --handshake-timeout 10s' },
  requestTimeoutMs: { flag: '--request-timeout', env: 'REQUEST_TIMEOUT', needs: 'a duration, e.g. --request-timeout 30s' },
  idleTimeoutMs: { flag: '--idle-timeout', env: 'IDLE_TIMEOUT', needs: 'a duration, e.g. --idle-timeout 5m' },
  insecure: { flag: '--insecure', env: 'INSECURE' },
  debug: { flag: '--debug', env: 'DEBUG' },
};

/** The environment variables the function reads, one per setting. */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.values(SETTINGS).map((s) => s.env);

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigResult {
  // Raw text of each setting: defaults, then the environment, then flags.
  const raw = Object.fromEntries((Object.keys(SETTINGS) as Setting[]).map((name) => [name, env[SETTINGS[name].env] || defaultText(name)])) as Record<
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
  const limits = parseLimits(raw, maxRecvMessageSize);
  if (typeof limits === 'string') return { ok: false, message: limits };
  return {
    ok: true,
    config: {
      address,
      insecure: truthy(raw.insecure) ?? DEFAULTS.insecure,
      tlsServerCertsDir: raw.tlsServerCertsDir,
      debug: truthy(raw.debug) ?? DEFAULTS.debug,
      maxRecvMessageSize,
      metricsAddress,
      limits,
    },
  };
}

/** A setting's default as it would be written on the command line. */
function defaultText(name: Setting): string {
  if (name === 'handshakeTimeoutMs' || name === 'requestTimeoutMs' || name === 'idleTimeoutMs') return formatDuration(DEFAULT_LIMITS[name]);
  if (name === 'maxConnections' || name === 'maxBytesInFlight') return String(DEFAULT_LIMITS[name]);
  return String(DEFAULTS[name]);
}

/** The connection limits, or a message naming the setting, its value and what it takes. */
function parseLimits(raw: Record<Setting, string>, maxRecvMessageSize: number): ConnectionLimits | string {
  const maxConnections = Number(raw.maxConnections);
  if (!/^\d+$/.test(raw.maxConnections) || maxConnections < 1)
    return `max connections ${JSON.stringify(raw.maxConnections)} must be a whole number, at least 1 (--max-connections, MAX_CONNECTIONS; default ${DEFAULT_LIMITS.maxConnections})`;
  const maxBytesInFlight = Number(raw.maxBytesInFlight);
  if (!/^\d+$/.test(raw.maxBytesInFlight) || maxBytesInFlight < maxRecvMessageSize)
    return `max bytes in flight ${JSON.stringify(raw.maxBytesInFlight)} must be a whole number of bytes, at least the max receive message size (${maxRecvMessageSize}), or a request of that size would always be refused (--max-bytes-in-flight, MAX_BYTES_IN_FLIGHT; default ${DEFAULT_LIMITS.maxBytesInFlight})`;
  const durations: Record<'handshakeTimeoutMs' | 'requestTimeoutMs' | 'idleTimeoutMs', number> = {
    handshakeTimeoutMs: 0,
    requestTimeoutMs: 0,
    idleTimeoutMs: 0,
  };
  for (const name of Object.keys(durations) as (keyof typeof durations)[]) {
    const ms = parseDuration(raw[name]);
    if (ms === undefined || ms < 1 || ms > MAX_DURATION_MS) {
      const { flag, env } = SETTINGS[name];
      return `${flag.slice(2).replaceAll('-', ' ')} ${JSON.stringify(raw[name])} must be a duration from 1ms to 24h, a whole number with ms, s, m or h, e.g. ${formatDuration(DEFAULT_LIMITS[name])} (${flag}, ${env}; default ${formatDuration(DEFAULT_LIMITS[name])})`;
    }
    durations[name] = ms;
  }
  return { maxConnections, maxBytesInFlight, ...durations };
}
