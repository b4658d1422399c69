import { patchError } from './testing/patch-error';
import { applyStrategicMergePatch } from './strategic-merge-patch';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Every case runs against frozen inputs: a mutation would throw. */
function smp(target: unknown, patch: unknown, kind = 'Deployment'): any {
  return applyStrategicMergePatch(deepFreeze(target), deepFreeze(patch), kind);
}

const hello = () => ({
  name: 'hello',
  image: 'nginx:1.25',
  ports: [{ containerPort: 80, name: 'http' }],
  env: [
    { name: 'A', value: '1' },
    { name: 'B', value: '2' },
  ],
  volumeMounts: [{ name: 'data', mountPath: '/data' }],
  envFrom: [{ configMapRef: { name: 'one' } }],
});
const sidecar = () => ({
  name: 'sidecar',
  image: 'busybox:1.36',
  args: ['sleep', 'infinity'],
});

function deployment(containers: unknown[] = [hello(), sidecar()]) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'hello',
      labels: { app: 'hello', k: 'v' },
      finalizers: ['a', 'b', 'c'],
    },
    spec: {
      replicas: 2,
      paused: true,
      selector: { matchLabels: { app: 'hello' } },
      strategy: {
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      },
      template: {
        metadata: { labels: { app: 'hello' } },
        spec: {
          containers,
          volumes: [{ name: 'data', emptyDir: {} }],
          tolerations: [{ key: 'a', operator: 'Exists' }],
        },
      },
    },
  };
}

const containersOf = (o: any): any[] => o.spec.template.spec.containers;
const templatePatch = (spec: unknown) => ({ spec: { template: { spec } } });

describe('applyStrategicMergePatch: what kubectl sends', () => {
  it('set image: $setElementOrder/containers plus the new image keeps every other container field', () => {
    const out = smp(
      deployment([hello()]),
      templatePatch({
        '$setElementOrder/containers': [{ name: 'hello' }],
        containers: [{ image: 'nginx:1.27', name: 'hello' }],
      }),
    );
    expect(containersOf(out)).toEqual([{ ...hello(), image: 'nginx:1.27' }]);
    expect(out.spec.template.spec.volumes).toEqual([{ name: 'data', emptyDir: {} }]);
  });

  it('set image on the second container keeps the order and the first container', () => {
    const out = smp(
      deployment(),
      templatePatch({
        '$setElementOrder/containers': [{ name: 'hello' }, { name: 'sidecar' }],
        containers: [{ image: 'busybox:1.37', name: 'sidecar' }],
      }),
    );
    expect(containersOf(out)).toEqual([hello(), { ...sidecar(), image: 'busybox:1.37' }]);
  });

  it('label k-: {"metadata":{"labels":{"k":null}}} removes the label', () => {
    const out = smp(deployment(), { metadata: { labels: { k: null } } });
    expect(out.metadata.labels).toEqual({ app: 'hello' });
  });

  it('rollout resume: {"spec":{"paused":null}} removes paused; pause sets it', () => {
    expect('paused' in smp(deployment(), { spec: { paused: null } }).spec).toBe(false);
    const unpaused = {
      ...deployment(),
      spec: { ...deployment().spec, paused: undefined },
    };
    expect(smp(unpaused, { spec: { paused: true } }).spec.paused).toBe(true);
  });

  it('rollout restart adds the restartedAt template annotation and keeps the template labels', () => {
    const at = '2025-01-02T03:04:05Z';
    const out = smp(deployment(), {
      spec: {
        template: {
          metadata: {
            annotations: { 'kubectl.kubernetes.io/restartedAt': at },
          },
        },
      },
    });
    expect(out.spec.template.metadata).toEqual({
      labels: { app: 'hello' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': at },
    });
    expect(containersOf(out)).toEqual([hello(), sidecar()]);
  });

  it('client-side apply three-way patch: changes and removes ConfigMap keys and stores last-applied verbatim', () => {
    const lastApplied = '{"apiVersion":"v1","data":{"a":"10","c":"3"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"demo","namespace":"default"}}\n';
    const live = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'demo',
        namespace: 'default',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"old":true}\n',
          other: 'kept',
        },
      },
      data: { a: '1', b: '2' },
    };
    const out = smp(
      live,
      {
        data: { a: '10', b: null, c: '3' },
        metadata: {
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
          },
        },
      },
      'ConfigMap',
    );
    expect(out.data).toEqual({ a: '10', c: '3' });
    expect(out.metadata.annotations).toEqual({
      'kubectl.kubernetes.io/last-applied-configuration': lastApplied,
      other: 'kept',
    });
  });

  it('pod templates of CronJobs merge containers by name too', () => {
    const cron = {
      kind: 'CronJob',
      spec: {
        schedule: '* * * * *',
        jobTemplate: {
          spec: { template: { spec: { containers: [hello(), sidecar()] } } },
        },
      },
    };
    const out = smp(
      cron,
      {
        spec: {
          jobTemplate: {
            spec: {
              template: {
                spec: { containers: [{ name: 'hello', image: 'x' }] },
              },
            },
          },
        },
      },
      'CronJob',
    );
    expect(out.spec.jobTemplate.spec.template.spec.containers).toEqual([{ ...hello(), image: 'x' }, sidecar()]);
  });
});

