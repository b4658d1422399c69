// Each verb's and subresource's handler against the real store (Postgres) and Redis, without a server:
// requests are built as the resource controller builds them, answers read as the pipeline would send
// them. The HTTP path (authentication, authorisation, routing, kubectl) is covered by api.e2e.ts and
// kubectl.e2e.ts; this pins what each handler does with good and bad input.
import { Redis } from 'ioredis';
import { logStreamKey } from '@flotilla/queue';
import { KubeObject, resourceFor, ResourceType, Status } from '@flotilla/resources';
import { Store } from '@flotilla/store';
import { RbacAuthorizer } from '../apps/api/src/auth/authz';
import { loadConfig } from '../apps/api/src/config';
import { failure, fieldsOf, resourceRequest, type RequestSpec } from '../apps/api/src/k8s/__fixtures__/requests';
import { TenancyAdmission } from '../apps/api/src/k8s/admission';
import { KubeletClient } from '../apps/api/src/k8s/kubelet-client';
import type { Outcome } from '../apps/api/src/k8s/request';
import { ResourceService } from '../apps/api/src/k8s/resource.service';
import { SubresourceRegistry } from '../apps/api/src/k8s/subresources';
import { BindingSubresource } from '../apps/api/src/k8s/subresources/binding';
import { PodConnectSubresource } from '../apps/api/src/k8s/subresources/connect';
import { EvictionSubresource } from '../apps/api/src/k8s/subresources/eviction';
import { FinalizeSubresource } from '../apps/api/src/k8s/subresources/finalize';
import { PodLogSubresource } from '../apps/api/src/k8s/subresources/log';
import { ScaleSubresource } from '../apps/api/src/k8s/subresources/scale';
import { StatusSubresource } from '../apps/api/src/k8s/subresources/status';
import { DeleteVerbs } from '../apps/api/src/k8s/verbs/delete';
import { ReadVerbs } from '../apps/api/src/k8s/verbs/read';
import { WriteVerbs } from '../apps/api/src/k8s/verbs/write';
import { PlatformCa } from '../apps/api/src/tls';
import { dropNamespaces, testDatabaseUrl, testRedisUrl } from './support/env';
import { eventually } from './support/eventually';
import { uniqueName } from './support/fixtures';

const type = (group: string, plural: string) => resourceFor(group, 'v1', plural) as ResourceType;
const PODS = type('', 'pods');
const DEPLOYMENTS = type('apps', 'deployments');

let store: Store;
let redis: Redis;
let authz: RbacAuthorizer;
let api: ResourceService;
const namespaces: string[] = [];
const logKeys: string[] = [];
let ns: string;

/** Serves a request as the resource controller would. */
function serve(spec: RequestSpec): Promise<Outcome> {
  return api.handle(resourceRequest(spec));
}

/** The JSON answer of a request that must succeed with `code`. */
async function ok<T = KubeObject>(spec: RequestSpec, code = 200): Promise<T> {
  const out = await serve(spec);
  if (typeof out === 'string') throw new Error(`expected a reply, the handler ${out} the response`);
  expect(out.code).toBe(code);
  return JSON.parse(out.json) as T;
}

/** The Status a request fails with. */
function fails(spec: RequestSpec): Promise<Status> {
  return failure(() => serve(spec));
}

const configMap = (name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'flotilla/busybox:1' }] } },
  },
});

/** A pod written straight to the store (the handlers under test read it; pod admission is not theirs). */
async function storedPod(name: string, opts: { nodeName?: string; running?: boolean } = {}): Promise<KubeObject> {
  const pod = await store.create(
    PODS,
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { nodeName: opts.nodeName, containers: [{ name: 'c', image: 'flotilla/busybox:1' }] },
    },
    ns,
  );
  if (!opts.running) return pod;
  return store.update(
    PODS,
    {
      ...pod,
      status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 0, image: 'flotilla/busybox:1', state: { running: {} } }] },
    },
    ns,
    { subresource: 'status' },
  );
}

