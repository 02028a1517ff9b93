/**
 * The built bundle under clients that hold what they can (src/server/connection-limits.ts),
 * over mTLS as Crossplane talks to it: connections past the bound are closed
 * at once, stalled TLS handshakes and stalled uploads are cut, and with many
 * clients stalling their uploads at once the process's resident set stays
 * under the image's memory limit while a well-behaved request is still answered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as http2 from 'node:http2';
import { connect as tcpConnect, type Socket } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type FunctionProcess, makePki, type Pki, requestFor, startFunction } from 'workshop';
import { validXr } from './support/bad-inputs.js';
import { DEFAULT_LIMITS, guardConnections } from 'function-eks-cluster/src/server/connection-limits.js';
import { memoryLimitMiB } from 'function-image/memory-budget.js';
import { stallUploads } from 'workshop/stalled-clients.js';

const MIB = 1024 * 1024;

let pki: Pki;
let fn: FunctionProcess;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw TCP connection to the function; resolves with whether the server closed it within `ms`. */
function closedWithin(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function tcp(address = fn.address): Promise<Socket> {
  const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ host, port }, () => resolve(socket));
    socket.once('error', reject);
  });
}

beforeAll(async () => {
  pki = makePki();
  fn = await startFunction({ args: ['--tls-server-certs-dir', pki.serverDir] });
});

afterAll(async () => {
  await fn?.stop();
});

describe('hostile clients', () => {
  it('connections past the bound are closed at once; stalled TLS handshakes once the handshake time is up', async () => {
    const sockets = await Promise.all(Array.from({ length: DEFAULT_LIMITS.maxConnections + 8 }, () => tcp()));
    try {
      const closedAtOnce = await Promise.all(sockets.map((s) => closedWithin(s, 1_000)));
      expect(closedAtOnce.filter(Boolean)).toHaveLength(8);
      const open = sockets.filter((s) => !s.destroyed);
      expect(open).toHaveLength(DEFAULT_LIMITS.maxConnections);
      // None of them starts TLS: each is closed when its handshake time is up.
      const closedLater = await Promise.all(open.map((s) => closedWithin(s, DEFAULT_LIMITS.handshakeTimeoutMs + 2_000)));
      expect(closedLater.every(Boolean)).toBe(true);
    } finally {
      for (const s of sockets) s.destroy();
    }
  });

  it('many stalled uploads: bytes in flight are bounded across connections, memory stays under the image limit, a real request is answered, and stalled requests are cut', async () => {
    const connections = 40;
    const run = await stallUploads({
      address: fn.address,
      pid: fn.child.pid!,
      pki,
      connections,
      // A well-behaved client still gets its answer.
      whileStalled: async () => {
        const client = connect(fn.address, grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert));
        try {
          const rsp = await client.run(requestFor(validXr()));
          expect(Object.keys(rsp.desired?.resources ?? {}).length).toBeGreaterThan(0);
        } finally {
          client.close();
        }
      },
    });
    const { before, during, after, offeredBytes } = run;
    expect(offeredBytes).toBeGreaterThan(4 * DEFAULT_LIMITS.maxBytesInFlight);
    // Every stalled request ends: at once past the bound, the rest when their upload time is up.
    expect(run.codes.filter((c) => c === http2.constants.NGHTTP2_ENHANCE_YOUR_CALM)).toHaveLength(run.requests);
    console.log(
      `stalled uploads: ${run.requests} requests on ${connections} connections, ${offeredBytes / MIB} MiB offered; function RSS ${before.rss.toFixed(0)} MiB before, ${during.rss.toFixed(0)} during, peak ${after.peak.toFixed(0)} MiB (image limit ${memoryLimitMiB()} MiB)`,
    );
    expect(after.peak).toBeLessThan(memoryLimitMiB());
    // What the requests hold is bounded by the budget, not by what is offered (ten times more); each connection
    // adds its TLS and HTTP/2 state (under 1 MiB). grpc-js holds a received chunk and its joined copy, and freed
    // buffers leave the resident set only when the collector and malloc give them back: twice the budget, and a
    // margin, so a loaded machine does not fail what an unbounded server would miss by hundreds of MiB.
    expect(during.rss - before.rss).toBeLessThan((2 * DEFAULT_LIMITS.maxBytesInFlight) / MIB + connections + 32);
    expect(during.rss - before.rss).toBeLessThan(offeredBytes / MIB / 2);
  }, 120_000);

  it("applies the operator's limits (--max-connections, --handshake-timeout), not only the defaults", async () => {
    const limited = await startFunction({ args: ['--tls-server-certs-dir', pki.serverDir, '--max-connections', '3', '--handshake-timeout', '1s'] });
    const sockets = await Promise.all(Array.from({ length: 5 }, () => tcp(limited.address)));
    try {
      const closedAtOnce = await Promise.all(sockets.map((s) => closedWithin(s, 500)));
      expect(closedAtOnce.filter(Boolean)).toHaveLength(2);
      const open = sockets.filter((s) => !s.destroyed);
      expect(await Promise.all(open.map((s) => closedWithin(s, 3_000)))).toEqual([true, true, true]);
    } finally {
      for (const s of sockets) s.destroy();
      await limited.stop();
    }
  });

  it('cannot guard a server that is not bound: it says so instead of serving unguarded', () => {
    expect(() => guardConnections(new grpc.Server())).toThrow(/cannot guard connections/);
  });
});

describe('well-behaved clients keep their connection past the handshake time', () => {
  const ECHO = {
    echo: {
      path: '/t.T/Echo',
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b,
    },
  } as const;

  it.each([
    { reason: 'plaintext, as crossplane render talks to it: Node makes the session before the connection event reaches the guard', tls: false },
    { reason: 'mTLS, as Crossplane talks to it: the session comes after the handshake', tls: true },
  ])('$reason', async ({ tls }) => {
    const server = new grpc.Server();
    server.addService(ECHO as unknown as grpc.ServiceDefinition, {
      echo: (_call: unknown, callback: (e: null, b: Buffer) => void) => callback(null, Buffer.from('ok')),
    });
    const serverCredentials = tls
      ? grpc.ServerCredentials.createSsl(
          pki.ca,
          [{ cert_chain: readFileSync(join(pki.serverDir, 'tls.crt')), private_key: readFileSync(join(pki.serverDir, 'tls.key')) }],
          true,
        )
      : grpc.ServerCredentials.createInsecure();
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', serverCredentials, (e, p) => (e ? reject(e) : resolve(p))));
    const handshakeTimeoutMs = 200;
    const stats = guardConnections(server, { ...DEFAULT_LIMITS, handshakeTimeoutMs });
    const Client = grpc.makeGenericClientConstructor(ECHO as unknown as grpc.ServiceDefinition, 'T');
    const clientCredentials = tls ? grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert) : grpc.credentials.createInsecure();
    const client = new Client(`127.0.0.1:${port}`, clientCredentials) as unknown as Record<string, (b: Buffer, cb: (e: Error | null) => void) => void>;
    try {
      // Calls over five handshake times on one connection: none may find it dropped.
      for (let i = 0; i < 10; i++) {
        await new Promise<void>((resolve, reject) => client.echo!(Buffer.from('hi'), (e) => (e ? reject(e) : resolve())));
        await sleep(handshakeTimeoutMs / 2);
      }
      expect(stats().refused.handshakeTimeout).toBe(0);
      expect(stats().connections).toBe(1);
    } finally {
      (client as unknown as grpc.Client).close();
      server.forceShutdown();
    }
  });
});
