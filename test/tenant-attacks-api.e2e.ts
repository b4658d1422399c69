// Issue 14, lower-severity list, against the real API: no credential reaches a log even at debug level,
// and Endpoints may not name the host's loopback or link-local addresses.
import { randomBytes } from 'node:crypto';
import { uniqueName } from './support/fixtures';
import type { Platform } from './support/platform';
import { ADMIN_PASSWORD, call, cleanUp, login, startTenancyPlatform, userWithToken } from './support/tenancy';

const prefix = uniqueName('tapi');
const ns = `${prefix}-ns`;
const admin = `${prefix}-root`;
let p: Platform;

beforeAll(async () => {
  p = await startTenancyPlatform(admin, { FLOTILLA_LOG_LEVEL: 'debug' });
  const r = await call(p, 'POST', '/api/v1/namespaces', p.token, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  expect(r.status).toBe(201);
});

afterAll(async () => {
  await p?.stop();
  await cleanUp([ns], prefix);
});

describe('credentials in logs', () => {
  it('writes no password, token, session, CSRF token or Secret value to the API log at debug level', async () => {
    const session = await login(p, admin, ADMIN_PASSWORD);
    const userToken = await userWithToken(p, `${prefix}-dev`);
    const secretValue = `sv-${randomBytes(12).toString('hex')}`;
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: secretValue } };
    // A namespace the user may not see answers 404, as a missing one would.
    expect((await call(p, 'POST', `/api/v1/namespaces/${ns}/secrets`, userToken, secret)).status).toBe(404);
    expect((await call(p, 'POST', `/api/v1/namespaces/${ns}/secrets`, session, secret)).status).toBe(201);
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets/db`, session)).status).toBe(200);
    // A failed login and a refused body echo nothing either.
    expect((await call(p, 'POST', '/flotilla/v1/login', undefined, { username: admin, password: `${ADMIN_PASSWORD}-typo` })).status).toBe(401);
    const bad = { ...secret, metadata: { name: 'Bad_Name' } };
    expect((await call(p, 'POST', `/api/v1/namespaces/${ns}/secrets`, session, bad)).status).toBe(422);

    const logs = p.logs();
    expect(logs.length).toBeGreaterThan(0);
    const cookieValue = session.cookie.split('=').slice(1).join('=');
    const credentials = {
      adminPassword: ADMIN_PASSWORD,
      bootstrapToken: p.token,
      session: cookieValue,
      csrf: session.csrf,
      userToken,
      secretValue,
      secretValueBase64: Buffer.from(secretValue).toString('base64'),
    };
    const leaked = Object.entries(credentials).filter(([, v]) => v.length >= 8 && logs.includes(v));
    expect(leaked.map(([k]) => k)).toEqual([]);
  });
});

describe('Endpoints addresses', () => {
  const endpoints = (ip: string) => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: `ep-${ip.replace(/[^0-9a-f]/g, '')}` },
    subsets: [{ addresses: [{ ip }], ports: [{ port: 6379 }] }],
  });

  it.each(['127.0.0.1', '::1', '169.254.169.254', '0.0.0.0', 'fe80::1', '224.0.0.1'])(
    'refuses %s with 422 naming the field, even for a cluster admin',
    async (ip) => {
      const r = await call(p, 'POST', `/api/v1/namespaces/${ns}/endpoints`, p.token, endpoints(ip));
      expect(r.status).toBe(422);
      const status = r.json() as { kind: string; details?: { causes?: { field?: string }[] } };
      expect(status.kind).toBe('Status');
      expect(status.details?.causes?.map((c) => c.field)).toContain('subsets[0].addresses[0].ip');
      expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/endpoints/${endpoints(ip).metadata.name}`, p.token)).status).toBe(404);
    },
  );

  it('accepts a pod-network address', async () => {
    expect((await call(p, 'POST', `/api/v1/namespaces/${ns}/endpoints`, p.token, endpoints('10.88.0.5'))).status).toBe(201);
  });
});
