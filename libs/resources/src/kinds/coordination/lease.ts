// The Lease kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { asObj, asStr, nonNegative, positive, type Rec } from '../../pod-validation';
import { int, obj, str, time } from '../../schema';
import { kindSchema } from '../../schemas';
import { ageCol, nameCol, o, s } from '../../table-columns';
import type { KindModule } from '../kind-module';

const lease = kindSchema('coordination.k8s.io', 'Lease', 'Lease defines a lease concept.', {
  spec: obj(
    {
      holderIdentity: str('Contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: int('Duration that candidates for a lease need to wait to force acquire it.'),
      acquireTime: time('A time when the current lease was acquired.'),
      renewTime: time('A time when the current holder of a lease has last updated the lease.'),
      leaseTransitions: int('The number of transitions of a lease between holders.'),
      strategy: str(),
      preferredHolder: str(),
    },
    'Spec contains the specification of the Lease.',
  ),
});

function validateLease(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (!spec) return;
  positive(errs, spec.leaseDurationSeconds, 'spec.leaseDurationSeconds');
  nonNegative(errs, spec.leaseTransitions, 'spec.leaseTransitions');
  for (const f of ['acquireTime', 'renewTime']) {
    const s = asStr(spec[f]);
    if (s && Number.isNaN(Date.parse(s))) errs.invalid(`spec.${f}`, s, 'must be an RFC 3339 date-time with microseconds');
  }
  if (asStr(spec.preferredHolder) && !asStr(spec.strategy)) errs.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined');
}

export const leaseKind: KindModule = {
  resource: { group: 'coordination.k8s.io', kind: 'Lease' },
  schema: lease,
  validate: (e, o) => validateLease(e, o),
  columns: [nameCol, { name: 'Holder', description: 'The holder of the lease.', cell: (x) => s(o(x.spec).holderIdentity) }, ageCol],
};
