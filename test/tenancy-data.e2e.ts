// Data protection and traceability: Secrets encrypted at rest with key rotation, the audit log of
// mutations and denials (and its admin query API), mutation rate limits, and hostile requests.
import { Platform, kubectlFor, ok as kubectlOk } from './support/platform';
import { uniqueName } from './support/fixtures';
import { call, cleanUp, randomKey, sql, startTenancyPlatform, userWithToken } from './support/tenancy';
import { eventually } from './support/eventually';

const prefix = uniqueName('tdp');
const ns = `${prefix}-ns`;
const k1 = randomKey();
const k2 = randomKey();
const PLAIN = 'top-secret-value-1234';
let p: Platform;
let tenant: string;
const LIMITS = { FLOTILLA_MUTATION_BURST: '30', FLOTILLA_MUTATION_RATE: '1' };

const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: PLAIN } };

async function storedBodies(): Promise<string[]> {
  const rows = await sql<{ body: string }>("SELECT body::text AS body FROM objects WHERE resource = 'core/secrets' AND namespace = $1", [ns]);
  const log = await sql<{ body: string }>("SELECT object::text AS body FROM changes WHERE resource = 'core/secrets' AND namespace = $1", [ns]);
  return [...rows, ...log].map((r) => r.body);
}

beforeAll(async () => {
  p = await startTenancyPlatform(`${prefix}-root`, { FLOTILLA_ENCRYPTION_KEYS: `k1:${k1}`, ...LIMITS });
  tenant = await userWithToken(p, `${prefix}-dev`);
  await call(p, 'POST', '/flotilla/v1/admin/namespaces', p.token, { name: ns, bindings: [{ role: 'edit', users: [`${prefix}-dev`] }] });
});

afterAll(async () => {
  await p?.stop();
  await cleanUp([ns], prefix);
});

describe('Secrets at rest', () => {
  it('stores no plaintext in objects or the change log, and reads back the data', async () => {
    expect((await call(p, 'POST', `/api/v1/namespaces/${ns}/secrets`, tenant, secret)).status).toBe(201);
    const bodies = await storedBodies();
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    for (const b of bodies) {
      expect(b).not.toContain(PLAIN);
      expect(b).not.toContain(Buffer.from(PLAIN).toString('base64'));
      expect(b).toContain('k8s:enc:aesgcm:v1:k1:');
    }
    const got = await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets/db`, tenant);
    const data = got.json().data as Record<string, string> | undefined;
    const sd = got.json().stringData as Record<string, string> | undefined;
    expect(data?.password ? Buffer.from(data.password, 'base64').toString() : sd?.password).toBe(PLAIN);
    expect(p.logs()).not.toContain(PLAIN);
  });

  it('keeps kubectl apply’s last-applied copy of a Secret sealed too, and gives it back', async () => {
    const applied = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'applied', namespace: ns }, stringData: { password: PLAIN } };
    kubectlOk(kubectlFor(p)(['apply', '-f', '-'], JSON.stringify(applied)));
    for (const b of await storedBodies()) {
      expect(b).not.toContain(PLAIN);
      expect(b).not.toContain(Buffer.from(PLAIN).toString('base64'));
    }
    const got = await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets/applied`, p.token);
    const lastApplied = (got.json().metadata as { annotations?: Record<string, string> }).annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
    expect(JSON.parse(lastApplied ?? '{}').stringData).toEqual({ password: PLAIN });
    // A second apply patches against the sealed copy it got back (stringData is write-only, as in Kubernetes,
    // so kubectl sends it again) and leaves the value as it was.
    kubectlOk(kubectlFor(p)(['apply', '-f', '-'], JSON.stringify(applied)));
    for (const b of await storedBodies()) expect(b).not.toContain(PLAIN);
    const again = (await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets/applied`, p.token)).json().data as Record<string, string>;
    expect(Buffer.from(again.password, 'base64').toString()).toBe(PLAIN);
  });

  it('rotates: a new first key reads old Secrets, and the rewrite re-encrypts them all', async () => {
    await p.stop();
    p = await startTenancyPlatform(`${prefix}-root`, { FLOTILLA_ENCRYPTION_KEYS: `k2:${k2},k1:${k1}`, ...LIMITS });
    tenant = await userWithToken(p, `${prefix}-dev2`).catch(() => tenant);
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets/db`, p.token)).status).toBe(200);
    // Scoped to this suite's namespace: the test database is shared with other suites.
    const r = await call(p, 'POST', `/flotilla/v1/admin/secrets/reencrypt?namespace=${ns}`, p.token);
    expect(r.status).toBe(200);
    expect(r.json().keyId).toBe('k2');
    for (const b of await storedBodies()) expect(b).toContain('k8s:enc:aesgcm:v1:k2:');
    await p.stop();
    // The old key can now be dropped.
    p = await startTenancyPlatform(`${prefix}-root`, { FLOTILLA_ENCRYPTION_KEYS: `k2:${k2}`, ...LIMITS });
    const got = await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets/db`, p.token);
    expect(got.status).toBe(200);
    // Two API restarts: each start is tens of seconds on a loaded machine.
  }, 180_000);

  it('does not let view read Secrets', async () => {
    const viewer = await userWithToken(p, `${prefix}-viewer`);
    const rb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'viewer' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `${prefix}-viewer` }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    };
    expect((await call(p, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, p.token, rb)).status).toBe(201);
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/configmaps`, viewer)).status).toBe(200);
    const s = await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets/db`, viewer);
    expect(s.status).toBe(403);
    expect(s.json().message).toBe(`secrets "db" is forbidden: User "${prefix}-viewer" cannot get resource "secrets" in API group "" in the namespace "${ns}"`);
  });
});

describe('audit', () => {
  it('records every mutation and every denial with who, what, where and result, queryable by admins', async () => {
    const dev = await userWithToken(p, `${prefix}-auditee`);
    const rb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'auditee' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `${prefix}-auditee` }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    };
    await call(p, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, p.token, rb);
    await call(p, 'POST', `/api/v1/namespaces/${ns}/configmaps`, dev, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited' } });
    await call(p, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/audited`, dev);
    await call(p, 'GET', '/api/v1/nodes', dev);
    await call(p, 'GET', `/api/v1/namespaces/kube-system/pods`, dev);
    type AuditItem = { verb: string; resource: string; namespace: string; name: string; decision: string; code: number; sourceIp: string };
    const line = (i: AuditItem) => `${i.decision} ${i.code} ${i.verb} ${i.resource} ${i.namespace}/${i.name}`;
    // Audit writes are batched: the records appear a flush later.
    const items = await eventually(async () => {
      const q = await call(p, 'GET', `/flotilla/v1/admin/audit?user=${prefix}-auditee&limit=50`, p.token);
      expect(q.status).toBe(200);
      const got = q.json().items as AuditItem[];
      expect(got.map(line)).toEqual(
        expect.arrayContaining([
          `allowed 201 create configmaps ${ns}/`,
          `allowed 200 delete configmaps ${ns}/audited`,
          'denied 403 list nodes /',
          'denied 404 list pods kube-system/',
        ]),
      );
      return got;
    });
    expect(items.every((i) => i.sourceIp.includes('127.0.0.1'))).toBe(true);
    const denied = await call(p, 'GET', `/flotilla/v1/admin/audit?user=${prefix}-auditee&decision=denied`, p.token);
    expect((denied.json().items as unknown[]).length).toBe(2);
    const paged = await call(p, 'GET', `/flotilla/v1/admin/audit?user=${prefix}-auditee&limit=1`, p.token);
    expect(paged.json().continue).toBeDefined();
    expect((await call(p, 'GET', '/flotilla/v1/admin/audit', dev)).status).toBe(403);
  });
});

