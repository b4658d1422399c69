// Configuration from environment variables, validated once at start-up (README lists them all).
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { type Level, logLevelOf } from '@flotilla/log';

export interface Config {
  databaseUrl: string;
  redisUrl: string;
  host: string;
  port: number;
  dataDir: string;
  /** 'on' (default): HTTPS with the platform CA. 'off-behind-proxy': plain HTTP for a TLS-terminating proxy. */
  tls: 'on' | 'off-behind-proxy';
  tlsCertFile?: string;
  tlsKeyFile?: string;
  caCertFile?: string;
  caKeyFile?: string;
  /** Extra names and addresses for the serving certificate. */
  tlsSans: string[];
  /** The URL clients are given in kubeconfigs. */
  publicUrl: string;
  bootstrapToken?: string;
  logLevel: Level;
  maxBodyBytes: number;
  watchCacheSize: number;
  /** JSON bytes of those changes at most (parsed, they cost several times that in memory). */
  watchCacheBytes: number;
  /** A watch whose socket has not drained for this long is ended; the client re-lists and resumes. */
  watchStallSeconds: number;
  /** How often an idle API checks whether to give heap back after a burst (0: never). */
  memoryReturnSeconds: number;
  /** Bytes of events one watcher may have waiting (queued plus unsent in its socket) before it is ended. */
  watchMaxQueuedBytes: number;
  /** Bytes all watches together may have waiting; past it the ones holding more than their share are ended. */
  watchMaxTotalQueuedBytes: number;
  changeLogRetentionSeconds: number;
  /** Renew the serving certificate this many days before it expires. */
  tlsRenewBeforeDays: number;
  /** How often the running process checks its serving certificate. */
  tlsCheckSeconds: number;
  /** Concurrent creates share one commit (the store's group commit). */
  groupCommit: boolean;
}

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, key: string, def: number, min = 0): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${key} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function onOff(env: NodeJS.ProcessEnv, key: string, def: boolean): boolean {
  const raw = env[key];
  if (raw === undefined || raw === '') return def;
  if (raw === 'on' || raw === 'off') return raw === 'on';
  throw new ConfigError(`${key} must be "on" or "off", got "${raw}"`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const need = (key: string) => {
    const v = env[key];
    if (!v) throw new ConfigError(`${key} is not set: run scripts/setup.sh (it writes .flotilla/env) or export it`);
    return v;
  };
  const tls = (env.FLOTILLA_TLS ?? 'on') as Config['tls'];
  if (tls !== 'on' && tls !== 'off-behind-proxy') throw new ConfigError(`FLOTILLA_TLS must be "on" or "off-behind-proxy", got "${tls}"`);
  const port = int(env, 'FLOTILLA_API_PORT', 6443, 1);
  const host = env.FLOTILLA_API_HOST ?? '0.0.0.0';
  const dataDir = resolve(env.FLOTILLA_DATA_DIR ?? join(process.cwd(), '.flotilla'));
  const publicHost = env.FLOTILLA_PUBLIC_HOST ?? '127.0.0.1';
  const sans = (env.FLOTILLA_TLS_SANS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!sans.includes(publicHost)) sans.push(publicHost);
  if (!sans.includes(hostname())) sans.push(hostname());
  if (Boolean(env.FLOTILLA_TLS_CERT_FILE) !== Boolean(env.FLOTILLA_TLS_KEY_FILE))
    throw new ConfigError('set both FLOTILLA_TLS_CERT_FILE and FLOTILLA_TLS_KEY_FILE, or neither');
  if (Boolean(env.FLOTILLA_CA_CERT_FILE) !== Boolean(env.FLOTILLA_CA_KEY_FILE))
    throw new ConfigError('set both FLOTILLA_CA_CERT_FILE and FLOTILLA_CA_KEY_FILE, or neither');
  return {
    databaseUrl: need('DATABASE_URL'),
    redisUrl: need('REDIS_URL'),
    host,
    port,
    dataDir,
    tls,
    tlsCertFile: env.FLOTILLA_TLS_CERT_FILE || undefined,
    tlsKeyFile: env.FLOTILLA_TLS_KEY_FILE || undefined,
    caCertFile: env.FLOTILLA_CA_CERT_FILE || undefined,
    caKeyFile: env.FLOTILLA_CA_KEY_FILE || undefined,
    tlsSans: sans,
    publicUrl: env.FLOTILLA_PUBLIC_URL ?? `${tls === 'on' ? 'https' : 'http'}://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${port}`,
    bootstrapToken: env.FLOTILLA_BOOTSTRAP_TOKEN || undefined,
    logLevel: logLevelOf(env.FLOTILLA_LOG_LEVEL, (m) => new ConfigError(m)),
    maxBodyBytes: int(env, 'FLOTILLA_MAX_BODY_BYTES', 3 * 1024 * 1024, 1024),
    watchCacheSize: int(env, 'FLOTILLA_WATCH_CACHE_EVENTS', 10_000, 100),
    watchCacheBytes: int(env, 'FLOTILLA_WATCH_CACHE_BYTES', 8 * 1024 * 1024, 64 * 1024),
    watchStallSeconds: int(env, 'FLOTILLA_WATCH_STALL_SECONDS', 10, 1),
    memoryReturnSeconds: int(env, 'FLOTILLA_MEMORY_RETURN_SECONDS', 15, 0),
    watchMaxQueuedBytes: int(env, 'FLOTILLA_WATCH_MAX_QUEUED_BYTES', 4 * 1024 * 1024, 64 * 1024),
    watchMaxTotalQueuedBytes: int(env, 'FLOTILLA_WATCH_MAX_TOTAL_QUEUED_BYTES', 128 * 1024 * 1024, 1024 * 1024),
    changeLogRetentionSeconds: int(env, 'FLOTILLA_CHANGELOG_RETENTION_SECONDS', 900, 10),
    tlsRenewBeforeDays: int(env, 'FLOTILLA_TLS_RENEW_BEFORE_DAYS', 30, 1),
    tlsCheckSeconds: int(env, 'FLOTILLA_TLS_CHECK_SECONDS', 3600, 1),
    groupCommit: onOff(env, 'FLOTILLA_GROUP_COMMIT', true),
  };
}