describe('applyStrategicMergePatch: merge keys', () => {
  it('merges env by name, keeping the order given by $setElementOrder/env', () => {
    const out = smp(
      deployment([hello()]),
      templatePatch({
        containers: [
          {
            name: 'hello',
            '$setElementOrder/env': [{ name: 'A' }, { name: 'B' }, { name: 'C' }],
            env: [
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
          },
        ],
      }),
    );
    expect(containersOf(out)[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);
  });

  it('removes an env var set to delete and a field set to null inside a merged item', () => {
    const out = smp(
      deployment([hello()]),
      templatePatch({
        containers: [
          {
            name: 'hello',
            env: [
              { name: 'A', $patch: 'delete' },
              {
                name: 'B',
                value: null,
                valueFrom: { fieldRef: { fieldPath: 'metadata.name' } },
              },
            ],
          },
        ],
      }),
    );
    expect(containersOf(out)[0].env).toEqual([{ name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]);
  });

  it('merges ports by containerPort', () => {
    const out = smp(
      deployment([hello()]),
      templatePatch({
        containers: [
          {
            name: 'hello',
            ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }],
          },
        ],
      }),
    );
    expect(containersOf(out)[0].ports).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }]);
  });

  it('replaces envFrom, args and tolerations wholesale (atomic lists)', () => {
    const out = smp(
      deployment(),
      templatePatch({
        containers: [
          { name: 'hello', envFrom: [{ secretRef: { name: 's' } }] },
          { name: 'sidecar', args: ['true'] },
        ],
        tolerations: [{ key: 'b', operator: 'Exists' }],
      }),
    );
    expect(containersOf(out)[0].envFrom).toEqual([{ secretRef: { name: 's' } }]);
    expect(containersOf(out)[1].args).toEqual(['true']);
    expect(out.spec.template.spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }]);
  });

  it('without $setElementOrder, patch items take the patch order and live-only items keep their live place', () => {
    const a = { name: 'a', image: 'a' };
    const b = { name: 'b', image: 'b' };
    const c = { name: 'c', image: 'c' };
    // As apimachinery does: an item new to the list is placed before live-only items that follow it.
    expect(containersOf(smp(deployment([a, b]), templatePatch({ containers: [{ name: 'c', image: 'c' }] })))).toEqual([c, a, b]);
    expect(containersOf(smp(deployment([a, b, c]), templatePatch({ containers: [{ name: 'c' }, { name: 'b' }] })))).toEqual([a, c, b]);
  });

  it('reorders a list with only $setElementOrder', () => {
    const out = smp(
      deployment(),
      templatePatch({
        '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'hello' }],
      }),
    );
    expect(containersOf(out).map((c) => c.name)).toEqual(['sidecar', 'hello']);
  });

  it('merges Service ports by port, ownerReferences by uid and status conditions by type', () => {
    const svc = {
      kind: 'Service',
      metadata: {
        ownerReferences: [{ uid: 'u1', name: 'one', kind: 'X', apiVersion: 'v1' }],
      },
      spec: { ports: [{ port: 80, targetPort: 8080 }], selector: { app: 'a' } },
      status: {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'Other', status: 'True' },
        ],
      },
    };
    const out = smp(
      svc,
      {
        metadata: {
          ownerReferences: [{ uid: 'u2', name: 'two', kind: 'X', apiVersion: 'v1' }],
        },
        spec: { ports: [{ port: 80, name: 'http' }] },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
      'Service',
    );
    expect(out.metadata.ownerReferences.map((o: any) => o.uid).sort()).toEqual(['u1', 'u2']);
    expect(out.spec.ports).toEqual([{ port: 80, targetPort: 8080, name: 'http' }]);
    expect(out.status.conditions).toEqual([
      { type: 'Ready', status: 'True' },
      { type: 'Other', status: 'True' },
    ]);
  });

  it('replaces Node taints and Endpoints subsets wholesale', () => {
    const node = smp({ spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } }, { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } }, 'Node');
    expect(node.spec.taints).toEqual([{ key: 'b', effect: 'NoExecute' }]);
    const ep = smp({ subsets: [{ addresses: [{ ip: '1.1.1.1' }] }] }, { subsets: [{ addresses: [{ ip: '2.2.2.2' }] }] }, 'Endpoints');
    expect(ep.subsets).toEqual([{ addresses: [{ ip: '2.2.2.2' }] }]);
  });

  it('merges finalizers as a set and removes them with $deleteFromPrimitiveList/finalizers', () => {
    // apimachinery's order: patch items in patch order, live-only items slotted in by their live position.
    expect(smp(deployment(), { metadata: { finalizers: ['b', 'x'] } }).metadata.finalizers).toEqual(['a', 'b', 'x', 'c']);
    const ordered = {
      metadata: {
        '$setElementOrder/finalizers': ['a', 'b', 'c', 'x'],
        finalizers: ['x'],
      },
    };
    expect(smp(deployment(), ordered).metadata.finalizers).toEqual(['a', 'b', 'c', 'x']);
    expect(
      smp(deployment(), {
        metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zz'] },
      }).metadata.finalizers,
    ).toEqual(['a', 'c']);
    const none = smp(deployment(), {
      metadata: { '$deleteFromPrimitiveList/finalizers': ['a', 'b', 'c'] },
    });
    expect(none.metadata.finalizers).toBeUndefined();
  });

  it('falls back to JSON merge patch for kinds without metadata: lists are replaced and directives are plain keys', () => {
    const out = smp({ spec: { items: [{ name: 'a', v: 1 }], keep: 1 } }, { spec: { items: [{ name: 'b' }], drop: null } }, 'Widget');
    expect(out).toEqual({ spec: { items: [{ name: 'b' }], keep: 1 } });
  });
});

