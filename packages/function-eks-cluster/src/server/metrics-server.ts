/**
 * /metrics over plain HTTP, in the Prometheus text format, on the address the
 * operator chose (--metrics-address). Plain HTTP as Crossplane's own metrics
 * and the Go SDK's are: the figures are counts and timings, no XR's content.
 * Unlike the Go SDK, a failed bind is an error at startup, not silence.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { FunctionMetrics } from './metrics.js';

type Exposition = Pick<FunctionMetrics, 'contentType' | 'exposition'>;

export const METRICS_PATH = '/metrics';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** "0.0.0.0:8080" -> host and port; "[::]:8080" -> "::" and 8080. */
function hostAndPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(':');
  return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(colon + 1)) };
}

async function answer(metrics: Exposition, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: metrics are served at GET ${METRICS_PATH}\n`);
    return;
  }
  try {
    const body = await metrics.exposition();
    res.writeHead(200, { 'Content-Type': metrics.contentType });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch (error) {
    res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`cannot collect metrics: ${(error as Error).message}\n`);
  }
}

/** Listens on `address` (HOST:PORT, as server/config.ts gives it), or rejects with a message naming it. */
export function listenMetrics(metrics: Exposition, address: string): Promise<MetricsServer> {
  const server = createServer((req, res) => void answer(metrics, req, res));
  const { host, port } = hostAndPort(address);
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`cannot serve metrics on ${address}: ${error.message}`)));
    server.listen(port, host, () => {
      const bound = server.address();
      resolve({
        port: typeof bound === 'object' && bound ? bound.port : port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // A scraper keeps its connection open between scrapes; shutdown does not wait for the next one.
            server.closeAllConnections();
          }),
      });
    });
  });
}