async function newNamespace(): Promise<string> {
  const name = uniqueName('handlers');
  namespaces.push(name);
  await ok({ method: 'POST', path: 'namespaces', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } }, 201);
  return name;
}

beforeAll(async () => {
  const config = loadConfig({ DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl(), FLOTILLA_DATA_DIR: '/nonexistent-flotilla-test-dir' });
  store = await Store.open({ databaseUrl: testDatabaseUrl(), maxConnections: 5 });
  redis = new Redis(testRedisUrl());
  authz = new RbacAuthorizer(store);
  const reads = new ReadVerbs(store, config);
  const registry = new SubresourceRegistry([
    new StatusSubresource(store, reads),
    new ScaleSubresource(store),
    new BindingSubresource(store),
    new EvictionSubresource(store),
    new FinalizeSubresource(store),
    new PodLogSubresource(store, redis),
    new PodConnectSubresource(store, new KubeletClient(store, new PlatformCa(config))),
  ]);
  api = new ResourceService(registry, reads, new WriteVerbs(store, new TenancyAdmission(store, authz)), new DeleteVerbs(store));
  ns = await newNamespace();
});

afterAll(async () => {
  if (logKeys.length) await redis?.del(...logKeys);
  await dropNamespaces(namespaces);
  redis?.disconnect();
  await store?.close();
});

describe('create', () => {
  it('stores an object (201), fills uid and resourceVersion, and names one from generateName', async () => {
    const cm = await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap('created', { k: 'v' }) }, 201);
    expect(cm.metadata).toMatchObject({ name: 'created', namespace: ns });
    expect(cm.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await store.get(type('', 'configmaps'), ns, 'created'))?.obj.data).toEqual({ k: 'v' });
    const generated = await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: { kind: 'ConfigMap', metadata: { generateName: 'gen-' } } }, 201);
    expect(generated.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('answers a dry run without storing it', async () => {
    await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, query: { dryRun: 'All' }, body: configMap('dry') }, 201);
    expect(await store.get(type('', 'configmaps'), ns, 'dry', { consistent: true })).toBeUndefined();
  });

  it('refuses bad input with a 4xx: another kind, a bad dryRun, a duplicate, a missing namespace', async () => {
    expect(await fails({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: { kind: 'Secret', metadata: { name: 'x' } } })).toMatchObject({
      code: 400,
    });
    expect(fieldsOf(await fails({ method: 'POST', path: `namespaces/${ns}/configmaps`, query: { dryRun: 'yes' }, body: configMap('x') }))).toEqual(['dryRun']);
    await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap('twice') }, 201);
    expect(await fails({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap('twice') })).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
    });
    expect(await fails({ method: 'POST', path: 'namespaces/no-such-namespace/configmaps', body: configMap('x') })).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "no-such-namespace" not found',
      details: { kind: 'namespaces', name: 'no-such-namespace' },
    });
  });
});

