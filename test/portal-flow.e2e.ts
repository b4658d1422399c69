// The portal end to end in a real browser against the whole stack (API, controller, an agent on the real
// Docker engine): an admin makes a team namespace and binds a user; that user deploys the example web app
// from the form, opens it through the node ingress from the Services page, follows its logs, rolls out a new
// image, rolls back, scales, pauses and resumes a rollout, restarts every pod; another tenant sees none of it.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { Browser, browserStep, contains, equals, eventually, Portal, screenshots, signIn as signInAs, signOut as signOutOf, textOf } from './support/browser';
import { PortalStack, startPortalStack } from './support/portal-stack';
import type { Deployment, Pod } from '@flotilla/resources';
import { ADMIN_PASSWORD, call } from './support/tenancy';

jest.setTimeout(300_000);

const run = randomBytes(3).toString('hex');
const prefix = `pt${run}`;
const admin = `${prefix}-admin`;
const dev = `${prefix}-dev`;
const other = `${prefix}-other`;
const ns = `${prefix}-shop`;
const otherNs = `${prefix}-books`;
const shot = screenshots('flow');

let stack: PortalStack;
let portal: Portal;
let browser: Browser;
let page: Page;
let nodeName: string;

beforeAll(async () => {
  stack = await startPortalStack(prefix);
  ({ portal, browser, page, nodeName } = stack);
});

afterAll(async () => {
  await stack?.stop([ns, otherNs]);
});

const appUrl = () => stack.serviceUrl('web', ns);

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

/** As the platform admin, through the API: what the page should be showing. */
async function apiGet<T>(path: string): Promise<T> {
  const r = await call(stack.p, 'GET', path, stack.p.token);
  expect(r.status).toBe(200);
  return r.json() as T;
}

/** The deployment's pods that are not on their way out. */
async function livePods(): Promise<Pod[]> {
  const list = await apiGet<{ items: Pod[] }>(`/api/v1/namespaces/${ns}/pods?labelSelector=app%3Dweb`);
  return list.items.filter((x) => !x.metadata.deletionTimestamp);
}

const podNames = async (): Promise<string[]> => (await livePods()).map((x) => x.metadata.name ?? '').sort();

