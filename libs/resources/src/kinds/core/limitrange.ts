// The LimitRange kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { asArr, asObj, type Rec, validateQuantityMap } from '../../pod-validation';
import { arr, childPath, enumOf, indexPath, keyPath, obj } from '../../schema';
import { kindSchema, resourceList } from '../../schemas';
import { createdAtCol, nameCol } from '../../table-columns';
import type { KindModule } from '../kind-module';

const limitRange = kindSchema('', 'LimitRange', 'LimitRange sets resource usage limits for each kind of resource in a Namespace.', {
  spec: obj(
    {
      limits: arr(
        obj({
          type: enumOf(['Container', 'Pod', 'PersistentVolumeClaim'], 'Type of resource that this limit applies to.'),
          max: resourceList('Max usage constraints on this kind by resource name.'),
          min: resourceList('Min usage constraints on this kind by resource name.'),
          default: resourceList('Default resource requirement limit value by resource name if resource limit is omitted.'),
          defaultRequest: resourceList('The default resource requirement request value by resource name if resource request is omitted.'),
          maxLimitRequestRatio: resourceList('If specified, the limit/request ratio a resource may not exceed.'),
        }),
        'Limits is the list of LimitRangeItem objects that are enforced.',
        { listType: 'atomic' },
      ),
    },
    'Spec defines the limits enforced.',
  ),
});

function validateLimitRange(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  asArr(spec.limits).forEach((lv, i) => {
    const lp = indexPath('spec.limits', i);
    const l = asObj(lv);
    if (!l) return;
    if (l.type === undefined || l.type === null || l.type === '') errs.required(childPath(lp, 'type'));
    const max = validateQuantityMap(errs, l.max, childPath(lp, 'max'));
    const min = validateQuantityMap(errs, l.min, childPath(lp, 'min'));
    const def = validateQuantityMap(errs, l.default, childPath(lp, 'default'));
    const defReq = validateQuantityMap(errs, l.defaultRequest, childPath(lp, 'defaultRequest'));
    validateQuantityMap(errs, l.maxLimitRequestRatio, childPath(lp, 'maxLimitRequestRatio'));
    for (const [name, lo] of min) {
      const hi = max.get(name);
      if (hi !== undefined && lo > hi)
        errs.invalid(
          keyPath(childPath(lp, 'min'), name),
          (asObj(l.min) ?? {})[name],
          `min value ${String((asObj(l.min) ?? {})[name])} is greater than max value ${String((asObj(l.max) ?? {})[name])}`,
        );
    }
    for (const [label, m] of [
      ['default', def],
      ['defaultRequest', defReq],
    ] as const) {
      for (const [name, v] of m) {
        const hi = max.get(name);
        const lo = min.get(name);
        const raw = (asObj(l[label]) ?? {})[name];
        if (hi !== undefined && v > hi)
          errs.invalid(
            keyPath(childPath(lp, label), name),
            raw,
            `${label} value ${String(raw)} is greater than max value ${String((asObj(l.max) ?? {})[name])}`,
          );
        if (lo !== undefined && v < lo)
          errs.invalid(
            keyPath(childPath(lp, label), name),
            raw,
            `min value ${String((asObj(l.min) ?? {})[name])} is greater than ${label} value ${String(raw)}`,
          );
      }
    }
    for (const [name, r] of defReq) {
      const d = def.get(name);
      if (d !== undefined && r > d)
        errs.invalid(
          keyPath(childPath(lp, 'defaultRequest'), name),
          (asObj(l.defaultRequest) ?? {})[name],
          `default request value ${String((asObj(l.defaultRequest) ?? {})[name])} is greater than default limit value ${String((asObj(l.default) ?? {})[name])}`,
        );
    }
  });
}

export const limitRangeKind: KindModule = {
  resource: { kind: 'LimitRange', shortNames: ['limits'] },
  schema: limitRange,
  validate: (e, o) => validateLimitRange(e, o),
  columns: [nameCol, createdAtCol],
};
