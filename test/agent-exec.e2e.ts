// `kubectl exec` through the API to the agent that runs the pod: the real kubectl (WebSocket
// v5.channel.k8s.io), the real API, two real agents joined with their own node credentials, real
// containers. Covers output, exit codes, stdin, -c, terminal resize, RBAC (view may not exec, edit
// may), audit, clear 4xx errors, and that a node's kubelet endpoint serves only its own pods and only
// to the API.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { get } from 'node:http';
import { request } from 'node:https';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import WebSocket from 'ws';
import { issueClientCert, KUBELET_CLIENT_CN, type KeyPairPem } from '@flotilla/pki';
import type { Node, Pod } from '@flotilla/resources';
import { AgentProcess, cleanupNode, docker, startAgent, waitFor } from '../apps/agent/testing/harness';
import { freePort, KubectlResult, kubectlFor, Platform, ok } from './support/platform';
import { call, cleanUp, kubeconfigFor, sql, startTenancyPlatform, userWithToken } from './support/tenancy';

jest.setTimeout(180_000);

const run = randomBytes(3).toString('hex');
const prefix = `ex${run}`;
const ns = `${prefix}-ns`;
// Node B's pod lives in its own namespace: two agents on one Docker host would race to create the same namespace network.
const nsB = `${prefix}-nsb`;
const nodeA = `${prefix}-node-a`;
const nodeB = `${prefix}-node-b`;
const viewer = `${prefix}-viewer`;
const editor = `${prefix}-editor`;

let p: Platform;
let admin: (args: string[], input?: string) => KubectlResult;
let asViewer: (args: string[], input?: string) => KubectlResult;
let asEditor: (args: string[], input?: string) => KubectlResult;
let editorToken: string;
const agents: AgentProcess[] = [];

function kubectlWith(kubeconfig: string): (args: string[], input?: string) => KubectlResult {
  return kubectlFor({ ...p, kubeconfig });
}

async function getJson<T>(path: string): Promise<T | undefined> {
  const r = await call(p, 'GET', path, p.token);
  return r.status === 200 ? (JSON.parse(r.body) as T) : undefined;
}

const pod = (name: string, namespace = ns): Promise<Pod | undefined> => getJson<Pod>(`/api/v1/namespaces/${namespace}/pods/${name}`);
const node = (name: string): Promise<Node | undefined> => getJson<Node>(`/api/v1/nodes/${name}`);

function kubeletPort(n: Node | undefined): number {
  return (n?.status as { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } | undefined)?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
}

async function joinedAgent(name: string): Promise<AgentProcess> {
  const t = await call(p, 'POST', '/flotilla/v1/admin/jointokens', p.token, {});
  expect(t.status).toBe(201);
  const a = startAgent(p, name, {
    FLOTILLA_NODE_TOKEN: '',
    FLOTILLA_JOIN_TOKEN: String(t.json().token),
    FLOTILLA_NODE_TOKEN_FILE: join(p.dataDir, name, 'token'),
    // The suite rewrites a node's advertised endpoint; a slow heartbeat keeps it from being put back meanwhile.
    FLOTILLA_NODE_STATUS_SECONDS: '600',
    // Not what this suite is about, and other suites' agents may hold the ingress ports.
    FLOTILLA_INGRESS_HTTP_ADDRESS: 'off',
    FLOTILLA_INGRESS_HTTPS_ADDRESS: 'off',
    FLOTILLA_SERVICE_PROXY_IMAGE: 'off',
  });
  agents.push(a);
  return a;
}

async function running(name: string, containers: number, namespace = ns): Promise<Pod> {
  return waitFor(
    `pod ${name} running`,
    async () => {
      const got = await pod(name, namespace);
      return got?.status?.phase === 'Running' && (got.status.containerStatuses ?? []).filter((c) => c.state?.running).length === containers ? got : undefined;
    },
    60_000,
  );
}

