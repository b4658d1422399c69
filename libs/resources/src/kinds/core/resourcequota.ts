// The ResourceQuota kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { asArr, asObj, type Rec, validateQuantityMap } from '../../pod-validation';
import { any, indexPath, obj, strings } from '../../schema';
import { kindSchema, resourceList } from '../../schemas';
import { ageCol, nameCol, o } from '../../table-columns';
import type { KubeObject } from '../../types';
import type { KindModule } from '../kind-module';

const resourceQuota = kindSchema('', 'ResourceQuota', 'ResourceQuota sets aggregate quota restrictions enforced per namespace.', {
  spec: obj(
    {
      hard: resourceList('The set of desired hard limits for each named resource.'),
      scopes: strings('A collection of filters that must match each object tracked by a quota.'),
      scopeSelector: any('A collection of filters like scopes that must match each object tracked by a quota.'),
    },
    'Spec defines the desired quota.',
  ),
  status: obj(
    {
      hard: resourceList('The set of enforced hard limits for each named resource.'),
      used: resourceList('The current observed total usage of the resource in the namespace.'),
    },
    'Status defines the actual enforced quota and its current usage.',
  ),
});

function validateResourceQuota(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (spec) validateQuantityMap(errs, spec.hard, 'spec.hard');
  const status = asObj(obj.status);
  if (status) {
    validateQuantityMap(errs, status.hard, 'status.hard');
    validateQuantityMap(errs, status.used, 'status.used');
  }
  const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];
  asArr(spec?.scopes).forEach((s, i) => {
    if (typeof s === 'string' && !SCOPES.includes(s)) errs.notSupported(indexPath('spec.scopes', i), s, SCOPES);
  });
}

function quotaCell(x: KubeObject, limits: boolean): string {
  const hard = o(o(x.status).hard);
  const specHard = o(o(x.spec).hard);
  const used = o(o(x.status).used);
  const source = Object.keys(hard).length ? hard : specHard;
  return Object.keys(source)
    .filter((k) => k.startsWith('limits.') === limits)
    .sort()
    .map((k) => `${k}: ${String(used[k] ?? '0')}/${String(source[k])}`)
    .join(', ');
}

export const resourceQuotaKind: KindModule = {
  resource: { kind: 'ResourceQuota', shortNames: ['quota'], subresources: ['status'] },
  schema: resourceQuota,
  validate: (e, o) => validateResourceQuota(e, o),
  columns: [
    nameCol,
    ageCol,
    { name: 'Request', description: 'Request represents a minimum amount of cpu/memory that a container may consume.', cell: (x) => quotaCell(x, false) },
    {
      name: 'Limit',
      description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
      cell: (x) => quotaCell(x, true),
    },
  ],
  protobuf: 'core.ResourceQuota',
};
