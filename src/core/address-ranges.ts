import { BlockList, isIP, isIPv6 } from 'node:net';
import { DomainError } from './domain-error.js';

/** At most this many ranges per credential: an allowlist, not a routing table. */
const MOST_RANGES = 50;

/**
 * Validates a list of addresses and CIDR ranges, IPv4 and IPv6 (`203.0.113.0/24`, `2001:db8::/32`,
 * a single address), into their canonical text. An empty list means anywhere.
 */
export function validateAddressRanges(input: unknown, field = 'allowedCidrs'): string[] {
  if (!Array.isArray(input) || input.length > MOST_RANGES) {
    throw new DomainError(
      'validation_failed',
      `${field} must be a list of at most ${MOST_RANGES} CIDR ranges`,
      field,
    );
  }
  const ranges: string[] = [];
  for (const entry of input) {
    const range = typeof entry === 'string' ? parseRange(entry.trim()) : undefined;
    if (!range) {
      throw new DomainError(
        'validation_failed',
        `${field}: ${JSON.stringify(entry)} is not an IPv4 or IPv6 address or CIDR range (203.0.113.0/24, 2001:db8::/32)`,
        field,
      );
    }
    const text = `${range.address}/${range.prefix}`;
    if (!ranges.includes(text)) ranges.push(text);
  }
  return ranges;
}

function parseRange(text: string): { address: string; prefix: number; family: 4 | 6 } | undefined {
  const [address = '', prefixText, extra] = text.split('/');
  const family = isIP(address);
  if (extra !== undefined || (family !== 4 && family !== 6)) return undefined;
  const longest = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? longest : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(longest)) || prefix > longest) return undefined;
  return { address: address.toLowerCase(), prefix, family };
}

const lists = new WeakMap<readonly string[], BlockList>();

/**
 * Whether `address` lies in one of `ranges` (validated ones); true for an empty list. An IPv4
 * address seen as IPv4-mapped IPv6 (`::ffff:203.0.113.7`, as a dual-stack listener reports it)
 * counts as the IPv4 address. The matcher is built once per list (lists are replaced, never changed).
 */
export function isAllowedFrom(ranges: readonly string[], address: string): boolean {
  if (ranges.length === 0) return true;
  let list = lists.get(ranges);
  if (!list) {
    list = new BlockList();
    for (const range of ranges) {
      const parsed = parseRange(range);
      if (parsed) list.addSubnet(parsed.address, parsed.prefix, parsed.family === 4 ? 'ipv4' : 'ipv6');
    }
    lists.set(ranges, list);
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1]! : address;
  const family = isIP(plain);
  if (family === 0) return false;
  return list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The network an address speaks for: an IPv4 address itself (also written IPv4-mapped), an IPv6
 * address its /64, which one host or subscriber is usually given whole: hopping addresses inside it
 * buys no fresh attempts.
 */
export function clientNetwork(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped) return mapped[1]!;
  const address = ip.split('%')[0]!;
  if (!isIPv6(address)) return ip;
  const [head = '', tail] = address.split('::');
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  // An embedded IPv4 tail (64:ff9b::192.0.2.1) fills two groups.
  const width = (part: string[]) => part.reduce((n, g) => n + (g.includes('.') ? 2 : 1), 0);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = tail === undefined ? [] : Array<string>(8 - width(left) - width(right)).fill('0');
  const prefix = [...left, ...zeros, ...right].slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16));
  return `${prefix.join(':')}::/64`;
}