describe('get and list', () => {
  beforeAll(async () => {
    for (const [name, tier] of [
      ['web-1', 'web'],
      ['web-2', 'web'],
      ['db-1', 'db'],
    ]) {
      await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap(name, {}, { tier, listed: 'yes' }) }, 201);
    }
  });

  it('gets the stored object, or a Table when asked', async () => {
    expect((await ok({ path: `namespaces/${ns}/configmaps/web-1` })).metadata.labels).toEqual({ tier: 'web', listed: 'yes' });
    const table = await ok<{ kind: string; rows: { cells: unknown[] }[] }>({
      path: `namespaces/${ns}/configmaps/web-1`,
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    expect(table.kind).toBe('Table');
    expect(table.rows[0].cells[0]).toBe('web-1');
  });

  it("answers 404 with the store's NotFound for a missing object", async () => {
    expect(await fails({ path: `namespaces/${ns}/configmaps/missing` })).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'configmaps "missing" not found',
      details: { name: 'missing', kind: 'configmaps', group: '' },
    });
  });

  it('lists by label selector, in pages with a continue token', async () => {
    type List = { kind: string; metadata: { continue?: string; resourceVersion: string }; items: KubeObject[] };
    const web = await ok<List>({ path: `namespaces/${ns}/configmaps`, query: { labelSelector: 'tier=web' } });
    expect(web.kind).toBe('ConfigMapList');
    expect(web.items.map((i) => i.metadata.name).sort()).toEqual(['web-1', 'web-2']);
    const first = await ok<List>({ path: `namespaces/${ns}/configmaps`, query: { labelSelector: 'listed=yes', limit: '2' } });
    expect(first.items).toHaveLength(2);
    expect(first.metadata.continue).toBeTruthy();
    const rest = await ok<List>({
      path: `namespaces/${ns}/configmaps`,
      query: { labelSelector: 'listed=yes', limit: '2', continue: first.metadata.continue! },
    });
    expect([...first.items, ...rest.items].map((i) => i.metadata.name).sort()).toEqual(['db-1', 'web-1', 'web-2']);
  });

  it('answers 400 naming the parameter for a bad limit or selector', async () => {
    expect(fieldsOf(await fails({ path: `namespaces/${ns}/configmaps`, query: { limit: 'many' } }))).toEqual(['limit']);
    expect(fieldsOf(await fails({ path: `namespaces/${ns}/configmaps`, query: { labelSelector: 'tier in (web' } }))).toEqual(['labelSelector']);
    expect(fieldsOf(await fails({ path: `namespaces/${ns}/configmaps`, query: { fieldSelector: 'data.k=v' } }))).toEqual(['fieldSelector']);
  });
});

describe('watch', () => {
  it('streams what changes after the listed version, matching the selector, until the client leaves', async () => {
    const list = await ok<{ metadata: { resourceVersion: string } }>({ path: `namespaces/${ns}/configmaps` });
    const req = resourceRequest({
      path: `namespaces/${ns}/configmaps`,
      query: { watch: 'true', resourceVersion: list.metadata.resourceVersion, labelSelector: 'watched=yes' },
    });
    const streaming = api.handle(req);
    await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap('unwatched') }, 201);
    await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap('seen', {}, { watched: 'yes' }) }, 201);
    await eventually(() => expect(req.res.lines().map((l) => [l.type, (l.object.metadata as { name: string }).name])).toEqual([['ADDED', 'seen']]), 20_000);
    expect(req.res.statusCode).toBe(200);
    req.res.hangUp();
    expect(await streaming).toBe('streamed');
  });

  it('answers 400 naming resourceVersion when it is not a number', async () => {
    expect(fieldsOf(await fails({ path: `namespaces/${ns}/configmaps`, query: { watch: 'true', resourceVersion: 'latest' } }))).toEqual(['resourceVersion']);
  });
});

