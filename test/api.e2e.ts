// The API over HTTPS without kubectl: health, metrics, transport security, watch resumption and
// expiry, dry runs, every patch type, and a fuzz of malformed bodies (no 5xx, nothing half-stored).
import { request as httpRequest } from 'node:http';
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { Platform, startPlatform } from './support/platform';
import { Store } from '@flotilla/store';
import { testDatabaseUrl, dropNamespaces } from './support/env';
import { seededRandom, uniqueName } from './support/fixtures';
import { eventually } from './support/eventually';

let p: Platform;
let agent: Agent;
const ns = uniqueName('api');

interface Res {
  status: number;
  body: string;
  headers: Record<string, unknown>;
  json: () => any;
}

function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const req = request(
      new URL(path, p.url),
      { method, agent, headers: { authorization: `Bearer ${p.token}`, 'content-type': 'application/json', ...headers } },
      (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers, json: () => JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Opens a watch and collects lines until `until` says stop or the time is up. */
function watch(path: string, until: (lines: any[]) => boolean, ms = 10_000, accept?: string): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const lines: any[] = [];
    const headers: Record<string, string> = { authorization: `Bearer ${p.token}` };
    if (accept) headers.accept = accept;
    const req = request(new URL(path, p.url), { agent: false, ca: p.caCert, headers }, (res) => {
      let buf = '';
      const done = () => {
        clearTimeout(timer);
        req.destroy();
        resolve(lines);
      };
      const timer = setTimeout(done, ms);
      res.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, i)));
          buf = buf.slice(i + 1);
        }
        if (until(lines)) done();
      });
      res.on('end', done);
    });
    req.on('error', (e) => (lines.length ? resolve(lines) : reject(e)));
    req.end();
  });
}

const cm = (name: string, data: Record<string, string> = { a: '1' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

beforeAll(async () => {
  p = await startPlatform();
  agent = new Agent({ keepAlive: true, ca: p.caCert, maxSockets: 16 });
  expect((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } })).status).toBe(201);
});

/** Namespaces removed from the database at the end (the fuzz namespace holds hundreds of unbound pods). */
const dropAfter: string[] = [];

