// An agent joins like `kubeadm join`: a one-time join token plus the CA's hash. It verifies the API
// from then on, gets its own node credential (system:node:<name>) and keeps it for restarts; the join
// token cannot be used twice.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { caCertHash } from '@flotilla/pki';
import { cleanupNode, startAgent, waitFor } from '../apps/agent/testing/harness';
import { httpsRequest, Platform, startPlatform } from './support/platform';
import { uniqueName } from './support/fixtures';

let p: Platform;
const node = uniqueName('join');

beforeAll(async () => {
  p = await startPlatform();
});

afterAll(async () => {
  await cleanupNode(node);
  if (p) {
    await httpsRequest(p.url, 'DELETE', `/api/v1/nodes/${node}`, p.caCert, { authorization: `Bearer ${p.token}` });
    await p.stop();
  }
});

async function joinToken(): Promise<string> {
  const r = await httpsRequest(
    p.url,
    'POST',
    '/flotilla/v1/admin/jointokens',
    p.caCert,
    { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
    '{}',
  );
  expect(r.status).toBe(201);
  return JSON.parse(r.body).token as string;
}

describe('agent join', () => {
  it('joins with a join token and the CA hash, registers as its own node identity, and keeps the credential', async () => {
    const token = await joinToken();
    const tokenFile = join(p.dataDir, 'node', 'token');
    const agent = startAgent(p, node, {
      FLOTILLA_NODE_TOKEN: '',
      FLOTILLA_CA_FILE: '',
      FLOTILLA_CA_HASH: caCertHash(p.caCert),
      FLOTILLA_JOIN_TOKEN: token,
      FLOTILLA_NODE_TOKEN_FILE: tokenFile,
    });
    try {
      const nodeObj = await waitFor('the node to register', async () => {
        const r = await httpsRequest(p.url, 'GET', `/api/v1/nodes/${node}`, p.caCert, { authorization: `Bearer ${p.token}` });
        return r.status === 200 ? JSON.parse(r.body) : undefined;
      });
      expect(nodeObj.metadata.name).toBe(node);
      expect(existsSync(tokenFile)).toBe(true);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      // The saved credential is a node identity: it may read its own Node but not list Secrets cluster-wide.
      const saved = (await import('node:fs')).readFileSync(tokenFile, 'utf8').trim();
      const own = await httpsRequest(p.url, 'GET', `/api/v1/nodes/${node}`, p.caCert, { authorization: `Bearer ${saved}` });
      expect(own.status).toBe(200);
      const secrets = await httpsRequest(p.url, 'GET', '/api/v1/secrets', p.caCert, { authorization: `Bearer ${saved}` });
      expect(secrets.status).toBe(403);
    } finally {
      await agent.stop();
    }
    // The same join token again, without a saved credential: refused.
    const again = startAgent(p, `${node}-b`, {
      FLOTILLA_NODE_TOKEN: '',
      FLOTILLA_CA_FILE: '',
      FLOTILLA_CA_HASH: caCertHash(p.caCert),
      FLOTILLA_JOIN_TOKEN: token,
      FLOTILLA_NODE_TOKEN_FILE: join(p.dataDir, 'node-b', 'token'),
    });
    expect(await again.exited()).toBe(4);
    expect(again.logs()).toContain('join refused');
  });
});
