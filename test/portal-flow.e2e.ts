// The portal end to end in a real browser against the whole stack (API, controller, an agent on the real
// Docker engine): an admin makes a team namespace and binds a user; that user deploys the example web app
// from the form, opens it through the node ingress from the Services page, follows its logs, rolls out a new
// image, rolls back; another tenant sees none of it.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { AgentProcess, cleanupNode, startAgent } from '../apps/agent/testing/harness';
import { ControllerProcess, startControllerProcess } from '../apps/controller/src/testing/e2e';
import { Browser, eventually, launchBrowser, Portal, screenshots, startPortal } from './support/browser';
import { testDatabaseUrl, testRedisUrl } from './support/env';
import { freePort, type Platform } from './support/platform';
import { ADMIN_PASSWORD, cleanUp, sql, startTenancyPlatform } from './support/tenancy';

jest.setTimeout(300_000);

const run = randomBytes(3).toString('hex');
const prefix = `pt${run}`;
const admin = `${prefix}-admin`;
const dev = `${prefix}-dev`;
const other = `${prefix}-other`;
const ns = `${prefix}-shop`;
const otherNs = `${prefix}-books`;
const nodeName = `${prefix}-node`;
const baseDomain = 'flotilla.localhost';
const shot = screenshots('flow');

let p: Platform;
let controller: ControllerProcess;
let agent: AgentProcess;
let portal: Portal;
let browser: Browser;
let page: Page;
let ingressPort: number;

/**
 * An unscheduled pod that has waited for more than ten minutes is a leftover of an earlier suite (the fuzz
 * suites leave hundreds in the shared test database). This suite's agent is the only Ready node, and the
 * scheduler would fill it with those (110 pods at most) before the app under test gets a place; remove the
 * namespaces they are in. Recent ones are left alone: they may belong to a suite running elsewhere.
 */
async function removeLeftoverWorkloads(): Promise<void> {
  const rows = await sql<{ namespace: string }>(
    `SELECT DISTINCT namespace FROM objects WHERE resource = 'core/pods' AND (node_name IS NULL OR node_name = '')
       AND deletion_timestamp IS NULL AND created_at < now() - interval '10 minutes'`,
  );
  const namespaces = rows.map((r) => r.namespace);
  if (namespaces.length) await sql(`DELETE FROM objects WHERE namespace = ANY($1) OR (resource = 'core/namespaces' AND name = ANY($1))`, [namespaces]);
}

beforeAll(async () => {
  await removeLeftoverWorkloads();
  execFileSync('bash', [join(__dirname, '../docker/images/build.sh')], { stdio: 'pipe' });
  p = await startTenancyPlatform(admin);
  controller = await startControllerProcess({ databaseUrl: testDatabaseUrl(), redisUrl: testRedisUrl() }, { FLOTILLA_HOLLOW_NODES: '0' });
  // The ingress on a port of its own (a platform started with up.sh may hold 8080); the portal links Services
  // there, and the browser reaches that loopback port from its network namespace.
  ingressPort = await freePort();
  agent = startAgent(p, nodeName, {
    FLOTILLA_INGRESS_HTTP_ADDRESS: `127.0.0.1:${ingressPort}`,
    FLOTILLA_INGRESS_HTTPS_ADDRESS: 'off',
    FLOTILLA_BASE_DOMAIN: baseDomain,
  });
  portal = await startPortal(p, { FLOTILLA_INGRESS_URL: `http://${baseDomain}:${ingressPort}` });
  browser = await launchBrowser(portal, { loopbackPorts: [ingressPort], loopbackDomains: [baseDomain] });
  page = await browser.context.newPage();
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await agent?.stop();
  await controller?.stop();
  await cleanupNode(nodeName).catch(() => undefined);
  if (process.env.PORTAL_TEST_LOGS) process.stderr.write(`--- portal ---\n${portal?.logs()}\n--- api ---\n${p?.logs()}`);
  await p?.stop();
  await cleanUp([ns, otherNs], prefix).catch(() => undefined);
});

const text = async (l: Locator) => ((await l.count()) ? ((await l.first().textContent()) ?? '') : '');
const contains = (l: Locator, s: string, ms?: number) => eventually(async () => expect(await text(l)).toContain(s), ms);
const equals = (l: Locator, s: string, ms?: number) => eventually(async () => expect((await text(l)).trim()).toBe(s), ms);