afterAll(async () => {
  await dropNamespaces(dropAfter);
  if (!p) return;
  for (const plural of ['configmaps', 'deployments', 'pods', 'services', 'secrets']) {
    const group = plural === 'deployments' ? '/apis/apps/v1' : '/api/v1';
    await call('DELETE', `${group}/namespaces/${ns}/${plural}`);
  }
  await call('DELETE', `/api/v1/namespaces/${ns}`);
  await call('PUT', `/api/v1/namespaces/${ns}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: [] } });
  agent.destroy();
  await p.stop();
});

describe('operations endpoints', () => {
  it('answers /healthz and /readyz (Postgres and Redis reachable) without credentials', async () => {
    const h = await call('GET', '/healthz', undefined, { authorization: '' });
    expect(h.status).toBe(200);
    const r = await call('GET', '/readyz', undefined, { authorization: '' });
    expect(r.status).toBe(200);
    expect(r.body).toContain('[+]postgres ok');
    expect(r.body).toContain('[+]redis ok');
  });

  it('exports Prometheus request latency histograms by verb, resource and code', async () => {
    await call('GET', `/api/v1/namespaces/${ns}/configmaps`);
    const m = await call('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.body).toMatch(/flotilla_api_request_duration_seconds_bucket\{le="[\d.]+",verb="list",resource="configmaps",code="200"\}/);
  });

  it('counts its commits: concurrent creates go through the group commit, never more commits than objects', async () => {
    const read = async () => {
      const text = (await call('GET', '/metrics')).body;
      const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
      return {
        commits: value('flotilla_store_commits_total'),
        objects: value('flotilla_store_committed_objects_total'),
        grouped: value('flotilla_store_group_committed_transactions_total'),
      };
    };
    const before = await read();
    const created = await Promise.all(Array.from({ length: 24 }, (_, i) => call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(`metrics-${i}`))));
    expect(created.map((r) => r.status)).toEqual(created.map(() => 201));
    const after = await read();
    expect(after.grouped - before.grouped).toBeGreaterThanOrEqual(24);
    expect(after.objects - before.objects).toBeGreaterThanOrEqual(24);
    expect(after.commits - before.commits).toBeGreaterThanOrEqual(1);
    expect(after.commits - before.commits).toBeLessThanOrEqual(after.objects - before.objects);
  });

  it('publishes OpenAPI for its own (non-Kubernetes) endpoints', async () => {
    const doc = (await call('GET', '/openapi/flotilla.json')).json();
    expect(doc.paths['/readyz']).toBeDefined();
  });

  it('refuses a request without credentials with 401 and a Status body', async () => {
    const r = await call('GET', '/api/v1/namespaces', undefined, { authorization: '' });
    expect(r.status).toBe(401);
    expect(r.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });
});

describe('transport security', () => {
  it('does not speak plain HTTP on the API port, so a token can never cross it in clear text', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: p.port, path: '/api/v1/namespaces', headers: { authorization: `Bearer ${p.token}` } }, (res) =>
        resolve(`status ${res.statusCode}`),
      );
      req.on('error', (e) => resolve(`error ${e.message}`));
      req.end();
    });
    expect(outcome).not.toMatch(/^status 2/);
    expect(p.logs()).not.toContain(p.token);
  });

  it('is refused by a client that trusts a different CA', async () => {
    const err = await new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: p.port, servername: 'localhost' }, () => resolve('connected'));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
    expect(err).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
  });
});

describe('watch', () => {
  it('resumes from a resourceVersion and replays every later change in order', async () => {
    const first = (await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('w1'))).json();
    const rv = first.metadata.resourceVersion;
    await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('w2'));
    await call('PUT', `/api/v1/namespaces/${ns}/configmaps/w1`, { ...first, data: { a: '2' } });
    await call('DELETE', `/api/v1/namespaces/${ns}/configmaps/w2`);
    const lines = await watch(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`, (l) => l.length >= 3);
    expect(lines.map((l) => [l.type, l.object.metadata.name])).toEqual([
      ['ADDED', 'w2'],
      ['MODIFIED', 'w1'],
      ['DELETED', 'w2'],
    ]);
  });

  it('sends a synthetic ADDED first for a single-object watch from version 0 (what kubectl get x -w expects)', async () => {
    const lines = await watch(`/api/v1/namespaces/${ns}/configmaps?watch=true&fieldSelector=metadata.name%3Dw1&resourceVersion=0`, (l) => l.length >= 1);
    expect(lines[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w1' } } });
  });

  it('answers a resourceVersion older than the compacted change log with 410 Gone', async () => {
    // Compact the log (keeping its newest 200 changes), as the API's own timer would after the retention window.
    for (let i = 0; i < 210; i++) await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm(`g${i}`));
    const store = await Store.open({ databaseUrl: testDatabaseUrl() });
    try {
      const removed = await store.compact(0, 200);
      expect(removed).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
    // The API notices the new compaction mark on its next poll; until then it still replays from version 1.
    await eventually(async () => {
      const lines = await watch(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=1`, (l) => l.length >= 1);
      expect(lines[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    });
    await call('DELETE', `/api/v1/namespaces/${ns}/configmaps?labelSelector=`);
  });

  it('emits Table rows in a watch when kubectl asks for tables', async () => {
    await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('tabled'));
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const lines = await watch(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=0`, (l) => l.length >= 1, 5000, accept);
    expect(lines[0].type).toBe('ADDED');
    expect(lines[0].object.kind).toBe('Table');
    expect(lines[0].object.rows).toHaveLength(1);
    expect(lines[0].object.rows[0].object.kind).toBe('PartialObjectMetadata');
  });
});

describe('writes', () => {
  it('honours dryRun=All: validates and answers, stores nothing', async () => {
    const r = await call('POST', `/api/v1/namespaces/${ns}/configmaps?dryRun=All`, cm('dry'));
    expect(r.status).toBe(201);
    expect((await call('GET', `/api/v1/namespaces/${ns}/configmaps/dry`)).status).toBe(404);
  });

  it('applies JSON merge, JSON and strategic merge patches and server-side apply', async () => {
    await call('POST', `/api/v1/namespaces/${ns}/configmaps`, cm('p', { a: '1', b: '2' }));
    let r = await call('PATCH', `/api/v1/namespaces/${ns}/configmaps/p`, { data: { a: null, c: '3' } }, { 'content-type': 'application/merge-patch+json' });
    expect(r.json().data).toEqual({ b: '2', c: '3' });
    r = await call('PATCH', `/api/v1/namespaces/${ns}/configmaps/p`, [{ op: 'replace', path: '/data/b', value: '20' }], {
      'content-type': 'application/json-patch+json',
    });
    expect(r.json().data.b).toBe('20');
    r = await call('PATCH', `/api/v1/namespaces/${ns}/configmaps/p`, [{ op: 'test', path: '/data/b', value: 'nope' }], {
      'content-type': 'application/json-patch+json',
    });
    expect(r.status).toBe(422);
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { labels: { app: 'd' } },
          spec: {
            containers: [
              { name: 'a', image: 'nginx:1.27', env: [{ name: 'X', value: '1' }] },
              { name: 'b', image: 'busybox' },
            ],
          },
        },
      },
    };
    expect((await call('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, dep)).status).toBe(201);
    r = await call(
      'PATCH',
      `/apis/apps/v1/namespaces/${ns}/deployments/d`,
      { spec: { template: { spec: { $setElementOrder: undefined, containers: [{ name: 'a', image: 'nginx:1.28' }] } } } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    const containers = r.json().spec.template.spec.containers;
    expect(containers.map((c: any) => [c.name, c.image])).toEqual([
      ['a', 'nginx:1.28'],
      ['b', 'busybox'],
    ]);
    expect(containers[0].env).toEqual([{ name: 'X', value: '1' }]);
    r = await call(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/ssa?fieldManager=tester`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { k: 'v' } },
      { 'content-type': 'application/apply-patch+yaml' },
    );
    expect(r.status).toBe(201);
    expect(r.json().metadata.managedFields[0]).toMatchObject({ manager: 'tester', operation: 'Apply' });
    r = await call(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/ssa?fieldManager=other`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { k: 'mine' } },
      { 'content-type': 'application/apply-patch+yaml' },
    );
    expect(r.status).toBe(409);
    r = await call(
      'PATCH',
      `/api/v1/namespaces/${ns}/configmaps/ssa?fieldManager=other&force=true`,
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { k: 'mine' } },
      { 'content-type': 'application/apply-patch+yaml' },
    );
    expect(r.json().data.k).toBe('mine');
  });

  it('allocates node ports for NodePort services and refuses one already taken', async () => {
    const svc = (name: string, nodePort?: number, type = 'NodePort') => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { type, selector: { app: name }, ports: [{ port: 80, targetPort: 8080, ...(nodePort !== undefined ? { nodePort } : {}) }] },
    });
    const a = await call('POST', `/api/v1/namespaces/${ns}/services`, svc('np-a'));
    expect(a.status).toBe(201);
    const port = a.json().spec.ports[0].nodePort;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    const clash = await call('POST', `/api/v1/namespaces/${ns}/services`, svc('np-b', port));
    expect(clash.status).toBe(422);
    expect(clash.json().details.causes[0]).toMatchObject({ field: 'spec.ports[0].nodePort', message: expect.stringContaining('already allocated') });
    const zero = await call('POST', `/api/v1/namespaces/${ns}/services`, svc('np-c', 0));
    expect(zero.status).toBe(201);
    expect(zero.json().spec.ports[0].nodePort).not.toBe(port);
    // Updating a NodePort service keeps its port.
    const cur = (await call('GET', `/api/v1/namespaces/${ns}/services/np-a`)).json();
    delete cur.spec.ports[0].nodePort;
    const upd = await call('PUT', `/api/v1/namespaces/${ns}/services/np-a`, { ...cur, metadata: { ...cur.metadata, labels: { x: 'y' } } });
    expect(upd.json().spec.ports[0].nodePort).toBe(port);
  });

  it('answers an unknown patch type with 415', async () => {
    const r = await call('PATCH', `/api/v1/namespaces/${ns}/configmaps/p`, '{}', { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
  });

  it('refuses a stale resourceVersion on PUT with 409 and keeps the stored object', async () => {
    const cur = (await call('GET', `/api/v1/namespaces/${ns}/configmaps/p`)).json();
    await call('PUT', `/api/v1/namespaces/${ns}/configmaps/p`, { ...cur, data: { v: 'new' } });
    const stale = await call('PUT', `/api/v1/namespaces/${ns}/configmaps/p`, { ...cur, data: { v: 'stale' } });
    expect(stale.status).toBe(409);
    expect(stale.json().reason).toBe('Conflict');
    expect((await call('GET', `/api/v1/namespaces/${ns}/configmaps/p`)).json().data).toEqual({ v: 'new' });
  });

  it('refuses to create in a namespace that does not exist, naming it', async () => {
    const r = await call('POST', '/api/v1/namespaces/no-such-ns/configmaps', cm('x'));
    expect(r.status).toBe(404);
    expect(r.json().message).toBe('namespaces "no-such-ns" not found');
  });

  it('names each bad field in a 422 Status', async () => {
    const r = await call('POST', `/apis/apps/v1/namespaces/${ns}/deployments`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad' },
      spec: {
        replicas: -1,
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 70000 }] }] } },
      },
    });
    expect(r.status).toBe(422);
    const fields = r.json().details.causes.map((c: any) => c.field);
    expect(fields).toEqual(
      expect.arrayContaining(['spec.replicas', 'spec.template.metadata.labels', 'spec.template.spec.containers[0].ports[0].containerPort']),
    );
  });
});

