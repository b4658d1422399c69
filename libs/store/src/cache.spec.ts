import type { KubeObject } from '@flotilla/resources';
import { WatchCache } from './cache';
import type { Change, HistoryLoader } from './cache';

const R = 'core/configmaps';

function change(rv: number, name: string, type: Change['type'] = 'ADDED'): Change {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'a', resourceVersion: String(rv) } };
  return { type, rv, resource: R, namespace: 'a', name, obj, json: JSON.stringify(obj) };
}

describe('WatchCache without a replay ring (processes that serve no watches)', () => {
  it('keeps the current state, and replays a watch from an older version from the change log', async () => {
    const log = [change(1, 'x'), change(2, 'y'), change(3, 'x', 'MODIFIED')];
    const history: HistoryLoader = (resource, from, to) => Promise.resolve(log.filter((c) => c.resource === resource && c.rv > from && c.rv <= to));
    const cache = new WatchCache(history, 0);
    cache.apply(log);
    expect(cache.rv).toBe(3);
    expect(cache.list(R).map((e) => `${e.name}@${e.rv}`)).toEqual(['x@3', 'y@2']);

    const w = await cache.watch(R, 1);
    expect([w.drain().map((e) => `${e.type} ${e.obj.metadata.name}`)]).toEqual([['ADDED y', 'MODIFIED x']]);
    cache.apply([change(4, 'y', 'DELETED')]);
    expect((await w.next())?.type).toBe('DELETED');
    w.close();
  });
});

describe('WatchCache replay ring bounded by bytes', () => {
  it('forgets the oldest changes past the byte bound and replays them from the change log instead', async () => {
    const log = Array.from({ length: 10 }, (_, i) => change(i + 1, `c${i}`));
    const asked: number[] = [];
    const history: HistoryLoader = (resource, from, to) => {
      asked.push(from, to);
      return Promise.resolve(log.filter((c) => c.rv > from && c.rv <= to));
    };
    const newestThree = log.slice(-3).reduce((n, c) => n + c.json.length, 0);
    const cache = new WatchCache(history, 100, newestThree);
    cache.apply(log);
    const w = await cache.watch(R, 2);
    expect(w.drain().map((e) => e.rv)).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
    // Only the three newest were kept: 3..7 came from the change log.
    expect(asked).toEqual([2, 7]);
    w.close();
  });
});
