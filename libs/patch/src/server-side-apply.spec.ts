import type { KubeObject } from '@flotilla/resources';
import { PatchError } from './errors';
import { applyServerSideApply, describeApplyConflicts } from './server-side-apply';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

const T1 = '2025-01-01T00:00:00Z';
const T2 = '2025-01-02T00:00:00Z';
const T3 = '2025-01-03T00:00:00Z';

interface Config {
  replicas?: number;
  labels?: Record<string, string>;
  containers?: { name: string; image?: string }[];
}

function config({ replicas = 2, labels = { app: 'web' }, containers = [{ name: 'web', image: 'nginx:1.27' }] }: Config = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels },
    spec: { replicas, template: { spec: { containers } } },
  };
}

/** The API's role on create: add the server-owned identity to what apply produced. */
function stored(obj: KubeObject): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      uid: 'u-1',
      resourceVersion: '7',
      creationTimestamp: T1,
    },
  };
}

function ssa(live: KubeObject | undefined, applied: KubeObject, manager = 'kubectl', force = false, now = T2) {
  return applyServerSideApply(deepFreeze(live), deepFreeze(applied), manager, force, now);
}

const entry = (obj: KubeObject, manager: string): any => obj.metadata.managedFields?.find((e) => e.manager === manager);

/** Another manager (e.g. kubectl scale or edit) that owns spec.replicas through an Update. */
function scaledBy(obj: KubeObject, manager: string, replicas: number, operation: 'Update' | 'Apply' = 'Update'): KubeObject {
  return {
    ...obj,
    spec: { ...(obj.spec as object), replicas },
    metadata: {
      ...obj.metadata,
      managedFields: [
        ...(obj.metadata.managedFields ?? []),
        {
          manager,
          operation,
          apiVersion: 'apps/v1',
          time: T1,
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
        },
      ],
    },
  };
}

