/** Server settings: defaults, then environment, then flags; a bad value is a message, not a crash. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/server/config.js';

const DEFAULTS = { address: '0.0.0.0:9443', insecure: false, tlsServerCertsDir: '/tls/server', debug: false, maxRecvMessageSize: 16777216, metricsAddress: '' };

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

  it('--help wins', () => {
    expect(parseConfig(['--insecure', '--help'], {})).toEqual({ ok: 'help' });
  });
});
