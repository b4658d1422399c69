import type { KubeObject } from '@flotilla/resources';
import { GroupCommit, takeBatch } from './group-commit';
import type { PendingWrite } from './write-tx';

const write = (name: string): PendingWrite => ({
  op: 'update',
  type: 'MODIFIED',
  resource: 'core/configmaps',
  namespace: 'ns',
  name,
  obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } } as KubeObject,
});
const tx = (...names: string[]) => ({ writes: names.map(write) });

describe('takeBatch: which waiting transactions share one commit', () => {
  it('takes every waiting transaction in arrival order when they write different objects', () => {
    const queue = [tx('a'), tx('b', 'c'), tx('d')];
    const first = queue[0];
    expect(takeBatch(queue).map((t) => t.writes.map((x) => x.name))).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(queue).toEqual([]);
    expect(first.writes[0].name).toBe('a');
  });

  it('stops before a transaction writing an object an earlier member writes, leaving it first in the queue', () => {
    const queue = [tx('a'), tx('b'), tx('c', 'a'), tx('d')];
    expect(takeBatch(queue).map((t) => t.writes[0].name)).toEqual(['a', 'b']);
    expect(queue.map((t) => t.writes[0].name)).toEqual(['c', 'd']);
  });

  it('stops at the size limit, but always takes the first however large', () => {
    const queue = [tx('a', 'b', 'c'), tx('d', 'e'), tx('f')];
    expect(takeBatch(queue, 2)).toHaveLength(1);
    expect(takeBatch(queue, 3).map((t) => t.writes[0].name)).toEqual(['d', 'f']);
    expect(queue).toEqual([]);
  });

  it('lets one transaction write an object twice', () => {
    const queue = [tx('a', 'a'), tx('b')];
    expect(takeBatch(queue)).toHaveLength(2);
  });
});

describe('GroupCommit', () => {
  /** A commit that numbers writes from `rv` on, failing any statement that holds a write named "taken". */
  function committer() {
    let rv = 0;
    const statements: string[][] = [];
    const commitAlone = async (writes: PendingWrite[]) => {
      statements.push(writes.map((w) => w.name));
      await new Promise((r) => setImmediate(r));
      if (writes.some((w) => w.name === 'taken')) throw new Error('duplicate key');
      for (const w of writes) w.obj.metadata.resourceVersion = String(++rv);
      return rv;
    };
    return { statements, commitAlone };
  }

  it('puts the transactions arriving during a commit into the next statement, each resolving to its own last version', async () => {
    const c = committer();
    const g = new GroupCommit(c.commitAlone);
    const results = await Promise.all([g.submit([write('a')]), g.submit([write('b'), write('c')]), g.submit([write('d')])]);
    expect(c.statements).toEqual([['a'], ['b', 'c', 'd']]);
    expect(results).toEqual([1, 3, 4]);
  });

  it('commits each member alone when the shared statement fails, so only the failing one gets the error', async () => {
    const c = committer();
    const g = new GroupCommit(c.commitAlone);
    const first = g.submit([write('a')]);
    const rest = [g.submit([write('b')]), g.submit([write('taken')]), g.submit([write('c')])].map((p) => p.then(String, (e: Error) => e.message));
    await first;
    expect(await Promise.all(rest)).toEqual(['2', 'duplicate key', '3']);
    expect(c.statements[1]).toEqual(['b', 'taken', 'c']);
  });
});
