/** The built bundle as a separate process, over real gRPC: TLS, failures, the corpus, signals, logs. */
import { createServer, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, RunFunctionRequest, RunFunctionResponse, Severity } from '@crossplane-org/function-sdk-typescript';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLE,
  connect,
  connectRaw,
  freePort,
  type FunctionProcess,
  makePki,
  type Pki,
  reconcileToReady,
  requestFor,
  startFunction,
  xrArb,
  xrDocument,
} from 'workshop';
import { runFunction } from 'function-eks-cluster/src/function.js';
import { BAD_INPUTS, validXr } from './support/bad-inputs.js';
import { VPC_KEY } from 'function-eks-cluster/src/network/resources.js';

const validRequest = () => requestFor(validXr());

function fatalOf(rsp: { results: { severity: Severity; message: string }[] }): string | undefined {
  return rsp.results.find((r) => r.severity === Severity.SEVERITY_FATAL)?.message;
}

async function exitOf(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [BUNDLE, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}

describe('over mTLS', () => {
  let pki: Pki;
  let fn: FunctionProcess;
  beforeAll(async () => {
    pki = makePki();
    fn = await startFunction({ args: ['--tls-server-certs-dir', pki.serverDir] });
  });
  afterAll(async () => {
    await fn.stop();
  });

  it('answers a client with a certificate from the CA', async () => {
    const client = connect(fn.address, grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert));
    const rsp = await client.run(validRequest());
    client.close();
    expect(fatalOf(rsp)).toBeUndefined();
    expect(Object.keys(rsp.desired!.resources)).toContain(VPC_KEY);
  });

  it('refuses a client without a certificate', async () => {
    const client = connect(fn.address, grpc.credentials.createSsl(pki.ca));
    await expect(client.run(validRequest(), 3000)).rejects.toMatchObject({ code: expect.any(Number) });
    client.close();
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const client = connect(fn.address, grpc.credentials.createSsl(pki.ca, pki.stranger.key, pki.stranger.cert));
    await expect(client.run(validRequest(), 3000)).rejects.toMatchObject({ code: expect.any(Number) });
    client.close();
  });

  it('refuses a plaintext client', async () => {
    const client = connect(fn.address);
    await expect(client.run(validRequest(), 3000)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });
});

describe('insecure on loopback', () => {
  let fn: FunctionProcess;
  beforeAll(async () => {
    fn = await startFunction({ args: ['--insecure', '--max-recv-message-size', String(16 * 1024 * 1024)] });
  });
  afterAll(async () => {
    await fn.stop();
  });

  it('answers, and logs one line per request with the XR and the duration', async () => {
    const client = connect(fn.address);
    const rsp = await client.run(validRequest());
    client.close();
    expect(fatalOf(rsp)).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    const lines = fn
      .output()
      .split('\n')
      .filter((l) => l.includes('"msg":"RunFunction"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', xr: 'team-a/team-a', result: 'ok', durationMs: expect.any(Number) });
  });

  it('answers every bad input with a fatal result naming the field, and keeps serving', async () => {
    const client = connect(fn.address);
    for (const bad of BAD_INPUTS) {
      const xr = bad.xr();
      const req = requestFor((xr ?? {}) as Record<string, unknown>, bad.observed?.() ?? {});
      if (!xr) req.observed!.composite = undefined;
      const message = fatalOf(await client.run(req));
      expect(message, bad.name).toContain(`${bad.path}:`);
      expect(message, bad.name).toMatch(bad.fix);
    }
    expect(fatalOf(await client.run(validRequest()))).toBeUndefined();
    client.close();
  });

  it('answers garbage bytes with a gRPC error, and keeps serving', async () => {
    const garbage = new grpc.Client(fn.address, grpc.credentials.createInsecure());
    const path = FunctionRunnerServiceService.runFunction.path;
    for (const bytes of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(64, 0xa5)]) {
      const error = await new Promise<grpc.ServiceError | null>((resolve) => {
        garbage.makeUnaryRequest(
          path,
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          (err) => resolve(err),
        );
      });
      expect(error?.code).toBeDefined();
      expect(error?.code).not.toBe(grpc.status.OK);
    }
    garbage.close();
    const client = connect(fn.address);
    expect(fatalOf(await client.run(validRequest()))).toBeUndefined();
    client.close();
  });
});

