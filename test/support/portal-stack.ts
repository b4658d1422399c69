// The whole platform for the portal's browser suites: API, controller, one agent on the real Docker engine
// (its ingress on a port of its own), the portal, and Chromium that can reach the portal and that ingress.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AgentProcess, cleanupNode, startAgent } from '../../apps/agent/testing/harness';
import { ControllerProcess, startControllerProcess } from '../../apps/controller/src/testing/e2e';
import { Browser, launchBrowser, Portal, startPortal } from './browser';
import { testDatabaseUrl, testRedisUrl } from './env';
import { freePort, type Platform } from './platform';
import { cleanUp, sql, startTenancyPlatform } from './tenancy';

export const BASE_DOMAIN = 'flotilla.localhost';

export interface PortalStack {
  p: Platform;
  portal: Portal;
  browser: Browser;
  page: Page;
  nodeName: string;
  /** The node ingress's URL of a Service, as the portal links it. */
  serviceUrl: (service: string, namespace: string) => string;
  /** Stops everything and removes what the suite made: its namespaces, users (by prefix), node and Docker objects. */
  stop: (namespaces: string[]) => Promise<void>;
}

/**
 * An unscheduled pod that has waited for more than ten minutes is a leftover of an earlier suite (the fuzz
 * suites leave hundreds in the shared test database). The suite's agent is the only Ready node, and the
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

/** Starts the stack with `<prefix>-admin` as the platform's first admin and `<prefix>-node` as the node. */
export async function startPortalStack(prefix: string): Promise<PortalStack> {
  await removeLeftoverWorkloads();
  execFileSync('bash', [join(__dirname, '../../docker/images/build.sh')], { stdio: 'pipe' });
  const nodeName = `${prefix}-node`;
  const p = await startTenancyPlatform(`${prefix}-admin`);
  let controller: ControllerProcess | undefined;
  let agent: AgentProcess | undefined;
  let portal: Portal | undefined;
  let browser: Browser | undefined;
  const stop = async (namespaces: string[]): Promise<void> => {
    await browser?.close();
    await portal?.stop();
    await agent?.stop();
    await controller?.stop();
    await cleanupNode(nodeName).catch(() => undefined);
    if (process.env.PORTAL_TEST_LOGS) process.stderr.write(`--- portal ---\n${portal?.logs()}\n--- api ---\n${p.logs()}`);
    await p.stop();
    await cleanUp(namespaces, prefix).catch(() => undefined);
    await sql(`DELETE FROM objects WHERE (resource = 'core/nodes' AND name = $1) OR (namespace = 'kube-node-lease' AND name = $1)`, [nodeName]).catch(
      () => undefined,
    );
  };
  try {
    controller = await startControllerProcess({ databaseUrl: testDatabaseUrl(), redisUrl: testRedisUrl() }, { FLOTILLA_HOLLOW_NODES: '0' });
    // The ingress on a port of its own (a platform started with up.sh may hold 8080); the portal links Services
    // there, and the browser reaches that loopback port from its network namespace.
    const ingressPort = await freePort();
    agent = startAgent(p, nodeName, {
      FLOTILLA_INGRESS_HTTP_ADDRESS: `127.0.0.1:${ingressPort}`,
      FLOTILLA_INGRESS_HTTPS_ADDRESS: 'off',
      FLOTILLA_BASE_DOMAIN: BASE_DOMAIN,
    });
    portal = await startPortal(p, { FLOTILLA_INGRESS_URL: `http://${BASE_DOMAIN}:${ingressPort}` });
    browser = await launchBrowser(portal, { loopbackPorts: [ingressPort], loopbackDomains: [BASE_DOMAIN] });
    const page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    return { p, portal, browser, page, nodeName, serviceUrl: (svc, ns) => `http://${svc}.${ns}.${BASE_DOMAIN}:${ingressPort}/`, stop };
  } catch (e) {
    await stop([]);
    throw e;
  }
}