describe('update and patch', () => {
  it('updates, and refuses a stale resourceVersion (409) or a missing object (404) keeping what is stored', async () => {
    const cm = await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap('upd', { k: '1' }) }, 201);
    const v2 = await ok({ method: 'PUT', path: `namespaces/${ns}/configmaps/upd`, body: { ...cm, data: { k: '2' } } });
    expect(v2.data).toEqual({ k: '2' });
    expect(await fails({ method: 'PUT', path: `namespaces/${ns}/configmaps/upd`, body: { ...cm, data: { k: 'stale' } } })).toMatchObject({
      code: 409,
      reason: 'Conflict',
    });
    expect(await fails({ method: 'PUT', path: `namespaces/${ns}/configmaps/nope`, body: configMap('nope') })).toMatchObject({
      code: 404,
      message: 'configmaps "nope" not found',
    });
    expect((await store.get(type('', 'configmaps'), ns, 'upd', { consistent: true }))?.obj.data).toEqual({ k: '2' });
  });

  it('applies merge, JSON and strategic patches', async () => {
    await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap('pat', { a: '1' }) }, 201);
    const path = `namespaces/${ns}/configmaps/pat`;
    expect((await ok({ method: 'PATCH', path, headers: { 'content-type': 'application/merge-patch+json' }, body: { data: { b: '2' } } })).data).toEqual({
      a: '1',
      b: '2',
    });
    const jsonPatch = [{ op: 'remove', path: '/data/a' }];
    expect((await ok({ method: 'PATCH', path, headers: { 'content-type': 'application/json-patch+json' }, body: jsonPatch })).data).toEqual({ b: '2' });
    expect(
      (await ok({ method: 'PATCH', path, headers: { 'content-type': 'application/strategic-merge-patch+json' }, body: { data: { c: '3' } } })).data,
    ).toEqual({
      b: '2',
      c: '3',
    });
  });

  it('creates with server-side apply (201), then applies over it (200)', async () => {
    const path = `namespaces/${ns}/configmaps/applied`;
    const headers = { 'content-type': 'application/apply-patch+yaml' };
    const created = await ok(
      { method: 'PATCH', path, headers, query: { fieldManager: 'test' }, body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n' },
      201,
    );
    expect(created.data).toEqual({ k: 'v' });
    const again = await ok({
      method: 'PATCH',
      path,
      headers,
      query: { fieldManager: 'test' },
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: w\n',
    });
    expect(again.data).toEqual({ k: 'w' });
  });

  it('refuses bad patches with a 4xx: no body, an unknown type, apply without fieldManager, a JSON patch that cannot apply, a missing object', async () => {
    const path = `namespaces/${ns}/configmaps/pat`;
    expect(await fails({ method: 'PATCH', path, headers: { 'content-type': 'application/merge-patch+json' } })).toMatchObject({ code: 400 });
    expect(await fails({ method: 'PATCH', path, headers: { 'content-type': 'text/plain' }, body: '{}' })).toMatchObject({ code: 415 });
    const noManager = await fails({ method: 'PATCH', path, headers: { 'content-type': 'application/apply-patch+yaml' }, body: 'kind: ConfigMap\n' });
    expect(noManager.code).toBe(400);
    expect(fieldsOf(noManager)).toEqual(['fieldManager']);
    const bad = await fails({
      method: 'PATCH',
      path,
      headers: { 'content-type': 'application/json-patch+json' },
      body: [{ op: 'replace', path: '/data/none/deeper', value: 1 }],
    });
    expect(bad).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(
      await fails({ method: 'PATCH', path: `namespaces/${ns}/configmaps/nope`, headers: { 'content-type': 'application/merge-patch+json' }, body: {} }),
    ).toMatchObject({
      code: 404,
    });
  });
});

describe('delete and deletecollection', () => {
  it('deletes (200 with the object), honours a dry run, and refuses bad DeleteOptions naming the field', async () => {
    await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap('del') }, 201);
    const path = `namespaces/${ns}/configmaps/del`;
    await ok({ method: 'DELETE', path, query: { dryRun: 'All' } });
    expect(await store.get(type('', 'configmaps'), ns, 'del', { consistent: true })).toBeDefined();
    const bad = await fails({ method: 'DELETE', path, body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Everything' } });
    expect(bad).toMatchObject({ code: 400 });
    expect(fieldsOf(bad)).toEqual(['propagationPolicy']);
    expect(fieldsOf(await fails({ method: 'DELETE', path, query: { gracePeriodSeconds: '-1' } }))).toEqual(['gracePeriodSeconds']);
    const precondition = await fails({ method: 'DELETE', path, body: { preconditions: { uid: 'not-its-uid' } } });
    expect(precondition.code).toBe(409);
    expect(await store.get(type('', 'configmaps'), ns, 'del', { consistent: true })).toBeDefined();
    expect((await ok({ method: 'DELETE', path, body: { propagationPolicy: 'Background' } })).metadata.name).toBe('del');
    expect(await store.get(type('', 'configmaps'), ns, 'del', { consistent: true })).toBeUndefined();
    expect(await fails({ method: 'DELETE', path })).toMatchObject({ code: 404, message: 'configmaps "del" not found' });
  });

  it('deletes the selected objects of a collection only', async () => {
    for (const [name, batch] of [
      ['c-1', 'a'],
      ['c-2', 'a'],
      ['c-3', 'b'],
    ]) {
      await ok({ method: 'POST', path: `namespaces/${ns}/configmaps`, body: configMap(name, {}, { batch }) }, 201);
    }
    const deleted = await ok<{ kind: string; items: KubeObject[] }>({
      method: 'DELETE',
      path: `namespaces/${ns}/configmaps`,
      query: { labelSelector: 'batch=a' },
    });
    expect(deleted.kind).toBe('ConfigMapList');
    expect(deleted.items.map((i) => i.metadata.name).sort()).toEqual(['c-1', 'c-2']);
    expect(await store.get(type('', 'configmaps'), ns, 'c-3', { consistent: true })).toBeDefined();
    expect(await store.get(type('', 'configmaps'), ns, 'c-1', { consistent: true })).toBeUndefined();
    expect(fieldsOf(await fails({ method: 'DELETE', path: `namespaces/${ns}/configmaps`, body: { dryRun: 'All' } }))).toEqual(['dryRun']);
  });
});

