// Issue 14: no credential in any log. The real API, controller and agent all run at debug level while
// requests carry every kind of credential the platform knows — the admin password at login, the bootstrap
// token, a personal token, a session cookie and its CSRF token, Secret values in create and patch bodies and
// in a running pod's environment and volume, a ServiceAccount token, and a node's join token and the
// credential it is exchanged for — and then every line the three components wrote is searched for each.
// The portal's server, which holds each user's API session and CSRF token, is searched the same way while a
// real browser signs in (once with a wrong password), browses and signs out.
import { createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '@flotilla/resources';
import { cleanupNode, startAgent, waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, kubectlOk, startAttackCluster } from './support/attacks';
import { launchBrowser, signIn, signOut, startPortal } from './support/browser';
import { freePort } from './support/platform';
import { ADMIN_PASSWORD, call, login } from './support/tenancy';

jest.setTimeout(180_000);

const prefix = 'tlog';
const debug = { FLOTILLA_LOG_LEVEL: 'debug' };
let c: AttackCluster;

beforeAll(async () => {
  c = await startAttackCluster(prefix, { apiEnv: debug, controllerEnv: debug, agentEnv: debug });
});

afterAll(async () => {
  await c?.stop();
});

it('no component writes a credential to its log at debug level', async () => {
  const secrets: Record<string, string> = {};
  const run = c.ns.slice(prefix.length + 1);
  const adminUser = `${prefix}-admin-${run}`;

  // Logins: the admin password, a wrong one, the session cookie and CSRF token they yield.
  const session = await login(c.p, adminUser, ADMIN_PASSWORD);
  expect((await call(c.p, 'POST', '/flotilla/v1/login', undefined, { username: adminUser, password: `${ADMIN_PASSWORD}-typo` })).status).toBe(401);
  Object.assign(secrets, {
    adminPassword: ADMIN_PASSWORD,
    bootstrapToken: c.p.token,
    attackerToken: c.token,
    session: session.cookie.split('=').slice(1).join('='),
    csrf: session.csrf,
  });

  // Secret values in a create, a patch, and a refused create, then in a running pod's env and volume.
  const created = `sv-create-${randomBytes(10).toString('hex')}`;
  const patched = `sv-patch-${randomBytes(10).toString('hex')}`;
  const refused = `sv-refused-${randomBytes(10).toString('hex')}`;
  Object.assign(secrets, { created, patched, refused, patchedBase64: Buffer.from(patched).toString('base64') });
  const path = `/api/v1/namespaces/${c.ns}/secrets`;
  expect((await c.api('POST', path, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, stringData: { password: created } })).status).toBe(201);
  expect((await c.api('PATCH', `${path}/db`, { data: { password: Buffer.from(patched).toString('base64') } })).status).toBe(200);
  expect((await c.api('POST', path, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'Bad_Name' }, stringData: { p: refused } })).status).toBe(422);
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'uses-secret' },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'c',
          image: 'flotilla/busybox:1',
          command: ['sleep', '3600'],
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
          volumeMounts: [{ name: 's', mountPath: '/s' }],
        },
      ],
      volumes: [{ name: 's', secret: { secretName: 'db' } }],
    },
  } as KubeObject;
  kubectlOk(c.applyAsTenant(pod));
  await waitFor('the pod using the Secret Running', async () => (await c.pod('uses-secret'))?.status?.phase === 'Running', 90_000);

  // A ServiceAccount token, issued and used.
  expect((await c.api('POST', `/api/v1/namespaces/${c.ns}/serviceaccounts`, { metadata: { name: 'robot' } }, c.p.token)).status).toBe(201);
  const tr = await c.api('POST', `/api/v1/namespaces/${c.ns}/serviceaccounts/robot/token`, { spec: {} }, c.p.token);
  expect(tr.status).toBe(201);
  secrets.serviceAccountToken = String((tr.json().status as { token: string }).token);
  const review = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
  expect((await c.api('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', review, secrets.serviceAccountToken)).status).toBe(201);

  // A node joining with a one-time token, at debug level, and the credential it gets for it.
  const jt = await c.api('POST', '/flotilla/v1/admin/jointokens', {}, c.p.token);
  expect(jt.status).toBe(201);
  secrets.joinToken = String(jt.json().token);
  const joiner = `${prefix}-join-${run}`;
  const tokenFile = join(c.p.dataDir, 'joined-node.token');
  const agent = startAgent(c.p, joiner, {
    ...debug,
    FLOTILLA_NODE_TOKEN: '',
    FLOTILLA_JOIN_TOKEN: secrets.joinToken,
    FLOTILLA_NODE_TOKEN_FILE: tokenFile,
    FLOTILLA_INGRESS_HTTP_ADDRESS: `127.0.0.1:${await freePort()}`,
    FLOTILLA_INGRESS_HTTPS_ADDRESS: 'off',
    FLOTILLA_NODEPORT_ADDRESS: '127.0.0.1',
  });
  try {
    await waitFor('the joined node registered', async () => (await c.api('GET', `/api/v1/nodes/${joiner}`, undefined, c.p.token)).status === 200, 60_000);
    secrets.nodeCredential = readFileSync(tokenFile, 'utf8').trim();
  } finally {
    await agent.stop();
    await cleanupNode(joiner);
    await c.api('DELETE', `/api/v1/nodes/${joiner}`, undefined, c.p.token);
  }

  const logs = { api: c.p.logs(), controller: c.controller.logs(), agent: c.agent.logs(), joinedAgent: agent.logs() };
  // The logs are really at debug level and really cover the requests above (else the search proves nothing).
  for (const [name, text] of Object.entries(logs)) expect({ name, empty: text.trim() === '' }).toEqual({ name, empty: false });
  // Debug request lines were written for the very requests that carried the credentials.
  expect(logs.api).toContain('"level":"debug"');
  expect(logs.api).toContain(`/api/v1/namespaces/${c.ns}/secrets/db`);
  expect(logs.api).toContain('/flotilla/v1/nodes/join');
  const leaks: string[] = [];
  for (const [component, text] of Object.entries(logs))
    for (const [what, value] of Object.entries(secrets)) if (value.length >= 8 && text.includes(value)) leaks.push(`${what} in the ${component} log`);
  expect(leaks).toEqual([]);
  await c.assertIntact();
});

