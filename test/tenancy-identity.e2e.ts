// Identity end to end: login (sessions, CSRF, rate limits, one answer for unknown user and wrong
// password), personal API tokens with kubectl, node join, service-account tokens, and the 401s for
// forged, revoked and expired credentials.
import { spawnSync } from 'node:child_process';
import { Platform } from './support/platform';
import { uniqueName } from './support/fixtures';
import { ADMIN_PASSWORD, call, cleanUp, kubeconfigFor, login, sql, startTenancyPlatform, userWithToken } from './support/tenancy';
import { eventually } from './support/eventually';

const prefix = uniqueName('tid');
const nsA = `${prefix}-a`;
const nsB = `${prefix}-b`;
const admin = `${prefix}-root`;
let p: Platform;

function kubectl(kubeconfig: string, args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: `${p.dataDir}/home-${kubeconfig.length}` },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, out: r.stdout ?? '', err: r.stderr ?? '' };
}

beforeAll(async () => {
  p = await startTenancyPlatform(admin, { FLOTILLA_LOGIN_MAX_ATTEMPTS: '3' });
});

afterAll(async () => {
  await p?.stop();
  await cleanUp([nsA, nsB], prefix);
});

describe('portal sessions', () => {
  it('logs the configured admin in with an httpOnly, Secure, SameSite=Strict cookie', async () => {
    const r = await call(p, 'POST', '/flotilla/v1/login', undefined, { username: admin, password: ADMIN_PASSWORD });
    expect(r.status).toBe(200);
    const cookies = (r.headers['set-cookie'] as string[]).join('\n');
    expect(cookies).toMatch(/flotilla_session=fls_[^;]+;.*HttpOnly/);
    expect(cookies).toMatch(/Secure/);
    expect(cookies).toMatch(/SameSite=Strict/);
    expect(r.json().groups).toContain('flotilla:admins');
  });

  it('needs the CSRF token for cookie mutations, and accepts it', async () => {
    const s = await login(p, admin, ADMIN_PASSWORD);
    expect((await call(p, 'GET', '/flotilla/v1/me', { cookie: s.cookie })).json().username).toBe(admin);
    const body = { name: nsA, bindings: [] };
    const noCsrf = await call(p, 'POST', '/flotilla/v1/admin/namespaces', { cookie: s.cookie }, body);
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body).toContain('CSRF');
    const crossSite = await call(p, 'POST', '/flotilla/v1/admin/namespaces', s, body, { origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    const ok = await call(p, 'POST', '/flotilla/v1/admin/namespaces', s, body);
    expect(ok.status).toBe(201);
  });

  it('answers an unknown user exactly like a wrong password, then rate-limits the account', async () => {
    const user = `${prefix}-u1`;
    await userWithToken(p, user);
    const wrong = await call(p, 'POST', '/flotilla/v1/login', undefined, { username: user, password: 'not-the-password!' });
    const unknown = await call(p, 'POST', '/flotilla/v1/login', undefined, { username: `${prefix}-nobody`, password: 'not-the-password!' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json().message).toBe(unknown.json().message);
    for (let i = 0; i < 3; i++) await call(p, 'POST', '/flotilla/v1/login', undefined, { username: user, password: 'not-the-password!' });
    const limited = await call(p, 'POST', '/flotilla/v1/login', undefined, { username: user, password: ADMIN_PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('refuses an expired, a revoked (logout) and a forged session with 401', async () => {
    const s = await login(p, admin, ADMIN_PASSWORD);
    const id = /fls_([0-9a-f]{16})_/.exec(s.cookie)?.[1];
    await sql("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [id]);
    expect((await call(p, 'GET', '/flotilla/v1/me', { cookie: s.cookie })).status).toBe(401);
    const s2 = await login(p, admin, ADMIN_PASSWORD);
    expect((await call(p, 'POST', '/flotilla/v1/logout', s2)).status).toBe(200);
    expect((await call(p, 'GET', '/flotilla/v1/me', { cookie: s2.cookie })).status).toBe(401);
    const forged = s.cookie.replace(/fls_([0-9a-f]{16})_[^;]+/, `fls_$1_${'A'.repeat(43)}`);
    expect((await call(p, 'GET', '/flotilla/v1/me', { cookie: forged })).status).toBe(401);
  });
});

describe('API tokens and kubectl', () => {
  let aliceToken: string;

  beforeAll(async () => {
    aliceToken = await userWithToken(p, `${prefix}-alice`);
    const r = await call(p, 'POST', '/flotilla/v1/admin/namespaces', p.token, {
      name: nsB,
      labels: { team: 'b' },
      quota: { pods: '3' },
      bindings: [{ role: 'admin', users: [`${prefix}-alice`] }],
    });
    expect(r.status).toBe(201);
  });

  it('works with kubectl from a downloaded kubeconfig, only in the team namespace', async () => {
    const s = await login(p, `${prefix}-alice`, ADMIN_PASSWORD);
    const k = await call(p, 'POST', '/flotilla/v1/me/kubeconfig', s, { name: 'laptop' });
    expect(k.status).toBe(201);
    expect(k.body).toContain('certificate-authority-data');
    const file = `${p.dataDir}/alice.kubeconfig`;
    require('node:fs').writeFileSync(file, k.body, { mode: 0o600 });
    expect(kubectl(file, ['create', 'configmap', 'app', '-n', nsB, '--from-literal=a=b']).code).toBe(0);
    expect(kubectl(file, ['get', 'configmaps', '-n', nsB]).out).toContain('app');
    const other = kubectl(file, ['get', 'configmaps', '-n', nsA]);
    expect(other.code).toBe(1);
    expect(other.err).toContain(`namespaces "${nsA}" not found`);
    expect(kubectl(file, ['auth', 'can-i', 'create', 'deployments', '-n', nsB]).out.trim()).toBe('yes');
    expect(kubectl(file, ['auth', 'can-i', 'create', 'namespaces']).out.trim()).toBe('no');
    expect(kubectl(file, ['auth', 'whoami']).out).toContain(`${prefix}-alice`);
    expect(kubectl(file, ['auth', 'can-i', '--list', '-n', nsB]).out).toContain('rolebindings.rbac.authorization.k8s.io');
    const names = kubectl(file, ['get', 'namespaces', '-o', 'name']).out.trim().split('\n');
    expect(names).toEqual([`namespace/${nsB}`]);
  });

  it('lists and revokes tokens; revoked, forged and expired tokens get 401', async () => {
    const list = await call(p, 'GET', '/flotilla/v1/me/tokens', aliceToken);
    const items = list.json().items as { id: string; name: string }[];
    expect(items.map((t) => t.name)).toContain('tests');
    // The secret is base64url and may itself contain '_': take everything after `flt_<id>_`.
    expect(list.body).not.toContain(aliceToken.slice('flt_'.length + 16 + 1));
    const id = aliceToken.split('_')[1];
    const forged = `flt_${id}_${'B'.repeat(43)}`;
    expect((await call(p, 'GET', `/api/v1/namespaces/${nsB}/configmaps`, forged)).status).toBe(401);
    expect((await call(p, 'GET', `/api/v1/namespaces/${nsB}/configmaps`, 'garbage')).status).toBe(401);
    const short = await call(p, 'POST', '/flotilla/v1/me/tokens', aliceToken, { name: 'short', expirationSeconds: 60 });
    const shortToken = String(short.json().token);
    await sql("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [shortToken.split('_')[1]]);
    expect((await call(p, 'GET', `/api/v1/namespaces/${nsB}/configmaps`, shortToken)).status).toBe(401);
    expect((await call(p, 'DELETE', `/flotilla/v1/me/tokens/${id}`, aliceToken)).status).toBe(200);
    expect((await call(p, 'GET', `/api/v1/namespaces/${nsB}/configmaps`, aliceToken)).status).toBe(401);
  });

  it('issues service-account tokens with kubectl create token, usable as the service account', async () => {
    const kc = kubeconfigFor(p, 'admin', p.token);
    expect(kubectl(kc, ['create', 'serviceaccount', 'ci', '-n', nsB]).code).toBe(0);
    expect(kubectl(kc, ['create', 'rolebinding', 'ci-view', '--clusterrole=view', `--serviceaccount=${nsB}:ci`, '-n', nsB]).code).toBe(0);
    const t = kubectl(kc, ['create', 'token', 'ci', '-n', nsB]);
    expect(t.code).toBe(0);
    const who = await call(p, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', t.out, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
    });
    expect((who.json().status as { userInfo: { username: string } }).userInfo.username).toBe(`system:serviceaccount:${nsB}:ci`);
    expect((await call(p, 'GET', `/api/v1/namespaces/${nsB}/configmaps`, t.out)).status).toBe(200);
    expect((await call(p, 'GET', `/api/v1/namespaces/${nsB}/secrets`, t.out)).status).toBe(403);
  });
});

describe('users and groups administration', () => {
  it('disables a user (their tokens stop working) and resets a password', async () => {
    const name = `${prefix}-carol`;
    const token = await userWithToken(p, name);
    expect((await call(p, 'GET', '/flotilla/v1/me', token)).status).toBe(200);
    expect((await call(p, 'PATCH', `/flotilla/v1/admin/users/${name}`, p.token, { disabled: true })).status).toBe(200);
    expect((await call(p, 'GET', '/flotilla/v1/me', token)).status).toBe(401);
    expect((await call(p, 'POST', '/flotilla/v1/login', undefined, { username: name, password: ADMIN_PASSWORD })).status).toBe(401);
    await call(p, 'PATCH', `/flotilla/v1/admin/users/${name}`, p.token, { disabled: false });
    expect((await call(p, 'PUT', `/flotilla/v1/admin/users/${name}/password`, p.token, { password: 'a-brand-new-password' })).status).toBe(200);
    await login(p, name, 'a-brand-new-password');
  });

  it('gives a role to a whole group', async () => {
    const group = `${prefix}-devs`;
    const dave = await userWithToken(p, `${prefix}-dave`);
    expect((await call(p, 'POST', '/flotilla/v1/admin/groups', p.token, { name: group })).status).toBe(201);
    expect((await call(p, 'PUT', `/flotilla/v1/admin/groups/${group}/members/${prefix}-dave`, p.token)).status).toBe(200);
    const kc = kubeconfigFor(p, 'admin', p.token);
    kubectl(kc, ['create', 'rolebinding', 'devs-edit', '--clusterrole=edit', `--group=${group}`, '-n', nsB]);
    // Group membership is read at authentication (cached for a few seconds).
    await eventually(async () => expect((await call(p, 'GET', `/api/v1/namespaces/${nsB}/secrets`, dave)).status).toBe(200), {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    expect((await call(p, 'GET', '/flotilla/v1/admin/users', dave)).status).toBe(403);
  });
});

describe('node credentials', () => {
  it('joins with a one-time token and may touch only its own Node', async () => {
    const jt = await call(p, 'POST', '/flotilla/v1/admin/jointokens', p.token, {});
    expect(jt.status).toBe(201);
    const node = `${prefix}-n1`;
    const join = await call(p, 'POST', '/flotilla/v1/nodes/join', undefined, { token: jt.json().token, nodeName: node });
    expect(join.status).toBe(201);
    expect(join.json().username).toBe(`system:node:${node}`);
    const again = await call(p, 'POST', '/flotilla/v1/nodes/join', undefined, { token: jt.json().token, nodeName: `${node}x` });
    expect(again.status).toBe(400);
    const nt = String(join.json().token);
    const mk = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    expect((await call(p, 'POST', '/api/v1/nodes', nt, mk(node))).status).toBe(201);
    expect((await call(p, 'PATCH', `/api/v1/nodes/${prefix}-other`, nt, { metadata: { labels: { a: 'b' } } })).status).toBe(403);
    expect((await call(p, 'GET', `/api/v1/namespaces/${nsB}/secrets`, nt)).status).toBe(403);
    expect((await call(p, 'GET', '/api/v1/pods', nt)).status).toBe(200);
    await call(p, 'DELETE', `/api/v1/nodes/${node}`, p.token);
  });
});