describe('limits and failures', () => {
  it('refuses a request above --max-recv-message-size with RESOURCE_EXHAUSTED, and keeps serving', async () => {
    const fn = await startFunction({ args: ['--insecure', '--max-recv-message-size', '1048576'] });
    const client = connect(fn.address);
    const huge = validXr();
    (huge.spec as Record<string, unknown>).tags = { blob: 'x'.repeat(2 * 1024 * 1024) };
    await expect(client.run(requestFor(huge))).rejects.toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    expect(fatalOf(await client.run(validRequest()))).toBeUndefined();
    client.close();
    await fn.stop();
  });

  it('exits non-zero when the port is taken', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    const { code, output } = await exitOf(['--insecure', '--address', `127.0.0.1:${port}`]);
    blocker.close();
    expect(code).not.toBe(0);
    expect(output).toContain(`cannot listen on 127.0.0.1:${port}`);
  });

  it('exits non-zero when the certificates are missing', async () => {
    const { code, output } = await exitOf(['--address', '127.0.0.1:0', '--tls-server-certs-dir', '/nonexistent/certs']);
    expect(code).not.toBe(0);
    expect(output).toContain('cannot read /nonexistent/certs/ca.crt');
  });

  it('exits non-zero on an unknown flag or a bad address', async () => {
    expect((await exitOf(['--insecure', '--bogus'])).code).toBe(2);
    expect((await exitOf(['--insecure', '--address', 'nowhere'])).code).toBe(2);
  });

  it('reads ADDRESS and INSECURE from the environment', async () => {
    const port = await freePort();
    const fn = await startFunction({ args: [], env: { INSECURE: 'true', ADDRESS: `127.0.0.1:${port}` } });
    expect(fn.output()).toContain(`"port":${port}`);
    await fn.stop();
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const fn = await startFunction();
    const code = await fn.stop();
    expect(code).toBe(0);
    expect(fn.output()).toContain('"signal":"SIGTERM"');
  });
});

/**
 * Requests as different as Crossplane sends them at once: generated XRs, each
 * with no observed state, its first waves Ready, or everything Ready.
 */
function differentRequests(count: number): RunFunctionRequest[] {
  return fc.sample(xrArb, { seed: 7, numRuns: count }).map((shape, i) => {
    const xr = xrDocument(shape);
    const observed = i % 3 === 0 ? {} : reconcileToReady(xr, {}, i % 3 === 1 ? 1 : 10).observed;
    return requestFor(xr, observed, `concurrent-${i}`);
  });
}

describe('concurrent, different requests', () => {
  /*
   * The server writes every response from one reused buffer and hands grpc-js a
   * view of it (src/server/response-codec.ts), which is safe only while grpc-js
   * copies it before the next response is written. Many requests in flight on
   * several connections: each answer must be exactly the SDK's encoding of its
   * own response, not bytes of another.
   */
  it('each come back with their own bytes, as the SDK encodes its answer', async () => {
    const fn = await startFunction({ args: ['--insecure', '--max-recv-message-size', String(16 * 1024 * 1024)] });
    const requests = differentRequests(60);
    const expected = requests.map((req) => Buffer.from(RunFunctionResponse.encode(runFunction(req)).finish()));
    expect(new Set(expected.map((b) => b.toString('base64'))).size, 'every answer differs').toBe(requests.length);
    const clients = Array.from({ length: 4 }, () => connectRaw(fn.address));
    const answers = await Promise.all(requests.map((req, i) => clients[i % clients.length]!.run(Buffer.from(RunFunctionRequest.encode(req).finish()), 60_000)));
    for (const c of clients) c.close();
    await fn.stop();
    const wrong = answers.flatMap((bytes, i) =>
      bytes.equals(expected[i]!) ? [] : [`${requests[i]!.meta!.tag}: ${bytes.length} bytes, expected ${expected[i]!.length}`],
    );
    expect(wrong).toEqual([]);
    const sizes = expected.map((b) => b.length);
    expect(Math.max(...sizes), 'answers from a few KiB to hundreds of KiB').toBeGreaterThan(8 * Math.min(...sizes));
  });
});