/** The portal's sealed session cookie opened with its key (AES-256-GCM: iv, tag, body), to learn what it holds. */
function unsealPortalCookie(value: string, key: Buffer): { apiSession: string; csrf: string } {
  const raw = Buffer.from(value, 'base64url');
  const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  d.setAuthTag(raw.subarray(12, 28));
  return JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')) as { apiSession: string; csrf: string };
}

it("the portal's server writes no password, session or CSRF token to its log", async () => {
  const run = c.ns.slice(prefix.length + 1);
  const adminUser = `${prefix}-admin-${run}`;
  const key = randomBytes(32);
  const portal = await startPortal(c.p, { FLOTILLA_PORTAL_SESSION_KEY: key.toString('base64') });
  const browser = await launchBrowser(portal);
  try {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    // A wrong password first: the portal sends it to the API too.
    const typo = `${ADMIN_PASSWORD}-portal-typo`;
    await page.goto(`${portal.url}/login`);
    await page.getByLabel('Username').fill(adminUser);
    await page.getByLabel('Password').fill(typo);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That username and password do not match an account.').waitFor();

    await signIn(page, portal, adminUser, ADMIN_PASSWORD);
    const cookie = (await browser.context.cookies()).find((k) => k.name === '__Host-flotilla_portal');
    expect(cookie).toBeDefined();
    const held = unsealPortalCookie(cookie?.value ?? '', key);
    // Pages the portal's server renders with the API session, then a sign-out: a POST carrying the CSRF token.
    for (const path of [`/ns/${c.ns}`, `/ns/${c.ns}/pods`, `/ns/${c.ns}/config`, '/admin/users', '/account']) {
      const r = await page.goto(`${portal.url}${path}`);
      expect({ path, status: r?.status() }).toEqual({ path, status: 200 });
    }
    await signOut(page);

    const secrets: Record<string, string> = {
      adminPassword: ADMIN_PASSWORD,
      wrongPassword: typo,
      apiSession: held.apiSession,
      csrf: held.csrf,
      portalCookie: cookie?.value ?? '',
      sessionKey: key.toString('base64'),
    };
    const logs = { portal: portal.logs(), api: c.p.logs() };
    // The search covers a live log: the portal wrote at least its start.
    expect(logs.portal).toContain('portal listening');
    expect(logs.api).toContain('/flotilla/v1/logout');
    const leaks: string[] = [];
    for (const [component, text] of Object.entries(logs))
      for (const [what, value] of Object.entries(secrets)) if (value.length >= 8 && text.includes(value)) leaks.push(`${what} in the ${component} log`);
    expect(leaks).toEqual([]);
  } finally {
    await browser.close();
    await portal.stop();
  }
});