describe('applyStrategicMergePatch: directives', () => {
  it('$patch: delete on a list element removes the container with that name', () => {
    const out = smp(deployment(), templatePatch({ containers: [{ name: 'sidecar', $patch: 'delete' }] }));
    expect(containersOf(out)).toEqual([hello()]);
  });

  it('client-side apply removing a container: $setElementOrder with a $patch: delete item', () => {
    const out = smp(deployment(), templatePatch({ '$setElementOrder/containers': [{ name: 'hello' }], containers: [{ $patch: 'delete', name: 'sidecar' }] }));
    expect(containersOf(out)).toEqual([hello()]);
  });

  it('merges large keyed lists by key without quadratic blow-up', () => {
    const live = Array.from({ length: 20000 }, (_, i) => ({ name: `c${i}`, image: 'old' }));
    const patch = Array.from({ length: 20000 }, (_, i) => ({ name: `c${19999 - i}`, image: 'new' }));
    const out = containersOf(smp(deployment(live), templatePatch({ containers: patch })));
    expect(out).toHaveLength(20000);
    expect(out[0]).toEqual({ name: 'c19999', image: 'new' });
  });

  it('$patch: replace on a map replaces it instead of merging', () => {
    const out = smp(deployment(), {
      spec: {
        template: { metadata: { $patch: 'replace', labels: { app: 'other' } } },
      },
    });
    expect(out.spec.template.metadata).toEqual({ labels: { app: 'other' } });
    const whole = smp(deployment(), {
      spec: { selector: { $patch: 'replace', matchExpressions: [] } },
    });
    expect(whole.spec.selector).toEqual({ matchExpressions: [] });
  });

  it('$patch: delete on a map removes it, and on the whole patch empties the object', () => {
    expect(
      smp(deployment(), {
        spec: { strategy: { rollingUpdate: { $patch: 'delete' } } },
      }).spec.strategy,
    ).toEqual({
      type: 'RollingUpdate',
    });
    expect(smp(deployment(), { $patch: 'delete' })).toEqual({});
  });

  it('$patch: merge is accepted and behaves as the default', () => {
    const out = smp(deployment(), {
      metadata: { $patch: 'merge', labels: { extra: 'x' } },
    });
    expect(out.metadata.labels).toEqual({ app: 'hello', k: 'v', extra: 'x' });
  });

  it('$patch: replace as a list element replaces the whole list with the other elements', () => {
    const out = smp(
      deployment(),
      templatePatch({
        containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }],
      }),
    );
    expect(containersOf(out)).toEqual([{ name: 'only', image: 'x' }]);
  });

  it('$retainKeys clears the fields it does not list (Recreate drops rollingUpdate)', () => {
    const out = smp(deployment(), {
      spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } },
    });
    expect(out.spec.strategy).toEqual({ type: 'Recreate' });
  });

  it('$retainKeys must list every field the patch sets', () => {
    const err = patchError(() =>
      smp(deployment(), {
        spec: {
          strategy: { $retainKeys: ['type'], rollingUpdate: { maxSurge: 2 } },
        },
      }),
    );
    expect(err.field).toBe('spec.strategy.rollingUpdate');
    patchError(() => smp(deployment(), { spec: { strategy: { $retainKeys: 'type' } } }));
  });

  it('drops nulls inside new content instead of storing them', () => {
    const out = smp(
      deployment(),
      templatePatch({
        containers: [{ name: 'new', image: 'x', command: null }],
      }),
    );
    expect(containersOf(out).find((c) => c.name === 'new')).toEqual({
      name: 'new',
      image: 'x',
    });
    expect(smp({ kind: 'ConfigMap' }, { data: { a: '1', b: null } }, 'ConfigMap').data).toEqual({ a: '1' });
  });
});