beforeAll(async () => {
  execFileSync('bash', [join(__dirname, '../docker/images/build.sh')], { stdio: 'pipe' });
  p = await startTenancyPlatform(`${prefix}-admin`);
  admin = kubectlFor(p);
  const viewerToken = await userWithToken(p, viewer);
  editorToken = await userWithToken(p, editor);
  const created = await call(p, 'POST', '/flotilla/v1/admin/namespaces', p.token, {
    name: ns,
    bindings: [
      { role: 'view', users: [viewer] },
      { role: 'edit', users: [editor] },
    ],
  });
  expect(created.status).toBe(201);
  expect((await call(p, 'POST', '/flotilla/v1/admin/namespaces', p.token, { name: nsB })).status).toBe(201);
  asViewer = kubectlWith(kubeconfigFor(p, viewer, viewerToken));
  asEditor = kubectlWith(kubeconfigFor(p, editor, editorToken));
  await joinedAgent(nodeA);
  await joinedAgent(nodeB);
  await waitFor('both nodes advertise a kubelet endpoint', async () => kubeletPort(await node(nodeA)) > 0 && kubeletPort(await node(nodeB)) > 0, 30_000);
  ok(
    admin(
      ['apply', '-f', '-'],
      `
apiVersion: v1
kind: Pod
metadata: { name: shell, namespace: ${ns} }
spec:
  nodeName: ${nodeA}
  terminationGracePeriodSeconds: 0
  containers:
    - { name: main, image: busybox, command: [sleep, '3600'] }
---
apiVersion: v1
kind: Pod
metadata: { name: duo, namespace: ${ns} }
spec:
  nodeName: ${nodeA}
  terminationGracePeriodSeconds: 0
  volumes: [{ name: shared, emptyDir: {} }]
  containers:
    - { name: app, image: busybox, command: [sh, -c, 'echo written-by-app > /shared/note; exec sleep 3601'], volumeMounts: [{ name: shared, mountPath: /shared }] }
    - { name: sidecar, image: busybox, command: [sleep, '3602'], volumeMounts: [{ name: shared, mountPath: /shared }] }
---
apiVersion: v1
kind: Pod
metadata: { name: web, namespace: ${nsB} }
spec:
  nodeName: ${nodeB}
  terminationGracePeriodSeconds: 0
  containers:
    - { name: web, image: 'nginx:1.27', ports: [{ containerPort: 80 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: unbound, namespace: ${ns} }
spec:
  containers:
    - { name: main, image: busybox, command: [sleep, '3600'] }
`,
    ),
  );
  await Promise.all([running('shell', 1), running('duo', 2), running('web', 1, nsB)]);
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  if (process.env.AGENT_TEST_LOGS) for (const a of agents) process.stderr.write(a.logs());
  await cleanupNode(nodeA);
  await cleanupNode(nodeB);
  for (const n of [ns, nsB]) {
    for (const net of await docker.listNetworks({ filters: { label: [`flotilla.namespace=${n}`] } }))
      await docker
        .getNetwork(net.Id)
        .remove()
        .catch(() => undefined);
  }
  if (p) {
    for (const n of [nodeA, nodeB]) await call(p, 'DELETE', `/api/v1/nodes/${n}`, p.token);
    await call(p, 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeA}`, p.token);
    await call(p, 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${nodeB}`, p.token);
    await p.stop();
  }
  await cleanUp([ns, nsB], prefix);
});

