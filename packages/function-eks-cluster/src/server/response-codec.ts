/**
 * RunFunctionResponse to protobuf bytes: byte for byte what the SDK's
 * RunFunctionResponse.encode writes, without its costs. The SDK wraps every
 * JSON value in a google.protobuf.Value object, encodes every string through
 * a fresh Uint8Array and copies each nested message once per level of
 * nesting; a response of 100+ composed resources is 6 to 8 levels deep.
 *
 * This writer fills one buffer from its end backwards: a message's fields
 * are written last to first, then its length and tag in front of them, so
 * no length has to be known before its content is written and nothing is
 * copied twice. Fields, map entries and JSON keys come out in the SDK's order.
 */
import { RunFunctionResponse, type Resource } from '@crossplane-org/function-sdk-typescript';

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;
/** Encoding is synchronous: one buffer serves every response in turn. */
let scratch: Buffer = Buffer.allocUnsafe(256 * 1024);

class ReverseWriter {
  private buf: Buffer;
  private pos: number;

  constructor(scratch: Buffer) {
    this.buf = scratch;
    this.pos = scratch.length;
  }

  /** The buffer written into: reused by the next response, so a view() of it is valid only until then. */
  get scratch(): Buffer {
    return this.buf;
  }

  /** Bytes written so far; a message's length is the difference of two readings. */
  get length(): number {
    return this.buf.length - this.pos;
  }

  private room(bytes: number): void {
    if (this.pos >= bytes) return;
    const used = this.length;
    let size = this.buf.length * 2;
    while (size - used < bytes) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buf.copy(grown, size - used, this.pos);
    this.buf = grown;
    this.pos = size - used;
  }

  /** A varint of a non-negative integer up to 2^53, or a negative int32/int64 as ten bytes. */
  varint(value: number): void {
    if (value >= 0 && value < 0x80 && this.pos > 0) {
      this.buf[--this.pos] = value;
      return;
    }
    if (value < 0 || value > 0xffffffff) {
      this.varint64(value);
      return;
    }
    let bytes = 1;
    for (let v = value >>> 7; v !== 0; v >>>= 7) bytes++;
    this.room(bytes);
    this.pos -= bytes;
    let at = this.pos;
    let v = value;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[at] = v;
  }

  private varint64(value: number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    while (v > 0x7fn) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    this.room(out.length);
    this.pos -= out.length;
    this.buf.set(out, this.pos);
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  double(value: number): void {
    this.room(8);
    this.pos -= 8;
    this.buf.writeDoubleLE(value, this.pos);
  }

  /** UTF-8 bytes, then their length. ASCII, nearly every string here, is copied char by char. */
  string(value: string): void {
    const n = value.length;
    this.room(n);
    const buf = this.buf;
    const at = this.pos - n;
    let i = n - 1;
    for (; i >= 0; i--) {
      const c = value.charCodeAt(i);
      if (c > 0x7f) break;
      buf[at + i] = c;
    }
    if (i < 0) {
      this.pos = at;
      this.varint(n);
      return;
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.room(bytes);
    this.pos -= bytes;
    this.buf.write(value, this.pos, bytes, 'utf8');
    this.varint(bytes);
  }

  /** Bytes written before, as they are. */
  raw(value: Uint8Array): void {
    this.room(value.length);
    this.pos -= value.length;
    this.buf.set(value, this.pos);
  }

  /** A copy of the bytes written since `start` (a `length` reading). */
  since(start: number): Buffer {
    return Buffer.from(this.buf.subarray(this.pos, this.pos + this.length - start));
  }

  bytes(value: Uint8Array): void {
    this.room(value.length);
    this.pos -= value.length;
    this.buf.set(value, this.pos);
    this.varint(value.length);
  }

  /** Closes a length-delimited field whose content began at `start` (a `length` reading). */
  close(field: number, start: number): void {
    this.varint(this.length - start);
    this.tag(field, LENGTH_DELIMITED);
  }

  /** Exactly the bytes written, as a view of the buffer: valid until it is written again. */
  view(): Buffer {
    return this.buf.subarray(this.pos);
  }
}

/** google.protobuf.Value of a JSON value, as Value.encode(Value.wrap(value)). */
function jsonValue(w: ReverseWriter, value: unknown): void {
  if (value === null) {
    w.varint(0);
    w.tag(1, VARINT);
  } else if (typeof value === 'boolean') {
    w.varint(value ? 1 : 0);
    w.tag(4, VARINT);
  } else if (typeof value === 'number') {
    w.double(value);
    w.tag(2, FIXED64);
  } else if (typeof value === 'string') {
    w.string(value);
    w.tag(3, LENGTH_DELIMITED);
  } else if (Array.isArray(value)) {
    const start = w.length;
    for (let i = value.length - 1; i >= 0; i--) {
      const item = w.length;
      jsonValue(w, value[i]);
      w.close(1, item);
    }
    w.close(6, start);
  } else if (typeof value === 'object') {
    const start = w.length;
    struct(w, value as Record<string, unknown>);
    w.close(5, start);
  } else if (value !== undefined) {
    throw new Error(`Unsupported any value type: ${typeof value}`);
  }
}

/** The fields of a google.protobuf.Struct, as Struct.encode(Struct.wrap(object)). */
function struct(w: ReverseWriter, object: Record<string, unknown>): void {
  const keys = Object.keys(object);
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    const value = object[key];
    // Struct.wrap copies into a plain object, where "__proto__" sets the prototype: the SDK never sends it.
    if (value === undefined || key === '__proto__') continue;
    const entry = w.length;
    jsonValue(w, value);
    w.close(2, entry);
    if (key !== '') {
      w.string(key);
      w.tag(1, LENGTH_DELIMITED);
    }
    w.close(1, entry);
  }
}

function structField(w: ReverseWriter, field: number, object: Record<string, unknown> | undefined): void {
  if (object === undefined) return;
  const start = w.length;
  struct(w, object);
  w.close(field, start);
}

function stringField(w: ReverseWriter, field: number, value: string | undefined, omitEmpty: boolean): void {
  if (value === undefined || (omitEmpty && value === '')) return;
  w.string(value);
  w.tag(field, LENGTH_DELIMITED);
}

function intField(w: ReverseWriter, field: number, value: number | undefined, omitZero: boolean): void {
  if (value === undefined || (omitZero && value === 0)) return;
  w.varint(value);
  w.tag(field, VARINT);
}

/**
 * Encoded fields of deep-frozen resource bodies: the function's composer
 * freezes the bodies it keeps from one request to the next
 * (compose/memo.ts), and a frozen object cannot change, so its bytes stay
 * right for as long as it lives. Anything not frozen is encoded every time.
 */
const frozenBodies = new WeakMap<object, Buffer>();

function deepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deepFrozen);
}