describe('applyStrategicMergePatch: hostile input', () => {
  it('rejects a patch that is not an object', () => {
    for (const patch of [5, 'x', null, [], [{ op: 'add' }], true]) patchError(() => smp(deployment(), patch));
  });

  it('treats a missing or non-object target as empty', () => {
    expect(smp(undefined, { metadata: { name: 'x' } })).toEqual({
      metadata: { name: 'x' },
    });
    expect(smp(42, { metadata: { name: 'x' } })).toEqual({
      metadata: { name: 'x' },
    });
  });

  it('names the field when a list item lacks its merge key', () => {
    const err = patchError(() => smp(deployment(), templatePatch({ containers: [{ name: 'hello' }, { image: 'x' }] })));
    expect(err.field).toBe('spec.template.spec.containers[1]');
    expect(err.message).toMatch(/merge key "name"/);
    expect(patchError(() => smp(deployment(), templatePatch({ containers: [{ $patch: 'delete' }] }))).field).toBe('spec.template.spec.containers[0]');
    expect(patchError(() => smp(deployment(), templatePatch({ containers: ['hello'] }))).field).toBe('spec.template.spec.containers[0]');
  });

  it('rejects malformed $setElementOrder lists', () => {
    expect(patchError(() => smp(deployment(), templatePatch({ '$setElementOrder/containers': 'hello' }))).field).toBe(
      'spec.template.spec.$setElementOrder/containers',
    );
    expect(patchError(() => smp(deployment(), templatePatch({ '$setElementOrder/containers': [{ image: 'x' }] }))).field).toBe(
      'spec.template.spec.$setElementOrder/containers[0]',
    );
    patchError(() =>
      smp(
        deployment(),
        templatePatch({
          '$setElementOrder/containers': [{ name: 'hello' }],
          containers: [{ name: 'other' }],
        }),
      ),
    );
    patchError(() =>
      smp(deployment(), {
        metadata: { '$deleteFromPrimitiveList/finalizers': 'a' },
      }),
    );
    patchError(() => smp(deployment(), { metadata: { finalizers: [{ a: 1 }] } }));
  });

  it('rejects unknown $patch values', () => {
    expect(patchError(() => smp(deployment(), { spec: { $patch: 'explode' } })).field).toBe('spec.$patch');
    patchError(() => smp(deployment(), templatePatch({ containers: [{ name: 'hello', $patch: 7 }] })));
  });

  it('throws a PatchError, not a RangeError, on absurdly deep patches', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 100000; i++) deep = { d: deep };
    patchError(() => applyStrategicMergePatch({}, deep, 'ConfigMap'));
    patchError(() => applyStrategicMergePatch({}, deep, 'Widget'));
  });

  it('keeps "__proto__" keys as data without touching prototypes', () => {
    const patch = JSON.parse('{"data":{"__proto__":{"polluted":"yes"}},"metadata":{"constructor":{"x":1}}}') as unknown;
    const out = smp({ kind: 'ConfigMap', metadata: {} }, patch, 'ConfigMap');
    expect(Object.prototype.hasOwnProperty.call(out.data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out.data)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out.metadata.constructor).toEqual({ x: 1 });
  });

  it('returns a result that can be modified without touching the frozen inputs', () => {
    const target = deepFreeze(deployment());
    const patch = deepFreeze(templatePatch({ containers: [{ name: 'new', image: 'x' }] }));
    const out = applyStrategicMergePatch(target, patch, 'Deployment') as any;
    expect(() => {
      containersOf(out).forEach((c) => (c.image = 'changed'));
      out.metadata.labels.app = 'changed';
    }).not.toThrow();
    expect(target.metadata.labels.app).toBe('hello');
  });
});
