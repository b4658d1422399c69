// Issue 14, lower-severity list, against the real API: no credential reaches a log even at debug level,
// Endpoints may not name the host's loopback or link-local addresses, cookie WebSocket upgrades pass the
// CSRF and Origin checks, ServiceAccount tokens die with the very account (or pod) they were issued for,
// no odd string loses an audit record, and text Postgres cannot store is a 400 naming where it was.
import { randomBytes } from 'node:crypto';
import { waitFor } from './support/eventually';
import { uniqueName } from './support/fixtures';
import { kubectlFor, type Platform } from './support/platform';
import { ADMIN_PASSWORD, call, cleanUp, login, sql, startTenancyPlatform, userWithToken } from './support/tenancy';

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
  await sql(`DELETE FROM audit_events WHERE namespace = $1`, [ns]);
});

async function auditDropped(): Promise<number> {
  const r = await call(p, 'GET', '/metrics', p.token);
  const m = /^flotilla_audit_dropped_total (\d+)/m.exec(r.body);
  if (!m) throw new Error(`no flotilla_audit_dropped_total in /metrics:\n${r.body.slice(0, 500)}`);
  return Number(m[1]);
}

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

describe('cookie-authenticated WebSocket upgrades', () => {
  const exec = `/api/v1/namespaces/${ns}/pods/nopod/exec?command=sh&stdin=true&stdout=true`;
  const handshake = {
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    'sec-websocket-protocol': 'v4.channel.k8s.io',
  };

  it('refuses a foreign Origin with 403 in Status form before the upgrade', async () => {
    const session = await login(p, admin, ADMIN_PASSWORD);
    const r = await call(p, 'GET', exec, session, undefined, { ...handshake, origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.json()).toMatchObject({ kind: 'Status', code: 403 });
    expect(String(r.json().message)).toContain('cross-site request refused: Origin https://evil.example');
  });

  it('refuses a missing CSRF token with 403', async () => {
    const session = await login(p, admin, ADMIN_PASSWORD);
    const r = await call(p, 'GET', exec, { cookie: session.cookie }, undefined, handshake);
    expect(r.status).toBe(403);
    expect(String(r.json().message)).toContain('CSRF token missing or invalid');
  });

  it('passes the checks with the CSRF token (the missing pod answers 404), and leaves bearer-token upgrades alone', async () => {
    const session = await login(p, admin, ADMIN_PASSWORD);
    expect((await call(p, 'GET', exec, session, undefined, handshake)).status).toBe(404);
    // kubectl sends no cookie: an Origin does not matter to a bearer token.
    expect((await call(p, 'GET', exec, p.token, undefined, { ...handshake, origin: 'https://evil.example' })).status).toBe(404);
  });
});

describe('ServiceAccount tokens', () => {
  const kubectl = () => kubectlFor(p);
  const whoami = async (token: string): Promise<number> =>
    (
      await call(p, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', token, {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
      })
    ).status;
  const ok = (args: string[]): string => {
    const r = kubectl()(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };

  it('are revoked at once when the account is deleted, and a new account of the same name does not revive them', async () => {
    ok(['create', 'serviceaccount', 'robot', '-n', ns]);
    const token = ok(['create', 'token', 'robot', '-n', ns]);
    expect(await whoami(token)).toBe(201);
    ok(['delete', 'serviceaccount', 'robot', '-n', ns]);
    expect(await whoami(token)).toBe(401);
    ok(['create', 'serviceaccount', 'robot', '-n', ns]);
    expect(await whoami(token)).toBe(401);
    // The new account's own tokens work.
    expect(await whoami(ok(['create', 'token', 'robot', '-n', ns]))).toBe(201);
  });

  it('bound to a pod die with the pod, even while the account lives', async () => {
    ok(['create', 'serviceaccount', 'pod-robot', '-n', ns]);
    ok(['run', 'holder', '-n', ns, '--image=flotilla/busybox:1', '--restart=Never', '--overrides={"spec":{"nodeName":"nowhere"}}']);
    const token = ok(['create', 'token', 'pod-robot', '-n', ns, '--bound-object-kind', 'Pod', '--bound-object-name', 'holder']);
    expect(await whoami(token)).toBe(201);
    ok(['delete', 'pod', 'holder', '-n', ns, '--grace-period=0', '--force', '--wait=false']);
    expect(await whoami(token)).toBe(401);
    ok(['run', 'holder', '-n', ns, '--image=flotilla/busybox:1', '--restart=Never', '--overrides={"spec":{"nodeName":"nowhere"}}']);
    expect(await whoami(token)).toBe(401);
    // A uid that is not the pod's is refused at issue.
    const wrong = kubectl()([
      'create',
      'token',
      'pod-robot',
      '-n',
      ns,
      '--bound-object-kind',
      'Pod',
      '--bound-object-name',
      'holder',
      '--bound-object-uid',
      'x',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('spec.boundObjectRef.uid');
  });
});

describe('audit under hostile text', () => {
  it('audits a DELETE sent in the same batch as a %00 path, stores the odd name escaped, and drops nothing', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited' }, data: { a: 'b' } };
    expect((await call(p, 'POST', `/api/v1/namespaces/${ns}/configmaps`, p.token, cm)).status).toBe(201);
    const before = await auditDropped();
    // Sent together, the three land in one audit batch (batches are written every 200 ms).
    const [nul, surrogate, del] = await Promise.all([
      call(p, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/a%00b`, p.token),
      call(p, 'POST', `/api/v1/namespaces/${ns}/configmaps`, p.token, '{"metadata":{"name":"s"},"data":{"k":"\\ud800"}}'),
      call(p, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/audited`, p.token),
    ]);
    expect([nul.status, surrogate.status, del.status]).toEqual([400, 400, 200]);
    const rows = await waitFor('the DELETE and the %00 request in the audit log', async () => {
      const r = await sql<{ name: string; verb: string; code: number }>(
        `SELECT name, verb, code FROM audit_events WHERE namespace = $1 AND verb = 'delete' AND resource = 'configmaps'`,
        [ns],
      );
      return r.length >= 2 ? r : undefined;
    });
    expect(rows.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
      { name: 'audited', verb: 'delete', code: 200 },
      { name: 'a\u2400b', verb: 'delete', code: 400 },
    ]);
    expect(await auditDropped()).toBe(before);
    expect(before).toBe(0);
  });
});

describe('text Postgres cannot store', () => {
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const refused = (r: { status: number; json: () => Record<string, unknown> }, needle: string) => {
    expect(r.status).toBe(400);
    const s = r.json();
    expect(s).toMatchObject({ kind: 'Status', code: 400, reason: 'BadRequest' });
    expect(String(s.message)).toContain(needle);
  };
  const stored = async (name: string) => (await call(p, 'GET', `${path}/${name}`, p.token)).status;

  it.each([
    ['a NUL in a data value', '{"metadata":{"name":"t1"},"data":{"k":"a\\u0000b"}}', 'NUL character (\\u0000) at data.k'],
    ['a NUL in a label value', '{"metadata":{"name":"t1","labels":{"a":"\\u0000"}}}', 'at metadata.labels.a'],
    ['a NUL in an annotation key', '{"metadata":{"name":"t1","annotations":{"x/\\u0000":"v"}}}', 'in a key at metadata.annotations'],
    ['a lone surrogate in a data value', '{"metadata":{"name":"t1"},"data":{"k":"\\udc00"}}', 'lone UTF-16 surrogate (\\udc00) at data.k'],
    ['a NUL in the name', '{"metadata":{"name":"t1\\u0000"}}', 'at metadata.name'],
  ])('refuses %s in a JSON body with 400 naming the field; nothing is stored', async (_what, body, needle) => {
    refused(await call(p, 'POST', path, p.token, body), needle);
    expect(await stored('t1')).toBe(404);
  });

  it('refuses invalid UTF-8 bytes in a JSON body and in a YAML body', async () => {
    const bytes = Buffer.concat([Buffer.from('{"metadata":{"name":"t2"},"data":{"k":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}')]);
    refused(await call(p, 'POST', path, p.token, bytes), 'not valid UTF-8 (first bad byte at offset 39)');
    const yaml = Buffer.concat([Buffer.from('metadata:\n  name: t2\ndata:\n  k: '), Buffer.from([0xfe]), Buffer.from('\n')]);
    refused(await call(p, 'POST', path, p.token, yaml, { 'content-type': 'application/yaml' }), 'not valid UTF-8');
    expect(await stored('t2')).toBe(404);
  });

  it('refuses a NUL escaped in a YAML body', async () => {
    const yaml = 'metadata:\n  name: t3\ndata:\n  k: "a\\0b"\n';
    refused(await call(p, 'POST', path, p.token, yaml, { 'content-type': 'application/yaml' }), 'at data.k');
    expect(await stored('t3')).toBe(404);
  });

  it('refuses bad text in merge, JSON and apply patches; the stored object is unchanged', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept', labels: { a: 'b' } }, data: { k: 'v' } };
    expect((await call(p, 'POST', path, p.token, cm)).status).toBe(201);
    refused(await call(p, 'PATCH', `${path}/kept`, p.token, '{"metadata":{"labels":{"a":"\\u0000"}}}'), 'at metadata.labels.a');
    refused(
      await call(p, 'PATCH', `${path}/kept`, p.token, '[{"op":"replace","path":"/data/k","value":"\\ud800"}]', {
        'content-type': 'application/json-patch+json',
      }),
      'at [0].value',
    );
    refused(
      await call(p, 'PATCH', `${path}/kept?fieldManager=t`, p.token, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kept\ndata:\n  k: "\\0"\n', {
        'content-type': 'application/apply-patch+yaml',
      }),
      'at data.k',
    );
    const now = (await call(p, 'GET', `${path}/kept`, p.token)).json() as { metadata: { labels: Record<string, string> }; data: Record<string, string> };
    expect(now.metadata.labels).toEqual({ a: 'b' });
    expect(now.data).toEqual({ k: 'v' });
  });

  it.each([
    ['GET', `/api/v1/namespaces/${ns}/configmaps/a%00b`, 'NUL character (\\u0000) in the name'],
    ['DELETE', `/api/v1/namespaces/${ns}/configmaps/a%00b`, 'in the name'],
    ['PUT', `/api/v1/namespaces/${ns}/configmaps/a%00b`, 'in the name'],
    ['GET', `/api/v1/namespaces/a%00b/configmaps`, 'in the namespace'],
    ['DELETE', `/api/v1/namespaces/a%00b`, 'in the name'],
    ['GET', `/api/v1/namespaces/${ns}/configmaps/%ED%A0%80`, 'invalid path segment'],
    ['GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=a%3Db%00`, 'query parameter "labelSelector" contains a NUL'],
    ['GET', `/api/v1/namespaces/${ns}/configmaps?fieldSelector=metadata.name%3Da%00`, 'query parameter "fieldSelector"'],
    ['GET', `/api/v1/configmaps?continue=%00`, 'query parameter "continue"'],
  ])('refuses %s %s with 400', async (method, url, needle) => {
    const body = method === 'PUT' ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } } : undefined;
    refused(await call(p, method, url, p.token, body), needle);
  });
});