// ---- fuzz ----------------------------------------------------------------------------------------

const JUNK: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53,
  '',
  'x',
  '-',
  'A_B',
  '💥',
  'a'.repeat(300),
  [],
  [1, 'a'],
  {},
  { x: { y: {} } },
  '500m',
  '1e400',
];

function mutate(value: unknown, r: () => number, depth = 0): unknown {
  if (r() < 0.15 || depth > 6) return JUNK[Math.floor(r() * JUNK.length)];
  if (Array.isArray(value)) {
    const out = value.map((v) => (r() < 0.3 ? mutate(v, r, depth + 1) : v));
    if (r() < 0.2) out.push(JUNK[Math.floor(r() * JUNK.length)]);
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const x = r();
      if (x < 0.1) continue; // drop a field
      out[k] = x < 0.45 ? mutate(v, r, depth + 1) : v;
    }
    if (r() < 0.15) out[`junk${Math.floor(r() * 5)}`] = JUNK[Math.floor(r() * JUNK.length)];
    return out;
  }
  return JUNK[Math.floor(r() * JUNK.length)];
}

const TEMPLATES: [string, string, unknown][] = [
  ['/api/v1/namespaces/NS/configmaps', 'configmaps', cm('x')],
  ['/api/v1/namespaces/NS/secrets', 'secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' }, stringData: { p: 'q' } }],
  [
    '/api/v1/namespaces/NS/services',
    'services',
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' }, spec: { selector: { app: 'x' }, ports: [{ port: 80, targetPort: 8080 }] } },
  ],
  [
    '/api/v1/namespaces/NS/pods',
    'pods',
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x', labels: { app: 'x' } },
      spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: '500m', memory: '64Mi' } }, ports: [{ containerPort: 80 }] }] },
    },
  ],
  [
    '/apis/apps/v1/namespaces/NS/deployments',
    'deployments',
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
      },
    },
  ],
];

