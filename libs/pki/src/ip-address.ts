// IP address handling for certificate SANs: the same address can be spelled many ways
// (`::1`, `0:0:0:0:0:0:0:1`), so comparisons go through one canonical form.
import { isIP } from 'node:net';

/** True for a literal IPv4 or IPv6 address (no zone, no brackets). */
export function isIpAddress(value: string): boolean {
  return isIP(value) !== 0;
}

/**
 * Canonical text of an IP address: IPv4 as given, IPv6 as eight lower-case, zero-padded groups.
 * Throws on anything that is not an address, since a malformed SAN would silently never match.
 */
export function canonicalIp(value: string): string {
  const family = isIP(value);
  if (family === 4) return value;
  if (family !== 6) {
    throw new Error(`"${value}" is not an IPv4 or IPv6 address; put host names in dnsNames/hostNames`);
  }
  let text = value.toLowerCase();
  // An embedded dotted quad (`::ffff:10.0.0.1`) becomes two hex groups.
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((g) => g.padStart(4, '0')).join(':');
}