describe('status and scale', () => {
  beforeAll(async () => {
    await ok({ method: 'POST', path: `namespaces/${ns}/deployments`, group: 'apps', body: deployment('web', 2) }, 201);
  });

  it('writes only the status through /status, and reads the object there', async () => {
    const path = `namespaces/${ns}/deployments/web/status`;
    const current = await ok({ path, group: 'apps' });
    const updated = await ok({
      method: 'PUT',
      path,
      group: 'apps',
      body: { ...current, spec: { ...(current.spec as object), replicas: 9 }, status: { replicas: 2 } },
    });
    expect(updated.status).toMatchObject({ replicas: 2 });
    expect(updated.spec).toMatchObject({ replicas: 2 });
    const patched = await ok({
      method: 'PATCH',
      path,
      group: 'apps',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { status: { readyReplicas: 1 } },
    });
    expect(patched.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    expect(await fails({ method: 'DELETE', path, group: 'apps' })).toMatchObject({ code: 405 });
    expect(await fails({ path: `namespaces/${ns}/deployments/none/status`, group: 'apps', method: 'PUT', body: deployment('none') })).toMatchObject({
      code: 404,
    });
  });

  it('reads and writes replicas through /scale', async () => {
    const path = `namespaces/${ns}/deployments/web/scale`;
    const scale = await ok<{ kind: string; spec: { replicas: number }; status: { selector: string } }>({ path, group: 'apps' });
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 2 }, status: { selector: 'app=web' } });
    expect((await ok({ method: 'PUT', path, group: 'apps', body: { ...scale, spec: { replicas: 3 } } })).spec).toEqual({ replicas: 3 });
    const merged = await ok({
      method: 'PATCH',
      path,
      group: 'apps',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { spec: { replicas: 4 } },
    });
    expect(merged.spec).toEqual({ replicas: 4 });
    expect((await store.get(DEPLOYMENTS, ns, 'web', { consistent: true }))?.obj.spec).toMatchObject({ replicas: 4 });
  });

  it('refuses bad replicas (422 naming spec.replicas), apply patches (415) and other verbs (405)', async () => {
    const path = `namespaces/${ns}/deployments/web/scale`;
    const bad = await fails({
      method: 'PATCH',
      path,
      group: 'apps',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { spec: { replicas: -1 } },
    });
    expect(bad).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(fieldsOf(bad)).toEqual(['spec.replicas']);
    expect(
      await fails({ method: 'PATCH', path, group: 'apps', headers: { 'content-type': 'application/apply-patch+yaml' }, body: 'spec:\n  replicas: 1\n' }),
    ).toMatchObject({
      code: 415,
    });
    expect(await fails({ method: 'DELETE', path, group: 'apps' })).toMatchObject({ code: 405 });
    expect(await fails({ path: `namespaces/${ns}/deployments/none/scale`, group: 'apps' })).toMatchObject({
      code: 404,
      message: 'deployments.apps "none" not found',
    });
    expect((await store.get(DEPLOYMENTS, ns, 'web', { consistent: true }))?.obj.spec).toMatchObject({ replicas: 4 });
  });
});

