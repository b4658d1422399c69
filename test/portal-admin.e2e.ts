// The portal beyond the first deploy, in a real browser against the whole stack: the YAML editor (the API's
// field error at its line, then an apply), ConfigMaps and Secrets (values hidden until revealed; a view-only
// user may not read them, in the portal or at the API), API tokens (shown once, used, revoked → 401), the
// kubeconfig download used by the real kubectl (whose columns the portal's lists show), the admin's nodes
// page (cordon, drain, uncordon) and audit log, and every main page at phone width without sideways scrolling.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Deployment, KubeEvent, Node, Pod } from '@flotilla/resources';
import {
  browserStep,
  contains,
  equals,
  eventually,
  fillExactly,
  Portal,
  screenshots,
  signIn as signInAs,
  signOut as signOutOf,
  textOf,
} from './support/browser';
import type { Platform } from './support/platform';
import { PortalStack, startPortalStack } from './support/portal-stack';
import { ADMIN_PASSWORD, call, login } from './support/tenancy';

jest.setTimeout(300_000);

const run = randomBytes(3).toString('hex');
const prefix = `pa${run}`;
const admin = `${prefix}-admin`;
const dev = `${prefix}-dev`;
const viewer = `${prefix}-viewer`;
const ns = `${prefix}-team`;
/** A namespace the admin form is asked for and must refuse. */
const refusedNs = `${prefix}-refused`;
const secretValue = `s3cret-${run}`;
const shot = screenshots('admin');

let stack: PortalStack;
let p: Platform;
let portal: Portal;
let page: Page;
let nodeName: string;

const signIn = (user: string) => signInAs(page, portal, user, ADMIN_PASSWORD);
const signOut = () => signOutOf(page);
const asAdmin = (method: string, path: string, body?: unknown) => call(p, method, path, p.token, body);

beforeAll(async () => {
  stack = await startPortalStack(prefix);
  ({ p, portal, page, nodeName } = stack);
  for (const u of [dev, viewer]) expect((await asAdmin('POST', '/flotilla/v1/admin/users', { username: u, password: ADMIN_PASSWORD })).status).toBe(201);
  const created = await asAdmin('POST', '/flotilla/v1/admin/namespaces', {
    name: ns,
    quota: { pods: '10', 'requests.cpu': '2', 'requests.memory': '1Gi' },
    bindings: [
      { role: 'edit', users: [dev] },
      { role: 'view', users: [viewer] },
    ],
  });
  expect(created.status).toBe(201);
});

afterAll(async () => {
  await stack?.stop([ns, refusedNs]);
});

/** The manifest the editor applies: settings, a Secret, and a small app that reads both, behind a Service. */
const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: hello-settings
data:
  GREETING: hello from yaml
---
apiVersion: v1
kind: Secret
metadata:
  name: hello-secret
type: Opaque
stringData:
  PASSWORD: ${secretValue}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 1
  selector:
    matchLabels: { app: hello }
  template:
    metadata:
      labels: { app: hello }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: web
          image: nginx:1.27
          envFrom:
            - configMapRef: { name: hello-settings }
          resources:
            requests: { cpu: 50m, memory: 32Mi }
---
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  selector: { app: hello }
  ports:
    - port: 80
`;

/** Pods of the hello app, as the API sees them. */
async function helloPods(): Promise<Pod[]> {
  const r = await asAdmin('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dhello`);
  return (r.json().items as Pod[]).filter((x) => !x.metadata.deletionTimestamp);
}

const runningOnNode = (pods: Pod[]) => pods.filter((x) => x.spec?.nodeName === nodeName && x.status?.phase === 'Running');

