/**
 * The floor of the benchmark: the same flags, logging, server and SDK as
 * src/main.ts, with a handler that returns the desired state untouched. What
 * it costs is what gRPC, protobuf and the server cost; the rest is ours.
 * Bundled into bench/dist/noop.cjs by the function's scripts/build.mjs (`nx run bench:build`).
 */
import { parseConfig } from 'function-eks-cluster/src/server/config.js';
import { jsonLogger } from 'function-eks-cluster/src/server/log.js';
import { createServer, listen } from 'function-eks-cluster/src/server/server.js';
import { noopHandler } from './noop-handler.js';

const parsed = parseConfig(process.argv.slice(2), process.env);
if (parsed.ok !== true) {
  process.stderr.write(`noop function: ${parsed.ok === 'help' ? 'takes the flags of function-eks-cluster' : parsed.message}\n`);
  process.exit(2);
}
const { config } = parsed;
const log = jsonLogger(config.debug);
listen(createServer(config, log, noopHandler), config).then(
  (port) => log.info('serving', { address: config.address, port, tls: !config.insecure, function: 'noop' }),
  (error: unknown) => {
    log.error('startup failed', { error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
