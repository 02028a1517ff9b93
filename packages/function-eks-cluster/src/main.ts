/** The process entry: flags and environment, TLS, signals. All the I/O lives here and in server/. */
import { planMemoStats, runFunction } from './function.js';
import { parseConfig, USAGE } from './server/config.js';
import { jsonLogger } from './server/log.js';
import { listenMetrics, type MetricsServer } from './server/metrics-server.js';
import { createMetrics, NO_METRICS } from './server/metrics.js';
import { createServer, listen } from './server/server.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<number> {
  const parsed = parseConfig(process.argv.slice(2), process.env);
  if (parsed.ok === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!parsed.ok) {
    process.stderr.write(`function-eks-cluster: ${parsed.message}\n`);
    return 2;
  }
  const { config } = parsed;
  const log = jsonLogger(config.debug);
  const metrics = config.metricsAddress ? createMetrics(planMemoStats) : undefined;
  const server = createServer(config, log, runFunction, metrics ?? NO_METRICS);
  let metricsServer: MetricsServer | undefined;

  // Handlers go in before anything announces readiness: a SIGTERM that arrives
  // between "serving" and their installation would otherwise kill the process.
  let resolveStopped: (code: number) => void = () => {};
  const stopped = new Promise<number>((resolve) => (resolveStopped = resolve));
  const stop = (signal: string) => {
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      server.forceShutdown();
      resolveStopped(0);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    // Metrics stop at once: a scrape during shutdown would only show a process on its way out.
    void metricsServer?.close();
    server.tryShutdown(() => resolveStopped(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  try {
    if (metrics) metricsServer = await listenMetrics(metrics, config.metricsAddress);
    const port = await listen(server, config);
    const metricsFields = metricsServer ? { metricsAddress: config.metricsAddress, metricsPort: metricsServer.port } : {};
    log.info('serving', {
      address: config.address,
      port,
      tls: !config.insecure,
      maxRecvMessageSize: config.maxRecvMessageSize,
      ...metricsFields,
      limits: config.limits,
    });
  } catch (error) {
    log.error('startup failed', { error: (error as Error).message });
    return 1;
  }
  return stopped;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`function-eks-cluster: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