describe('the portal beyond the first deploy', () => {
  const step = browserStep(() => page);

  step('shows the API’s field error at its line in the YAML editor, then applies a valid manifest', async () => {
    await signIn(dev);
    await page.goto(`${portal.url}/ns/${ns}/yaml?kind=ConfigMap`);
    const editor = page.getByLabel(/^Manifest/);
    // A new ConfigMap starts from a ConfigMap, not from another kind.
    expect(await editor.inputValue()).toContain('kind: ConfigMap');
    // A container without an image: valid YAML, refused by the API's validation with the field named.
    const broken = MANIFEST.replace('          image: nginx:1.27\n', '');
    await fillExactly(editor, broken);
    await page.getByRole('button', { name: 'Apply' }).click();
    const problems = page.locator('#yaml-problems');
    await contains(problems, 'Deployment hello: spec.template.spec.containers[0].image');
    expect(await textOf(problems)).toContain('Required value');
    // The problem points at the container's line, and a click puts the cursor there.
    const line = broken.split('\n').findIndex((l) => l.includes('- name: web')) + 1;
    const jump = problems.getByRole('button', { name: `line ${line}` });
    expect(await jump.count()).toBe(1);
    await jump.click();
    const cursorLine = await editor.evaluate((el: { value: string; selectionStart: number }) => el.value.slice(0, el.selectionStart).split('\n').length);
    expect(cursorLine).toBe(line);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    // The objects before the broken one were applied; the Deployment was not.
    expect((await asAdmin('GET', `/apis/apps/v1/namespaces/${ns}/deployments/hello`)).status).toBe(404);
    await shot(page, 'yaml-field-error');

    await fillExactly(editor, MANIFEST);
    await page.getByRole('button', { name: 'Apply' }).click();
    await equals(page.locator('p[role="status"].note'), 'Applied ConfigMap hello-settings, Secret hello-secret, Deployment hello, Service hello');
    expect(await page.locator('#yaml-problems').count()).toBe(0);
    const dep = (await asAdmin('GET', `/apis/apps/v1/namespaces/${ns}/deployments/hello`)).json() as unknown as Deployment;
    expect(dep.spec?.template.spec?.containers[0].image).toBe('nginx:1.27');
    expect(dep.metadata.managedFields?.some((f) => f.manager === 'flotilla-portal' && f.operation === 'Apply')).toBe(true);
    await shot(page, 'yaml-applied');
  });

  step('shows ConfigMaps, and a Secret’s values only once revealed', async () => {
    await page.goto(`${portal.url}/ns/${ns}/config`);
    const cm = page.getByRole('region', { name: 'ConfigMap hello-settings' });
    await contains(cm, 'hello from yaml');
    const secret = page.getByRole('region', { name: 'Secret hello-secret' });
    await contains(secret, 'PASSWORD');
    expect(await textOf(secret.locator('dd'))).toBe('••••••••');
    // Hidden means not in the page at all, not merely not shown.
    expect(await page.content()).not.toContain(secretValue);
    await shot(page, 'config-secret-hidden');
    await secret.getByRole('button', { name: 'Reveal values' }).click();
    await equals(secret.locator('dd'), secretValue);
    await shot(page, 'config-secret-revealed');
    await secret.getByRole('button', { name: 'Hide values' }).click();
    await equals(secret.locator('dd'), '••••••••');
    await signOut();
  });

  step('refuses a view-only user the Secret’s values, in the portal and at the API', async () => {
    await signIn(viewer);
    await page.goto(`${portal.url}/ns/${ns}/config`);
    await contains(page.getByRole('region', { name: 'ConfigMap hello-settings' }), 'hello from yaml');
    await contains(page.getByRole('alert'), 'may not read Secrets');
    expect(await page.getByRole('button', { name: 'Reveal values' }).count()).toBe(0);
    expect(await page.content()).not.toContain(secretValue);
    await shot(page, 'config-viewer');
    // Not only a hidden button: the API itself refuses this user the Secret.
    const s = await login(p, viewer, ADMIN_PASSWORD);
    const get = await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets/hello-secret`, s);
    expect(get.status).toBe(403);
    expect(get.body).not.toContain(Buffer.from(secretValue).toString('base64'));
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/secrets`, s)).status).toBe(403);
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/configmaps/hello-settings`, s)).status).toBe(200);
    await signOut();
  });

  step('creates an API token that is shown once, works against the API, and fails with 401 once revoked', async () => {
    await signIn(dev);
    await page.goto(`${portal.url}/account`);
    const tokenName = `ci-${run}`;
    await page.getByLabel('Token name').fill(tokenName);
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByLabel('Token', { exact: true });
    await eventually(async () => expect(await shown.inputValue()).toMatch(/^flt_/));
    const token = await shown.inputValue();
    await shot(page, 'account-token-created');
    const used = await call(p, 'GET', `/api/v1/namespaces/${ns}/configmaps`, token);
    expect(used.status).toBe(200);
    expect(used.body).toContain('hello-settings');
    // Shown once: a fresh visit lists the token by name, never its value.
    await page.goto(`${portal.url}/account`);
    const row = page.getByRole('row', { name: new RegExp(tokenName) });
    await row.waitFor({ state: 'visible' });
    expect(await page.content()).not.toContain(token);
    // The API records the use: the list says when, not "never".
    expect(await textOf(row.getByRole('cell').nth(3))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    await shot(page, 'account-token-used');
    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await contains(page.getByRole('row', { name: new RegExp(tokenName) }), 'revoked');
    expect((await call(p, 'GET', `/api/v1/namespaces/${ns}/configmaps`, token)).status).toBe(401);
    await shot(page, 'account-token-revoked');
  });

  step('downloads a kubeconfig that the real kubectl uses as the signed-in user, and lists with kubectl’s columns', async () => {
    await page.goto(`${portal.url}/account`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download kubeconfig' }).click()]);
    expect(download.suggestedFilename()).toBe('flotilla.kubeconfig');
    const file = join(p.dataDir, `${dev}.kubeconfig`);
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8')).toContain('certificate-authority-data');
    const kubectl = (...args: string[]) =>
      spawnSync('/usr/bin/kubectl', ['--kubeconfig', file, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: p.dataDir },
        timeout: 60_000,
      });
    const who = kubectl('auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}');
    expect(who.stderr).toBe('');
    expect(who.stdout).toBe(dev);
    const cms = kubectl('get', 'configmaps', '-n', ns, '-o', 'name');
    expect(cms.stdout).toContain('configmap/hello-settings');
    expect(kubectl('get', 'pods', '-n', 'default').status).not.toBe(0);

    // The lists are the API's tables: their columns are the ones kubectl prints, in kubectl's order
    // (the portal's own links, badges and actions come after them).
    for (const [resource, path] of [
      ['pods', 'pods'],
      ['deployments', 'deployments'],
      ['events', 'events'],
    ]) {
      const printed = kubectl('get', resource, '-n', ns);
      expect(printed.status).toBe(0);
      const kubectlHeaders = printed.stdout
        .split('\n')[0]
        .trim()
        .split(/\s{2,}/);
      await page.goto(`${portal.url}/ns/${ns}/${path}`);
      const headers = page.locator('table thead th');
      await headers.first().waitFor({ state: 'visible' });
      const portalHeaders = (await headers.allTextContents()).map((h) => h.toUpperCase());
      expect(portalHeaders.slice(0, kubectlHeaders.length)).toEqual(kubectlHeaders);
    }
    await signOut();
  });

  step('keeps what was typed when the namespace form refuses a field; refuses an unknown user and an absurd quota at the API too', async () => {
    await signIn(admin);
    await page.goto(`${portal.url}/admin/namespaces`);
    const form = page.locator('form', { has: page.getByRole('button', { name: 'Create namespace' }) });
    const name = form.getByLabel('Name', { exact: true });
    // A placeholder is an example, and looks like one: "e.g.", lighter and slanted, unlike a typed value.
    expect(await name.getAttribute('placeholder')).toBe('e.g. team-a');
    const look = await name.evaluate((el) => {
      const w = globalThis as unknown as { getComputedStyle: (e: unknown, pseudo?: string) => { color: string; fontStyle: string } };
      const ph = w.getComputedStyle(el, '::placeholder');
      return { placeholder: ph.color, slant: ph.fontStyle, typed: w.getComputedStyle(el).color };
    });
    expect(look.slant).toBe('italic');
    expect(look.placeholder).not.toBe(look.typed);
    await shot(page, 'admin-namespace-form-empty');

    const nobody = `${prefix}-nobody`;
    const typed: [string, string][] = [
      ['Labels', 'team=refused'],
      ['CPU quota (requests)', '4'],
      ['Memory quota (requests)', '2Gi'],
      ['Pod quota', '99999999999999999999'],
      ['Editors (users)', nobody],
    ];
    await name.fill(refusedNs);
    for (const [label, value] of typed) await form.getByLabel(label).fill(value);
    await form.getByRole('button', { name: 'Create namespace' }).click();
    await contains(form.locator('#f-pods-error'), 'no larger than');
    await contains(form.locator('#f-editUsers-error'), 'no such user');
    // Nothing typed is lost: every field still holds its value.
    expect(await name.inputValue()).toBe(refusedNs);
    for (const [label, value] of typed) expect(await form.getByLabel(label).inputValue()).toBe(value);
    await shot(page, 'admin-namespace-form-refused');
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await form.locator('#f-pods-error').scrollIntoViewIfNeeded();
      await shot(page, 'admin-namespace-form-refused-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
    expect((await asAdmin('GET', `/api/v1/namespaces/${refusedNs}`)).status).toBe(404);

    // The API refuses on its own, naming the request's fields, whatever client sends it.
    const r = await asAdmin('POST', '/flotilla/v1/admin/namespaces', {
      name: refusedNs,
      quota: { pods: '99999999999999999999' },
      bindings: [{ role: 'edit', users: [nobody] }],
    });
    expect(r.status).toBe(422);
    const causes = (r.json().details as { causes: { field: string }[] }).causes.map((c) => c.field);
    expect(causes).toEqual(expect.arrayContaining(['quota[pods]', 'bindings[0].users[0]']));
    expect((await asAdmin('GET', `/api/v1/namespaces/${refusedNs}`)).status).toBe(404);
    await signOut();
  });

  step('pins only current warnings: one last seen half an hour ago counts as resolved', async () => {
    const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace(/\.\d+Z$/, 'Z');
    const event = (reason: string, type: string, ts: string) => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${reason.toLowerCase()}-${run}` },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello', namespace: ns },
      type,
      reason,
      message: `${reason} from the portal suite`,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      source: { component: 'portal-suite' },
    });
    const post = async (e: unknown) => expect((await asAdmin('POST', `/api/v1/namespaces/${ns}/events`, e)).status).toBe(201);
    await post(event('OldTrouble', 'Warning', at(30 * 60_000)));
    await post(event('FreshNews', 'Normal', at(0)));
    // What the tile should count: warnings seen within the last ten minutes.
    const current = async () =>
      ((await asAdmin('GET', `/api/v1/namespaces/${ns}/events`)).json().items as KubeEvent[]).filter(
        (e) => e.type === 'Warning' && Date.now() - Date.parse(e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp || '') < 10 * 60_000,
      ).length;
    await signIn(dev);
    const tile = page.locator('a.card', { has: page.getByRole('heading', { name: 'Warnings', exact: true }) }).locator('.stat');
    await page.goto(`${portal.url}/ns/${ns}`);
    await eventually(async () => expect((await textOf(tile)).trim()).toBe(String(await current())));
    await shot(page, 'warnings-resolved-home');
    await page.goto(`${portal.url}/ns/${ns}/events`);
    await eventually(async () => {
      const rows = await page.getByRole('row').allTextContents();
      const fresh = rows.findIndex((t) => t.includes('FreshNews'));
      const old = rows.findIndex((t) => t.includes('OldTrouble'));
      expect(fresh).toBeGreaterThan(0);
      // The resolved warning takes its place in time, below the newer event, not pinned on top.
      expect(old).toBeGreaterThan(fresh);
    });
    await shot(page, 'warnings-resolved-events');

    // A warning happening now is counted and pinned, and the tile turns red.
    await post(event('NewTrouble', 'Warning', at(0)));
    await page.goto(`${portal.url}/ns/${ns}`);
    await eventually(async () => {
      const want = await current();
      expect(want).toBeGreaterThan(0);
      expect((await textOf(tile)).trim()).toBe(String(want));
    });
    expect(await tile.getAttribute('style')).toContain('var(--bad)');
    await shot(page, 'warnings-current-home');
    await page.goto(`${portal.url}/ns/${ns}/events`);
    await eventually(async () => {
      const rows = await page.getByRole('row').allTextContents();
      expect(rows.findIndex((t) => t.includes('NewTrouble'))).toBeLessThan(rows.findIndex((t) => t.includes('FreshNews')));
    });
    await signOut();
  });

  step('shows an editor on the Access page what they may do, not a permission error', async () => {
    await signIn(dev);
    for (const [width, height, name] of [
      [1280, 860, 'desktop'],
      [390, 844, 'phone'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${portal.url}/ns/${ns}/access`);
      const abilities = page.getByTestId('abilities');
      await contains(abilities.getByRole('listitem').filter({ hasText: 'Deploy, scale and roll back apps' }), 'yes');
      await contains(abilities.getByRole('listitem').filter({ hasText: 'Read logs' }), 'yes');
      await contains(abilities.getByRole('listitem').filter({ hasText: 'See and change who has access' }), 'no');
      await contains(page.getByTestId('access-hidden'), 'shown to its admins only');
      // No error note and no raw refusal from the API anywhere on the page.
      expect(await page.locator('.note.error').count()).toBe(0);
      expect(await textOf(page.locator('main'))).not.toMatch(/forbidden|do not have access/i);
      await shot(page, `access-editor-${name}`);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
    await signOut();
  });

  step('lets the admin cordon, uncordon and drain the node, and the pods come back after', async () => {
    await eventually(async () => expect(runningOnNode(await helloPods())).toHaveLength(1), 60_000);
    await signIn(admin);
    await page.goto(`${portal.url}/admin/nodes`);
    const card = page.getByRole('region', { name: `Node ${nodeName}` });
    await contains(card, 'Ready');
    // The components view: the node's agent, the API and the portal, each with its host and restart count.
    const components = page.getByRole('region', { name: 'Components' });
    const agentRow = components.getByRole('row').filter({ hasText: nodeName });
    await contains(agentRow, 'agent');
    const firstCells = await components.locator('tbody tr td:first-child').allTextContents();
    expect(firstCells).toEqual(expect.arrayContaining(['agent', 'api', 'portal']));
    expect(await components.getByRole('columnheader').allTextContents()).toEqual(['Component', 'Host', 'Up since', 'Restarts', 'Last exit']);
    const unschedulable = async () => ((await asAdmin('GET', `/api/v1/nodes/${nodeName}`)).json() as unknown as Node).spec?.unschedulable === true;

    await card.getByRole('button', { name: 'Cordon', exact: true }).click();
    await card.getByRole('button', { name: 'Uncordon', exact: true }).waitFor({ state: 'visible' });
    expect(await textOf(card)).toContain('Cordoned');
    expect(await unschedulable()).toBe(true);
    await card.getByRole('button', { name: 'Uncordon', exact: true }).click();
    await card.getByRole('button', { name: 'Cordon', exact: true }).waitFor({ state: 'visible' });
    expect(await unschedulable()).toBe(false);

    await card.getByRole('button', { name: 'Drain' }).click();
    await card.getByRole('button', { name: 'Yes, drain' }).click();
    await contains(card, 'Cordoned; evicted 1 pod(s)');
    expect(await unschedulable()).toBe(true);
    // The app's pod is replaced, and the replacement waits: the only node takes no new pods.
    await eventually(async () => {
      const pods = await helloPods();
      expect(runningOnNode(pods)).toHaveLength(0);
      expect(pods.some((x) => !x.spec?.nodeName)).toBe(true);
    }, 60_000);
    await shot(page, 'admin-node-drained');
    await card.getByRole('button', { name: 'Uncordon', exact: true }).click();
    await card.getByRole('button', { name: 'Cordon', exact: true }).waitFor({ state: 'visible' });
    await eventually(async () => expect(runningOnNode(await helloPods())).toHaveLength(1), 60_000);
    await shot(page, 'admin-node-uncordoned');
  });

  step('filters the audit log down to this test’s own actions', async () => {
    await page.goto(`${portal.url}/admin/audit`);
    const filter = page.getByRole('form', { name: 'Filter the audit log' });
    await filter.getByLabel('User').fill(dev);
    await filter.getByLabel('Namespace').fill(ns);
    await filter.getByLabel('Resource').fill('configmaps');
    await filter.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((u) => u.searchParams.get('user') === dev);
    const rows = page.locator('tbody tr');
    await rows.first().waitFor({ state: 'visible' });
    const users = await rows.locator('td:nth-child(2)').allTextContents();
    expect(new Set(users)).toEqual(new Set([dev]));
    // Exactly the two applies of the ConfigMap by the editor, newest first: the update, then the creation.
    expect(await rows.locator('td:nth-child(6)').allTextContents()).toEqual(['hello-settings', 'hello-settings']);
    expect(await rows.locator('td:nth-child(8)').allTextContents()).toEqual(['200', '201']);
    await shot(page, 'admin-audit-filtered');
    // The viewer's refused reads are there too, as denials.
    await page.goto(`${portal.url}/admin/audit?user=${viewer}&decision=denied`);
    await contains(page.getByRole('row', { name: /hello-secret/ }), 'denied');
    expect(await textOf(page.getByRole('row', { name: /hello-secret/ }))).toContain('403');
  });

  step('fits every main page on a phone screen without sideways scrolling', async () => {
    const pod = (await helloPods()).find((x) => x.status?.phase === 'Running')?.metadata.name;
    expect(pod).toBeDefined();
    await page.setViewportSize({ width: 390, height: 844 });
    const pages: [string, string][] = [
      ['home', `/ns/${ns}`],
      ['deployments', `/ns/${ns}/deployments`],
      ['deployment', `/ns/${ns}/deployments/hello`],
      ['deploy-form', `/ns/${ns}/deployments/new`],
      ['services', `/ns/${ns}/services`],
      ['pods', `/ns/${ns}/pods`],
      ['pod', `/ns/${ns}/pods/${pod}`],
      ['logs', `/ns/${ns}/logs?deployment=hello`],
      ['events', `/ns/${ns}/events`],
      ['config', `/ns/${ns}/config`],
      ['yaml', `/ns/${ns}/yaml`],
      ['access', `/ns/${ns}/access`],
      ['account', '/account'],
      ['admin-namespaces', '/admin/namespaces'],
      ['admin-users', '/admin/users'],
      ['admin-nodes', '/admin/nodes'],
      ['admin-audit', '/admin/audit'],
    ];
    const overflowing: string[] = [];
    try {
      for (const [name, path] of pages) {
        await page.goto(`${portal.url}${path}`);
        await page.getByRole('heading', { level: 1 }).first().waitFor({ state: 'visible' });
        // (Runs in the page; typed by hand, the suites compile without the DOM library.)
        const { scroll, inner } = await page.evaluate(() => {
          const w = globalThis as unknown as { document: { scrollingElement: { scrollWidth: number } | null }; innerWidth: number };
          return { scroll: w.document.scrollingElement?.scrollWidth ?? 0, inner: w.innerWidth };
        });
        if (scroll > inner) overflowing.push(`${path}: ${scroll}px wide in ${inner}px`);
        if (name === 'home') {
          // Every section of the menu is on the screen, none hidden off the end of a strip.
          const sections = page.getByRole('navigation', { name: 'Sections' }).getByRole('link');
          expect(await sections.count()).toBeGreaterThanOrEqual(9);
          for (const link of await sections.all()) {
            const box = await link.boundingBox();
            expect(box).not.toBeNull();
            if (box && box.x + box.width > inner) overflowing.push(`menu link ${await link.textContent()} ends at ${box.x + box.width}px in ${inner}px`);
          }
        }
        await shot(page, `phone-${name}`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
    expect(overflowing).toEqual([]);
  });

  step('warns on the Deployment page when quota refuses the pods, and stops once they are created', async () => {
    // pods: 0 refuses every new pod and leaves the running ones alone: one more replica cannot be created.
    const quota = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'full' }, spec: { hard: { pods: '0' } } };
    expect((await asAdmin('POST', `/api/v1/namespaces/${ns}/resourcequotas`, quota)).status).toBe(201);
    const dep = (await asAdmin('GET', `/apis/apps/v1/namespaces/${ns}/deployments/hello`)).json() as unknown as Deployment;
    const replicas = dep.spec?.replicas ?? 1;
    const scale = (n: number) => call(p, 'PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/hello`, p.token, { spec: { replicas: n } });
    expect((await scale(replicas + 1)).status).toBe(200);
    await page.goto(`${portal.url}/ns/${ns}/deployments/hello`);
    const banner = page.getByTestId('replica-failure');
    await contains(banner, 'exceeded quota: full');
    expect(await banner.getAttribute('role')).toBe('alert');
    await shot(page, 'deployment-replica-failure');
    // Within the quota again: the banner goes (the page follows the Deployment live).
    expect((await asAdmin('DELETE', `/api/v1/namespaces/${ns}/resourcequotas/full`)).status).toBe(200);
    await eventually(async () => expect(await banner.count()).toBe(0), 60_000);
    expect((await scale(replicas)).status).toBe(200);
  });
});
