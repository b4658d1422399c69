// Issue 14: no credential in any log. The real API, controller and agent all run at debug level while
// requests carry every kind of credential the platform knows — the admin password at login, the bootstrap
// token, a personal token, a session cookie and its CSRF token, Secret values in create and patch bodies and
// in a running pod's environment and volume, a ServiceAccount token, and a node's join token and the
// credential it is exchanged for — and then every line the three components wrote is searched for each.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '@flotilla/resources';
import { cleanupNode, startAgent, waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, kubectlOk, startAttackCluster } from './support/attacks';
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
