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
import { FunctionRunnerServiceService, type RunFunctionRequest, type RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The function's package (packages/function-eks-cluster), whose dist/ holds the bundle. */
export const PACKAGE_ROOT = join(REPO_ROOT, 'packages', 'function-eks-cluster');
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
  /** Another bundle on the same flags, e.g. the benchmark's floor (default: dist/main.cjs). */
  bundle?: string;
  /** Flags for node itself, before the bundle, e.g. --cpu-prof. */
  nodeArgs?: string[];
  /** The node executable (default: the one running this process), e.g. the image's (packages/function-image/node-binary.ts). */
  node?: string;
  /** Keep only the last this many characters of output (default: all); for long load runs. */
  maxOutputChars?: number;
}

export interface Serving {
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  /** Everything the process printed so far. */
  output(): string;
}

/** Waits until a started function process prints its ready line; rejects if it exits or times out first. */
export async function untilServing(child: ChildProcess, options: Pick<StartOptions, 'readyText' | 'timeoutMs' | 'maxOutputChars'> = {}): Promise<Serving> {
  const timeoutMs = options.timeoutMs ?? 10000;
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ready = false;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`function did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.maxOutputChars !== undefined && output.length > options.maxOutputChars) output = output.slice(-options.maxOutputChars);
      if (!ready && output.includes(options.readyText ?? '"msg":"serving"')) {
        ready = true;
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
  return { exited, output: () => output };
}

/** Starts `node dist/main.cjs` on a free loopback port and waits until it serves. */
export async function startFunction(options: StartOptions = {}): Promise<FunctionProcess> {
  const bundle = options.bundle ?? BUNDLE;
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing; run: npx nx build function-eks-cluster`);
  // An ADDRESS in the environment is under test itself; otherwise pick a free loopback port.
  const address = options.env?.ADDRESS ?? `127.0.0.1:${await freePort()}`;
  const addressFlag = options.env?.ADDRESS ? [] : ['--address', address];
  const args = options.args ?? ['--insecure'];
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), bundle, ...addressFlag, ...args], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { exited, output } = await untilServing(child, options);
  return {
    address,
    child,
    output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

const ClientConstructor = grpc.makeGenericClientConstructor(FunctionRunnerServiceService, 'FunctionRunnerService');

/** The same service with requests encoded beforehand and responses left as bytes. */
const RawClientConstructor = grpc.makeGenericClientConstructor(
  {
    runFunction: {
      ...FunctionRunnerServiceService.runFunction,
      requestSerialize: (bytes: Buffer) => bytes,
      responseDeserialize: (bytes: Buffer) => bytes,
    },
  },
  'FunctionRunnerService',
);

export interface UnaryClient<Req, Rsp> {
  run(req: Req, deadlineMs?: number): Promise<Rsp>;
  close(): void;
}

export type FunctionClient = UnaryClient<RunFunctionRequest, RunFunctionResponse>;

function unaryClient<Req, Rsp>(
  constructor: grpc.ServiceClientConstructor,
  address: string,
  credentials: grpc.ChannelCredentials,
  options: grpc.ClientOptions,
): UnaryClient<Req, Rsp> {
  const client = new constructor(address, credentials, { 'grpc.max_send_message_length': -1, ...options });
  return {
    run: (req, deadlineMs = 10000) =>
      new Promise((resolve, reject) => {
        const method = (client as unknown as Record<string, unknown>).runFunction as (
          req: Req,
          metadata: grpc.Metadata,
          options: grpc.CallOptions,
          callback: (error: grpc.ServiceError | null, rsp: Rsp) => void,
        ) => void;
        method.call(client, req, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, rsp) => (error ? reject(error) : resolve(rsp)));
      }),
    close: () => client.close(),
  };
}

export function connect(address: string, credentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}): FunctionClient {
  return unaryClient(ClientConstructor, address, credentials, options);
}

/**
 * A client that sends RunFunctionRequest.encode(...) bytes as they are and
 * returns the response bytes undecoded: the benchmark's load driver, so that
 * the client, on the same machine, spends no CPU on protobuf.
 */
export function connectRaw(address: string, credentials = grpc.credentials.createInsecure(), options: grpc.ClientOptions = {}): UnaryClient<Buffer, Buffer> {
  return unaryClient(RawClientConstructor, address, credentials, options);
}

/** A request as Crossplane sends it: the XR, plus observed composed resources by name. */
export function requestFor(xr: Record<string, unknown>, observed: Record<string, Record<string, unknown>> = {}, tag = 'local'): RunFunctionRequest {
  return {
    meta: { tag, capabilities: [] },
    observed: {
      composite: { resource: xr, connectionDetails: {}, ready: 0 },
      resources: Object.fromEntries(Object.entries(observed).map(([key, resource]) => [key, { resource, connectionDetails: {}, ready: 0 }])),
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
