import { patchError } from './testing/patch-error';
import { applyJsonPatch } from './json-patch';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const deployment = () =>
  deepFreeze({
    metadata: {
      name: 'web',
      annotations: { 'deployment.kubernetes.io/revision': '2' },
    },
    spec: {
      replicas: 2,
      template: {
        spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
      },
    },
  });

describe('applyJsonPatch (RFC 6902)', () => {
  it('applies add, replace and remove in order', () => {
    const out = applyJsonPatch(
      deployment(),
      deepFreeze([
        { op: 'add', path: '/metadata/labels', value: { app: 'web' } },
        {
          op: 'replace',
          path: '/spec/template/spec/containers/0/image',
          value: 'nginx:1.25',
        },
        { op: 'remove', path: '/spec/replicas' },
      ]),
    );
    expect(out).toEqual({
      metadata: {
        name: 'web',
        labels: { app: 'web' },
        annotations: { 'deployment.kubernetes.io/revision': '2' },
      },
      spec: {
        template: {
          spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
        },
      },
    });
  });

  it('applies rollout undo: replace the template and the annotations', () => {
    const template = {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] },
    };
    const out = applyJsonPatch(
      deployment(),
      deepFreeze([
        { op: 'replace', path: '/spec/template', value: template },
        {
          op: 'replace',
          path: '/metadata/annotations',
          value: { 'deployment.kubernetes.io/revision': '1' },
        },
      ]),
    ) as { spec: { template: unknown }; metadata: { annotations: unknown } };
    expect(out.spec.template).toEqual(template);
    expect(out.metadata.annotations).toEqual({
      'deployment.kubernetes.io/revision': '1',
    });
  });

  it('passes a matching test and fails a mismatching one with a PatchError naming the path', () => {
    expect(applyJsonPatch(deployment(), [{ op: 'test', path: '/spec/replicas', value: 2 }])).toEqual(deployment());
    const err = patchError(() => applyJsonPatch(deployment(), [{ op: 'test', path: '/spec/replicas', value: 3 }]));
    expect(err.message).toMatch(/test/);
    expect(err.field).toBe('/spec/replicas');
  });

  it('returns an equal copy for an empty list and can replace the whole document', () => {
    const target = deployment();
    const same = applyJsonPatch(target, []);
    expect(same).toEqual(target);
    expect(same).not.toBe(target);
    expect(applyJsonPatch(target, [{ op: 'replace', path: '', value: { a: 1 } }])).toEqual({ a: 1 });
  });

  it('reports removing a missing path as a PatchError', () => {
    const err = patchError(() => applyJsonPatch(deployment(), [{ op: 'remove', path: '/spec/paused' }]));
    expect(err.field).toBe('/spec/paused');
  });

  it('rejects malformed operation lists with a PatchError', () => {
    patchError(() => applyJsonPatch(deployment(), { op: 'add' }));
    patchError(() => applyJsonPatch(deployment(), null));
    expect(patchError(() => applyJsonPatch(deployment(), [{ op: 'frobnicate', path: '/a' }])).field).toBe('[0].op');
    expect(patchError(() => applyJsonPatch(deployment(), [{ op: 'add', path: 7, value: 1 }])).field).toBe('[0].path');
    expect(patchError(() => applyJsonPatch(deployment(), [{ op: 'add', path: '/a' }])).field).toBe('[0].value');
    patchError(() => applyJsonPatch(deployment(), [{ op: 'add', path: '/__proto__/polluted', value: 1 }]));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    patchError(() => applyJsonPatch(deployment(), [{ op: 'move', path: '/a' }]));
  });

  it('leaves its frozen inputs alone and returns an unshared copy', () => {
    const target = deployment();
    const value = deepFreeze({ app: 'web' });
    const out = applyJsonPatch(target, deepFreeze([{ op: 'add', path: '/metadata/labels', value }])) as {
      metadata: { labels: Record<string, string> };
    };
    out.metadata.labels.app = 'changed';
    expect(value.app).toBe('web');
    expect(target).toEqual(deployment());
  });
});
