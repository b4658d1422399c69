import { PatchError } from './errors';
import { applyMergePatch } from './merge-patch';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('applyMergePatch (RFC 7386)', () => {
  it('removes a label when the patch sets it to null, as kubectl label k- sends', () => {
    const target = deepFreeze({
      metadata: { name: 'web', labels: { k: 'v', app: 'web' } },
    });
    const patch = deepFreeze({ metadata: { labels: { k: null } } });
    expect(applyMergePatch(target, patch)).toEqual({
      metadata: { name: 'web', labels: { app: 'web' } },
    });
  });

  it('merges objects recursively and replaces lists and scalars', () => {
    const target = deepFreeze({
      spec: {
        replicas: 1,
        paused: false,
        list: [1, 2, 3],
        nested: { a: 1, b: 2 },
      },
    });
    const patch = deepFreeze({
      spec: { replicas: 3, list: [9], nested: { b: 20, c: 30 } },
    });
    expect(applyMergePatch(target, patch)).toEqual({
      spec: {
        replicas: 3,
        paused: false,
        list: [9],
        nested: { a: 1, b: 20, c: 30 },
      },
    });
  });

  it('replaces the whole target with a non-object patch', () => {
    expect(applyMergePatch(deepFreeze({ a: 1 }), 'x')).toBe('x');
    expect(applyMergePatch(deepFreeze({ a: 1 }), deepFreeze([1, 2]))).toEqual([1, 2]);
    expect(applyMergePatch(deepFreeze({ a: 1 }), null)).toBeNull();
  });

  it('turns a non-object target into an object when the patch is one', () => {
    expect(applyMergePatch(5, deepFreeze({ a: { b: null, c: 1 } }))).toEqual({
      a: { c: 1 },
    });
    expect(applyMergePatch(undefined, deepFreeze({ a: 1 }))).toEqual({ a: 1 });
  });

  it('returns a copy that shares nothing with the frozen inputs', () => {
    const target = deepFreeze({ spec: { nested: { a: 1 } } });
    const patch = deepFreeze({ spec: { added: { b: 2 } } });
    const out = applyMergePatch(target, patch) as {
      spec: { nested: { a: number }; added: { b: number } };
    };
    out.spec.nested.a = 9;
    out.spec.added.b = 9;
    expect(target.spec.nested.a).toBe(1);
    expect(patch.spec.added.b).toBe(2);
  });

  it('treats "__proto__" as a plain key and pollutes nothing', () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true},"a":1}') as unknown;
    const out = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('rejects values JSON cannot carry with a PatchError', () => {
    expect(() => applyMergePatch({}, { f: () => 1 })).toThrow(PatchError);
    expect(() => applyMergePatch({}, { n: Number.NaN })).toThrow(PatchError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => applyMergePatch({}, cyclic)).toThrow(PatchError);
  });
});