describe('hostile requests', () => {
  it('refuses an oversized body with 413 and changes nothing', async () => {
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(4 * 1024 * 1024) } };
    const r = await call(p, 'POST', `/api/v1/namespaces/${ns}/configmaps`, tenant, big);
    expect(r.status).toBe(413);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/configmaps/big`, p.token)).status).toBe(404);
  });

  it('refuses path traversal in names', async () => {
    // (A literal "/.." is resolved by every HTTP client before it is sent, kubectl's included.)
    for (const name of ['%2E%2E', '.%2E', 'a%2Fb', '..%2F..%2Fnodes']) {
      const r = await call(p, 'GET', `/api/v1/namespaces/${ns}/configmaps/${name}`, p.token);
      expect([name, [400, 404].includes(r.status) ? 'refused' : `${r.status} ${r.body.slice(0, 200)}`]).toEqual([name, 'refused']);
    }
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/configmaps/..%2F..%2F..%2Fnodes`, tenant)).status).not.toBe(200);
  });

  it('changes nothing when a precondition names another object’s uid', async () => {
    const a = await call(p, 'POST', `/api/v1/namespaces/${ns}/configmaps`, p.token, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mine' },
      data: { v: '1' },
    });
    const foreignUid = (a.json().metadata as { uid: string }).uid.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const del = await call(p, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/mine`, p.token, { preconditions: { uid: foreignUid } });
    expect(del.status).toBe(409);
    const put = await call(p, 'PUT', `/api/v1/namespaces/${ns}/configmaps/mine`, p.token, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'mine', uid: foreignUid },
      data: { v: '2' },
    });
    expect([409, 422]).toContain(put.status);
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/configmaps/mine`, p.token)).json().data).toEqual({ v: '1' });
  });

  it('rate-limits mutations per user with 429 and Retry-After', async () => {
    const limited = await userWithToken(p, `${prefix}-burst`);
    const rb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'burst' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `${prefix}-burst` }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    };
    await call(p, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, p.token, rb);
    const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `burst-${i}` } });
    const results = [];
    for (let i = 0; i < 40; i++) results.push(await call(p, 'POST', `/api/v1/namespaces/${ns}/configmaps?dryRun=All`, limited, cm(i)));
    const tooMany = results.find((r) => r.status === 429);
    expect(tooMany).toBeDefined();
    expect(Number(tooMany?.headers['retry-after'])).toBeGreaterThan(0);
  });
});
