/**
 * What a client, hostile or broken, can hold of this process. Crossplane keeps
 * a few connections open and sends whole requests at once; anything else on
 * the port could open connections without end, start TLS handshakes and never
 * finish them, or start requests and stall their upload. Each connection may
 * send FLOW_CONTROL_WINDOW_BYTES unread and keep MAX_CONCURRENT_STREAMS
 * requests open (flow-control.ts), and grpc-js keeps every byte of a request
 * until its last one arrives: without bounds, memory grows with every
 * stalled client (about 115 MiB a connection was measured). So:
 *  - at most `maxConnections` connections are open; one more is closed at once;
 *  - a connection that has no HTTP/2 session `handshakeTimeoutMs` after it
 *    was accepted (TLS handshake and HTTP/2 preface) is closed;
 *  - a request whose last byte has not arrived `requestTimeoutMs` after its
 *    headers is reset;
 *  - the request bytes received and not yet answered, across every
 *    connection, stay under `maxBytesInFlight`: the request whose bytes would
 *    pass it is reset (RST_STREAM ENHANCE_YOUR_CALM; the client sees
 *    RESOURCE_EXHAUSTED or UNAVAILABLE and retries, as Crossplane does);
 *  - a connection without requests for `idleTimeoutMs` is closed (grpc-js's
 *    grpc.max_connection_idle_ms, set in server.ts).
 * Each is a flag of the function's command (--max-connections,
 * --handshake-timeout, --request-timeout, --max-bytes-in-flight,
 * --idle-timeout; server/config.ts), DEFAULT_LIMITS when not set.
 * test/hostile-clients.test.ts shows the process's memory staying bounded
 * under many stalled clients, and well-behaved requests still answered.
 */
import * as http2 from 'node:http2';
import type { Socket } from 'node:net';
import type * as grpc from '@grpc/grpc-js';

export interface ConnectionLimits {
  readonly maxConnections: number;
  readonly handshakeTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxBytesInFlight: number;
  readonly idleTimeoutMs: number;
}

const MIB = 1024 * 1024;

/**
 * Crossplane opens one connection per function per core replica; 64 leave
 * room for several replicas, `crossplane render` and the benchmark. 32 MiB in
 * flight is two of the largest requests the default --max-recv-message-size
 * allows, or two hundred production ones (140 KiB), and fits in the image's
 * allowance beside the heap (packages/function-image/memory-budget.ts).
 */
export const DEFAULT_LIMITS: ConnectionLimits = {
  maxConnections: 64,
  handshakeTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxBytesInFlight: 32 * MIB,
  idleTimeoutMs: 5 * 60_000,
};

/** What the guard has refused so far, by reason; and what it holds now. */
export interface GuardStats {
  connections: number;
  bytesInFlight: number;
  refused: { tooManyConnections: number; handshakeTimeout: number; requestTimeout: number; bytesInFlight: number };
}

/** Identifies a connection across its raw socket and its TLS socket (they share both ends). */
const endpoint = (socket: { remoteAddress?: string; remotePort?: number }) => `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;

type H2Server = http2.Http2Server | http2.Http2SecureServer;

/** Applies the limits to one HTTP/2 server; every count is shared through `stats`. */
function guard(h2: H2Server, limits: ConnectionLimits, stats: GuardStats): void {
  /** Accepted connections that have no HTTP/2 session yet, with their handshake timers. */
  const pending = new Map<string, NodeJS.Timeout>();
  /**
   * Sessions seen before their connection: on a plaintext server Node makes
   * the session inside its own 'connection' listener, which runs before ours
   * (with TLS the session comes only after the handshake, so after it).
   */
  const established = new Set<string>();
  h2.on('connection', (socket: Socket) => {
    const key = endpoint(socket);
    const sessionSeen = established.delete(key);
    if (stats.connections >= limits.maxConnections) {
      stats.refused.tooManyConnections++;
      socket.destroy();
      return;
    }
    stats.connections++;
    if (sessionSeen) {
      socket.once('close', () => stats.connections--);
      return;
    }
    const timer = setTimeout(() => {
      pending.delete(key);
      stats.refused.handshakeTimeout++;
      socket.destroy();
    }, limits.handshakeTimeoutMs);
    timer.unref();
    pending.set(key, timer);
    socket.once('close', () => {
      stats.connections--;
      clearTimeout(timer);
      pending.delete(key);
    });
  });
  h2.on('session', (session: http2.ServerHttp2Session) => {
    const key = endpoint(session.socket);
    const timer = pending.get(key);
    if (timer === undefined) {
      established.add(key);
      return;
    }
    clearTimeout(timer);
    pending.delete(key);
  });
  h2.on('stream', (stream: http2.ServerHttp2Stream) => {
    let held = 0;
    const reset = (reason: keyof GuardStats['refused']) => {
      if (stream.closed || stream.destroyed) return;
      stats.refused[reason]++;
      stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
    };
    const timer = setTimeout(() => reset('requestTimeout'), limits.requestTimeoutMs);
    timer.unref();
    // grpc-js reads the same chunks (it paused the stream itself: this listener does not start it).
    stream.on('data', (chunk: Buffer) => {
      held += chunk.length;
      stats.bytesInFlight += chunk.length;
      if (stats.bytesInFlight > limits.maxBytesInFlight) reset('bytesInFlight');
    });
    stream.once('end', () => clearTimeout(timer));
    stream.once('close', () => {
      clearTimeout(timer);
      stats.bytesInFlight -= held;
      held = 0;
    });
  });
}

/** What this file needs of a grpc-js Server: the HTTP/2 servers it listens with (a private field, as in flow-control.ts). */
interface ListeningServer {
  readonly http2Servers?: unknown;
}

/**
 * Guards every HTTP/2 server of a bound grpc-js server. Call once the server
 * is bound. Throws when grpc-js keeps its HTTP/2 servers elsewhere (the version
 * is pinned; test/hostile-clients.test.ts would fail first).
 */
export function guardConnections(server: grpc.Server, limits: ConnectionLimits = DEFAULT_LIMITS): () => GuardStats {
  const servers = (server as unknown as ListeningServer).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0)
    throw new Error('grpc-js keeps no HTTP/2 servers where this version expects them; cannot guard connections');
  const stats: GuardStats = {
    connections: 0,
    bytesInFlight: 0,
    refused: { tooManyConnections: 0, handshakeTimeout: 0, requestTimeout: 0, bytesInFlight: 0 },
  };
  for (const h2 of servers.keys() as Iterable<H2Server>) guard(h2, limits, stats);
  return () => structuredClone(stats);
}
