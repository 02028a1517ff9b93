import { describe, expect, it } from 'vitest';
import { contains, formatCidr, lowestFreeBlock, mustParseCidr, overlaps, parseCidr } from 'function-eks-cluster/src/network/cidr.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/16', '10.0.0.0/16'],
    ['192.168.4.0/22', '192.168.4.0/22'],
    [' 172.16.0.0/12 ', '172.16.0.0/12'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['255.255.255.255/32', '255.255.255.255/32'],
  ])('accepts %s', (text, expected) => {
    const parsed = parseCidr(text);
    expect(parsed.ok && formatCidr(parsed.cidr)).toBe(expected);
  });

  it.each([
    ['10.0.0.0', 'is not an IPv4 CIDR like 10.0.0.0/16'],
    ['10.0.0/16', 'is not an IPv4 CIDR like 10.0.0.0/16'],
    ['256.0.0.0/16', 'has an octet above 255'],
    ['10.0.0.0/33', 'has a prefix length above 32'],
    ['10.0.1.0/16', 'has host bits set; the block is 10.0.0.0/16'],
    ['fd00::/8', 'is not an IPv4 CIDR like 10.0.0.0/16'],
  ])('rejects %s: %s', (text, reason) => {
    expect(parseCidr(text)).toEqual({ ok: false, reason });
  });
});

describe('block relations', () => {
  const c = mustParseCidr;
  it.each([
    ['10.0.0.0/16', '10.0.255.0/24', true],
    ['10.0.0.0/16', '10.1.0.0/24', false],
    ['10.0.0.0/16', '10.0.0.0/8', false],
  ])('contains(%s, %s) = %s', (outer, inner, expected) => {
    expect(contains(c(outer), c(inner))).toBe(expected);
  });
  it.each([
    ['10.0.0.0/24', '10.0.0.128/25', true],
    ['10.0.0.0/24', '10.0.1.0/24', false],
    ['10.0.0.0/8', '10.200.0.0/16', true],
  ])('overlaps(%s, %s) = %s', (a, b, expected) => {
    expect(overlaps(c(a), c(b))).toBe(expected);
    expect(overlaps(c(b), c(a))).toBe(expected);
  });
});

describe('lowestFreeBlock', () => {
  const c = mustParseCidr;
  it.each([
    { within: '10.0.0.0/16', prefix: 19, taken: [], expected: '10.0.0.0/19' },
    { within: '10.0.0.0/16', prefix: 19, taken: ['10.0.0.0/19'], expected: '10.0.32.0/19' },
    { within: '10.0.0.0/16', prefix: 19, taken: ['10.0.0.0/24'], expected: '10.0.32.0/19' },
    { within: '10.0.0.0/16', prefix: 24, taken: ['10.0.0.0/19', '10.0.32.0/24'], expected: '10.0.33.0/24' },
    { within: '10.0.0.0/24', prefix: 25, taken: ['10.0.0.0/25', '10.0.0.128/26'], expected: undefined },
  ])('$prefix in $within after $taken -> $expected', ({ within, prefix, taken, expected }) => {
    const block = lowestFreeBlock(c(within), prefix, taken.map(c));
    expect(block && formatCidr(block)).toBe(expected);
  });
});
