// Serves the portal over HTTPS: Next.js through its programmatic API behind node:https, with a
// certificate from FLOTILLA_PORTAL_CERT_FILE/_KEY_FILE or issued on start from the platform CA.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import log from '@flotilla/log';
import next from 'next';
import pki from '@flotilla/pki';
import queue from '@flotilla/queue';
import { Redis } from 'ioredis';

log.requireSupportedNode('portal');

const env = process.env;
// The log format and stream of every Flotilla process (@flotilla/log).
const logger = log.createLogger('portal', log.logLevelOf(env.FLOTILLA_LOG_LEVEL));
const dir = dirname(fileURLToPath(import.meta.url));
const dataDir = resolve(env.FLOTILLA_DATA_DIR || './.flotilla');
const port = log.int(env, 'FLOTILLA_PORTAL_PORT', 8443, { min: 1, max: 65535 });
const host = env.FLOTILLA_PORTAL_HOST || '0.0.0.0';
const RENEW_BEFORE_MS = 30 * 86400_000;

if (Boolean(env.FLOTILLA_PORTAL_CERT_FILE) !== Boolean(env.FLOTILLA_PORTAL_KEY_FILE))
  throw new Error('set both FLOTILLA_PORTAL_CERT_FILE and FLOTILLA_PORTAL_KEY_FILE, or neither');

/** The serving pair: given files, else a certificate from the platform CA (kept in memory only). */
async function servingPair() {
  if (env.FLOTILLA_PORTAL_CERT_FILE) {
    return { cert: readFileSync(env.FLOTILLA_PORTAL_CERT_FILE, 'utf8'), key: readFileSync(env.FLOTILLA_PORTAL_KEY_FILE, 'utf8') };
  }
  const pkiDir = join(dataDir, 'pki');
  const caCert = env.FLOTILLA_CA_CERT_FILE || join(pkiDir, 'ca.crt');
  const caKey = env.FLOTILLA_CA_KEY_FILE || join(pkiDir, 'ca.key');
  if (!existsSync(caCert) || !existsSync(caKey)) {
    throw new Error(`no certificate for the portal: set FLOTILLA_PORTAL_CERT_FILE/_KEY_FILE, or start the API first so ${pkiDir} holds the platform CA`);
  }
  const extra = (env.FLOTILLA_PORTAL_SANS || env.FLOTILLA_TLS_SANS || '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const isIp = (s) => /^[0-9.]+$/.test(s) || s.includes(':');
  const names = ['localhost', hostname(), ...extra.filter((s) => !isIp(s))];
  const ips = ['127.0.0.1', '::1', ...extra.filter(isIp)];
  const pair = await pki.issueServingCert(
    { certPem: readFileSync(caCert, 'utf8'), keyPem: readFileSync(caKey, 'utf8') },
    { commonName: 'flotilla-portal', dnsNames: [...new Set(names)], ipAddresses: [...new Set(ips)] },
  );
  return { cert: pair.certPem + readFileSync(caCert, 'utf8'), key: pair.keyPem };
}

const app = next({ dev: false, dir, hostname: host === '0.0.0.0' ? 'localhost' : host, port });
const handle = app.getRequestHandler();
await app.prepare();

let pair = await servingPair();
const server = createServer({ ...pair, minVersion: 'TLSv1.2' }, (req, res) => {
  res.setHeader('strict-transport-security', 'max-age=31536000');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'same-origin');
  res.setHeader('x-frame-options', 'DENY');
  handle(req, res);
});

// Renew an issued certificate before it expires, without dropping open connections.
setInterval(async () => {
  try {
    const notAfter = Date.parse(new X509Certificate(pair.cert).validTo);
    if (notAfter - Date.now() > RENEW_BEFORE_MS) return;
    pair = await servingPair();
    server.setSecureContext({ ...pair, minVersion: 'TLSv1.2' });
    logger.info('portal certificate renewed');
  } catch (err) {
    logger.error('portal certificate renewal failed', { error: String(err) });
  }
}, 3600_000).unref();

server.listen(port, host, () => {
  logger.info('portal listening', { url: `https://${host === '0.0.0.0' ? 'localhost' : host}:${port}` });
  recordStart();
});

// The portal's start, restarts and last exit for the admin components view. The portal itself needs neither
// Redis nor Postgres: it records only when given both (scripts/up.sh passes them; the Postgres URL only names
// the cluster), and a failure is logged, never fatal.
function recordStart() {
  if (!env.REDIS_URL || !env.DATABASE_URL) return;
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3, lazyConnect: true });
  redis.on('error', () => undefined);
  redis
    .connect()
    .then(() => queue.recordComponentStart(redis, queue.componentsKey(env.DATABASE_URL), 'portal', hostname()))
    .catch((err) => logger.warn('could not record the portal start', { error: String(err) }))
    .finally(() => redis.disconnect());
}

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.once(sig, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
