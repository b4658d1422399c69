// Which addresses an Endpoints object may name, as Kubernetes' ValidateEndpointIP decides: a Service
// whose backends are hand-written must not turn the node's proxies into a way to reach the host itself
// (loopback: Redis, Postgres, the agent) or the cloud metadata service (link-local).
import { BlockList, isIP } from 'node:net';

interface Range {
  reason: string;
  v4: [string, number][];
  v6: [string, number][];
}

const RANGES: Range[] = [
  { reason: 'may not be unspecified (0.0.0.0, ::)', v4: [['0.0.0.0', 32]], v6: [['::', 128]] },
  { reason: 'may not be in the loopback range (127.0.0.0/8, ::1/128)', v4: [['127.0.0.0', 8]], v6: [['::1', 128]] },
  { reason: 'may not be in the link-local range (169.254.0.0/16, fe80::/10)', v4: [['169.254.0.0', 16]], v6: [['fe80::', 10]] },
  // Link-local multicast (224.0.0.0/24, ff02::/16) lies inside these, so one message covers both.
  { reason: 'may not be a multicast address (224.0.0.0/4, ff00::/8)', v4: [['224.0.0.0', 4]], v6: [['ff00::', 8]] },
];

// Built once: BlockList also matches IPv4-mapped IPv6 spellings (`::ffff:127.0.0.1`) against the IPv4 ranges.
const LISTS = RANGES.map((r) => {
  const list = new BlockList();
  for (const [net, prefix] of r.v4) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of r.v6) list.addSubnet(net, prefix, 'ipv6');
  return { reason: r.reason, list };
});

/** Why `ip` may not be an endpoint address, or undefined when it may. */
export function endpointIpProblem(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 0) return 'must be a valid IP address';
  const type = family === 6 ? 'ipv6' : 'ipv4';
  return LISTS.find((l) => l.list.check(ip, type))?.reason;
}