describe('fuzz', () => {
  it('answers 3,000 malformed create bodies with 4xx (or 201 when still valid), never 5xx, and stores only what it accepted', async () => {
    const fuzzNs = uniqueName('fuzz');
    dropAfter.push(fuzzNs);
    expect((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: fuzzNs } })).status).toBe(201);
    const r = seededRandom(20261123);
    const accepted = new Map<string, Set<string>>();
    const codes = new Map<number, number>();
    const N = 3000;
    for (let i = 0; i < N; i += 25) {
      await Promise.all(
        Array.from({ length: 25 }, async (_, j) => {
          const n = i + j;
          const [path, plural, template] = TEMPLATES[n % TEMPLATES.length];
          const body: unknown = mutate(template, r);
          if (body && typeof body === 'object' && !Array.isArray(body)) {
            const b = body as Record<string, any>;
            if (b.metadata && typeof b.metadata === 'object' && !Array.isArray(b.metadata) && r() < 0.9) b.metadata.name = `f${n}`;
          }
          const raw = r() < 0.05 ? JSON.stringify(body).slice(0, Math.floor(r() * 40)) : JSON.stringify(body);
          const res = await call('POST', path.replace('NS', fuzzNs), raw === undefined ? 'null' : raw);
          codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
          expect(res.status).toBeLessThan(500);
          expect(res.status).not.toBe(200);
          if (res.status === 201) {
            const set = accepted.get(plural) ?? new Set<string>();
            set.add(res.json().metadata.name);
            accepted.set(plural, set);
          } else {
            expect(res.json()).toMatchObject({ kind: 'Status', status: 'Failure', code: res.status });
          }
        }),
      );
    }
    for (const [path, plural] of TEMPLATES) {
      const list = (await call('GET', path.replace('NS', fuzzNs))).json();
      // Objects a controller made (pods of a fuzzed Deployment, if one runs) are not the fuzzer's.
      const stored = new Set<string>(list.items.filter((o: any) => !o.metadata.ownerReferences).map((o: any) => o.metadata.name));
      expect([...stored].sort()).toEqual([...(accepted.get(plural) ?? new Set<string>())].sort());
      await call('DELETE', path.replace('NS', fuzzNs));
    }
    const fourxx = [...codes.entries()].filter(([c]) => c >= 400).reduce((a, [, n]) => a + n, 0);
    expect(fourxx).toBeGreaterThan(N / 2);
    await call('DELETE', `/api/v1/namespaces/${fuzzNs}`);
    await call('PUT', `/api/v1/namespaces/${fuzzNs}/finalize`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: fuzzNs }, spec: { finalizers: [] } });
  }, 180_000);
});
