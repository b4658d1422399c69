// Helpers for the tenancy suites: a platform with an admin user, HTTP calls as a given credential,
// users with kubeconfigs, and clean-up of what a suite created (by name prefix) once it has stopped.
import { randomBytes } from 'node:crypto';
import { request } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { Redis } from 'ioredis';
import { dropNamespaces, testDatabaseUrl, testRedisUrl } from './env';
import { Platform, startPlatform } from './platform';

export interface Answer {
  status: number;
  body: string;
  headers: Record<string, unknown>;
  json: () => Record<string, unknown>;
}

export const ADMIN_PASSWORD = 'correct-horse-battery-staple';

export function randomKey(): string {
  return randomBytes(32).toString('base64');
}

export async function startTenancyPlatform(adminUser: string, extra: Record<string, string> = {}): Promise<Platform> {
  return startPlatform({ FLOTILLA_ADMIN_USER: adminUser, FLOTILLA_ADMIN_PASSWORD: ADMIN_PASSWORD, ...extra });
}

/** One HTTPS call; `auth` is a bearer token or `{ cookie, csrf }`. */
export function call(
  p: Platform,
  method: string,
  path: string,
  auth?: string | { cookie: string; csrf?: string },
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const h: Record<string, string> = { ...headers };
  if (typeof auth === 'string') h.authorization = `Bearer ${auth}`;
  else if (auth) {
    h.cookie = auth.cookie;
    if (auth.csrf) h['x-csrf-token'] = auth.csrf;
  }
  let payload: string | Buffer | undefined;
  if (body !== undefined) {
    payload = Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body);
    h['content-type'] ??= method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
    h['content-length'] = String(Buffer.byteLength(payload));
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    // The path is sent as given (no URL normalisation), so hostile paths reach the server intact.
    const req = request({ hostname: '127.0.0.1', port: p.port, path, method, ca: p.caCert, headers: h, agent: false }, (res) => {
      answered = true;
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers, json: () => JSON.parse(data) as Record<string, unknown> }));
    });
    // A server that refuses a body early (413) answers and closes while the body is still being sent: the
    // write then fails, but the answer may still arrive (Go's client, kubectl's, reports it the same way).
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') setTimeout(() => answered || reject(err), 500);
      else reject(err);
    });
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Status only, without reading a (watch) body to its end. */
export function statusOf(p: Platform, method: string, path: string, token: string, body?: string, contentType = 'application/json'): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = contentType;
    const req = request(new URL(path, p.url), { method, ca: p.caCert, headers }, (res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export async function login(p: Platform, username: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const r = await call(p, 'POST', '/flotilla/v1/login', undefined, { username, password });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${r.body}`);
  const set = r.headers['set-cookie'] as string[];
  const cookie = set.map((c) => c.split(';')[0]).join('; ');
  return { cookie, csrf: String(r.json().csrfToken) };
}

/** Creates a user (as the bootstrap admin) and returns a personal API token for them. */
export async function userWithToken(p: Platform, username: string, groups: string[] = []): Promise<string> {
  const c = await call(p, 'POST', '/flotilla/v1/admin/users', p.token, { username, password: ADMIN_PASSWORD, groups });
  if (c.status !== 201) throw new Error(`create user ${username}: ${c.status} ${c.body}`);
  const s = await login(p, username, ADMIN_PASSWORD);
  const t = await call(p, 'POST', '/flotilla/v1/me/tokens', s, { name: 'tests' });
  if (t.status !== 201) throw new Error(`token for ${username}: ${t.status} ${t.body}`);
  return String(t.json().token);
}

export function kubeconfigFor(p: Platform, name: string, token: string): string {
  const file = join(p.dataDir, `${name}.kubeconfig`);
  const ca = Buffer.from(p.caCert).toString('base64');
  writeFileSync(
    file,
    `apiVersion: v1\nkind: Config\nclusters:\n- name: f\n  cluster:\n    server: ${p.url}\n    certificate-authority-data: ${ca}\nusers:\n- name: ${name}\n  user:\n    token: ${token}\ncontexts:\n- name: c\n  context: {cluster: f, user: ${name}}\ncurrent-context: c\n`,
    { mode: 0o600 },
  );
  return file;
}

/** Removes, straight from Postgres, the namespaces (and all in them), users and groups a suite made. */
export async function cleanUp(namespaces: string[], userPrefix: string): Promise<void> {
  await dropNamespaces(namespaces);
  const db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    await db.query(`DELETE FROM users WHERE username LIKE $1`, [`${userPrefix}%`]);
    await db.query(`DELETE FROM groups WHERE name LIKE $1`, [`${userPrefix}%`]);
    await db.query(`DELETE FROM api_tokens WHERE subject LIKE $1`, [`%${userPrefix}%`]);
  } finally {
    await db.end();
  }
  // Login attempt counters of these users and of the test address.
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = [...(await redis.keys(`flotilla:login:user:${userPrefix}*`)), 'flotilla:login:ip:127.0.0.1', 'flotilla:login:ip:::ffff:127.0.0.1'];
    await redis.del(...keys);
  } catch {
    /* Redis is optional for the API: nothing to clean */
  } finally {
    redis.disconnect();
  }
}

export async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    return (await db.query(text, params)).rows as T[];
  } finally {
    await db.end();
  }
}