describe('pods: binding, eviction', () => {
  it('binds a pod to a node once', async () => {
    await storedPod('bind-me');
    const path = `namespaces/${ns}/pods/bind-me/binding`;
    const missing = await fails({ method: 'POST', path, body: { kind: 'Binding', target: {} } });
    expect(missing.code).toBe(422);
    expect(fieldsOf(missing)).toEqual(['target.name']);
    expect(await ok({ method: 'POST', path, body: { kind: 'Binding', target: { kind: 'Node', name: 'node-a' } } }, 201)).toMatchObject({ kind: 'Status' });
    expect((await store.get(PODS, ns, 'bind-me', { consistent: true }))?.obj.spec).toMatchObject({ nodeName: 'node-a' });
    expect(await fails({ method: 'POST', path, body: { target: { name: 'node-b' } } })).toMatchObject({ code: 409 });
    expect(await fails({ method: 'POST', path: `namespaces/${ns}/pods/none/binding`, body: { target: { name: 'node-a' } } })).toMatchObject({ code: 404 });
  });

  it('evicts a pod with the Eviction deleteOptions, and refuses bad ones naming deleteOptions fields', async () => {
    await storedPod('evict-me');
    const path = `namespaces/${ns}/pods/evict-me/eviction`;
    const body = (deleteOptions: unknown) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evict-me' }, deleteOptions });
    const bad = await fails({ method: 'POST', path, body: body({ gracePeriodSeconds: 'now' }) });
    expect(bad.code).toBe(400);
    expect(fieldsOf(bad)).toEqual(['deleteOptions.gracePeriodSeconds']);
    await ok({ method: 'POST', path, query: { dryRun: 'All' }, body: body({}) }, 201);
    expect(await store.get(PODS, ns, 'evict-me', { consistent: true })).toBeDefined();
    await ok({ method: 'POST', path, body: body({ gracePeriodSeconds: 0 }) }, 201);
    // An unbound pod has no kubelet to wait for: it goes at once.
    expect(await store.get(PODS, ns, 'evict-me', { consistent: true })).toBeUndefined();
    expect(await fails({ method: 'POST', path, body: body({}) })).toMatchObject({ code: 404, message: 'pods "evict-me" not found' });
    expect(await fails({ path })).toMatchObject({ code: 405 });
  });
});

