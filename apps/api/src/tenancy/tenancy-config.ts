// Tenancy configuration from environment variables, validated at start-up (README lists them).
import { ConfigError, flag, int } from '@flotilla/log';
import { EncryptionKeysError, parseEncryptionKeys as parseKeys } from '@flotilla/store';
import type { EncryptionKey } from '@flotilla/store';

export type { EncryptionKey };

export interface TenancyConfig {
  /** First admin, created (or left alone if it exists) at start-up. */
  adminUser?: string;
  adminPassword?: string;
  sessionTtlSeconds: number;
  /** Default and maximum lifetime of personal API tokens. */
  tokenDefaultTtlSeconds: number;
  tokenMaxTtlSeconds: number;
  joinTokenTtlSeconds: number;
  loginMaxAttempts: number;
  loginWindowSeconds: number;
  /** Mutations per user: sustained rate per second and burst. */
  mutationRate: number;
  mutationBurst: number;
  /** First key encrypts; all decrypt. Empty: Secrets are stored in plain text (a warning at start). */
  encryptionKeys: EncryptionKey[];
  /** Sent as the cookie's Secure attribute (off only for plain-HTTP set-ups behind a proxy). */
  secureCookies: boolean;
}

/** FLOTILLA_ENCRYPTION_KEYS (the store's parser), failing the start as every other setting does. */
export function parseEncryptionKeys(raw: string | undefined): EncryptionKey[] {
  try {
    return parseKeys(raw);
  } catch (err) {
    if (err instanceof EncryptionKeysError) throw new ConfigError(err.message);
    throw err;
  }
}

export function loadTenancyConfig(env: NodeJS.ProcessEnv = process.env): TenancyConfig {
  if (Boolean(env.FLOTILLA_ADMIN_USER) !== Boolean(env.FLOTILLA_ADMIN_PASSWORD))
    throw new ConfigError('set both FLOTILLA_ADMIN_USER and FLOTILLA_ADMIN_PASSWORD, or neither');
  if (env.FLOTILLA_ADMIN_PASSWORD && env.FLOTILLA_ADMIN_PASSWORD.length < 12) throw new ConfigError('FLOTILLA_ADMIN_PASSWORD must have at least 12 characters');
  const tokenMax = int(env, 'FLOTILLA_TOKEN_MAX_TTL_SECONDS', 365 * 86400, { min: 1 });
  return {
    adminUser: env.FLOTILLA_ADMIN_USER || undefined,
    adminPassword: env.FLOTILLA_ADMIN_PASSWORD || undefined,
    sessionTtlSeconds: int(env, 'FLOTILLA_SESSION_TTL_SECONDS', 12 * 3600, { min: 60 }),
    tokenDefaultTtlSeconds: Math.min(int(env, 'FLOTILLA_TOKEN_DEFAULT_TTL_SECONDS', 90 * 86400, { min: 60 }), tokenMax),
    tokenMaxTtlSeconds: tokenMax,
    joinTokenTtlSeconds: int(env, 'FLOTILLA_JOIN_TOKEN_TTL_SECONDS', 3600, { min: 60 }),
    loginMaxAttempts: int(env, 'FLOTILLA_LOGIN_MAX_ATTEMPTS', 10, { min: 1 }),
    loginWindowSeconds: int(env, 'FLOTILLA_LOGIN_WINDOW_SECONDS', 900, { min: 1 }),
    mutationRate: int(env, 'FLOTILLA_MUTATION_RATE', 20, { min: 1 }),
    mutationBurst: int(env, 'FLOTILLA_MUTATION_BURST', 100, { min: 1 }),
    encryptionKeys: parseEncryptionKeys(env.FLOTILLA_ENCRYPTION_KEYS),
    // Only ever turns the flag on: with TLS served here, cookies stay Secure whatever the variable says.
    secureCookies: env.FLOTILLA_TLS !== 'off-behind-proxy' || flag(env, 'FLOTILLA_SECURE_COOKIES', false),
  };
}