const signIn = (user: string) => signInAs(page, portal, user, ADMIN_PASSWORD);
const signOut = () => signOutOf(page);

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
  const step = browserStep(() => page);

  step('refuses a wrong password and signs the admin in over verified HTTPS', async () => {
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

  step('lets the admin create users and team namespaces with quota and role bindings', async () => {
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

  step('lets a team member deploy the example web app from the form and watch it roll out', async () => {
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
    // The page links to where the app answers (its Service through the node ingress).
    await eventually(async () => expect(await page.getByTestId('open-app').getAttribute('href')).toBe(appUrl()));
    await shot(page, 'deployment-rolled-out');
  });

  step('shows the service with its ready endpoints and a link that opens the app through the ingress', async () => {
    await page.goto(`${portal.url}/ns/${ns}/services`);
    const row = page.getByRole('row', { name: /web/ });
    await contains(row, '2 ready', 60_000);
    // The page follows changes through its watch (the Live mark shows the stream is open).
    await equals(page.locator('span.live'), 'Live');
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

  step('shows the pods with their containers', async () => {
    await page.goto(`${portal.url}/ns/${ns}/pods`);
    await contains(page.getByRole('row', { name: /web-/ }).first(), 'Running');
    await page.getByRole('row', { name: /web-/ }).first().getByRole('link').click();
    await page.getByRole('heading', { name: 'Containers' }).first().waitFor({ state: 'visible' });
    // The owner is the Deployment the team made, as a link (not only the ReplicaSet's generated name).
    expect(await page.getByRole('link', { name: 'web', exact: true }).getAttribute('href')).toBe(`/ns/${ns}/deployments/web`);
    await shot(page, 'pod');
  });

  step('counts a pod that is shutting down as neither running nor ready', async () => {
    // A pod that ignores SIGTERM stays Terminating for its whole grace period, with phase still Running.
    const hold = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'hold' },
      spec: {
        terminationGracePeriodSeconds: 120,
        containers: [
          {
            name: 'main',
            image: 'flotilla/busybox:1',
            command: ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'],
            // The namespace's quota asks every pod for its requests.
            resources: { requests: { cpu: '10m', memory: '8Mi' } },
          },
        ],
      },
    };
    expect((await call(stack.p, 'POST', `/api/v1/namespaces/${ns}/pods`, stack.p.token, hold)).status).toBe(201);
    await eventually(async () => expect((await apiGet<Pod>(`/api/v1/namespaces/${ns}/pods/hold`)).status?.phase).toBe('Running'), 60_000);
    expect((await call(stack.p, 'DELETE', `/api/v1/namespaces/${ns}/pods/hold`, stack.p.token)).status).toBeLessThan(300);
    const held = await apiGet<Pod>(`/api/v1/namespaces/${ns}/pods/hold`);
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    expect(held.status?.phase).toBe('Running');
    const podsCard = page.locator('a.card', { has: page.getByRole('heading', { name: 'Pods', exact: true }) });
    for (const [width, height, name] of [
      [1280, 860, 'desktop'],
      [390, 844, 'phone'],
    ] as const) {
      await page.setViewportSize({ width, height });
      await page.goto(`${portal.url}/ns/${ns}`);
      // Two web pods run; the third is on its way out.
      await equals(podsCard.locator('.stat'), '2/3');
      await shot(page, `overview-terminating-${name}`);
      await page.goto(`${portal.url}/ns/${ns}/pods`);
      const row = page.getByRole('row', { name: /hold/ });
      await contains(row, 'Terminating');
      expect(await row.locator('.badge.ok').count()).toBe(0);
      await shot(page, `pods-terminating-${name}`);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
    // Not left to linger through the later steps' pod counts.
    expect((await call(stack.p, 'DELETE', `/api/v1/namespaces/${ns}/pods/hold?gracePeriodSeconds=0`, stack.p.token)).status).toBeLessThan(300);
  });

  step('follows the logs of every pod of the deployment', async () => {
    await page.goto(`${portal.url}/ns/${ns}/logs?deployment=web`);
    const log = page.getByTestId('log');
    await contains(log, 'web-server', 60_000);
    await page.getByLabel('Timestamps').check();
    // Both pods' lines, merged in time order (each pod's backlog arrives as one block).
    await eventually(async () => {
      const lines = await log
        .locator('.line:has(.ts)')
        .evaluateAll((els) => els.map((e) => ({ t: e.querySelector('.ts')?.textContent ?? '', s: e.querySelector('.src')?.textContent ?? '' })));
      expect(new Set(lines.map((l) => l.s)).size).toBe(2);
      const times = lines.map((l) => Date.parse(l.t));
      expect(times.every((t, i) => i === 0 || t >= times[i - 1])).toBe(true);
    }, 60_000);
    await shot(page, 'logs-merged');
    await page.getByLabel('Filter').fill('healthz');
    await contains(log, 'healthz', 30_000);
    await shot(page, 'logs');
  });

  step('rolls out a new image live and rolls back to the first revision', async () => {
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

  step('scales the deployment, holds a rollout while paused, and restarts every pod', async () => {
    await signIn(dev);
    await page.goto(`${portal.url}/ns/${ns}/deployments/web`);
    const actions = page.locator('form', { has: page.getByRole('button', { name: 'Scale' }) });
    await page.getByLabel('Replicas', { exact: true }).fill('3');
    await page.getByRole('button', { name: 'Scale' }).click();
    await equals(actions.getByRole('status'), 'Scaled to 3');
    await equals(page.getByTestId('ready'), '3', 120_000);
    await shot(page, 'scaled');
    // Scaled elsewhere (kubectl scale): the note of the portal's own scale is history and goes.
    const scaleTo = (n: number) => call(stack.p, 'PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web/scale`, stack.p.token, { spec: { replicas: n } });
    expect((await scaleTo(2)).status).toBe(200);
    await equals(page.getByTestId('ready'), '2', 120_000);
    await eventually(async () => expect(await actions.getByRole('status').count()).toBe(0));
    await shot(page, 'scaled-elsewhere');
    expect((await scaleTo(3)).status).toBe(200);
    await equals(page.getByTestId('ready'), '3', 120_000);
    expect(await actions.getByRole('status').count()).toBe(0);

    // Paused, a new image is recorded but nothing rolls.
    const podsBefore = await podNames();
    expect(podsBefore).toHaveLength(3);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor({ state: 'visible' });
    await contains(page.locator('section', { has: page.getByTestId('rollout-status') }), 'Paused');
    await page.getByLabel('web', { exact: true }).fill('nginx:1.28');
    await page.getByRole('button', { name: 'Roll out' }).click();
    const revisions = page.getByTestId('revisions');
    // Once the controller has seen the new spec (observedGeneration), nothing may have rolled: the same pods,
    // all still on 1.27. (Revision 2's ReplicaSet, nginx:1.28, becomes revision 4 at 0 replicas, as in Kubernetes.)
    await eventually(async () => {
      const d = await apiGet<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
      expect(d.spec.template.spec.containers[0].image).toBe('nginx:1.28');
      expect(d.status?.observedGeneration).toBe(d.metadata.generation);
    });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await podNames()).toEqual(podsBefore);
    expect((await livePods()).map((x) => x.spec.containers[0].image)).toEqual(['nginx:1.27', 'nginx:1.27', 'nginx:1.27']);
    await contains(revisions.getByRole('row', { name: /nginx:1\.28/ }), '0/0');
    await shot(page, 'paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    await contains(revisions.getByRole('row', { name: /nginx:1\.28/ }), 'current', 30_000);
    await equals(page.getByTestId('rollout-status'), 'Successfully rolled out.', 120_000);
    await eventually(async () => expect(await servedVersion()).toBe('1.28'), 30_000);

    // Restart: every pod is replaced by a new one, and the app answers from them.
    const podsRolled = await podNames();
    await page.getByRole('button', { name: 'Restart' }).click();
    await eventually(async () => {
      const now = await podNames();
      expect(now).toHaveLength(3);
      expect(now.filter((n) => podsRolled.includes(n))).toEqual([]);
    }, 120_000);
    await equals(page.getByTestId('rollout-status'), 'Successfully rolled out.', 120_000);
    expect(await servedVersion()).toBe('1.28');
    await shot(page, 'restarted');
    await signOut();
  });

  step('shows another tenant none of it', async () => {
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

  step('shows what each revision changed, env and resources as well as images', async () => {
    await signIn(dev);
    await page.goto(`${portal.url}/ns/${ns}/deployments/web`);
    // Changed elsewhere (kubectl edit): a setting and a request, the image left alone.
    const d = await apiGet<Deployment>(`/apis/apps/v1/namespaces/${ns}/deployments/web`);
    const c = d.spec.template.spec.containers[0];
    const patch = {
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: c.name,
                env: [{ name: 'GREETING', value: 'hello' }],
                resources: { requests: { cpu: '150m', memory: '32Mi' }, limits: c.resources?.limits },
              },
            ],
          },
        },
      },
    };
    const r = await call(stack.p, 'PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/web`, stack.p.token, patch, {
      'content-type': 'application/strategic-merge-patch+json',
    });
    expect(r.status).toBe(200);
    const newest = page.getByTestId('revisions').getByRole('row').nth(1);
    await contains(newest, 'current', 30_000);
    await contains(newest, 'env GREETING=hello');
    await contains(newest, 'cpu request: 100m → 150m');
    expect(await textOf(newest)).not.toContain('image');
    await shot(page, 'revision-changes');
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.getByTestId('revisions').scrollIntoViewIfNeeded();
      await shot(page, 'revision-changes-phone');
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });

  step('deletes the app made from the form together with its Service', async () => {
    await signIn(dev);
    await page.goto(`${portal.url}/ns/${ns}/deployments/web`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForURL(new RegExp(`/ns/${ns}/deployments$`));
    // The garbage collector removes the Service the form made for it: nothing is left answering 503.
    await eventually(async () => expect((await call(stack.p, 'GET', `/api/v1/namespaces/${ns}/services/web`, stack.p.token)).status).toBe(404), 60_000);
    await page.goto(`${portal.url}/ns/${ns}/services`);
    await page.getByText(`No services in ${ns}.`).waitFor({ state: 'visible' });
    await shot(page, 'deleted-with-service');
  });
});