describe('Pod Security namespace labels', () => {
  it('lets whoever may update a namespace add warn and audit labels, but only cluster admins set, change or remove enforce', async () => {
    const user = `${prefix}-nsedit`;
    const token = await userWithToken(p, user);
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `${prefix}-ns-patch` },
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'patch', 'update'] }],
    };
    const binding = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${prefix}-ns-patch` },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
    };
    const rbac = '/apis/rbac.authorization.k8s.io/v1';
    expect((await call(p, 'POST', `${rbac}/clusterroles`, p.token, role)).status).toBe(201);
    expect((await call(p, 'POST', `${rbac}/clusterrolebindings`, p.token, binding)).status).toBe(201);
    try {
      const label = (labels: Record<string, string | null>) => call(p, 'PATCH', `/api/v1/namespaces/${ns}`, token, { metadata: { labels } });
      await waitFor('the binding in force', async () => (await label({ 'pod-security.kubernetes.io/warn': 'restricted' })).status === 200);
      expect((await label({ 'pod-security.kubernetes.io/audit': 'restricted', 'pod-security.kubernetes.io/warn-version': 'latest' })).status).toBe(200);
      const raise = await label({ 'pod-security.kubernetes.io/enforce': 'restricted' });
      expect(raise.status).toBe(403);
      expect(String(raise.json().message)).toContain('only cluster admins may set the label pod-security.kubernetes.io/enforce');
      expect(
        (await call(p, 'PATCH', `/api/v1/namespaces/${ns}`, p.token, { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } })).status,
      ).toBe(200);
      expect((await label({ 'pod-security.kubernetes.io/enforce': null })).status).toBe(403);
      expect((await label({ 'pod-security.kubernetes.io/enforce': 'privileged' })).status).toBe(403);
      const now = (await call(p, 'GET', `/api/v1/namespaces/${ns}`, p.token)).json() as { metadata: { labels: Record<string, string> } };
      expect(now.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'restricted' });
    } finally {
      // Later cases may create pods here: back to the default level.
      await call(p, 'PATCH', `/api/v1/namespaces/${ns}`, p.token, { metadata: { labels: { 'pod-security.kubernetes.io/enforce': null } } });
      await call(p, 'DELETE', `${rbac}/clusterrolebindings/${binding.metadata.name}`, p.token);
      await call(p, 'DELETE', `${rbac}/clusterroles/${role.metadata.name}`, p.token);
    }
  });
});
