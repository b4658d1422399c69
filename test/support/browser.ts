// Browser tests of the portal: starts the portal (apps/portal/server.mjs) against a test platform with a
// certificate issued here from the platform CA, and Debian's Chromium through playwright-core that trusts
// exactly that certificate (its SPKI pinned with --ignore-certificate-errors-spki-list; no checks disabled).
// Chromium runs in its own network namespace: the agent adds and removes Docker interfaces while pods
// start, and Chromium aborts every request in flight with ERR_NETWORK_CHANGED when the host's interfaces
// change. Inside the namespace only loopback exists; a relay carries the portal's port, and any other
// loopback port the test names (the node ingress), over Unix sockets to the same port on the host.
import { ChildProcess, spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { issueServingCert } from '@flotilla/pki';
import { ROOT, testDatabaseUrl, testRedisUrl } from './env';
import { endWithTestProcess, freePort, httpsGet, type Platform } from './platform';
import { eventually, GiveUp } from './eventually';

// Pages update live, so portal suites wait for what they read; one implementation for every suite.
export { eventually };

export const ARTIFACTS = join(ROOT, 'test-artifacts', 'portal');

export interface Portal {
  url: string;
  port: number;
  spki: string;
  logs: () => string;
  stop: () => Promise<void>;
}

export async function startPortal(p: Platform, env: Record<string, string> = {}): Promise<Portal> {
  const port = await freePort();
  const pki = join(p.dataDir, 'pki');
  const pair = await issueServingCert(
    { certPem: readFileSync(join(pki, 'ca.crt'), 'utf8'), keyPem: readFileSync(join(pki, 'ca.key'), 'utf8') },
    { commonName: 'flotilla-portal', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
  );
  const certFile = join(p.dataDir, 'portal.crt');
  const keyFile = join(p.dataDir, 'portal.key');
  writeFileSync(certFile, pair.certPem);
  writeFileSync(keyFile, pair.keyPem, { mode: 0o600 });
  const spki = createHash('sha256')
    .update(new X509Certificate(pair.certPem).publicKey.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'apps/portal/server.mjs')], {
    cwd: join(ROOT, 'apps/portal'),
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      FLOTILLA_DATA_DIR: p.dataDir,
      FLOTILLA_API_URL: p.url,
      FLOTILLA_PORTAL_PORT: String(port),
      FLOTILLA_PORTAL_HOST: '127.0.0.1',
      FLOTILLA_PORTAL_CERT_FILE: certFile,
      FLOTILLA_PORTAL_KEY_FILE: keyFile,
      // Only for recording its start in the components view, under the test database's cluster.
      DATABASE_URL: testDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  endWithTestProcess(child);
  const url = `https://127.0.0.1:${port}`;
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new GiveUp(`portal exited with ${child.exitCode}:\n${output}`);
      const r = await httpsGet(url, '/login', p.caCert);
      if (r.status !== 200) throw new Error(`/login answered ${r.status}`);
    },
    { timeoutMs: 60_000, intervalMs: 200 },
  ).catch((err: unknown) => {
    if (err instanceof GiveUp) throw err;
    // The caller never gets a handle to stop it: a left-running portal keeps jest from exiting.
    child.kill('SIGKILL');
    throw new Error(`portal did not start (${String(err)}):\n${output}`);
  });
  return {
    url,
    port,
    spki,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

export interface Browser {
  context: BrowserContext;
  close: () => Promise<void>;
}

// Runs inside Chromium's namespace: 127.0.0.1:PORT there → the Unix socket for PORT; exits with Chromium.
const INNER_RELAY = `const net = require('node:net');
const parent = process.ppid;
for (const pair of process.argv.slice(2)) {
  const [port, sock] = pair.split('=');
  net.createServer((c) => { const u = net.connect(sock); c.pipe(u).pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); })
    .listen(Number(port), '127.0.0.1');
}
setInterval(() => { if (process.ppid !== parent) process.exit(0); }, 1000);
`;

export interface BrowserOptions {
  /** More host loopback ports the browser may reach at 127.0.0.1 (the portal's is always there). */
  loopbackPorts?: number[];
  /** Domains whose every host name resolves to 127.0.0.1 in the browser (e.g. the ingress base domain). */
  loopbackDomains?: string[];
  viewport?: { width: number; height: number };
}

/** Chromium with a fresh profile, in its own network namespace, trusting only the portal's certificate beyond the system roots. */
export async function launchBrowser(portal: Portal, o: BrowserOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'flotilla-chromium-'));
  const work = mkdtempSync(join(tmpdir(), 'flotilla-relay-'));
  const relay = join(work, 'relay.cjs');
  writeFileSync(relay, INNER_RELAY);
  const outers: Server[] = [];
  const pairs: string[] = [];
  for (const port of [portal.port, ...(o.loopbackPorts ?? [])]) {
    const sock = join(work, `${port}.sock`);
    const outer = createServer((c) => {
      const u = connect(port, '127.0.0.1');
      c.pipe(u).pipe(c);
      c.on('error', () => u.destroy());
      u.on('error', () => c.destroy());
    });
    await new Promise<void>((r) => outer.listen(sock, r));
    outers.push(outer);
    pairs.push(`${port}=${sock}`);
  }
  const wrapper = join(work, 'chromium');
  writeFileSync(
    wrapper,
    `#!/bin/sh\nexec /usr/bin/unshare --net /bin/sh -c 'ip link set lo up || exit 1; "${process.execPath}" "${relay}" ${pairs.map((x) => `"${x}"`).join(' ')} & exec /usr/bin/chromium "$@"' chromium "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  const rules = (o.loopbackDomains ?? []).map((d) => `MAP *.${d} 127.0.0.1`).join(', ');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: wrapper,
    headless: true,
    ignoreHTTPSErrors: false,
    viewport: o.viewport ?? { width: 1280, height: 860 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--ignore-certificate-errors-spki-list=${portal.spki}`,
      ...(rules ? [`--host-resolver-rules=${rules}`] : []),
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await Promise.all(outers.map((outer) => new Promise((r) => outer.close(r))));
      rmSync(profile, { recursive: true, force: true });
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Numbered full-page screenshots of one suite, in test-artifacts/portal/<suite>/ (emptied first). */
export function screenshots(suite: string): (page: Page, name: string) => Promise<void> {
  const dir = join(ARTIFACTS, suite);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let step = 0;
  return async (page, name) => {
    step++;
    await page.screenshot({ path: join(dir, `${String(step).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
}

/** The text of the first match, or '' while there is none. */
export const textOf = async (l: Locator): Promise<string> => ((await l.count()) ? ((await l.first().textContent()) ?? '') : '');
/** Waits until the first match's text contains `s` (pages update live). */
export const contains = (l: Locator, s: string, ms?: number): Promise<void> => eventually(async () => expect(await textOf(l)).toContain(s), ms);
/** Waits until the first match's trimmed text is `s`. */
export const equals = (l: Locator, s: string, ms?: number): Promise<void> => eventually(async () => expect((await textOf(l)).trim()).toBe(s), ms);

/**
 * Fills a field and checks it holds exactly `text`: on a page still hydrating, React may move the caret after
 * Playwright selected the old value, and the text is then inserted before it instead of replacing it (a
 * prefilled editor ends up holding both). Filled again until it holds `text` alone.
 */
export const fillExactly = (l: Locator, text: string, ms?: number): Promise<void> =>
  eventually(async () => {
    await l.fill(text);
    expect(await l.inputValue()).toBe(text);
  }, ms);

/** Signs in on the portal's form, starting from no session. */
export async function signIn(page: Page, portal: Portal, user: string, password: string): Promise<void> {
  await page.context().clearCookies();
  await page.goto(`${portal.url}/login`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signing in lands on '/', which sends a member on to their first namespace in a second, client-side step:
  // wait until it has settled there (or on the welcome page of someone with no namespace), or a test's next
  // page.goto races that redirect and ends up on the namespace page.
  const settled = await Promise.race([
    page
      .waitForURL((u) => !u.pathname.startsWith('/login') && u.pathname !== '/')
      .then(
        () => true,
        () => false,
      ),
    page
      .getByRole('heading', { name: 'Welcome' })
      .waitFor()
      .then(
        () => true,
        () => false,
      ),
  ]);
  if (!settled) throw new Error(`signing in as ${user} did not land anywhere (still at ${page.url()})`);
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login$/);
}

/**
 * `it` for browser steps: a failure also says where the browser was and what the page showed, so a red run
 * in CI (whose screenshots nobody sees) can be understood from its log alone.
 */
export function browserStep(page: () => Page | undefined): (name: string, fn: () => Promise<void>, timeoutMs?: number) => void {
  return (name, fn, timeoutMs) =>
    it(
      name,
      async () => {
        try {
          await fn();
        } catch (err) {
          const p = page();
          const text = p
            ? await p
                .locator('body')
                .innerText({ timeout: 2000 })
                .catch(() => '(no text)')
            : '(no page)';
          if (err instanceof Error) {
            const where = `\n--- the page at ${p?.url() ?? '?'} ---\n${text.slice(0, 2000)}`;
            err.message += where;
            err.stack = `${err.stack ?? ''}${where}`; // jest prints the stack, which was written with the old message
          }
          throw err;
        }
      },
      timeoutMs,
    );
}
