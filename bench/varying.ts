/**
 * Requests that all differ: the verdict rows of the benchmark must not be
 * answerable by any cache of a whole request (compose/memo.ts keeps plans
 * while what they read is unchanged, and Crossplane's meta.tag is a digest of
 * the request). Each request gets its own meta.tag, XR resourceVersion and
 * resourceVersion of one observed resource: what a real poll changes when
 * something did change, while what the function composes stays the same.
 */
import type { RunFunctionRequest } from '@crossplane-org/function-sdk-typescript';
import type { JsonObject } from 'function-eks-cluster/src/api/schema-builder.js';
import { decodeRequest } from 'function-eks-cluster/src/server/request-codec.js';
import { encodeRequest } from './scenarios.js';

const DIGITS = 12;
const MARKS = { tag: 'tag-', composite: 'xr-', observed: 'mr-' } as const;

function mark(prefix: string): string {
  return `${prefix}${'#'.repeat(DIGITS)}`;
}

function withMarks(request: RunFunctionRequest): RunFunctionRequest {
  const req = structuredClone(request);
  const text = mark;
  req.meta = { ...req.meta!, tag: text(MARKS.tag) };
  const composite = req.observed!.composite!.resource as JsonObject;
  composite.metadata = { ...(composite.metadata as JsonObject), resourceVersion: text(MARKS.composite) };
  const first = Object.keys(req.observed!.resources).sort()[0];
  if (first !== undefined) {
    const observed = req.observed!.resources[first]!.resource as JsonObject;
    observed.metadata = { ...(observed.metadata as JsonObject), resourceVersion: text(MARKS.observed) };
  }
  return req;
}

/** The request's bytes, each call with new values in place of the marks (same length, so every protobuf length stays right). */
export function varyingBodies(request: RunFunctionRequest): () => Buffer {
  const template = encodeRequest(withMarks(request));
  const offsets = Object.values(MARKS).flatMap((prefix) => {
    const at = template.indexOf(mark(prefix));
    return at < 0 ? [] : [at + prefix.length];
  });
  let n = 0;
  return () => {
    const body = Buffer.from(template);
    const digits = String(++n).padStart(DIGITS, '0');
    for (const at of offsets) body.write(digits, at, 'latin1');
    return body;
  };
}

/**
 * Decoded requests that differ likewise, for the in-process timing: each one
 * decoded from new bytes by the server's decoder, just before it is used, as
 * the server does (so it is as fresh in memory as a request the server handles).
 */
export function varyingRequests(request: RunFunctionRequest): () => RunFunctionRequest {
  const next = varyingBodies(request);
  return () => decodeRequest(next());
}
