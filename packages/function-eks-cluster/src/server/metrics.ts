/**
 * What the function tells Prometheus. The grpc_server_* families carry the
 * names and labels that functions built on the Go SDK serve (function-sdk-go's
 * server interceptor, from go-grpc-middleware's Prometheus provider), so that
 * a platform's dashboards and alerts for functions apply unchanged; the
 * function_eks_cluster_* families are this function's own; process_* and
 * nodejs_* are prom-client's defaults. docs/operations.md lists every one.
 *
 * Cheap per request: prom-client builds and checks a label set's key on every
 * labelled update (1-5 µs each; docs/operations.md, "What the metrics cost"),
 * so the handler only adds to plain numbers that the counters read when
 * scraped, and observes one histogram that has no labels of its own: the gRPC
 * labels, the same on every sample, are its registry's default labels.
 */
import { FunctionRunnerServiceService } from '@crossplane-org/function-sdk-typescript';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PlanMemoStats } from '../function.js';

/** The status codes this server answers with, as grpc-go names them (codes.Code's String()). */
export type GrpcCode = 'OK' | 'Internal';

/** What the gRPC handler reports; NO_METRICS when metrics are not served. */
export interface RequestMetrics {
  /** A request arrived and is about to be decoded. */
  started(): void;
  /** A request was answered: how, after how long (decode and compose), and the reason of its fatal result if it has one. */
  handled(code: GrpcCode, seconds: number, fatalReason: string | undefined): void;
}

export const NO_METRICS: RequestMetrics = { started() {}, handled() {} };

export interface FunctionMetrics extends RequestMetrics {
  /** The Content-Type of the exposition. */
  readonly contentType: string;
  /** Every metric, in the Prometheus text format. */
  exposition(): Promise<string>;
}

/**
 * Upper bounds of the latency histogram, in seconds. The Go SDK's would be
 * Prometheus' defaults, which start at 5 ms; this function answers the
 * production example in 1-3 ms and a first plan in tens of ms, so the
 * buckets start at 0.5 ms and end where a request has certainly gone wrong.
 */
export const LATENCY_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The fatal reasons function.ts gives, shown at 0 from the start so that rate() and increase() see their first one. */
export const FATAL_REASONS: readonly string[] = ['InvalidSpec', 'InternalError'];

const GRPC_CODES: readonly GrpcCode[] = ['OK', 'Internal'];

/** grpc_type, grpc_service and grpc_method, from the path the server serves: /apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction. */
function rpcLabels(): Record<string, string> {
  const [, service = '', method = ''] = FunctionRunnerServiceService.runFunction.path.split('/');
  return { grpc_type: 'unary', grpc_service: service, grpc_method: method };
}

type Totals = () => Iterable<readonly [Record<string, string>, number]>;

/** A counter whose value is a running total kept elsewhere, read when scraped. */
function totalCounter(registry: Registry, name: string, help: string, labelNames: readonly string[], totals: Totals): void {
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, total] of totals()) this.inc(labels, total);
    },
  });
}

/** A registry with every metric, and the recorder the gRPC handler calls. `memo` is read when scraped. */
export function createMetrics(memo: () => PlanMemoStats): FunctionMetrics {
  const tally = { started: 0, handled: new Map(GRPC_CODES.map((code) => [code, 0])), fatal: new Map(FATAL_REASONS.map((reason) => [reason, 0])) };
  const answered = () => tally.handled.get('OK')!;

  // The gRPC families, with the labels of the one method served as default labels.
  const grpc = new Registry();
  grpc.setDefaultLabels(rpcLabels());
  totalCounter(grpc, 'grpc_server_started_total', 'Total number of RPCs started on the server.', [], () => [[{}, tally.started]]);
  totalCounter(grpc, 'grpc_server_msg_received_total', 'Total number of RPC stream messages received on the server.', [], () => [[{}, tally.started]]);
  totalCounter(grpc, 'grpc_server_msg_sent_total', 'Total number of gRPC stream messages sent by the server.', [], () => [[{}, answered()]]);
  totalCounter(grpc, 'grpc_server_handled_total', 'Total number of RPCs completed on the server, regardless of success or failure.', ['grpc_code'], () =>
    [...tally.handled].map(([code, total]) => [{ grpc_code: code }, total] as const),
  );
  const latency = new Histogram({
    name: 'grpc_server_handling_seconds',
    help: 'Histogram of response latency (seconds) of gRPC that had been application-level handled by the server: decoding the request and composing the answer.',
    buckets: [...LATENCY_BUCKETS],
    registers: [grpc],
  });

  const own = new Registry();
  totalCounter(
    own,
    'function_eks_cluster_fatal_results_total',
    'RunFunction answers with a fatal result, by its reason: InvalidSpec (the XR asks for what cannot be done), InternalError (a bug).',
    ['reason'],
    () => [...tally.fatal].map(([reason, total]) => [{ reason }, total] as const),
  );
  totalCounter(
    own,
    'function_eks_cluster_plan_memo_lookups_total',
    'Requests answered from a kept plan (result="hit") and plans made (result="miss"); src/compose/memo.ts.',
    ['result'],
    () => {
      const { hits, misses } = memo();
      return [
        [{ result: 'hit' }, hits],
        [{ result: 'miss' }, misses],
      ];
    },
  );
  new Gauge({
    name: 'function_eks_cluster_plan_memo_xrs',
    help: 'XRs the plan memo holds (a kept plan or a first sighting); at its capacity (64), more XRs than that polled in turn miss every time.',
    registers: [own],
    collect() {
      this.set(memo().size);
    },
  });
  collectDefaultMetrics({ register: own });

  return {
    contentType: own.contentType,
    exposition: async () => `${await grpc.metrics()}\n${await own.metrics()}`,
    started() {
      tally.started++;
    },
    handled(code, seconds, fatalReason) {
      tally.handled.set(code, tally.handled.get(code)! + 1);
      latency.observe(seconds);
      if (fatalReason !== undefined) tally.fatal.set(fatalReason, (tally.fatal.get(fatalReason) ?? 0) + 1);
    },
  };
}
