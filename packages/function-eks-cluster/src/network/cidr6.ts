/** IPv6 CIDR arithmetic. Addresses are 128-bit unsigned integers held in bigints. */

/** A parsed IPv6 CIDR: the address as a 128-bit number. */
export interface Cidr6 {
  readonly base: bigint;
  readonly prefixLength: number;
}

const HEXTET = /^[0-9a-f]{1,4}$/i;

/** Parses "2600:1f14:abc:de00::/56" (host bits must be clear); undefined when it is no IPv6 CIDR. */
export function parseCidr6(text: string): Cidr6 | undefined {
  const [address, length, ...rest] = text.trim().split('/');
  if (address === undefined || length === undefined || rest.length > 0 || !/^\d{1,3}$/.test(length)) return undefined;
  const prefixLength = Number(length);
  if (prefixLength > 128) return undefined;
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined) => (half === undefined || half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((g) => HEXTET.test(g))) return undefined;
  const base = all.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n);
  const hostBits = 128n - BigInt(prefixLength);
  if (hostBits > 0n && base % (1n << hostBits) !== 0n) return undefined;
  return { base, prefixLength };
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run of two or more zero groups as "::". */
export function formatCidr6(cidr: Cidr6): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((cidr.base >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const text = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(':');
  const address = best.start < 0 ? text(0, 8) : `${text(0, best.start)}::${text(best.start + best.length, 8)}`;
  return `${address}/${cidr.prefixLength}`;
}

/** The `index`-th block of `prefixLength` inside `within`. */
export function nthBlock6(within: Cidr6, prefixLength: number, index: number): Cidr6 {
  return { base: within.base + (BigInt(index) << BigInt(128 - prefixLength)), prefixLength };
}

export function contains6(outer: Cidr6, inner: Cidr6): boolean {
  if (inner.prefixLength < outer.prefixLength) return false;
  const shift = BigInt(128 - outer.prefixLength);
  return inner.base >> shift === outer.base >> shift;
}
