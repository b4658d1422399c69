// The Namespace kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { CONDITIONS, listsUnder } from '../../merge-lists';
import { isDNS1123Label, isQualifiedName } from '../../names';
import { child, setDefault } from '../../pod-defaults';
import { asArr, asObj, type Rec } from '../../pod-validation';
import { enumOf, indexPath, obj, strings } from '../../schema';
import { conditions, kindSchema } from '../../schemas';
import { ageCol, nameCol, o, s } from '../../table-columns';
import type { KindModule } from '../kind-module';

const namespace = kindSchema('', 'Namespace', 'Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
  spec: obj(
    { finalizers: strings('An opaque list of values that must be empty to permanently remove the object from storage.') },
    'Spec defines the behavior of the Namespace.',
  ),
  status: obj(
    { phase: enumOf(['Active', 'Terminating'], 'The current lifecycle phase of the namespace.'), conditions: conditions() },
    'Status describes the current status of a Namespace.',
  ),
});

function validateNamespace(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  asArr(spec?.finalizers).forEach((f, i) => {
    if (typeof f === 'string') errs.check(indexPath('spec.finalizers', i), f, isQualifiedName(f));
  });
}

function defaultNamespace(o: Rec): void {
  const spec = child(o, 'spec');
  if (spec && (spec.finalizers === undefined || spec.finalizers === null)) spec.finalizers = ['kubernetes'];
  const status = child(o, 'status');
  if (status) setDefault(status, 'phase', 'Active');
}

export const namespaceKind: KindModule = {
  resource: { kind: 'Namespace', cluster: true, shortNames: ['ns'] },
  schema: namespace,
  validate: (e, o) => validateNamespace(e, o),
  defaults: defaultNamespace,
  columns: [nameCol, { name: 'Status', description: 'The status of the namespace', cell: (x) => s(o(x.status).phase) }, ageCol],
  mergeLists: listsUnder('status', CONDITIONS),
  nameCheck: isDNS1123Label,
  protobuf: 'core.Namespace',
  lifecycle: {
    initialStatus: () => ({ phase: 'Active' }),
    onCreate: (out, submitted) => {
      out.spec = { finalizers: ['kubernetes'], ...((submitted.spec as object) ?? {}) };
    },
    // Namespace finalizers change only through /finalize.
    onUpdate: (out, old, sub) => {
      if (sub !== 'finalize') out.spec = old.spec;
    },
    specFinalizers: (obj) => (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [],
    onMarkDeleted: (out, obj) => {
      out.status = { ...((obj.status as object) ?? {}), phase: 'Terminating' };
    },
  },
};
