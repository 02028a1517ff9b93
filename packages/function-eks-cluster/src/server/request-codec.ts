/**
 * Protobuf bytes to RunFunctionRequest: what the SDK's RunFunctionRequest.decode
 * gives for every field the function reads, without its costs. The SDK
 * decodes each google.protobuf.Struct into Struct and Value messages (a
 * Value object of six fields per JSON value, a map-entry object per key) and
 * then copies them once more into plain objects; a request with 100+ observed
 * resources holds tens of thousands of JSON values. This reader builds the
 * plain objects directly, in one pass.
 *
 * It follows the SDK's generated decoders step by step, so that edge cases
 * come out the same: the wire rules of the SDK's reader (@bufbuild/protobuf's
 * BinaryReader: varints, bounds, UTF-8), a field with
 * an unexpected wire type skipped, an end-group tag or tag 0 ending the
 * message, the last of repeated scalar fields winning, a map entry without a
 * value dropped, a Value with several kinds set read in the SDK's order
 * (string, number, bool, struct, list, null), the same nesting limit. A key
 * "__proto__" is dropped, which is what the SDK's objects end up with too.
 *
 * Skipped, left at their empty defaults: what the function never reads. The
 * input (the function takes none), credentials (secrets stay bytes), extra,
 * required resources and schemas, the capabilities, the connection details
 * of observed resources, and of observed composed resources all but
 * OBSERVED_READS. Skipped fields are stepped over as the wire format allows,
 * without looking inside them.
 */
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { RunFunctionRequest, type Resource, type State } from '@crossplane-org/function-sdk-typescript';

/** The SDK's nesting limit: every message level counts, as in its generated code. */
const MAX_DEPTH = 100;
const END_GROUP = 4;
type JsonObject = Record<string, unknown>;

/** The SDK's UTF-8 decoding (@bufbuild/protobuf's): invalid bytes become U+FFFD. */
const utf8 = new TextDecoder();
/** Strings up to this many bytes go through the cache below. */
const CACHED_MAX_BYTES = 64;
const CACHE_SLOTS = 4096;
/**
 * Recently read short ASCII strings, by a hash of their length and three of
 * their bytes. Keys and many values repeat from resource to resource ("apiVersion", "Ready", a region):
 * comparing bytes with a cached string costs a fraction of making a new one.
 */
const cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);

/**
 * The wire reader: @bufbuild/protobuf's BinaryReader, which the SDK uses,
 * with the same varint, bounds and UTF-8 rules, and strings cached. Rare
 * operations (skipping a group or a fixed-width field, a bool of more than
 * one byte) are left to a BinaryReader on the same bytes.
 */
class Reader {
  pos = 0;
  readonly len: number;
  private readonly view: DataView;
  private wire: BinaryReader | undefined;

