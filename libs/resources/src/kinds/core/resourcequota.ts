// The ResourceQuota kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { asArr, asObj, type Rec, validateQuantityMap } from '../../pod-validation';
import { any, indexPath, keyPath, obj, strings } from '../../schema';
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

/** Quota keys that count objects, whose limits are whole numbers. */
const QUOTA_COUNTS = new Set([
  'pods',
  'services',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'replicationcontrollers',
  'resourcequotas',
  'services.loadbalancers',
  'services.nodeports',
]);

function validateResourceQuota(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (spec) {
    const hard = validateQuantityMap(errs, spec.hard, 'spec.hard');
    // Usage is summed in JavaScript numbers: a limit beyond 2^53 cannot be compared exactly, and a count
    // such as 99999999999999999999 pods is a typing slip, not a quota.
    for (const [key, n] of hard) {
      const p = keyPath('spec.hard', key);
      const raw = asObj(spec.hard)?.[key] as string | number;
      if (n > Number.MAX_SAFE_INTEGER) errs.invalid(p, raw, `must be no larger than ${Number.MAX_SAFE_INTEGER}`);
      else if ((QUOTA_COUNTS.has(key) || key.startsWith('count/')) && !Number.isInteger(n)) errs.invalid(p, raw, 'must be a whole number of objects');
    }
  }
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
