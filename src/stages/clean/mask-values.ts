import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

/**
 * The masking functions behind `maskFields`. Each returns `undefined` when the value is not
 * what it masks (not an IP address, not an e-mail address); the stage then redacts it, so a
 * malformed value never leaks through unmasked.
 * @internal
 */

/** HMAC-SHA256 of the value (strings as they are, anything else as JSON), hex. */
export function hashValue(secret: string | Buffer, value: unknown): string {
  return createHmac('sha256', secret)
    .update(typeof value === 'string' ? value : JSON.stringify(value))
    .digest('hex');
}

/** IPv4 keeps its first 3 octets (`a.b.c.0`); IPv6 its first 48 bits (`2001:db8:1::`). */
export function maskIp(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (isIPv4(value)) return value.replace(/\.\d+$/, '.0');
  const address = value.split('%')[0];
  if (!isIPv6(address)) return undefined;
  const groups = expandIPv6(address);
  // An IPv4-mapped address (::ffff:a.b.c.d) is an IPv4 client: mask it as one.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${groups[6] >> 8}.${groups[6] & 0xff}.${groups[7] >> 8}.0`;
  }
  const kept = groups.slice(0, 3);
  while (kept.length > 0 && kept[kept.length - 1] === 0) kept.pop();
  return `${kept.map((g) => g.toString(16)).join(':')}::`;
}

/** The 8 groups of a valid IPv6 address, with `::` and a trailing dotted IPv4 expanded. */
function expandIPv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left, right] = text.split('::');
  const head = left ? left.split(':') : [];
  const tail = right === undefined ? [] : right ? right.split(':') : [];
  const zeros = right === undefined ? [] : new Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...zeros, ...tail].map((g) => Number.parseInt(g, 16));
}

/** `john@example.com` → `j***@example.com`. */
export function maskEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1) return undefined;
  return `${value[0]}***${value.slice(at)}`;
}
