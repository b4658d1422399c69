import type { KubeObject } from '@flotilla/resources';
import { StoreError } from './errors';
import { assertStorable, unstorablePath } from './storable';

describe('unstorablePath: text Postgres cannot hold', () => {
  it('finds a NUL or an unpaired surrogate in any value or key, and names its path', () => {
    expect(
      unstorablePath({
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
    ).toBe('spec.containers[0].env[1].value');
    expect(unstorablePath({ metadata: { labels: { 'a\ud800': 'v' } } })).toBe('metadata.labels.a\ud800');
    expect(unstorablePath({ a: ['\udc00 trailing low'] })).toBe('a[0]');
    expect(unstorablePath({ a: 'high at the end \udbff' })).toBe('a');
  });

  it('accepts paired surrogates (emoji), other control characters and escaped-looking text', () => {
    expect(unstorablePath({ a: '🚀 名前 ünï', b: '\u0001\t\n', c: '\\u0000 as six characters', d: 1, e: null, f: true })).toBeUndefined();
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
