import type { KubeObject } from '@flotilla/resources';
import { StoreError } from './errors';
import { assertStorable, findUnstorable, unstorableText } from './storable';

describe('unstorableText', () => {
  it('names NUL and lone surrogates, and accepts paired surrogates and ordinary text', () => {
    expect(unstorableText('a\u0000b')).toBe('a NUL character (\\u0000)');
    expect(unstorableText('x\ud800')).toBe('a lone UTF-16 surrogate (\\ud800)');
    expect(unstorableText('\udc00y')).toBe('a lone UTF-16 surrogate (\\udc00)');
    expect(unstorableText('high at the end \udbff')).toBe('a lone UTF-16 surrogate (\\udbff)');
    expect(unstorableText('emoji 😀 ok')).toBeUndefined();
    expect(unstorableText('ü ✓')).toBeUndefined();
  });
});

describe('findUnstorable: text Postgres cannot hold', () => {
  it('finds a NUL or an unpaired surrogate in any value or key, and names its path', () => {
    expect(
      findUnstorable({
        spec: {
          containers: [
            {
              env: [
                { name: 'A', value: 'ok' },
                { name: 'B', value: 'x\u0000y' },
              ],
            },
          ],
        },
      }),
    ).toEqual({ field: 'spec.containers[0].env[1].value', what: 'a NUL character (\\u0000)' });
    expect(findUnstorable({ a: ['\udc00 trailing low'] })?.field).toBe('a[0]');
    expect(findUnstorable({ a: 'high at the end \udbff' })?.field).toBe('a');
    expect(findUnstorable('\u0000')?.field).toBe('(the body)');
  });

  it('quotes a key that is not an identifier, so a dotted key is not read as a deeper path', () => {
    expect(findUnstorable({ metadata: { labels: { 'app.kubernetes.io/x\u0000': 'v' } } })).toEqual({
      field: 'metadata.labels["app.kubernetes.io/x\\u0000"]',
      what: 'a NUL character (\\u0000) in a key',
    });
    expect(findUnstorable({ metadata: { labels: { 'a\ud800': 'v' } } })?.field).toBe('metadata.labels["a\\ud800"]');
    expect(findUnstorable({ metadata: { annotations: { 'example.com/note': 'a\u0000' } } })?.field).toBe('metadata.annotations["example.com/note"]');
  });

  it('accepts paired surrogates (emoji), other control characters and escaped-looking text', () => {
    expect(findUnstorable({ a: '🚀 名前 ünï', b: '\u0001\t\n', c: '\\u0000 as six characters', d: 1, e: null, f: true })).toBeUndefined();
    expect(findUnstorable({ a: [1, true, null, 'fine'] })).toBeUndefined();
  });
});

describe('assertStorable', () => {
  it('throws a 400 StoreError whose cause names the field', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { note: '\u0000' } } } as KubeObject;
    let err: unknown;
    try {
      assertStorable([pod]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).code).toBe(400);
    expect((err as StoreError).message).toBe(
      'Pod "p": metadata.annotations.note: Invalid value: must not contain NUL (\\u0000) or an unpaired UTF-16 surrogate',
    );
    expect((err as StoreError).causes).toEqual([expect.objectContaining({ field: 'metadata.annotations.note', reason: 'FieldValueInvalid' })]);
  });
});
