/** IPv4 CIDR arithmetic. Addresses are unsigned 32-bit integers held in numbers. */

export interface Cidr {
  /** First address, aligned to the prefix. */
  readonly base: number;
  readonly prefixLength: number;
}

const CIDR_SYNTAX = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string };

/** Parses "10.0.0.0/16". Rejects host bits set, so the block is unambiguous. */
export function parseCidr(text: string): CidrParse {
  const match = CIDR_SYNTAX.exec(text.trim());
  if (!match) return { ok: false, reason: 'is not an IPv4 CIDR like 10.0.0.0/16' };
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return { ok: false, reason: 'has an octet above 255' };
  const prefixLength = Number(match[5]);
  if (prefixLength > 32) return { ok: false, reason: 'has a prefix length above 32' };
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const base = alignDown(address, prefixLength);
  if (base !== address) {
    return { ok: false, reason: `has host bits set; the block is ${formatCidr({ base, prefixLength })}` };
  }
  return { ok: true, cidr: { base, prefixLength } };
}

export function mustParseCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`${text} ${parsed.reason}`);
  return parsed.cidr;
}

export function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

function alignDown(address: number, prefixLength: number): number {
  const size = blockSize(prefixLength);
  return Math.floor(address / size) * size;
}

function lastAddress(cidr: Cidr): number {
  return cidr.base + blockSize(cidr.prefixLength) - 1;
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

export function formatCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.base)}/${cidr.prefixLength}`;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.prefixLength <= inner.prefixLength && inner.base >= outer.base && lastAddress(inner) <= lastAddress(outer);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= lastAddress(b) && b.base <= lastAddress(a);
}

/**
 * The lowest block of the given prefix length inside `within` that overlaps
 * none of `taken`, or undefined when the range is full.
 */
export function lowestFreeBlock(within: Cidr, prefixLength: number, taken: readonly Cidr[]): Cidr | undefined {
  const size = blockSize(prefixLength);
  const end = lastAddress(within);
  const sorted = [...taken].sort((a, b) => a.base - b.base);
  let candidate = within.base;
  while (candidate + size - 1 <= end) {
    const block = { base: candidate, prefixLength };
    const clash = sorted.find((t) => overlaps(t, block));
    if (!clash) return block;
    candidate = alignUp(lastAddress(clash) + 1, prefixLength);
  }
  return undefined;
}

function alignUp(address: number, prefixLength: number): number {
  const size = blockSize(prefixLength);
  return Math.ceil(address / size) * size;
}
