/**
 * Runs the built bundle as a separate process on loopback and talks to it over
 * real gRPC. Used by `npm start`, the gRPC tests and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import {
  FunctionRunnerServiceService,
  type RunFunctionRequest,
  type RunFunctionResponse,
} from '@crossplane-org/function-sdk-typescript';

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUNDLE = join(PACKAGE_ROOT, 'dist', 'main.cjs');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface FunctionProcess {
  readonly address: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Resolve once this text appears in the output (default: the "serving" log line). */
  readyText?: string;
  timeoutMs?: number;
}

/** Starts `node dist/main.cjs` on a free loopback port and waits until it serves. */
export async function startFunction(options: StartOptions = {}): Promise<FunctionProcess> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing; run: npx nx build function-eks-cluster`);
  // An ADDRESS in the environment is under test itself; otherwise pick a free loopback port.
  const address = options.env?.ADDRESS ?? `127.0.0.1:${await freePort()}`;
  const addressFlag = options.env?.ADDRESS ? [] : ['--address', address];
  const args = options.args ?? ['--insecure'];
  const child = spawn(process.execPath, [BUNDLE, ...addressFlag, ...args], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`function did not start within ${options.timeoutMs ?? 10000} ms:\n${output}`)), options.timeoutMs ?? 10000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(options.readyText ?? '"msg":"serving"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`function exited with ${code} before serving:\n${output}`));
    });
  });
  return {
    address,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

const ClientConstructor = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, 'FunctionRunnerService');

export interface FunctionClient {
  run(req: RunFunctionRequest, deadlineMs?: number): Promise<RunFunctionResponse>;
  close(): void;
}

export function connect(address: string, credentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}): FunctionClient {
  const client = new ClientConstructor(address, credentials, { 'grpc.max_send_message_length': -1, ...options });
  return {
    run: (req, deadlineMs = 10000) =>
      new Promise((resolve, reject) => {
        const method = (client as unknown as Record<string, unknown>).runFunction as (
          req: RunFunctionRequest,
          metadata: grpc.Metadata,
          options: grpc.CallOptions,
          callback: (error: grpc.ServiceError | null, rsp: RunFunctionResponse) => void,
        ) => void;
        method.call(client, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, rsp) =>
          error ? reject(error) : resolve(rsp),
        );
      }),
    close: () => client.close(),
  };
}

/** A request as Crossplane sends it: the XR, plus observed composed resources by name. */
export function requestFor(xr: Record<string, unknown>, observed: Record<string, Record<string, unknown>> = {}, tag = 'local'): RunFunctionRequest {
  return {
    meta: { tag, capabilities: [] },
    observed: {
      composite: { resource: xr, connectionDetails: {}, ready: 0 },
      resources: Object.fromEntries(
        Object.entries(observed).map(([key, resource]) => [key, { resource, connectionDetails: {}, ready: 0 }]),
      ),
    },
    desired: { composite: undefined, resources: {} },
    input: undefined,
    context: undefined,
    extraResources: {},
    credentials: {},
    requiredResources: {},
    requiredSchemas: {},
  };
}
