/**
 * How much a client may send this process at once: the HTTP/2 flow-control
 * windows of its connections, and the requests in flight on each.
 *
 * Crossplane sends the whole observed state in every request: 140 KiB for the
 * production example. With HTTP/2's default windows of 64 KiB, per stream and
 * per connection, a client may send 64 KiB and must then wait for this
 * process to read and acknowledge it; this process runs one thread, so while
 * it composes one answer every other request in flight stalls behind the
 * windows. grpc-go's server grows its windows up to 16 MiB as it measures the
 * connection; grpc-js has no server option for them (its
 * `grpc-node.flow_control_window` is read by clients only), so they are
 * raised on each new session here. `npm run bench` shows the difference.
 */
import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/** grpc-go's ceiling for the windows it grows; what one connection may send unread. */
export const FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

/**
 * Requests in flight per connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS);
 * a client holds back the rest until one is answered, as grpc-go and grpc-js
 * clients do. This process computes one answer at a time, so 8 waiting is
 * ample work, while every request in flight costs its bytes twice over
 * (grpc-js keeps the chunks and the joined message), its decoded objects and
 * its answer on the way out: at concurrency 64 the peak resident set was
 * 20-30 MiB higher without a bound, and 11-17 MiB higher with 16 than with 8,
 * for the same throughput (`npm run bench`, bench/README.md).
 */
export const MAX_CONCURRENT_STREAMS = 8;

/** What this file needs of a grpc-js Server: the HTTP/2 servers it listens with (a private field). */
interface ListeningServer {
  readonly http2Servers?: unknown;
}

/** Sets both windows of a new session: the connection's, and each stream's through SETTINGS. */
function raiseWindows(session: http2.ServerHttp2Session, bytes = FLOW_CONTROL_WINDOW_BYTES): void {
  if (session.destroyed) return;
  session.setLocalWindowSize(bytes);
  session.settings({ initialWindowSize: bytes });
}

/**
 * Raises the windows of every session the bound server accepts from now on.
 * Call once the server is bound. Throws when grpc-js keeps its HTTP/2 servers
 * elsewhere: the version is pinned, and test/flow-control.test.ts would fail first.
 */
export function raiseWindowsOnSessions(server: grpc.Server, bytes = FLOW_CONTROL_WINDOW_BYTES): void {
  const servers = (server as unknown as ListeningServer).http2Servers;
  if (!(servers instanceof Map) || servers.size === 0)
    throw new Error('grpc-js keeps no HTTP/2 servers where this version expects them; cannot raise flow-control windows');
  for (const h2 of servers.keys() as Iterable<http2.Http2Server | http2.Http2SecureServer>) {
    h2.on('session', (session: http2.ServerHttp2Session) => raiseWindows(session, bytes));
  }
}
