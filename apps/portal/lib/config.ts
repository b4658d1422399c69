// The portal's configuration, read once from the environment and validated (the README lists it).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, url } from '@flotilla/log';

export interface PortalConfig {
  /** Base URL of the Flotilla API (HTTPS). */
  apiUrl: string;
  /** PEM of the CA that vouches for the API's certificate. */
  caPem: string;
  /** 32-byte AES key sealing the portal's session cookie. */
  sessionKey: Buffer;
  /** Host name or address where NodePorts and the ingress are reached (links on the Services page). */
  publicHost: string;
  /**
   * The nodes' HTTP ingress as browsers reach it, with the agents' base domain as host (every Service answers at
   * `<service>.<namespace>.<host>`); undefined when turned off.
   */
  ingressUrl?: URL;
}

let cached: PortalConfig | undefined;

function sessionKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const raw = env.FLOTILLA_PORTAL_SESSION_KEY;
  if (raw) {
    const key = Buffer.from(raw, 'base64');
    if (key.length !== 32) throw new ConfigError(`FLOTILLA_PORTAL_SESSION_KEY must be 32 bytes, base64-encoded, got ${key.length} bytes`);
    return key;
  }
  // Kept beside the PKI so sessions survive a portal restart; owner-only like the other keys.
  const dir = join(/* turbopackIgnore: true */ dataDir, 'portal');
  const file = join(/* turbopackIgnore: true */ dir, 'session.key');
  if (!existsSync(/* turbopackIgnore: true */ file)) {
    mkdirSync(/* turbopackIgnore: true */ dir, { recursive: true, mode: 0o700 });
    writeFileSync(/* turbopackIgnore: true */ file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(/* turbopackIgnore: true */ file, 'utf8').trim(), 'base64');
}

function ingressUrl(raw: string | undefined): URL | undefined {
  if (raw === 'off') return undefined;
  const value = raw || 'http://flotilla.localhost:8080';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`FLOTILLA_INGRESS_URL must be a URL such as http://flotilla.localhost:8080, got "${value}"`);
  }
  if (!/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search || /^[\d.]+$|^\[/.test(url.hostname))
    throw new ConfigError(`FLOTILLA_INGRESS_URL must be http(s)://<base domain>[:port] with no path, got "${value}"`);
  return url;
}

export function portalConfig(env: NodeJS.ProcessEnv = process.env): PortalConfig {
  if (cached) return cached;
  const dataDir = resolve(/* turbopackIgnore: true */ env.FLOTILLA_DATA_DIR || './.flotilla');
  const apiUrl = url(env, 'FLOTILLA_API_URL', 'https://127.0.0.1:6443', ['https']);
  const caFile = env.FLOTILLA_CA_FILE || join(/* turbopackIgnore: true */ dataDir, 'pki', 'ca.crt');
  if (!existsSync(/* turbopackIgnore: true */ caFile))
    throw new ConfigError(`FLOTILLA_CA_FILE: no CA certificate at ${caFile} (start the API first, or set the variable)`);
  cached = {
    apiUrl,
    caPem: readFileSync(/* turbopackIgnore: true */ caFile, 'utf8'),
    sessionKey: sessionKey(env, dataDir),
    publicHost: env.FLOTILLA_PUBLIC_HOST || '127.0.0.1',
    ingressUrl: ingressUrl(env.FLOTILLA_INGRESS_URL),
  };
  return cached;
}
