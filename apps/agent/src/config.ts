// The agent's configuration: every environment variable it reads, validated once at start-up.
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, int, type Level, logLevelOf, num, seconds, url } from '@flotilla/log';
import { cidrRange } from '@flotilla/runtime';

/** A host:port to listen on. */
export interface ListenAddress {
  host: string;
  port: number;
}

export interface AgentConfig {
  /** `https://host:port` of the API. */
  apiUrl: string;
  /** PEM file of the CA that signed the API's certificate. */
  caFile?: string;
  /** `sha256:<hex>` of the CA's public key, pinned the way `kubeadm join` does. */
  caHash?: string;
  /** Bearer token the agent authenticates with (its node credential); empty when it joins with a join token. */
  token: string;
  /** One-time join token exchanged for the node credential on first start. */
  joinToken?: string;
  /** Where the node credential obtained by joining is kept for restarts. */
  tokenFile?: string;
  nodeName: string;
  /** Address reported as InternalIP and hostIP; default: the address of the default-route interface. */
  nodeIP?: string;
  redisUrl: string;
  leaseSeconds: number;
  resyncSeconds: number;
  /** Crash-loop back-off base (kubelet: 10 s); tests shorten it. */
  backoffBaseMs: number;
  /** Pods synced at once. */
  syncConcurrency: number;
  /** Node status heartbeat. */
  statusSeconds: number;
  /** Extra labels on every Docker object (tests use them to clean up). */
  dockerLabels: Record<string, string>;
  logLevel: Level;
  /** Image of the per-Service ClusterIP proxy; undefined (`off`) turns name-based Services off. */
  serviceProxyImage?: string;
  /** Host directory for the agent's files (the service proxies' config); absolute. */
  dataDir: string;
  /** Where namespace networks get a /24 once Docker's default address pools are used up. */
  namespaceSubnets: string;
  /** Address NodePort services are published on; undefined (`off`) turns NodePorts off. */
  nodePortAddress?: string;
  /** The ingress listeners; undefined (`off`) turns one off. */
  ingressHttp?: ListenAddress;
  ingressHttps?: ListenAddress;
  /** Every Service answers on the ingress as `<service>.<namespace>.<baseDomain>`. */
  baseDomain: string;
  /** The kubelet-like endpoint the API opens exec and port-forward streams on; undefined (`off`) turns it off. Port 0: any free port. */
  kubeletAddress?: ListenAddress;
}

export { ConfigError };

function labels(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (raw ?? '').split(',')) {
    const t = part.trim();
    if (!t) continue;
    const eq = t.indexOf('=');
    if (eq <= 0) throw new ConfigError(`FLOTILLA_DOCKER_LABELS must be k=v pairs separated by commas, got "${t}"`);
    out[t.slice(0, eq)] = t.slice(eq + 1);
  }
  return out;
}

function listenAddress(env: NodeJS.ProcessEnv, key: string, def: string): ListenAddress | undefined {
  const raw = (env[key] ?? def).trim();
  if (raw === 'off') return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`${key} must be host:port (or off), got "${raw}"`);
  return { host: m[1] ?? m[2], port };
}

function baseDomain(raw: string): string {
  const d = raw.trim().toLowerCase().replace(/\.+$/, '');
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(d))
    throw new ConfigError(`FLOTILLA_BASE_DOMAIN must be a DNS name, got "${raw}"`);
  return d;
}

function orOff(env: NodeJS.ProcessEnv, key: string, def: string): string | undefined {
  const v = (env[key] ?? def).trim();
  return v === 'off' || v === '' ? undefined : v;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const apiUrl = url(env, 'FLOTILLA_API_URL', '', ['https'], 'the agent never sends its token over plain HTTP');
  const token = env.FLOTILLA_NODE_TOKEN ?? '';
  const joinToken = env.FLOTILLA_JOIN_TOKEN || undefined;
  const tokenFile = env.FLOTILLA_NODE_TOKEN_FILE || undefined;
  if (!token && !joinToken && !tokenFile)
    throw new ConfigError('set FLOTILLA_NODE_TOKEN (the node credential), or FLOTILLA_JOIN_TOKEN with FLOTILLA_NODE_TOKEN_FILE to join');
  const caFile = env.FLOTILLA_CA_FILE || undefined;
  const caHash = env.FLOTILLA_CA_HASH || undefined;
  if (!caFile && !caHash) throw new ConfigError('set FLOTILLA_CA_FILE (the platform CA) or FLOTILLA_CA_HASH=sha256:<hex> to pin it');
  if (caHash && !/^sha256:[0-9a-f]{64}$/.test(caHash)) throw new ConfigError(`FLOTILLA_CA_HASH must be sha256:<64 hex digits>, got "${caHash}"`);
  const nodeName = (env.FLOTILLA_NODE_NAME || hostname()).toLowerCase();
  const namespaceSubnets = env.FLOTILLA_NAMESPACE_SUBNETS || '10.244.0.0/16';
  const subnetBits = cidrRange(namespaceSubnets) && Number(namespaceSubnets.split('/')[1]);
  if (!subnetBits || subnetBits > 24)
    throw new ConfigError(`FLOTILLA_NAMESPACE_SUBNETS must be an IPv4 CIDR of /24 or wider (e.g. 10.244.0.0/16), got "${namespaceSubnets}"`);
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(nodeName)) throw new ConfigError(`FLOTILLA_NODE_NAME "${nodeName}" is not a valid DNS subdomain`);
  return {
    apiUrl,
    caFile,
    caHash,
    token,
    joinToken,
    tokenFile,
    nodeName,
    nodeIP: env.FLOTILLA_NODE_IP || undefined,
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis', 'rediss']),
    leaseSeconds: seconds(env, 'FLOTILLA_LEASE_SECONDS', 2, { min: 0.1 }),
    resyncSeconds: seconds(env, 'FLOTILLA_RESYNC_SECONDS', 10, { min: 0.5 }),
    backoffBaseMs: num(env, 'FLOTILLA_BACKOFF_BASE_MS', 10_000, { min: 10 }),
    syncConcurrency: int(env, 'FLOTILLA_SYNC_CONCURRENCY', 8, { min: 1 }),
    statusSeconds: seconds(env, 'FLOTILLA_NODE_STATUS_SECONDS', 10, { min: 0.5 }),
    dockerLabels: labels(env.FLOTILLA_DOCKER_LABELS),
    logLevel: logLevelOf(env.FLOTILLA_LOG_LEVEL, (m) => new ConfigError(m)),
    serviceProxyImage: orOff(env, 'FLOTILLA_SERVICE_PROXY_IMAGE', 'flotilla/service-proxy:1'),
    dataDir: resolve(env.FLOTILLA_AGENT_DATA_DIR || join(tmpdir(), `flotilla-agent-${nodeName}`)),
    namespaceSubnets,
    nodePortAddress: orOff(env, 'FLOTILLA_NODEPORT_ADDRESS', '127.0.0.1'),
    ingressHttp: listenAddress(env, 'FLOTILLA_INGRESS_HTTP_ADDRESS', '127.0.0.1:8080'),
    ingressHttps: listenAddress(env, 'FLOTILLA_INGRESS_HTTPS_ADDRESS', '127.0.0.1:9443'),
    baseDomain: baseDomain(env.FLOTILLA_BASE_DOMAIN ?? 'flotilla.localhost'),
    kubeletAddress: listenAddress(env, 'FLOTILLA_KUBELET_ADDRESS', '0.0.0.0:10250'),
  };
}