  constructor(readonly buf: Uint8Array) {
    this.len = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private assertBounds(): void {
    if (this.pos > this.len) throw new RangeError('premature EOF');
  }

  /** BinaryReader.uint32: a varint of up to ten bytes, its low 32 bits. */
  uint32(): number {
    const buf = this.buf;
    let b = buf[this.pos++]!;
    if ((b & 0x80) === 0) {
      this.assertBounds();
      return b;
    }
    let result = b & 0x7f;
    for (let shift = 7; shift < 28; shift += 7) {
      b = buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.assertBounds();
        return result;
      }
    }
    b = buf[this.pos++]!;
    result |= (b & 0x0f) << 28;
    for (let read = 5; (b & 0x80) !== 0 && read < 10; read++) b = buf[this.pos++]!;
    if ((b & 0x80) !== 0) throw new Error('invalid varint');
    this.assertBounds();
    return result >>> 0;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  double(): number {
    this.pos += 8;
    return this.view.getFloat64(this.pos - 8, true);
  }

  bool(): boolean {
    const b = this.buf[this.pos]!;
    if (b < 0x80) {
      this.pos++;
      return b !== 0;
    }
    return this.wireReader((r) => r.bool());
  }

  bytes(): Uint8Array {
    const len = this.uint32();
    const start = this.pos;
    this.pos += len;
    this.assertBounds();
    return this.buf.subarray(start, start + len);
  }

  string(): string {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    this.assertBounds();
    const buf = this.buf;
    if (len === 0) return '';
    if (len > CACHED_MAX_BYTES) return utf8.decode(buf.subarray(start, end));
    // A hash of the length and three bytes, not of every byte: the comparison below reads them all anyway.
    const slot = (len * 31 + buf[start]! * 7 + buf[end - 1]! * 131 + buf[start + (len >> 1)]! * 17) & (CACHE_SLOTS - 1);
    const hit = cache[slot];
    if (hit !== undefined && hit.length === len) {
      let i = 0;
      while (i < len && hit.charCodeAt(i) === buf[start + i]) i++;
      if (i === len) return hit;
    }
    for (let i = start; i < end; i++) if (buf[i]! > 0x7f) return utf8.decode(buf.subarray(start, end));
    const text = String.fromCharCode.apply(null, buf.subarray(start, end) as unknown as number[]);
    cache[slot] = text;
    return text;
  }

  /** BinaryReader.skip: length-delimited fields here, the rare rest there. */
  skip(wireType: number): void {
    if (wireType !== 2) {
      this.wireReader((r) => r.skip(wireType));
      return;
    }
    const len = this.uint32();
    this.pos += len;
    this.assertBounds();
  }

  private wireReader<T>(read: (r: BinaryReader) => T): T {
    const r = (this.wire ??= new BinaryReader(this.buf));
    r.pos = this.pos;
    try {
      return read(r);
    } finally {
      this.pos = r.pos;
    }
  }
}

function enter(depth: number): void {
  if (depth >= MAX_DEPTH) throw new Error('protobuf decode recursion limit exceeded');
}

/** True when the message's fields are over: an end-group tag or tag 0, as the SDK's loop sees it. */
function ends(tag: number): boolean {
  return (tag & 7) === END_GROUP || tag === 0;
}

/**
 * Which keys of a JSON object to decode: a key mapped to true is kept whole,
 * to false skipped, to a Reads decoded with it; a key not listed follows "*"
 * (skipped when there is no "*"). Undefined: everything.
 */
export interface Reads {
  readonly [key: string]: Reads | boolean;
}

/**
 * What the function reads of an observed composed resource: its kind, name,
 * labels and annotations, its spec (a resource no longer wanted that a leaving
 * one still uses is composed again as it is: lifecycle/leaving.ts) and
 * status.atProvider (but not the tags AWS reports, which it never reads), the
 * type, status, reason and message of status.conditions (not their times and
 * generations), and the data of a plain object (the Flux ConfigMap keeps its
 * cluster ARN from it).
 * test/request-codec.test.ts checks that everything it reads on the test
 * corpus lies inside this, and that its answers are the same bytes as with
 * the SDK's whole decoding.
 */
export const OBSERVED_READS: Reads = {
  apiVersion: true,
  kind: true,
  metadata: { name: true, namespace: true, annotations: true, labels: true },
  spec: { '*': true, forProvider: { '*': true, tagsAll: false } },
  status: { atProvider: { '*': true, tags: false, tagsAll: false }, conditions: { type: true, status: true, reason: true, message: true } },
  data: true,
};

/** Reads as the decoder looks them up, once per key of every object: a Map per level. */
interface KeyReads {
  readonly byKey: ReadonlyMap<string, KeyReads | boolean>;
  /** What "*" says: for every key not listed. */
  readonly other: KeyReads | boolean;
}

function keyReads(reads: Reads): KeyReads {
  const rule = (r: Reads | boolean | undefined): KeyReads | boolean => (typeof r === 'object' ? keyReads(r) : r === true);
  const byKey = new Map<string, KeyReads | boolean>();
  for (const [key, r] of Object.entries(reads)) if (key !== '*') byKey.set(key, rule(r));
  return { byKey, other: rule(reads['*']) };
}

const OBSERVED_KEY_READS = keyReads(OBSERVED_READS);

/** The reads for `key` under `reads`: undefined keeps everything, false skips. */
function readsOf(reads: KeyReads | undefined, key: string): KeyReads | false | undefined {
  if (reads === undefined) return undefined;
  const own = reads.byKey.get(key) ?? reads.other;
  return own === true ? undefined : own;
}

function struct(r: Reader, length: number, depth: number, reads?: KeyReads): JsonObject {
  enter(depth);
  const end = r.pos + length;
  const object: JsonObject = {};
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      structField(r, r.uint32(), depth + 1, object, reads);
      continue;
    }
    if (ends(tag)) break;
    r.skip(tag & 7);
  }
  return object;
}

/**
 * One Struct.FieldsEntry, set on `object` as the SDK's map assignment does.
 * Its key comes first on the wire (every protobuf encoder writes fields in
 * order); a value met before its key is decoded whole and dropped after if unread.
 */
function structField(r: Reader, length: number, depth: number, object: JsonObject, reads: KeyReads | undefined): void {
  enter(depth);
  const end = r.pos + length;
  let key = '';
  let keyRead = false;
  let value: unknown;
  // The key the value was read under, when the key came first: its reads need no second look.
  let valueKey: string | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      key = r.string();
      keyRead = true;
      continue;
    }
    if (tag === 18) {
      const sub = keyRead ? readsOf(reads, key) : undefined;
      if (sub === false) {
        r.skip(2);
        value = undefined;
      } else value = jsonValue(r, r.uint32(), depth + 1, sub);
      valueKey = keyRead ? key : undefined;
      continue;
    }
    if (ends(tag)) break;
    r.skip(tag & 7);
  }
  if (value === undefined || key === '__proto__') return;
  if (valueKey !== key && readsOf(reads, key) === false) return;
  object[key] = value;
}

