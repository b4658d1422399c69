// The store against real Postgres: versions, conflicts, lifecycle, and a watch that never skips or
// reorders a change under concurrent writers.
import { randomUUID } from 'node:crypto';
import { KubeObject, resourceFor, ResourceType } from '@flotilla/resources';
import { resourceKey, Store, StoreError, WatchEvent, Watcher } from '@flotilla/store';
import { dropNamespaces, testDatabaseUrl } from './support/env';
import { configMap, configMapType as CM, deploymentLikeType as DEP, uniqueName } from './support/fixtures';

let store: Store;
let ns: string;

beforeAll(async () => {
  store = await Store.open({ databaseUrl: testDatabaseUrl(), maxConnections: 20 });
});
beforeEach(() => {
  ns = uniqueName('ns');
});
afterEach(async () => {
  for (const t of [CM, DEP]) {
    const { items } = await store.list(t, { namespace: ns });
    for (const e of items) await store.delete(t, ns, e.name).catch(() => undefined);
  }
});
afterAll(async () => {
  await store.close();
});

async function collect(w: Watcher, n: number, timeoutMs = 20_000): Promise<WatchEvent[]> {
  const out: WatchEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (out.length < n) {
    const ev = await Promise.race([w.next(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), Math.max(1, deadline - Date.now())))]);
    if (ev === 'timeout' || ev === undefined) break;
    out.push(ev);
  }
  return out;
}