describe('applyServerSideApply', () => {
  it('creates the object and records the applied fields in FieldsV1 with list items by merge key', () => {
    const { object, conflicts } = ssa(undefined, config(), 'kubectl', false, T1);
    expect(conflicts).toEqual([]);
    expect(object.spec).toEqual(config().spec);
    expect(object.metadata.labels).toEqual({ app: 'web' });
    expect(object.metadata.managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: T1,
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('updates the fields it applies, keeps server-set fields, and moves the timestamp', () => {
    const live = stored(ssa(undefined, config(), 'kubectl', false, T1).object);
    const { object } = ssa(live, config({ replicas: 5 }), 'kubectl', false, T2);
    expect((object.spec as any).replicas).toBe(5);
    expect(object.metadata.uid).toBe('u-1');
    expect(object.metadata.resourceVersion).toBe('7');
    expect(entry(object, 'kubectl').time).toBe(T2);
  });

  it('is idempotent: applying the same configuration again changes nothing, not even the time', () => {
    const live = stored(ssa(undefined, config(), 'kubectl', false, T1).object);
    expect(ssa(live, config(), 'kubectl', false, T3).object).toEqual(live);
  });

  it('ignores server-owned metadata in the applied configuration', () => {
    const live = stored(ssa(undefined, config(), 'kubectl', false, T1).object);
    const applied = {
      ...config(),
      metadata: {
        ...config().metadata,
        uid: 'forged',
        resourceVersion: '1',
        managedFields: [],
      },
    };
    const { object } = ssa(live, applied);
    expect(object.metadata.uid).toBe('u-1');
    expect(object.metadata.resourceVersion).toBe('7');
    expect(object.metadata.managedFields).toHaveLength(1);
  });

  it('reports a conflict when another manager owns a field the apply would change, and changes nothing', () => {
    const live = scaledBy(stored(ssa(undefined, config(), 'kubectl', false, T1).object), 'kubectl-edit', 5);
    const result = ssa(live, config({ replicas: 3 }));
    expect(result.conflicts).toEqual(['.spec.replicas']);
    expect(result.conflictDetails).toEqual([
      {
        path: '.spec.replicas',
        manager: 'kubectl-edit',
        operation: 'Update',
        apiVersion: 'apps/v1',
      },
    ]);
    expect(result.object).toEqual(live);
    expect(describeApplyConflicts(result.conflictDetails)).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
  });

  it('names list items the Kubernetes way in conflicts with another applier', () => {
    const first = ssa(undefined, config(), 'ci', false, T1).object;
    const result = ssa(stored(first), config({ containers: [{ name: 'web', image: 'nginx:1.28' }] }), 'kubectl');
    // replicas and labels are applied with the same values: shared, not conflicting.
    expect(result.conflicts).toEqual(['.spec.template.spec.containers[name="web"].image']);
    expect(result.conflictDetails[0].manager).toBe('ci');
  });

  it('shares ownership without conflict when the value is the same', () => {
    const live = scaledBy(stored(ssa(undefined, config(), 'kubectl', false, T1).object), 'kubectl-edit', 4);
    const { object, conflicts } = ssa(live, config({ replicas: 4 }));
    expect(conflicts).toEqual([]);
    expect(entry(object, 'kubectl-edit').fieldsV1).toEqual({
      'f:spec': { 'f:replicas': {} },
    });
    expect(entry(object, 'kubectl').fieldsV1['f:spec']['f:replicas']).toEqual({});
  });

  it('with force, takes the field over: the value changes and the other manager loses it', () => {
    const live = scaledBy(stored(ssa(undefined, config(), 'kubectl', false, T1).object), 'kubectl-edit', 5);
    const { object, conflicts } = ssa(live, config({ replicas: 3 }), 'kubectl', true);
    expect(conflicts).toEqual([]);
    expect((object.spec as any).replicas).toBe(3);
    // kubectl-edit owned nothing else, so its entry disappears.
    expect(entry(object, 'kubectl-edit')).toBeUndefined();
    expect(object.metadata.managedFields?.map((e) => e.manager)).toEqual(['kubectl']);
  });

  it('does not conflict with its own Update entry', () => {
    const live = scaledBy(stored(ssa(undefined, config(), 'kubectl', false, T1).object), 'kubectl', 5);
    expect(ssa(live, config({ replicas: 3 })).conflicts).toEqual([]);
  });

  it('removes a field the manager stopped applying, unless another manager owns it', () => {
    const live = stored(ssa(undefined, config({ labels: { app: 'web', tier: 'front', team: 'a' } }), 'kubectl', false, T1).object);
    const shared = {
      ...live,
      metadata: {
        ...live.metadata,
        managedFields: [
          ...(live.metadata.managedFields ?? []),
          {
            manager: 'labeler',
            operation: 'Update' as const,
            time: T1,
            fieldsType: 'FieldsV1' as const,
            fieldsV1: { 'f:metadata': { 'f:labels': { 'f:team': {} } } },
          },
        ],
      },
    };
    const { object } = ssa(shared, config({ labels: { app: 'web' } }));
    expect(object.metadata.labels).toEqual({ app: 'web', team: 'a' });
    expect(entry(object, 'kubectl').fieldsV1['f:metadata']).toEqual({
      'f:labels': { 'f:app': {} },
    });
  });

  it('removes a container and an emptied map the manager no longer applies', () => {
    const two = config({
      containers: [
        { name: 'web', image: 'a' },
        { name: 'sidecar', image: 'b' },
      ],
    });
    const live = stored(ssa(undefined, two, 'kubectl', false, T1).object);
    const applied = config({ containers: [{ name: 'web', image: 'a' }] });
    delete applied.metadata.labels;
    const { object } = ssa(live, applied);
    expect((object.spec as any).template.spec.containers).toEqual([{ name: 'web', image: 'a' }]);
    expect(object.metadata.labels).toBeUndefined();
  });

  it('keeps fields nobody owns (set by a plain create) when they are not applied', () => {
    const live: KubeObject = {
      ...config(),
      spec: { ...(config().spec as object), paused: true },
      metadata: { name: 'web', labels: { app: 'web' } },
    };
    const { object } = ssa(live, config({ replicas: 9 }));
    expect((object.spec as any).paused).toBe(true);
    expect((object.spec as any).replicas).toBe(9);
  });

  it('rejects a missing field manager or a malformed configuration with a PatchError', () => {
    expect(() => ssa(undefined, config(), '')).toThrow(PatchError);
    expect(() => applyServerSideApply(undefined, 7 as unknown as KubeObject, 'm', false, T1)).toThrow(PatchError);
    expect(() => applyServerSideApply(undefined, { metadata: {} } as unknown as KubeObject, 'm', false, T1)).toThrow(PatchError);
    expect(() => applyServerSideApply(undefined, { ...config(), metadata: 'x' } as unknown as KubeObject, 'm', false, T1)).toThrow(PatchError);
  });

  it('reads malformed stored managedFields as owning nothing', () => {
    const live = stored(config({ replicas: 1 }));
    const odd = {
      ...live,
      metadata: {
        ...live.metadata,
        managedFields: [null, { manager: 'x', fieldsV1: 'garbage' }, { manager: 'y', fieldsV1: { 'f:spec': 42 } }],
      },
    };
    const result = ssa(odd as unknown as KubeObject, config({ replicas: 2 }));
    expect(result.conflicts).toEqual([]);
    expect((result.object.spec as any).replicas).toBe(2);
  });
});