/** A google.protobuf.Value as the JSON value Value.unwrap gives. */
function jsonValue(r: Reader, length: number, depth: number, reads: KeyReads | undefined): unknown {
  enter(depth);
  const end = r.pos + length;
  let nullValue: number | undefined;
  let numberValue: number | undefined;
  let stringValue: string | undefined;
  let boolValue: boolean | undefined;
  let structValue: JsonObject | undefined;
  let listValue: unknown[] | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag) {
      case 8:
        nullValue = r.int32();
        continue;
      case 17:
        numberValue = r.double();
        continue;
      case 26:
        stringValue = r.string();
        continue;
      case 32:
        boolValue = r.bool();
        continue;
      case 42:
        structValue = struct(r, r.uint32(), depth + 1, reads);
        continue;
      case 50:
        listValue = list(r, r.uint32(), depth + 1, reads);
        continue;
    }
    if (ends(tag)) break;
    r.skip(tag & 7);
  }
  if (stringValue !== undefined) return stringValue;
  if (numberValue !== undefined) return numberValue;
  if (boolValue !== undefined) return boolValue;
  if (structValue !== undefined) return structValue;
  if (listValue !== undefined) return listValue;
  return nullValue !== undefined ? null : undefined;
}

/** A ListValue; `reads` applies to each object in it. */
function list(r: Reader, length: number, depth: number, reads: KeyReads | undefined): unknown[] {
  enter(depth);
  const end = r.pos + length;
  const values: unknown[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 10) {
      values.push(jsonValue(r, r.uint32(), depth + 1, reads));
      continue;
    }
    if (ends(tag)) break;
    r.skip(tag & 7);
  }
  return values;
}

/**
 * A message's fields, in the loop the SDK's generated decoders run: `field`
 * reads the field of a tag it knows and says so; other fields are skipped,
 * an end-group tag or tag 0 ends the message. For the messages met once or a
 * few times per resource; the JSON ones above spell the loop out, being hot.
 */
function fields(r: Reader, length: number, depth: number, field: (tag: number) => boolean): void {
  enter(depth);
  const end = r.pos + length;
  while (r.pos < end) {
    const tag = r.uint32();
    if (field(tag)) continue;
    if (ends(tag)) break;
    r.skip(tag & 7);
  }
}

function connectionDetail(r: Reader, length: number, depth: number, details: Record<string, Buffer>): void {
  let key = '';
  let value = Buffer.alloc(0);
  fields(r, length, depth, (tag) => {
    if (tag === 10) key = r.string();
    else if (tag === 18) value = Buffer.from(r.bytes());
    else return false;
    return true;
  });
  if (key !== '__proto__') details[key] = value;
}

/**
 * A Resource. Observed ones (`observed`) lose their connection details, which
 * the function never reads, and observed composed ones keep only OBSERVED_READS.
 */
function resource(r: Reader, length: number, depth: number, observed: boolean, reads: KeyReads | undefined): Resource {
  const message: Resource = { resource: undefined, connectionDetails: {}, ready: 0 };
  fields(r, length, depth, (tag) => {
    if (tag === 10) message.resource = struct(r, r.uint32(), depth + 1, reads);
    else if (tag === 18 && !observed) connectionDetail(r, r.uint32(), depth + 1, message.connectionDetails);
    else if (tag === 24) message.ready = r.int32();
    else return false;
    return true;
  });
  return message;
}

function resourcesEntry(r: Reader, length: number, depth: number, observed: boolean, resources: Record<string, Resource>): void {
  let key = '';
  let value: Resource | undefined;
  fields(r, length, depth, (tag) => {
    if (tag === 10) key = r.string();
    else if (tag === 18) value = resource(r, r.uint32(), depth + 1, observed, observed ? OBSERVED_KEY_READS : undefined);
    else return false;
    return true;
  });
  if (value !== undefined && key !== '__proto__') resources[key] = value;
}

function state(r: Reader, length: number, depth: number, observed: boolean): State {
  const message: State = { composite: undefined, resources: {} };
  fields(r, length, depth, (tag) => {
    if (tag === 10) message.composite = resource(r, r.uint32(), depth + 1, observed, undefined);
    else if (tag === 18) resourcesEntry(r, r.uint32(), depth + 1, observed, message.resources);
    else return false;
    return true;
  });
  return message;
}

function requestMeta(r: Reader, length: number, depth: number): NonNullable<RunFunctionRequest['meta']> {
  const message = { tag: '', capabilities: [] };
  fields(r, length, depth, (tag) => {
    if (tag !== 10) return false;
    message.tag = r.string();
    return true;
  });
  return message;
}

/** The request, as RunFunctionRequest.decode gives it for every field the function reads; throws where it throws. */
export function decodeRequest(bytes: Uint8Array): RunFunctionRequest {
  const r = new Reader(bytes);
  const message = RunFunctionRequest.fromPartial({});
  fields(r, r.len, 0, (tag) => {
    if (tag === 10) message.meta = requestMeta(r, r.uint32(), 1);
    else if (tag === 18) message.observed = state(r, r.uint32(), 1, true);
    else if (tag === 26) message.desired = state(r, r.uint32(), 1, false);
    else if (tag === 42) message.context = struct(r, r.uint32(), 1);
    else return false;
    return true;
  });
  return message;
}