describe('store', () => {
  it('creates objects with uid, creationTimestamp and a resourceVersion, and refuses a duplicate name', async () => {
    const created = await store.create(CM, configMap('a', { k: 'v' }), ns);
    expect(created.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata.creationTimestamp).toMatch(/Z$/);
    expect(Number(created.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(created.metadata.namespace).toBe(ns);
    await expect(store.create(CM, configMap('a'), ns)).rejects.toMatchObject({ reason: 'AlreadyExists', code: 409 });
    const got = await store.get(CM, ns, 'a');
    expect(got?.obj.data).toEqual({ k: 'v' });
  });

  it('answers an update with a stale resourceVersion with 409 Conflict and keeps the stored object', async () => {
    const v1 = await store.create(CM, configMap('b', { k: '1' }), ns);
    const v2 = await store.update(CM, { ...v1, data: { k: '2' } }, ns);
    expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
    await expect(store.update(CM, { ...v1, data: { k: 'stale' } }, ns)).rejects.toMatchObject({ reason: 'Conflict', code: 409 });
    expect((await store.get(CM, ns, 'b'))?.obj.data).toEqual({ k: '2' });
  });

  it('bumps generation on spec changes only and keeps status apart from spec', async () => {
    const d = await store.create(
      DEP,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: 1 }, status: { replicas: 9 } },
      ns,
    );
    expect(d.metadata.generation).toBe(1);
    expect(d.status).toEqual({}); // status is the server's, not the client's
    const s = await store.update(DEP, { ...d, status: { replicas: 1 } }, ns, { subresource: 'status' });
    expect(s.metadata.generation).toBe(1);
    expect(s.status).toEqual({ replicas: 1 });
    const l = await store.update(DEP, { ...s, metadata: { ...s.metadata, labels: { a: 'b' } } }, ns);
    expect(l.metadata.generation).toBe(1);
    const u = await store.update(DEP, { ...l, spec: { replicas: 3 }, status: { replicas: 0 } }, ns);
    expect(u.metadata.generation).toBe(2);
    expect(u.status).toEqual({ replicas: 1 }); // a main-resource write cannot change status
  });

  it('does not write (or bump the version) when an update changes nothing', async () => {
    const v1 = await store.create(CM, configMap('same', { k: 'v' }), ns);
    const again = await store.update(CM, { ...v1 }, ns);
    expect(again.metadata.resourceVersion).toBe(v1.metadata.resourceVersion);
  });

  it('keeps an object with finalizers until they are removed, then deletes it', async () => {
    const c = await store.create(CM, { ...configMap('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } }, ns);
    const del = await store.delete(CM, ns, 'fin');
    expect(del.removed).toBe(false);
    expect(del.object.metadata.deletionTimestamp).toBeDefined();
    const marked = (await store.get(CM, ns, 'fin'))!.obj;
    const done = await store.update(CM, { ...marked, metadata: { ...marked.metadata, finalizers: [] } }, ns);
    expect(done.metadata.uid).toBe(c.metadata.uid);
    expect(await store.get(CM, ns, 'fin')).toBeUndefined();
  });

  it('orphans dependents in the same transaction when asked to', async () => {
    const owner = await store.create(CM, configMap('owner'), ns);
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid!, controller: true };
    await store.create(CM, { ...configMap('child'), metadata: { name: 'child', ownerReferences: [ref] } }, ns);
    const res = await store.delete(CM, ns, 'owner', { propagationPolicy: 'Orphan' });
    expect(res.removed).toBe(true);
    expect((await store.get(CM, ns, 'child'))?.obj.metadata.ownerReferences).toBeUndefined();
  });

  it('keeps the last state when one transaction creates and then updates an object', async () => {
    const final = await store.transaction(async (tx) => {
      const created = await store.createIn(tx, CM, configMap('batch', { v: '1' }), ns);
      return store.updateIn(tx, CM, { ...created, data: { v: '2' } }, ns);
    });
    expect(final.data).toEqual({ v: '2' });
    const fresh = await Store.open({ databaseUrl: testDatabaseUrl() }); // reads the table, not this cache
    try {
      expect((await fresh.get(CM, ns, 'batch'))?.obj.data).toEqual({ v: '2' });
    } finally {
      await fresh.close();
    }
  });

  it('answers inside a transaction what quota, NodePorts, a controller and namespace finalization ask of the database', async () => {
    const POD = resourceFor('', 'v1', 'pods') as ResourceType;
    const SVC = resourceFor('', 'v1', 'services') as ResourceType;
    const owner = randomUUID();
    const pod = (name: string, cpu: string, owned: boolean): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, ...(owned ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true }] } : {}) },
      spec: { containers: [{ name: 'c', image: 'flotilla/busybox:1', resources: { requests: { cpu } } }] },
    });
    try {
      await store.create(POD, pod('running', '100m', true), ns);
      const done = await store.create(POD, pod('done', '200m', true), ns);
      await store.update(POD, { ...done, status: { phase: 'Succeeded' } }, ns, { subresource: 'status' });
      await store.create(POD, pod('alone', '300m', false), ns);
      await store.create(CM, configMap('counted'), ns);
      const ports = [{ port: 80, nodePort: 31999 }];
      await store.create(SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'NodePort', ports } } as KubeObject, ns);
      await store.transaction(async (tx) => {
        expect(await tx.countForQuota('core/pods', ns)).toBe(2); // the finished pod holds no quota
        expect(await tx.countForQuota('core/configmaps', ns)).toBe(1);
        const specs = (await tx.podSpecsForQuota(ns)) as { containers: { resources: { requests: { cpu: string } } }[] }[];
        expect(specs.map((s) => s.containers[0].resources.requests.cpu).sort()).toEqual(['100m', '300m']);
        expect(await tx.countActivePodsOwnedBy(ns, owner)).toBe(1);
        expect(await tx.countActivePodsOwnedBy(uniqueName('other'), owner)).toBe(0);
        expect(await tx.namespaceHasObjects(ns)).toBe(true);
        expect(await tx.namespaceHasObjects(uniqueName('empty'))).toBe(false);
        const locked = await tx.lockPods([
          { namespace: ns, name: 'alone' },
          { namespace: ns, name: 'missing' },
          { namespace: ns, name: 'running' },
        ]);
        expect([...locked.keys()].sort()).toEqual([`${ns}/alone`, `${ns}/running`]);
        expect(locked.get(`${ns}/running`)?.metadata.ownerReferences?.[0].uid).toBe(owner);
        expect((await tx.allocatedNodePorts()).filter((p) => p.namespace === ns)).toEqual([{ namespace: ns, name: 'web', port: 31999 }]);
      });
    } finally {
      await dropNamespaces([ns]);
    }
  });

  it('rewrites the stored form of a resource in objects and change log, without a new version', async () => {
    const created = await store.create(CM, configMap('at-rest', { v: '1' }), ns);
    await store.update(CM, { ...created, data: { v: '2' } }, ns);
    await store.create(CM, configMap('elsewhere'), uniqueName('other')).then((o) => store.delete(CM, o.metadata.namespace ?? '', 'elsewhere'));
    const rv = await store.currentRv();
    const marked = (o: KubeObject) => o.metadata.annotations?.['test/rewritten'] === 'yes';
    const result = await store.rewriteAtRest(
      'core/configmaps',
      (stored) => (marked(stored) ? undefined : { ...stored, metadata: { ...stored.metadata, annotations: { 'test/rewritten': 'yes' } } }),
      { namespace: ns },
    );
    expect(result).toEqual({ objects: 1, changes: 2 });
    expect(await store.currentRv()).toBe(rv);
    // A second pass finds nothing left to rewrite.
    expect(await store.rewriteAtRest('core/configmaps', (s) => (marked(s) ? undefined : s), { namespace: ns })).toEqual({ objects: 0, changes: 0 });
    const fresh = await Store.open({ databaseUrl: testDatabaseUrl(), ringSize: 0 }); // reads the rows, not this cache
    try {
      const row = await fresh.get(CM, ns, 'at-rest');
      expect(row?.obj.data).toEqual({ v: '2' });
      expect(marked(row!.obj)).toBe(true);
      const w = await fresh.watch(CM, Number(created.metadata.resourceVersion) - 1, { namespace: ns });
      const events = await collect(w, 2);
      w.close();
      expect(events.map((e) => [e.type, marked(e.obj)])).toEqual([
        ['ADDED', true],
        ['MODIFIED', true],
      ]);
    } finally {
      await fresh.close();
    }
  });

  it('honours delete preconditions on uid', async () => {
    await store.create(CM, configMap('pre'), ns);
    await expect(store.delete(CM, ns, 'pre', { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } })).rejects.toMatchObject({ code: 409 });
    expect(await store.get(CM, ns, 'pre')).toBeDefined();
  });

  it('pages a list with limit and continue, in name order', async () => {
    for (const n of ['p3', 'p1', 'p2', 'p5', 'p4']) await store.create(CM, configMap(n), ns);
    const page1 = await store.list(CM, { namespace: ns, limit: 2 });
    expect(page1.items.map((e) => e.name)).toEqual(['p1', 'p2']);
    expect(page1.remainingItemCount).toBe(3);
    const page2 = await store.list(CM, { namespace: ns, limit: 2, continueToken: page1.continueToken });
    expect(page2.items.map((e) => e.name)).toEqual(['p3', 'p4']);
    const page3 = await store.list(CM, { namespace: ns, limit: 2, continueToken: page2.continueToken });
    expect(page3.items.map((e) => e.name)).toEqual(['p5']);
    expect(page3.continueToken).toBeUndefined();
    await expect(store.list(CM, { namespace: ns, continueToken: 'garbage' })).rejects.toBeInstanceOf(StoreError);
  });

  it('delivers every change to several watchers in version order under 16 concurrent writers', async () => {
    const start = await store.currentRv();
    const watchers = await Promise.all([1, 2, 3].map(() => store.watch(CM, start, { namespace: ns })));
    const writers = 16;
    const perWriter = 25;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const name = `w${w}`;
        let obj: KubeObject = await store.create(CM, configMap(name, { n: '0' }), ns);
        for (let i = 1; i < perWriter; i++) obj = await store.update(CM, { ...obj, data: { n: String(i) } }, ns);
      }),
    );
    const total = writers * perWriter;
    for (const w of watchers) {
      const events = await collect(w, total);
      expect(events).toHaveLength(total);
      const rvs = events.map((e) => e.rv);
      expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
      expect(new Set(rvs).size).toBe(total);
      // Per object, the values arrive 0..24 in order: nothing skipped, nothing reordered.
      for (let x = 0; x < writers; x++) {
        const seq = events.filter((e) => e.obj.metadata.name === `w${x}`).map((e) => Number((e.obj.data as { n: string }).n));
        expect(seq).toEqual(Array.from({ length: perWriter }, (_, i) => i));
      }
      w.close();
    }
  });

  it("brings another process's cache past a commit larger than a page of the change log, every change in order", async () => {
    // One commit of 2,500 objects: the other process's follower wakes once and reads the log in several pages
    // (bounded so a mass change is not held in memory at once); its watcher still sees every change in order.
    const other = await Store.open({ databaseUrl: testDatabaseUrl(), ringSize: 0 });
    try {
      const start = await store.currentRv();
      await other.sync();
      const seen: number[] = [];
      const stop = other.cache.onChange((c) => {
        if (c.namespace === ns) seen.push(c.rv);
      });
      const n = 2500;
      await store.transaction(async (tx) => {
        for (let i = 0; i < n; i++) await store.createIn(tx, CM, configMap(`bulk-${i}`), ns);
      });
      await other.sync();
      stop();
      expect(seen).toHaveLength(n);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(seen[0]).toBeGreaterThan(start);
      expect(other.cache.count(resourceKey(CM), ns)).toBe(n);
    } finally {
      await other.close();
      // In one transaction: the per-object clean-up after each test would take 2,500 round trips.
      await store.transaction(async (tx) => {
        for (let i = 0; i < 2500; i++) await store.deleteIn(tx, CM, ns, `bulk-${i}`).catch(() => undefined);
      });
    }
  });

  /**
   * Creates every name at once, each from the store paired with it, and checks the outcome as one process
   * would see it: each name stored once, every loser told AlreadyExists, each winner's version the stored
   * one, and a watcher seeing exactly one ADDED per name, in version order.
   */
  async function createAtOnce(requests: [Store, string][]): Promise<void> {
    const watcher = await store.watch(CM, await store.currentRv(), { namespace: ns });
    const results = await Promise.all(
      requests.map(([s, n], i) =>
        s.create(CM, configMap(n, { request: String(i) }), ns).then(
          (o) => ({ n, i, rv: Number(o.metadata.resourceVersion) }),
          (e: StoreError) => ({ n, i, reason: e.reason }),
        ),
      ),
    );
    const names = [...new Set(requests.map(([, n]) => n))];
    expect(results.filter((r) => 'reason' in r).map((r) => ('reason' in r ? r.reason : ''))).toEqual(
      Array(requests.length - names.length).fill('AlreadyExists'),
    );
    const { items } = await store.list(CM, { namespace: ns }, { consistent: true });
    expect(items.map((e) => e.name).sort()).toEqual([...names].sort());
    for (const e of items) {
      const winner = results.find((r) => r.i === Number((e.obj.data as Record<string, string> | undefined)?.request));
      expect(winner && 'rv' in winner && winner.n === e.name).toBe(true);
      if (winner && 'rv' in winner && e.obj.metadata.resourceVersion !== String(winner.rv)) throw new Error(`${e.name}: stored version is not the winner's`);
    }
    await store.create(CM, configMap('zz-end'), ns);
    const events: WatchEvent[] = [];
    while (events[events.length - 1]?.obj.metadata.name !== 'zz-end') {
      const more = await collect(watcher, 1);
      if (more.length === 0) throw new Error(`watch ended after ${events.length} events`);
      events.push(...more);
    }
    watcher.close();
    const added = events.slice(0, -1);
    expect(added.map((e) => e.type)).toEqual(names.map(() => 'ADDED'));
    expect(added.map((e) => e.obj.metadata.name).sort()).toEqual([...names].sort());
    expect(events.map((e) => e.rv)).toEqual(events.map((e) => e.rv).sort((a, b) => a - b));
  }

  it('group-commits concurrent creates from one process: a name asked for twice is stored once, the second told AlreadyExists', async () => {
    // 200 creates at once share commits; three of the names are asked for twice.
    const names = Array.from({ length: 200 }, (_, i) => `g${i}`);
    await createAtOnce([...names, 'g1', 'g2', 'g2'].map((n) => [store, n]));
  });

  it('group-commits concurrent creates racing another process for the same names, each answered on its own', async () => {
    // The second process's writes make some shared statements fail mid-batch; their members are retried alone.
    const other = await Store.open({ databaseUrl: testDatabaseUrl(), maxConnections: 4 });
    try {
      const names = Array.from({ length: 200 }, (_, i) => `g${i}`);
      await createAtOnce([...names.map((n): [Store, string] => [store, n]), ...names.slice(100, 120).map((n): [Store, string] => [other, n])]);
    } finally {
      await other.close();
    }
  });

  it('replays from the change log for a watch older than the in-memory ring, and answers 410 when compacted', async () => {
    const small = await Store.open({ databaseUrl: testDatabaseUrl(), ringSize: 4 });
    try {
      const from = await small.currentRv();
      for (let i = 0; i < 10; i++) await small.create(CM, configMap(`r${i}`), ns);
      await small.sync();
      const w = await small.watch(CM, from, { namespace: ns });
      const events = await collect(w, 10);
      expect(events.map((e) => e.obj.metadata.name)).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
      expect(events.every((e) => e.type === 'ADDED')).toBe(true);
      w.close();
      small.cache.compactedRv = from + 5; // as if the log had been compacted past `from`
      await expect(small.watch(CM, from, { namespace: ns })).rejects.toMatchObject({ code: 410 });
    } finally {
      await small.close();
    }
  });

  it('sends the current state as ADDED events for a watch from version 0, then live changes', async () => {
    await store.create(CM, configMap('x1'), ns);
    const w = await store.watch(CM, 0, { namespace: ns });
    await store.create(CM, configMap('x2'), ns);
    const events = await collect(w, 2);
    expect(events.map((e) => [e.type, e.obj.metadata.name])).toEqual([
      ['ADDED', 'x1'],
      ['ADDED', 'x2'],
    ]);
    w.close();
  });

  it('reports to a watcher that an object stopped matching its selector as DELETED', async () => {
    const c = await store.create(CM, configMap('sel', {}, { app: 'web' }), ns);
    const w = await store.watch(CM, Number(c.metadata.resourceVersion), { namespace: ns, match: (o) => o.metadata.labels?.app === 'web' });
    await store.update(CM, { ...c, metadata: { ...c.metadata, labels: { app: 'other' } } }, ns);
    const [ev] = await collect(w, 1);
    expect(ev.type).toBe('DELETED');
    w.close();
  });
});
