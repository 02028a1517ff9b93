/** The built bundle's HTTP/2 windows and stream limit, as a client sees them, in plaintext and over mTLS. */
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type FunctionProcess, makePki, type Pki, requestFor, startFunction } from 'workshop';
import { validXr } from './support/bad-inputs.js';
import { FLOW_CONTROL_WINDOW_BYTES, MAX_CONCURRENT_STREAMS, raiseWindowsOnSessions } from 'function-eks-cluster/src/server/flow-control.js';

/** HTTP/2's default window, what grpc-js servers advertise by themselves. */
const DEFAULT_WINDOW = 65_535;
const WAIT_MS = 5_000;

interface Limits {
  /** Each stream's window (SETTINGS). */
  readonly stream: number;
  /** The connection's window (WINDOW_UPDATE). */
  readonly connection: number;
  /** Requests in flight at once (SETTINGS). */
  readonly streams: number;
}

const RAISED: Limits = { stream: FLOW_CONTROL_WINDOW_BYTES, connection: FLOW_CONTROL_WINDOW_BYTES, streams: MAX_CONCURRENT_STREAMS };

/** What the server allows a client, once its settings and window update have arrived (or after WAIT_MS). */
async function limitsSeen(url: string, options: http2.SecureClientSessionOptions = {}): Promise<Limits> {
  const session = http2.connect(url, options);
  try {
    const deadline = performance.now() + WAIT_MS;
    let seen: Limits = { stream: 0, connection: 0, streams: 0 };
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (session.destroyed) throw new Error(`session to ${url} closed`);
      const settings = session.remoteSettings;
      seen = { stream: settings?.initialWindowSize ?? 0, connection: session.state.remoteWindowSize ?? 0, streams: settings?.maxConcurrentStreams ?? 0 };
      if (seen.stream === RAISED.stream && seen.connection === RAISED.connection) break;
    }
    return seen;
  } finally {
    session.destroy();
  }
}

describe('flow-control windows and requests in flight', () => {
  let pki: Pki;
  let plain: FunctionProcess;
  let tls: FunctionProcess;
  beforeAll(async () => {
    pki = makePki();
    plain = await startFunction();
    tls = await startFunction({ args: ['--tls-server-certs-dir', pki.serverDir] });
  });
  afterAll(async () => {
    await plain.stop();
    await tls.stop();
  });

  it('windows are raised from the 64 KiB default, requests in flight bounded, on a plaintext connection', async () => {
    expect(FLOW_CONTROL_WINDOW_BYTES).toBeGreaterThan(DEFAULT_WINDOW);
    expect(await limitsSeen(`http://${plain.address}`)).toEqual(RAISED);
  });

  it('the same on an mTLS connection', async () => {
    expect(await limitsSeen(`https://${tls.address}`, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key })).toEqual(RAISED);
  });

  it('a client with four times more requests than the bound in flight gets every answer: the rest wait in the client', async () => {
    const client = connect(plain.address);
    try {
      const answers = await Promise.all(Array.from({ length: 4 * MAX_CONCURRENT_STREAMS }, () => client.run(requestFor(validXr()))));
      expect(answers.every((rsp) => Object.keys(rsp.desired?.resources ?? {}).length > 0)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('windows cannot be raised on a server that is not bound: it says so instead of serving with small windows', () => {
    expect(() => raiseWindowsOnSessions(new grpc.Server())).toThrow(/cannot raise flow-control windows/);
  });
});
