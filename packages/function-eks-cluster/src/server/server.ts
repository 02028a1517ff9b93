/** The gRPC server: TLS with required client certificates, one log line per request. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { Severity } from '@crossplane-org/function-sdk-typescript';
import { runFunction } from '../function.js';
import type { ServerConfig } from './config.js';
import { guardConnections } from './connection-limits.js';
import { MAX_CONCURRENT_STREAMS, raiseWindowsOnSessions } from './flow-control.js';
import type { Logger } from './log.js';
import { NO_METRICS, type RequestMetrics } from './metrics.js';
import { decodeRequest } from './request-codec.js';
import { encodeResponseView } from './response-codec.js';

/**
 * The SDK's service, with two changes. Responses are written by our encoder:
 * the same bytes, a fraction of the time (as a view that grpc-js copies at
 * once into its framed message: @grpc/grpc-js is pinned, and test/grpc.test.ts
 * checks the bytes that arrive); requests are read by our decoder
 * (request-codec.ts), likewise. Requests stay bytes until their
 * handler runs: grpc-js decodes a message when it arrives but calls the
 * handler only at the end of its stream, so under load dozens of decoded
 * requests would wait, survive young-generation collections and be promoted;
 * decoded just in time, they die young.
 */
const SERVICE: grpc.ServiceDefinition = {
  runFunction: { ...FunctionRunnerServiceService.runFunction, requestDeserialize: (bytes: Buffer) => bytes, responseSerialize: encodeResponseView },
};

function serverCredentials(config: ServerConfig): grpc.ServerCredentials {
  if (config.insecure) return grpc.ServerCredentials.createInsecure();
  const read = (file: string) => {
    const path = join(config.tlsServerCertsDir, file);
    try {
      return readFileSync(path);
    } catch (error) {
      throw new Error(
        `cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? error}); mount tls.crt, tls.key and ca.crt there, or pass --insecure for local development`,
      );
    }
  };
  const [ca, cert, key] = [read('ca.crt'), read('tls.crt'), read('tls.key')];
  // true: a client without a certificate signed by ca.crt is refused, as the Go SDK does.
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], true);
}

function describeRequest(req: RunFunctionRequest): { xr: string; tag: string } {
  const metadata = req.observed?.composite?.resource?.metadata as { name?: unknown; namespace?: unknown } | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : '?';
  const namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : '';
  return { xr: namespace ? `${namespace}/${name}` : name, tag: req.meta?.tag ?? '' };
}

/** The reason of the response's fatal result ('' if it gives none); undefined when nothing in it is fatal. */
function fatalReason(rsp: RunFunctionResponse): string | undefined {
  for (const r of rsp.results) if (r.severity === Severity.SEVERITY_FATAL) return r.reason ?? '';
  return undefined;
}

/** Answers one RunFunction; never throws. runFunction in production, a stand-in in the benchmark. */
export type Handler = (req: RunFunctionRequest) => RunFunctionResponse;

export function createServer(config: ServerConfig, log: Logger, handler: Handler = runFunction, metrics: RequestMetrics = NO_METRICS): grpc.Server {
  const server = new grpc.Server({
    'grpc.max_receive_message_length': config.maxRecvMessageSize,
    'grpc.max_send_message_length': -1,
    'grpc.max_concurrent_streams': MAX_CONCURRENT_STREAMS,
    // A connection without requests for this long is closed (connection-limits.ts).
    'grpc.max_connection_idle_ms': config.limits.idleTimeoutMs,
  });
  server.addService(SERVICE, {
    runFunction: (call: grpc.ServerUnaryCall<Buffer, RunFunctionResponse>, callback: grpc.sendUnaryData<RunFunctionResponse>) => {
      metrics.started();
      // From the request's bytes to the answer's object: decoding is part of this function's work (request-codec.ts).
      const started = process.hrtime.bigint();
      let req: RunFunctionRequest;
      try {
        req = decodeRequest(call.request);
      } catch {
        metrics.handled('Internal', Number(process.hrtime.bigint() - started) / 1e9, undefined);
        // What grpc-js answers when the service's own deserializer throws.
        callback({ code: grpc.status.INTERNAL, details: 'Error deserializing request' });
        return;
      }
      const rsp = handler(req);
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const reason = fatalReason(rsp);
      metrics.handled('OK', durationMs / 1e3, reason);
      const fields = {
        ...describeRequest(req),
        durationMs: Math.round(durationMs * 1000) / 1000,
        result: reason === undefined ? 'ok' : 'fatal',
        resources: Object.keys(rsp.desired?.resources ?? {}).length,
      };
      if (reason !== undefined) log.warn('RunFunction', { ...fields, reason, message: rsp.results[0]?.message ?? '' });
      else log.info('RunFunction', fields);
      callback(null, rsp);
    },
  });
  return server;
}

/**
 * Binds, or rejects with a message; unlike the SDK's serve(), a failed bind is
 * an error. Connections get wide flow-control windows (flow-control.ts), and
 * at most MAX_CONCURRENT_STREAMS requests in flight (createServer); how many
 * there are, how long their handshakes and uploads take, and the request bytes
 * they hold together are bounded (connection-limits.ts).
 */
export function listen(server: grpc.Server, config: ServerConfig): Promise<number> {
  const credentials = serverCredentials(config);
  return new Promise((resolve, reject) => {
    server.bindAsync(config.address, credentials, (error, port) => {
      if (error) {
        reject(new Error(`cannot listen on ${config.address}: ${error.message}`));
        return;
      }
      raiseWindowsOnSessions(server);
      guardConnections(server, config.limits);
      resolve(port);
    });
  });
}
