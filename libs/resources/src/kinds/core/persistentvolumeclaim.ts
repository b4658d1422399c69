// The PersistentVolumeClaim kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { CONDITIONS, listsUnder } from '../../merge-lists';
import { rec, setDefault } from '../../pod-defaults';
import { asArr, asObj, type Rec, validateLabelSelector, validateQuantityMap } from '../../pod-validation';
import { any, doc, enumOf, indexPath, obj, str, stringMap, strings } from '../../schema';
import { conditions, kindSchema, labelSelector, resourceList } from '../../schemas';
import { a, ageCol, nameCol, o, orNone, s, wide } from '../../table-columns';
import type { KubeObject } from '../../types';
import { getPath, immutable } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

const pvc = kindSchema('', 'PersistentVolumeClaim', "PersistentVolumeClaim is a user's request for and claim to a persistent volume.", {
  spec: obj(
    {
      accessModes: strings('The desired access modes the volume should have: ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod.'),
      selector: doc(labelSelector, 'A label query over volumes to consider for binding.'),
      resources: obj(
        { limits: resourceList(), requests: resourceList('Requests describes the minimum amount of compute resources required.') },
        'The minimum resources the volume should have.',
      ),
      volumeName: str('The binding reference to the PersistentVolume backing this claim.'),
      storageClassName: str('The name of the StorageClass required by the claim.'),
      volumeMode: enumOf(['Block', 'Filesystem'], 'What type of volume is required by the claim. Filesystem is implied when not included.'),
      dataSource: any(),
      dataSourceRef: any(),
      volumeAttributesClassName: str(),
    },
    'The desired characteristics of a volume requested by a pod author.',
  ),
  status: obj(
    {
      phase: enumOf(['Pending', 'Bound', 'Lost'], 'The current phase of PersistentVolumeClaim.'),
      accessModes: strings(),
      capacity: resourceList('The actual resources of the underlying volume.'),
      conditions: conditions(),
      allocatedResources: resourceList(),
      allocatedResourceStatuses: stringMap(),
      currentVolumeAttributesClassName: str(),
      modifyVolumeStatus: any(),
    },
    'The current information/status of a persistent volume claim. Read-only.',
  ),
});

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

function validatePVC(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  const modes = asArr(spec.accessModes);
  if (modes.length === 0) errs.required('spec.accessModes', 'at least 1 access mode is required');
  modes.forEach((m, i) => {
    if (typeof m === 'string' && !ACCESS_MODES.includes(m)) errs.notSupported(indexPath('spec.accessModes', i), m, ACCESS_MODES);
  });
  const res = asObj(spec.resources);
  const requests = validateQuantityMap(errs, res?.requests, 'spec.resources.requests');
  validateQuantityMap(errs, res?.limits, 'spec.resources.limits');
  const storage = requests.get('storage');
  if (storage === undefined) {
    if (!(asObj(res?.requests) && 'storage' in (asObj(res?.requests) ?? {}))) errs.required('spec.resources[storage]');
  } else if (storage <= 0) errs.invalid('spec.resources.requests[storage]', (asObj(res?.requests) ?? {}).storage, 'must be greater than zero');
  validateLabelSelector(errs, spec.selector, 'spec.selector');
  if (old) {
    for (const f of ['accessModes', 'storageClassName', 'volumeMode', 'selector']) {
      const before = getPath(old, `spec.${f}`);
      if (before !== undefined)
        immutable(
          errs,
          `spec.${f}`,
          spec[f],
          before,
          'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
        );
    }
  }
}

export const persistentVolumeClaimKind: KindModule = {
  resource: { kind: 'PersistentVolumeClaim', shortNames: ['pvc'], subresources: ['status'] },
  schema: pvc,
  validate: validatePVC,
  defaults: (o) => {
    const spec = rec(o.spec);
    if (spec) setDefault(spec, 'volumeMode', 'Filesystem');
  },
  columns: [
    nameCol,
    { name: 'Status', description: 'The current phase of the claim.', cell: (x) => s(o(x.status).phase) || 'Pending' },
    { name: 'Volume', description: 'The binding reference to the PersistentVolume backing this claim.', cell: (x) => s(o(x.spec).volumeName) },
    { name: 'Capacity', description: 'The actual resources of the underlying volume.', cell: (x) => String(o(o(x.status).capacity).storage ?? '') },
    {
      name: 'Access Modes',
      description: 'The desired access modes the volume should have.',
      cell: (x) =>
        a(o(x.status).accessModes)
          .map((m) => (({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' }) as Record<string, string>)[s(m)] ?? s(m))
          .join(','),
    },
    { name: 'StorageClass', description: 'The name of the StorageClass required by the claim.', cell: (x) => orNone(s(o(x.spec).storageClassName)) },
    { name: 'VolumeAttributesClass', description: 'The name of the VolumeAttributesClass.', cell: (x) => orNone(s(o(x.spec).volumeAttributesClassName)) },
    ageCol,
    wide({ name: 'VolumeMode', description: 'What type of volume is required by the claim.', cell: (x) => s(o(x.spec).volumeMode) || 'Filesystem' }),
  ],
  mergeLists: listsUnder('status', CONDITIONS),
};
