// Docker's default address pools hold about 30 bridge networks (172.17–31/16 and 192.168/20s). One network per
// namespace would cap a node at 30 namespaces with pods; past Docker's pools, the runtime hands out /24s of
// its own range (FLOTILLA_NAMESPACE_SUBNETS, Kubernetes' usual 10.244.0.0/16: 256 more namespaces).

function ipToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** `[first, last]` addresses of an IPv4 CIDR, or undefined when it is not one. */
export function cidrRange(cidr: string): [number, number] | undefined {
  const [ip, bitsText] = cidr.split('/');
  const base = ipToInt(ip ?? '');
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  const first = base - (base % size);
  return [first, first + size - 1];
}

/**
 * The first /24 of `pool` that overlaps none of `used` (the subnets of the engine's networks, IPv6 ignored),
 * after skipping `skip` free ones (a retry after another agent took the one chosen), or undefined when full.
 */
export function freeSubnet(pool: string, used: string[], skip = 0): string | undefined {
  const range = cidrRange(pool);
  if (!range) throw new Error(`not an IPv4 CIDR: ${pool}`);
  const taken = used.map(cidrRange).filter((r): r is [number, number] => !!r);
  let free = 0;
  for (let start = range[0]; start + 255 <= range[1]; start += 256) {
    if (taken.some(([a, b]) => a <= start + 255 && start <= b)) continue;
    if (free++ === skip) return `${intToIp(start)}/24`;
  }
  return undefined;
}