describe('pods: log, exec, portforward', () => {
  it('reads a container log from its Redis stream, with tailLines and timestamps', async () => {
    const pod = await storedPod('logger', { nodeName: 'node-a', running: true });
    const key = logStreamKey(pod.metadata.uid!, 'c', 0);
    logKeys.push(key);
    await redis.xadd(key, '*', 'l', 'first', 't', '2026-12-03T12:00:00.000000000Z');
    await redis.xadd(key, '*', 'l', 'second', 't', '2026-12-03T12:00:01.000000000Z');
    const path = `namespaces/${ns}/pods/logger/log`;
    const all = await serve({ path });
    expect(all).toMatchObject({ code: 200, json: 'first\nsecond\n', contentType: 'text/plain' });
    expect(await serve({ path, query: { tailLines: '1', timestamps: 'true' } })).toMatchObject({ json: '2026-12-03T12:00:01.000000000Z second\n' });
    expect(fieldsOf(await fails({ path, query: { tailLines: '-2' } }))).toEqual(['tailLines']);
    expect(await fails({ path, query: { container: 'other' } })).toMatchObject({ code: 400, message: 'container other is not valid for pod logger' });
    expect(await fails({ path: `namespaces/${ns}/pods/none/log` })).toMatchObject({ code: 404, message: 'pods "none" not found' });
  });

  it('follows a log until the container ends', async () => {
    const pod = await storedPod('follower', { nodeName: 'node-a', running: true });
    const key = logStreamKey(pod.metadata.uid!, 'c', 0);
    logKeys.push(key);
    await redis.xadd(key, '*', 'l', 'one', 't', '2026-12-03T12:00:00.000000000Z');
    const req = resourceRequest({ path: `namespaces/${ns}/pods/follower/log`, query: { follow: 'true' } });
    const following = api.handle(req);
    await eventually(() => expect(req.res.text).toBe('one\n'), 20_000);
    await redis.xadd(key, '*', 'l', 'two', 't', '2026-12-03T12:00:01.000000000Z');
    await redis.xadd(key, '*', 'eof', '1');
    expect(await following).toBe('streamed');
    expect(req.res.text).toBe('one\ntwo\n');
  });

  it('checks exec and portforward before reaching the node: pod, node, container, command', async () => {
    await storedPod('pending');
    await storedPod('runner', { nodeName: 'ghost-node', running: true });
    const exec = (pod: string, query: Record<string, string | string[]>) => fails({ path: `namespaces/${ns}/pods/${pod}/exec`, query });
    expect(await exec('none', { command: 'sh', stdout: 'true' })).toMatchObject({ code: 404, message: 'pods "none" not found' });
    expect(await exec('pending', { command: 'sh', stdout: 'true' })).toMatchObject({ code: 400, message: 'pod pending does not have a host assigned' });
    expect(await exec('runner', { stdout: 'true' })).toMatchObject({ code: 400, message: 'you must specify at least one command for the container' });
    expect(await exec('runner', { command: 'sh' })).toMatchObject({ code: 400, message: 'you must specify at least one of stdin, stdout, stderr' });
    expect(await exec('runner', { command: 'sh', stdout: 'true', container: 'nope' })).toMatchObject({ code: 400 });
    // All checks pass: the node is where it fails, as no agent of that name ever registered.
    expect(await exec('runner', { command: ['sh', '-c', 'true'], stdout: 'true' })).toMatchObject({
      code: 503,
      message: expect.stringContaining('ghost-node'),
    });
    expect(await fails({ path: `namespaces/${ns}/pods/runner/portforward`, method: 'POST' })).toMatchObject({ code: 503 });
    expect(await fails({ path: `namespaces/${ns}/pods/runner/exec`, method: 'PUT' })).toMatchObject({ code: 405 });
  });
});

describe('namespaces: delete and finalize', () => {
  it('marks a namespace terminating (202), refuses new content in it (403), and removes it once finalized', async () => {
    const doomed = await newNamespace();
    const marked = await serve({ method: 'DELETE', path: `namespaces/${doomed}` });
    expect(marked).toMatchObject({ code: 202 });
    // Admission reads the namespace from the cache, which sees the deletion a moment later (as kube-apiserver's informer does).
    const refused = await eventually(async () => {
      const s = await fails({ method: 'POST', path: `namespaces/${doomed}/configmaps`, body: configMap(uniqueName('late')) });
      expect(s).toMatchObject({ code: 403, reason: 'Forbidden' });
      return s;
    }, 20_000);
    expect(fieldsOf(refused)).toEqual(['metadata.namespace']);
    expect(await fails({ method: 'POST', path: `namespaces/${doomed}/finalize`, body: {} })).toMatchObject({ code: 405 });
    await ok({
      method: 'PUT',
      path: `namespaces/${doomed}/finalize`,
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: doomed }, spec: { finalizers: [] } },
    });
    await eventually(async () => expect(await store.get(type('', 'namespaces'), '', doomed, { consistent: true })).toBeUndefined(), 20_000);
    expect(await fails({ method: 'PUT', path: 'namespaces/never-was/finalize', body: { spec: { finalizers: [] } } })).toMatchObject({ code: 404 });
  });
});