const appUrl = () => `http://web.${ns}.${baseDomain}:${ingressPort}/`;

/** The version the app answers with through the ingress, as the browser sees it (the last pod to answer). */
async function servedVersion(): Promise<string> {
  const app = await browser.context.newPage();
  try {
    await app.goto(appUrl());
    return ((await app.locator('p').first().textContent()) ?? '').replace('version ', '').trim();
  } finally {
    await app.close();
  }
}

async function signIn(user: string): Promise<void> {
  await browser.context.clearCookies();
  await page.goto(`${portal.url}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
}

async function signOut(): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login$/);
}

async function createUser(name: string): Promise<void> {
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Create user' }) });
  await form.getByLabel('Username').fill(name);
  await form.getByLabel('First password').fill(ADMIN_PASSWORD);
  await form.getByRole('button', { name: 'Create user' }).click();
  await equals(form.getByRole('status'), `Created ${name}`);
}

async function createNamespace(name: string, editor: string): Promise<void> {
  const form = page.locator('form', { has: page.getByRole('button', { name: 'Create namespace' }) });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Labels').fill(`team=${name}`);
  await form.getByLabel('CPU quota (requests)').fill('4');
  await form.getByLabel('Memory quota (requests)').fill('2Gi');
  await form.getByLabel('Pod quota').fill('20');
  await form.getByLabel('Editors (users)').fill(editor);
  await form.getByRole('button', { name: 'Create namespace' }).click();
  await equals(form.getByRole('status'), `Created ${name}`);
  await page.getByRole('link', { name, exact: true }).first().waitFor({ state: 'visible' });
}

describe('the portal, as an admin and as team members', () => {
  it('refuses a wrong password and signs the admin in over verified HTTPS', async () => {
    await page.goto(`${portal.url}/login`);
    await page.getByLabel('Username').fill(admin);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await contains(page.getByRole('alert'), 'do not match');
    await shot(page, 'sign-in-refused');
    await signIn(admin);
    const cookies = await browser.context.cookies();
    const session = cookies.find((c) => c.name === '__Host-flotilla_portal');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    // The browser holds only the sealed portal cookie: no API session or token.
    expect(cookies.map((c) => c.name)).toEqual(['__Host-flotilla_portal']);
  });

  it('lets the admin create users and team namespaces with quota and role bindings', async () => {
    await page.goto(`${portal.url}/admin/users`);
    await createUser(dev);
    await createUser(other);
    await shot(page, 'admin-users');
    await page.goto(`${portal.url}/admin/namespaces`);
    await createNamespace(ns, dev);
    await createNamespace(otherNs, other);
    await shot(page, 'admin-namespaces');
    await page.goto(`${portal.url}/admin/nodes`);
    await page
      .getByRole('region', { name: `Node ${nodeName}` })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await shot(page, 'admin-nodes');
    await signOut();
  });

  it('lets a team member deploy the example web app from the form and watch it roll out', async () => {
    await signIn(dev);
    await page.waitForURL(new RegExp(`/ns/${ns}$`));
    const options = await page.getByLabel('Namespace').locator('option').allTextContents();
    expect(options).toEqual([ns]);
    await shot(page, 'team-home-empty');
    await page.getByRole('link', { name: 'Deploy an app' }).click();
    // Checked before sending: a bad name stays on the form with the error at the field.
    await page.getByLabel('Name', { exact: true }).fill('Web App');
    await page.getByLabel('Image', { exact: true }).fill('nginx:1.27');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await contains(page.locator('#f-name-error'), 'lower-case letters');
    await shot(page, 'deploy-form-invalid');
    await page.getByLabel('Name', { exact: true }).fill('web');
    await page.getByLabel('Replicas', { exact: true }).fill('2');
    await page.getByLabel('Container ports').fill('80');
    await page.getByText('Resources, health checks and a sidecar').click();
    await page.getByLabel('Readiness path').fill('/healthz');
    await page.getByLabel('CPU request').fill('100m');
    await page.getByLabel('Memory request').fill('32Mi');
    await page.getByLabel('CPU limit').fill('200m');
    await page.getByLabel('Memory limit').fill('64Mi');
    await shot(page, 'deploy-form');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL(new RegExp(`/ns/${ns}/deployments/web$`));
    await equals(page.getByTestId('rollout-status'), 'Successfully rolled out.', 120_000);
    await equals(page.getByTestId('ready'), '2');
    await shot(page, 'deployment-rolled-out');
  });

  it('shows the service with its ready endpoints and a link that opens the app through the ingress', async () => {
    await page.goto(`${portal.url}/ns/${ns}/services`);
    const row = page.getByRole('row', { name: /web/ });
    await contains(row, '2 ready', 60_000);
    await shot(page, 'services');
    const url = appUrl();
    const link = row.getByRole('link', { name: url });
    expect(await link.getAttribute('href')).toBe(url);
    const [app] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
    await app.waitForLoadState();
    // The real web server in a pod of the deployment answers (its page names the pod and version).
    await contains(app.getByRole('heading', { level: 1 }), 'Hello from web-');
    await contains(app.locator('body'), 'version 1.27');
    expect(await app.title()).toBe('Flotilla web 1.27');
    await shot(app, 'app-through-ingress');
    await app.close();
  });

  it('shows the pods with their containers', async () => {
    await page.goto(`${portal.url}/ns/${ns}/pods`);
    await contains(page.getByRole('row', { name: /web-/ }).first(), 'Running');
    await page.getByRole('row', { name: /web-/ }).first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Containers' }).first().waitFor({ state: 'visible' });
    await shot(page, 'pod');
  });

  it('follows the logs of every pod of the deployment', async () => {
    await page.goto(`${portal.url}/ns/${ns}/logs?deployment=web`);
    const log = page.getByTestId('log');
    await contains(log, 'web-server', 60_000);
    await page.getByLabel('Timestamps').check();
    await page.getByLabel('Filter').fill('healthz');
    await contains(log, 'healthz', 30_000);
    await shot(page, 'logs');
  });

  it('rolls out a new image live and rolls back to the first revision', async () => {
    await page.goto(`${portal.url}/ns/${ns}/deployments/web`);
    await page.getByLabel('web', { exact: true }).fill('nginx:1.28');
    await page.getByRole('button', { name: 'Roll out' }).click();
    const revisions = page.getByTestId('revisions');
    await contains(revisions.getByRole('row', { name: /nginx:1\.28/ }), 'current', 30_000);
    await shot(page, 'rollout-in-progress');
    await equals(page.getByTestId('rollout-status'), 'Successfully rolled out.', 120_000);
    await equals(page.getByTestId('old'), '0');
    await shot(page, 'rollout-done');
    await eventually(async () => expect(await servedVersion()).toBe('1.28'), 30_000);

    await revisions.getByRole('button', { name: 'Roll back to 1' }).click();
    await revisions.getByRole('button', { name: 'Yes, roll back to 1' }).click();
    await contains(revisions.getByRole('row', { name: /^3/ }), 'nginx:1.27', 30_000);
    await contains(revisions.getByRole('row', { name: /^3/ }), 'current');
    await equals(page.getByTestId('rollout-status'), 'Successfully rolled out.', 120_000);
    // The page shows what runs now: the image field is back at 1.27 and no note of the earlier rollout stays.
    await eventually(async () => expect(await page.getByLabel('web', { exact: true }).inputValue()).toBe('nginx:1.27'));
    expect(await page.getByText('Rolling out nginx:1.28').count()).toBe(0);
    await eventually(async () => expect(await servedVersion()).toBe('1.27'), 30_000);
    await shot(page, 'rolled-back');
    await signOut();
  });

  it('shows another tenant none of it', async () => {
    await signIn(other);
    await page.waitForURL(new RegExp(`/ns/${otherNs}$`));
    expect(await page.getByLabel('Namespace').locator('option').allTextContents()).toEqual([otherNs]);
    await page.getByText('No deployments yet.').first().waitFor({ state: 'visible' });
    await page.goto(`${portal.url}/ns/${ns}/deployments`);
    await contains(page.getByRole('alert'), 'do not have access');
    expect(await page.getByRole('link', { name: 'web', exact: true }).count()).toBe(0);
    await shot(page, 'other-tenant-refused');
    await page.goto(`${portal.url}/admin/namespaces`);
    await contains(page.getByRole('alert'), 'platform administrators');
  });
});
