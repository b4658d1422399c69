import type { KubeObject } from '@flotilla/resources';
import { dollarQuote, PendingWrite, tableOps, writeKey } from './write-tx';

const w = (op: PendingWrite['op'], name: string, resource = 'core/configmaps', namespace = 'ns'): PendingWrite => ({
  op,
  type: op === 'insert' ? 'ADDED' : op === 'delete' ? 'DELETED' : 'MODIFIED',
  resource,
  namespace,
  name,
  obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } } as KubeObject,
});

describe('writeKey', () => {
  it('tells objects apart by resource, namespace and name, whatever characters they hold', () => {
    expect(writeKey(w('insert', 'a'))).toBe(writeKey(w('update', 'a')));
    expect(writeKey(w('insert', 'a', 'core/secrets'))).not.toBe(writeKey(w('insert', 'a')));
    expect(writeKey(w('insert', 'a', 'core/configmaps', 'other'))).not.toBe(writeKey(w('insert', 'a')));
    // A separator that cannot occur in a name: "a/b" in "x" is not "a" in "b/x".
    expect(writeKey({ resource: 'r', namespace: 'a/b', name: 'x' })).not.toBe(writeKey({ resource: 'r', namespace: 'a', name: 'b/x' }));
  });
});

describe('tableOps: one row operation per object, at its last write', () => {
  it('passes single writes through', () => {
    expect(tableOps([w('insert', 'a'), w('update', 'b'), w('delete', 'c')])).toEqual(['insert', 'update', 'delete']);
  });

  it('inserts the last state of an object created and then updated in the same transaction', () => {
    expect(tableOps([w('insert', 'a'), w('update', 'a'), w('update', 'a')])).toEqual(['none', 'none', 'insert']);
  });

  it('writes nothing for an object created and deleted in the same transaction', () => {
    expect(tableOps([w('insert', 'a'), w('update', 'a'), w('delete', 'a')])).toEqual(['none', 'none', 'none']);
  });

  it('deletes an existing object updated and then deleted, and updates one marked and then changed', () => {
    expect(tableOps([w('update', 'a'), w('delete', 'a')])).toEqual(['none', 'delete']);
    expect(tableOps([w('update', 'a'), w('update', 'a')])).toEqual(['none', 'update']);
  });

  it('keeps other objects independent of one written several times', () => {
    expect(tableOps([w('insert', 'a'), w('insert', 'b'), w('update', 'a'), w('delete', 'c')])).toEqual(['none', 'insert', 'insert', 'delete']);
  });
});

describe('dollarQuote', () => {
  it('quotes text with a tag the text does not contain', () => {
    const text = '{"a":"$f$ and $$ and \'quotes\'"}';
    const q = dollarQuote(text);
    const tag = /^\$f[0-9a-f]{12}\$/.exec(q)?.[0] ?? '';
    expect(tag).not.toBe('');
    expect(q).toBe(`${tag}${text}${tag}`);
    expect(text.includes(tag)).toBe(false);
  });
});
