// The ServiceAccount kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { byKey } from '../../merge-lists';
import { asArr, asObj, asStr, type Rec } from '../../pod-validation';
import { arr, bool, childPath, indexPath, mergeList } from '../../schema';
import { kindSchema, localObjectReference, objectReference } from '../../schemas';
import { a, ageCol, nameCol } from '../../table-columns';
import type { KindModule } from '../kind-module';

const serviceAccount = kindSchema(
  '',
  'ServiceAccount',
  'ServiceAccount binds together a name, understood by users and perhaps by peripheral systems, for an identity; a principal that can be authenticated and authorized; and a set of secrets.',
  {
    secrets: mergeList(
      objectReference,
      'name',
      'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
    ),
    imagePullSecrets: arr(
      localObjectReference,
      'References to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.',
      { listType: 'atomic' },
    ),
    automountServiceAccountToken: bool('Whether pods running as this service account should have an API token automatically mounted.'),
  },
);

function validateServiceAccount(errs: FieldErrors, obj: Rec): void {
  asArr(obj.imagePullSecrets).forEach((sv, i) => {
    const s = asObj(sv);
    if (s && !asStr(s.name)) errs.required(childPath(indexPath('imagePullSecrets', i), 'name'));
  });
}

export const serviceAccountKind: KindModule = {
  resource: { kind: 'ServiceAccount', shortNames: ['sa'], subresources: ['token'], hasSpec: false },
  schema: serviceAccount,
  validate: (e, o) => validateServiceAccount(e, o),
  columns: [
    nameCol,
    {
      name: 'Secrets',
      type: 'integer',
      description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      cell: (x) => a(x.secrets).length,
    },
    ageCol,
  ],
  mergeLists: { secrets: byKey('name') },
  protobuf: 'core.ServiceAccount',
};
