/** Server settings: defaults, then environment, then flags; a bad value is a message, not a crash. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from 'function-eks-cluster/src/server/connection-limits.js';
import { parseConfig, USAGE } from 'function-eks-cluster/src/server/config.js';

const LIMITS = { maxConnections: 64, maxBytesInFlight: 33554432, handshakeTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 300_000 };
const DEFAULTS = {
  address: '0.0.0.0:9443',
  insecure: false,
  tlsServerCertsDir: '/tls/server',
  debug: false,
  maxRecvMessageSize: 16777216,
  metricsAddress: '',
  limits: LIMITS,
};

describe('parseConfig', () => {
  it.each([
    { argv: [], env: {}, config: DEFAULTS },
    {
      argv: ['--insecure', '--address', ':1234', '--debug=false'],
      env: { TLS_SERVER_CERTS_DIR: '/x' },
      config: { ...DEFAULTS, address: '0.0.0.0:1234', insecure: true, tlsServerCertsDir: '/x' },
    },
    {
      argv: ['--address=127.0.0.1:1'],
      env: { ADDRESS: ':2', INSECURE: 'yes', DEBUG: '1' },
      config: { ...DEFAULTS, address: '127.0.0.1:1', insecure: true, debug: true },
    },
    { argv: ['--max-recv-message-size', '2048'], env: { MAX_RECV_MESSAGE_SIZE: '4096' }, config: { ...DEFAULTS, maxRecvMessageSize: 2048 } },
  ])('$argv with $env', ({ argv, env, config }) => {
    expect(parseConfig(argv, env)).toEqual({ ok: true, config });
  });

  it.each([
    { argv: ['--address'], message: '--address needs a value, e.g. --address 127.0.0.1:9443' },
    { argv: ['--tls-server-certs-dir'], message: '--tls-server-certs-dir needs a directory' },
    { argv: ['--bogus'], message: 'unknown flag --bogus; see --help' },
    { argv: ['--max-recv-message-size', '12'], message: 'max receive message size "12" must be a whole number of bytes, at least 1024' },
    { argv: ['--address', 'nowhere'], message: 'address "nowhere" must be HOST:PORT or :PORT' },
  ])('$argv is refused', ({ argv, message }) => {
    expect(parseConfig(argv, {})).toEqual({ ok: false, message });
  });

  it.each([
    { reason: 'off unless asked for', argv: [], env: {}, metricsAddress: '' },
    {
      reason: "':PORT' means every interface, as Crossplane and the Go SDK write it",
      argv: ['--metrics-address', ':8080'],
      env: {},
      metricsAddress: '0.0.0.0:8080',
    },
    { reason: 'from the environment, as the runtime config sets it', argv: [], env: { METRICS_ADDRESS: ':8080' }, metricsAddress: '0.0.0.0:8080' },
    {
      reason: 'the flag over the environment',
      argv: ['--metrics-address=127.0.0.1:9090'],
      env: { METRICS_ADDRESS: ':8080' },
      metricsAddress: '127.0.0.1:9090',
    },
    { reason: 'an IPv6 host', argv: ['--metrics-address', '[::1]:8080'], env: {}, metricsAddress: '[::1]:8080' },
    {
      reason: 'port 0 picks a free port, also beside an ephemeral gRPC port',
      argv: ['--address', '127.0.0.1:0', '--metrics-address', '127.0.0.1:0'],
      env: {},
      metricsAddress: '127.0.0.1:0',
    },
  ])('metrics address: $reason', ({ argv, env, metricsAddress }) => {
    const parsed = parseConfig(argv, env);
    expect(parsed.ok === true && parsed.config.metricsAddress).toBe(metricsAddress);
  });

  it.each([
    { reason: 'no port', argv: ['--metrics-address', 'localhost'], message: 'metrics address "localhost" must be HOST:PORT or :PORT, e.g. :8080' },
    { reason: 'a port out of range', argv: ['--metrics-address', ':70000'], message: 'metrics address ":70000" must be HOST:PORT or :PORT, e.g. :8080' },
    { reason: 'the flag without a value', argv: ['--metrics-address'], message: '--metrics-address needs a value, e.g. --metrics-address :8080' },
    {
      reason: "the gRPC port's",
      argv: ['--metrics-address', '127.0.0.1:9443'],
      message: 'metrics address "127.0.0.1:9443" uses the port of the gRPC address "0.0.0.0:9443"; choose another port, e.g. :8080',
    },
  ])('metrics address refused: $reason', ({ argv, message }) => {
    expect(parseConfig(argv, {})).toEqual({ ok: false, message });
  });

  it("the connection limits' defaults are today's values (src/server/connection-limits.ts)", () => {
    expect(DEFAULT_LIMITS).toEqual(LIMITS);
  });

  it.each([
    { reason: 'every default, written as --help shows it', argv: [], env: {}, limits: {} },
    { reason: 'more connections', argv: ['--max-connections', '256'], env: {}, limits: { maxConnections: 256 } },
    {
      reason: 'from the environment, as a DeploymentRuntimeConfig sets it',
      argv: [],
      env: { MAX_CONNECTIONS: '128', MAX_BYTES_IN_FLIGHT: '67108864', HANDSHAKE_TIMEOUT: '5s', REQUEST_TIMEOUT: '1m', IDLE_TIMEOUT: '1h' },
      limits: { maxConnections: 128, maxBytesInFlight: 67108864, handshakeTimeoutMs: 5_000, requestTimeoutMs: 60_000, idleTimeoutMs: 3_600_000 },
    },
    { reason: 'the flag over the environment', argv: ['--handshake-timeout=2s'], env: { HANDSHAKE_TIMEOUT: '5s' }, limits: { handshakeTimeoutMs: 2_000 } },
    { reason: 'milliseconds', argv: ['--request-timeout', '1500ms'], env: {}, limits: { requestTimeoutMs: 1_500 } },
    { reason: 'the longest duration', argv: ['--idle-timeout', '24h'], env: {}, limits: { idleTimeoutMs: 86_400_000 } },
    {
      reason: 'bytes in flight down to the largest request, with a smaller receive limit',
      argv: ['--max-recv-message-size', '1048576', '--max-bytes-in-flight', '1048576'],
      env: {},
      limits: { maxBytesInFlight: 1_048_576 },
    },
  ])('connection limits: $reason', ({ argv, env, limits }) => {
    const parsed = parseConfig(argv, env);
    expect(parsed.ok === true && parsed.config.limits).toEqual({ ...LIMITS, ...limits });
  });

  /** The messages a bad limit gets: the setting, the value, what it takes, its flag, variable and default. */
  const connections = (v: string) => `max connections "${v}" must be a whole number, at least 1 (--max-connections, MAX_CONNECTIONS; default 64)`;
  const bytes = (v: string) =>
    `max bytes in flight "${v}" must be a whole number of bytes, at least the max receive message size (16777216), or a request of that size would always be refused (--max-bytes-in-flight, MAX_BYTES_IN_FLIGHT; default 33554432)`;
  const duration = (setting: string, v: string, byDefault: string) =>
    `${setting} timeout "${v}" must be a duration from 1ms to 24h, a whole number with ms, s, m or h, e.g. ${byDefault} (--${setting}-timeout, ${setting.toUpperCase()}_TIMEOUT; default ${byDefault})`;
  it.each([
    { reason: 'no connections', argv: ['--max-connections', '0'], message: connections('0') },
    { reason: 'a fraction of a connection', argv: ['--max-connections', '1.5'], message: connections('1.5') },
    { reason: 'the flag without a value', argv: ['--max-connections'], message: '--max-connections needs a number of connections, e.g. --max-connections 64' },
    { reason: 'a unit on bytes', argv: ['--max-bytes-in-flight', '32Mi'], message: bytes('32Mi') },
    { reason: 'less than one request of the largest size', argv: ['--max-bytes-in-flight', '1048576'], message: bytes('1048576') },
    { reason: 'a duration without a unit', argv: ['--handshake-timeout', '10'], message: duration('handshake', '10', '10s') },
    { reason: 'a zero duration', argv: [], env: { REQUEST_TIMEOUT: '0s' }, message: duration('request', '0s', '30s') },
    { reason: 'days: a unit it does not take', argv: ['--idle-timeout', '30d'], message: duration('idle', '30d', '5m') },
    { reason: 'more than 24 hours (Node fires longer timers at once)', argv: ['--idle-timeout', '25h'], message: duration('idle', '25h', '5m') },
  ])('connection limits refused: $reason', ({ argv, env, message }) => {
    expect(parseConfig(argv, env ?? {})).toEqual({ ok: false, message });
  });

  it('--help names every limit with its environment variable and default', () => {
    for (const line of [
      '--max-connections N',
      '[MAX_CONNECTIONS] (default 64)',
      '[MAX_BYTES_IN_FLIGHT] (default 33554432)',
      '[HANDSHAKE_TIMEOUT] (default 10s)',
      '[REQUEST_TIMEOUT] (default 30s)',
      '[IDLE_TIMEOUT] (default 5m)',
    ])
      expect(USAGE).toContain(line);
  });

  it('--help wins', () => {
    expect(parseConfig(['--insecure', '--help'], {})).toEqual({ ok: 'help' });
  });
});
