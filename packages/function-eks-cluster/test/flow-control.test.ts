/** The built bundle's HTTP/2 windows, as a client sees them, in plaintext and over mTLS. */
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionProcess, makePki, type Pki, startFunction } from 'function-eks-cluster/testing';
import { FLOW_CONTROL_WINDOW_BYTES, raiseWindowsOnSessions } from '../src/server/flow-control.js';

/** HTTP/2's default window, what grpc-js servers advertise by themselves. */
const DEFAULT_WINDOW = 65_535;
const WAIT_MS = 5_000;

/** The windows the server gives a client: each stream's (SETTINGS) and the connection's (WINDOW_UPDATE). */
async function windowsSeen(url: string, options: http2.SecureClientSessionOptions = {}): Promise<{ stream: number; connection: number }> {
  const session = http2.connect(url, options);
  try {
    const deadline = performance.now() + WAIT_MS;
    let seen = { stream: 0, connection: 0 };
    while (performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (session.destroyed) throw new Error(`session to ${url} closed`);
      seen = { stream: session.remoteSettings?.initialWindowSize ?? 0, connection: session.state.remoteWindowSize ?? 0 };
      if (seen.stream === FLOW_CONTROL_WINDOW_BYTES && seen.connection === FLOW_CONTROL_WINDOW_BYTES) break;
    }
    return seen;
  } finally {
    session.destroy();
  }
}

describe('flow-control windows', () => {
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

  it('are raised from the 64 KiB default on a plaintext connection', async () => {
    expect(FLOW_CONTROL_WINDOW_BYTES).toBeGreaterThan(DEFAULT_WINDOW);
    expect(await windowsSeen(`http://${plain.address}`)).toEqual({ stream: FLOW_CONTROL_WINDOW_BYTES, connection: FLOW_CONTROL_WINDOW_BYTES });
  });

  it('are raised on an mTLS connection', async () => {
    const seen = await windowsSeen(`https://${tls.address}`, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key });
    expect(seen).toEqual({ stream: FLOW_CONTROL_WINDOW_BYTES, connection: FLOW_CONTROL_WINDOW_BYTES });
  });

  it('cannot be raised on a server that is not bound: it says so instead of serving with small windows', () => {
    expect(() => raiseWindowsOnSessions(new grpc.Server())).toThrow(/cannot raise flow-control windows/);
  });
});
