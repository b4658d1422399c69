// The official Kubernetes JavaScript client (@kubernetes/client-node 2.x, current; it needs Node 22+) against Flotilla with the generated kubeconfig: verified HTTPS, no insecure flag. The
// client is an ES module, so it runs in its own process (test/support/client-node-check.mjs).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa } from '@flotilla/pki';
import { Platform, startPlatform, httpsRequest } from './support/platform';
import { uniqueName } from './support/fixtures';

let p: Platform;
const ns = uniqueName('js');

beforeAll(async () => {
  p = await startPlatform();
});

afterAll(async () => {
  if (!p) return;
  const auth = { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' };
  await httpsRequest(p.url, 'DELETE', `/api/v1/namespaces/${ns}`, p.caCert, auth);
  await httpsRequest(
    p.url,
    'PUT',
    `/api/v1/namespaces/${ns}/finalize`,
    p.caCert,
    auth,
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: [] } }),
  );
  await p.stop();
});

describe('@kubernetes/client-node', () => {
  it('creates, lists, watches and deletes over verified HTTPS, and refuses a server outside its CA', async () => {
    const otherCa = join(p.dataDir, 'other-ca.crt');
    writeFileSync(otherCa, (await createCa({ commonName: 'not-flotilla' })).certPem);
    const out = JSON.parse(
      execFileSync(process.execPath, [join(__dirname, 'support', 'client-node-check.mjs'), p.kubeconfig, ns, otherCa], { encoding: 'utf8', timeout: 60_000 }),
    );
    expect(out.cluster).toEqual({ server: p.url, hasCa: true, skipTLSVerify: false });
    expect(out.namespaces).toContain(ns);
    expect(out.watched).toEqual(['ADDED from-js', 'DELETED from-js']);
    expect(out.deployment.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.deployment.replicas).toBe(1);
    expect(out.afterDelete).toBe(404);
    expect(out.otherCa).toMatch(/certificate|self.signed|verify/i);
  });
});
