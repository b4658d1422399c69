// Configuration from environment variables, validated once at start-up (README lists them all).
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError, flag, int, type Level, logLevelOf, oneOf, required, url } from '@flotilla/log';

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

export { ConfigError };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const setUp = 'run scripts/setup.sh (it writes .flotilla/env) or export it';
  const tls = oneOf(env, 'FLOTILLA_TLS', 'on', ['on', 'off-behind-proxy'] as const);
  const port = int(env, 'FLOTILLA_API_PORT', 6443, { min: 1, max: 65535 });
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
    databaseUrl: url(env, 'DATABASE_URL', required(env, 'DATABASE_URL', setUp), ['postgres', 'postgresql']),
    redisUrl: url(env, 'REDIS_URL', required(env, 'REDIS_URL', setUp), ['redis', 'rediss']),
    host,
    port,
    dataDir,
    tls,
    tlsCertFile: env.FLOTILLA_TLS_CERT_FILE || undefined,
    tlsKeyFile: env.FLOTILLA_TLS_KEY_FILE || undefined,
    caCertFile: env.FLOTILLA_CA_CERT_FILE || undefined,
    caKeyFile: env.FLOTILLA_CA_KEY_FILE || undefined,
    tlsSans: sans,
    publicUrl: url(env, 'FLOTILLA_PUBLIC_URL', `${tls === 'on' ? 'https' : 'http'}://${publicHost.includes(':') ? `[${publicHost}]` : publicHost}:${port}`, [
      'https',
      'http',
    ]),
    bootstrapToken: env.FLOTILLA_BOOTSTRAP_TOKEN || undefined,
    logLevel: logLevelOf(env.FLOTILLA_LOG_LEVEL, (m) => new ConfigError(m)),
    maxBodyBytes: int(env, 'FLOTILLA_MAX_BODY_BYTES', 3 * 1024 * 1024, { min: 1024 }),
    watchCacheSize: int(env, 'FLOTILLA_WATCH_CACHE_EVENTS', 10_000, { min: 100 }),
    watchCacheBytes: int(env, 'FLOTILLA_WATCH_CACHE_BYTES', 8 * 1024 * 1024, { min: 64 * 1024 }),
    watchStallSeconds: int(env, 'FLOTILLA_WATCH_STALL_SECONDS', 10, { min: 1 }),
    memoryReturnSeconds: int(env, 'FLOTILLA_MEMORY_RETURN_SECONDS', 15, { min: 0 }),
    watchMaxQueuedBytes: int(env, 'FLOTILLA_WATCH_MAX_QUEUED_BYTES', 4 * 1024 * 1024, { min: 64 * 1024 }),
    watchMaxTotalQueuedBytes: int(env, 'FLOTILLA_WATCH_MAX_TOTAL_QUEUED_BYTES', 128 * 1024 * 1024, { min: 1024 * 1024 }),
    changeLogRetentionSeconds: int(env, 'FLOTILLA_CHANGELOG_RETENTION_SECONDS', 900, { min: 10 }),
    tlsRenewBeforeDays: int(env, 'FLOTILLA_TLS_RENEW_BEFORE_DAYS', 30, { min: 1 }),
    tlsCheckSeconds: int(env, 'FLOTILLA_TLS_CHECK_SECONDS', 3600, { min: 1 }),
    groupCommit: flag(env, 'FLOTILLA_GROUP_COMMIT', true),
  };
}