describe('kubectl exec', () => {
  it('prints stdout and stderr apart and exits 0', () => {
    const r = admin(['exec', '-n', ns, 'shell', '--', 'sh', '-c', 'echo to-stdout; echo to-stderr >&2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('to-stdout\n');
    expect(r.stderr).toContain('to-stderr\n');
    expect(r.stderr).not.toContain('to-stdout');
  });

  it("propagates the command's exit code", () => {
    const r = admin(['exec', '-n', ns, 'shell', '--', 'sh', '-c', 'echo partial; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('partial\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
    expect(admin(['exec', '-n', ns, 'shell', '--', 'false']).code).toBe(1);
  });

  it('pipes stdin to the command and ends it at EOF', () => {
    const input = `${Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n')}\n`;
    const r = admin(['exec', '-i', '-n', ns, 'shell', '--', 'cat'], input);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(input);
    const counted = admin(['exec', '-i', '-n', ns, 'shell', '--', 'wc', '-l'], 'a\nb\nc\n');
    expect(counted.stdout.trim()).toBe('3');
  });

  it('runs in the container named with -c, which shares the pod’s volume', () => {
    expect(ok(admin(['exec', '-n', ns, 'duo', '-c', 'sidecar', '--', 'cat', '/shared/note']))).toBe('written-by-app\n');
    ok(admin(['exec', '-n', ns, 'duo', '-c', 'sidecar', '--', 'sh', '-c', 'echo from-sidecar > /shared/reply']));
    expect(ok(admin(['exec', '-n', ns, 'duo', '-c', 'app', '--', 'cat', '/shared/reply']))).toBe('from-sidecar\n');
    // Two containers, two processes: each sees only its own command.
    expect(ok(admin(['exec', '-n', ns, 'duo', '-c', 'app', '--', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "']))).toBe('sleep 3601 ');
    expect(ok(admin(['exec', '-n', ns, 'duo', '-c', 'sidecar', '--', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "']))).toBe('sleep 3602 ');
  });

  it('answers bad requests with a 4xx Status naming the problem', async () => {
    const unknown = admin(['exec', '-n', ns, 'duo', '-c', 'nope', '--', 'true']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('container nope is not valid for pod duo');
    const unbound = admin(['exec', '-n', ns, 'unbound', '--', 'true']);
    expect(unbound.code).toBe(1);
    expect(unbound.stderr).toContain('pod unbound does not have a host assigned');
    const missing = admin(['exec', '-n', ns, 'ghost', '--', 'true']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('pods "ghost" not found');
    // Without a container on a two-container pod (kubectl always names one; other clients may not).
    const noContainer = await call(p, 'POST', `/api/v1/namespaces/${ns}/pods/duo/exec?command=true&stdout=true`, p.token);
    expect(noContainer.status).toBe(400);
    expect(noContainer.json().message).toBe('a container name must be specified for pod duo, choose one of: [app sidecar]');
    // Not a WebSocket (kubectl's SPDY fallback): refused with what to use instead.
    const spdy = await call(p, 'POST', `/api/v1/namespaces/${ns}/pods/shell/exec?command=true&stdout=true&container=main`, p.token);
    expect(spdy.status).toBe(400);
    expect(spdy.json().message).toContain('served over WebSocket');
  });

  it('resizes the terminal of a -t session (channel 4)', async () => {
    const { out, status } = await wsExec(
      `/api/v1/namespaces/${ns}/pods/shell/exec?command=sh&command=-c&command=${encodeURIComponent('sleep 1; stty size')}&container=main&stdin=true&stdout=true&tty=true`,
      editorToken,
      (ws) => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":123,"Height":45}\n')])),
    );
    expect(out.trim()).toBe('45 123');
    expect(status).toEqual({ metadata: {}, status: 'Success' });
  });
});

describe('kubectl port-forward', () => {
  it('forwards local connections to the pod’s port (SPDY/3.1 inside the WebSocket)', async () => {
    const local = await freePort();
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', p.kubeconfig, 'port-forward', '-n', nsB, 'pod/web', `${local}:80`], {
      env: { PATH: process.env.PATH ?? '', HOME: join(p.dataDir, 'home') },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor('kubectl to listen', async () => out.includes(`Forwarding from 127.0.0.1:${local} -> 80`), 20_000).catch((e: Error) => {
        throw new Error(`${e.message}: ${out}`);
      });
      // Several connections, one after another and at once, each its own pair of streams.
      for (let i = 0; i < 3; i++) expect(await httpGet(local, '/')).toContain('<h1>Hello from web</h1>');
      const pages = await Promise.all([httpGet(local, '/'), httpGet(local, '/healthz'), httpGet(local, '/')]);
      expect(pages[1]).toBe('ok\n');
      expect(pages[0]).toContain('version 1.27');
      expect(out).not.toMatch(/an error occurred|lost connection/);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });

  it('refuses a pod that is not running', () => {
    const r = admin(['port-forward', '-n', ns, 'pod/unbound', '18080:80']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unable to forward port because pod is not running. Current status=Pending');
  });
});

describe('who may exec', () => {
  it('refuses a view user with 403 and lets an edit user in', async () => {
    expect(ok(asViewer(['get', 'pod', 'shell', '-n', ns]))).toContain('shell');
    const denied = asViewer(['exec', '-n', ns, 'shell', '--', 'echo', 'hi']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Forbidden');
    expect(denied.stderr).toContain(`User "${viewer}" cannot create resource "pods/exec" in API group "" in the namespace "${ns}"`);
    expect(asViewer(['auth', 'can-i', 'create', 'pods/exec', '-n', ns]).stdout.trim()).toBe('no');
    expect(asEditor(['exec', '-n', ns, 'shell', '--', 'echo', 'hi'])).toMatchObject({ code: 0, stdout: 'hi\n' });
    // Both land in the audit log as what they are: a create on pods/exec.
    const rows = await sql<{ username: string; decision: string; code: number; verb: string }>(
      `SELECT username, decision, code, verb FROM audit_events WHERE namespace = $1 AND resource = 'pods' AND subresource = 'exec' AND name = 'shell' AND username = ANY($2)`,
      [ns, [viewer, editor]],
    );
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ username: viewer, decision: 'denied', code: 403, verb: 'create' })]));
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ username: editor, decision: 'allowed', code: 101, verb: 'create' })]));
  });
});

describe('the kubelet endpoint', () => {
  let apiCert: KeyPairPem;
  let ca: string;
  beforeAll(async () => {
    ca = p.caCert;
    const caKey = { certPem: ca, keyPem: readFileSync(join(p.dataDir, 'pki', 'ca.key'), 'utf8') };
    apiCert = await issueClientCert(caKey, { commonName: KUBELET_CLIENT_CN, validDays: 1 });
  });

  function direct(port: number, path: string, cert?: KeyPairPem): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        path,
        ca,
        cert: cert?.certPem,
        key: cert?.keyPem,
        agent: false,
        checkServerIdentity: () => undefined,
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': randomBytes(16).toString('base64'),
          'sec-websocket-protocol': 'v5.channel.k8s.io',
        },
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, body: '' });
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('runs nothing for a pod bound to another node, even for the API', async () => {
    const web = await pod('web', nsB);
    const portA = kubeletPort(await node(nodeA));
    const path = `/exec/${nsB}/web/${web?.metadata.uid}/web?command=hostname&stdout=true`;
    const wrong = await direct(portA, path, apiCert);
    expect(wrong.status).toBe(404);
    expect(JSON.parse(wrong.body).message).toBe(`pod "${nsB}/web" (uid ${web?.metadata.uid}) is not bound to node "${nodeA}"`);
    // The right node, same credential: accepted (so the refusal above is about the node, not the request).
    expect((await direct(kubeletPort(await node(nodeB)), path, apiCert)).status).toBe(101);
  });

  it('serves only the API: other certificates signed by the platform CA are refused, no certificate fails the handshake', async () => {
    const web = await pod('web', nsB);
    const portB = kubeletPort(await node(nodeB));
    const path = `/exec/${nsB}/web/${web?.metadata.uid}/web?command=hostname&stdout=true`;
    const caKey = { certPem: ca, keyPem: readFileSync(join(p.dataDir, 'pki', 'ca.key'), 'utf8') };
    const other = await issueClientCert(caKey, { commonName: `system:node:${nodeA}`, organizations: ['system:nodes'], validDays: 1 });
    const refused = await direct(portB, path, other);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).message).toContain(KUBELET_CLIENT_CN);
    await expect(direct(portB, path)).rejects.toThrow();
  });

  it('presents a certificate naming its own node, which the API checks', async () => {
    const portB = kubeletPort(await node(nodeB));
    const peer = await new Promise<PeerCertificate>((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: portB, ca, cert: apiCert.certPem, key: apiCert.keyPem, checkServerIdentity: () => undefined }, () => {
        resolve(s.getPeerCertificate());
        s.end();
      });
      s.on('error', reject);
    });
    expect(peer.subject.CN).toBe(`system:node:${nodeB}`);
    expect(checkServerIdentity(nodeB, peer)).toBeUndefined();
    expect(checkServerIdentity(nodeA, peer)?.message).toContain(`Host: ${nodeA}. is not in the cert's altnames`);
    // Point node A's status at node B's endpoint: the API will not take B for A.
    const a = await node(nodeA);
    const patch = (port: number) =>
      call(p, 'PATCH', `/api/v1/nodes/${nodeA}/status`, p.token, { status: { daemonEndpoints: { kubeletEndpoint: { Port: port } } } });
    const own = kubeletPort(a);
    expect((await patch(portB)).status).toBe(200);
    try {
      await waitFor('the API to see the new port', async () => {
        const r = admin(['exec', '-n', ns, 'shell', '--', 'true']);
        return r.code !== 0 ? r : undefined;
      });
      const r = admin(['exec', '-n', ns, 'shell', '--', 'hostname']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`error dialing backend: node "${nodeA}"`);
      expect(r.stderr).toContain(`Host: ${nodeA}. is not in the cert's altnames`);
    } finally {
      expect((await patch(own)).status).toBe(200);
    }
    await waitFor('exec on node A again', async () => admin(['exec', '-n', ns, 'shell', '--', 'true']).code === 0);
  });
});

/** A raw WebSocket exec against the API, for what kubectl cannot show without a terminal. */
function wsExec(path: string, token: string, onOpen: (ws: WebSocket) => void): Promise<{ out: string; status: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${p.port}${path}`, ['v5.channel.k8s.io'], { ca: p.caCert, headers: { authorization: `Bearer ${token}` } });
    let out = '';
    let status: unknown;
    ws.on('open', () => {
      expect(ws.protocol).toBe('v5.channel.k8s.io');
      onOpen(ws);
    });
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) out += data.subarray(1).toString();
      if (data[0] === 3) status = JSON.parse(data.subarray(1).toString());
    });
    ws.on('close', () => resolve({ out, status }));
    ws.on('error', reject);
    ws.on('unexpected-response', (_req, res) => reject(new Error(`handshake answered ${res.statusCode}`)));
  });
}

function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
  });
}