function bodyField(w: ReverseWriter, body: Record<string, unknown> | undefined): void {
  if (body === undefined) return;
  const known = frozenBodies.get(body);
  if (known !== undefined) {
    w.raw(known);
    w.varint(known.length);
    w.tag(1, LENGTH_DELIMITED);
    return;
  }
  const start = w.length;
  struct(w, body);
  if (Object.isFrozen(body) && deepFrozen(body)) frozenBodies.set(body, w.since(start));
  w.close(1, start);
}

function resource(w: ReverseWriter, r: Resource): void {
  intField(w, 3, r.ready, true);
  const details = Object.keys(r.connectionDetails);
  for (let i = details.length - 1; i >= 0; i--) {
    const key = details[i]!;
    const value = r.connectionDetails[key]!;
    const entry = w.length;
    if (value.length !== 0) {
      w.bytes(value);
      w.tag(2, LENGTH_DELIMITED);
    }
    stringField(w, 1, key, true);
    w.close(2, entry);
  }
  bodyField(w, r.resource);
}

/** The bytes RunFunctionResponse.encode(rsp).finish() would give, in a buffer of their own. */
export function encodeResponse(rsp: RunFunctionResponse): Buffer {
  return Buffer.from(encodeResponseView(rsp));
}

/**
 * The same bytes as a view of the encoder's buffer, valid only until the next
 * call: for a caller that copies them at once, as grpc-js does when it frames
 * a message (server.ts), which saves allocating and copying each response once
 * more. A response with requirements, which this function never sends, goes to the SDK.
 */
export function encodeResponseView(rsp: RunFunctionResponse): Buffer {
  if (rsp.requirements !== undefined) return Buffer.from(RunFunctionResponse.encode(rsp).finish());
  const w = new ReverseWriter(scratch);
  try {
    writeResponse(w, rsp);
    return w.view();
  } finally {
    // Keep a grown buffer for the next response, up to a bound, so that one huge answer is not kept forever.
    if (w.scratch.length <= MAX_SCRATCH_BYTES) scratch = w.scratch;
  }
}

/** A repeated message field: its items last to first, each closed with its own length. */
function repeated<T>(w: ReverseWriter, field: number, items: readonly T[], write: (item: T) => void): void {
  for (let i = items.length - 1; i >= 0; i--) {
    const start = w.length;
    write(items[i]!);
    w.close(field, start);
  }
}

function writeResponse(w: ReverseWriter, rsp: RunFunctionResponse): void {
  structField(w, 7, rsp.output);
  repeated(w, 6, rsp.conditions, (c) => {
    intField(w, 5, c.target, false);
    stringField(w, 4, c.message, false);
    stringField(w, 3, c.reason, true);
    intField(w, 2, c.status, true);
    stringField(w, 1, c.type, true);
  });
  structField(w, 4, rsp.context);
  repeated(w, 3, rsp.results, (r) => {
    intField(w, 4, r.target, false);
    stringField(w, 3, r.reason, false);
    stringField(w, 2, r.message, true);
    intField(w, 1, r.severity, true);
  });
  if (rsp.desired !== undefined) {
    const desired = w.length;
    const keys = Object.keys(rsp.desired.resources);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const value = rsp.desired.resources[key];
      const entry = w.length;
      if (value !== undefined) {
        const start = w.length;
        resource(w, value);
        w.close(2, start);
      }
      stringField(w, 1, key, true);
      w.close(2, entry);
    }
    if (rsp.desired.composite !== undefined) {
      const start = w.length;
      resource(w, rsp.desired.composite);
      w.close(1, start);
    }
    w.close(2, desired);
  }
  if (rsp.meta !== undefined) {
    const meta = w.length;
    if (rsp.meta.ttl !== undefined) {
      const ttl = w.length;
      intField(w, 2, rsp.meta.ttl.nanos, true);
      intField(w, 1, rsp.meta.ttl.seconds, true);
      w.close(2, ttl);
    }
    stringField(w, 1, rsp.meta.tag, true);
    w.close(1, meta);
  }
}
