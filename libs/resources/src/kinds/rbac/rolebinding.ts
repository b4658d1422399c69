// The RoleBinding kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { isDNS1123Subdomain, isPathSegmentName } from '../../names';
import { items, rec, setDefault } from '../../pod-defaults';
import { asArr, asObj, asStr, type Rec } from '../../pod-validation';
import { arr, childPath, doc, indexPath, named, type ObjectSchema, str } from '../../schema';
import { kindSchema } from '../../schemas';
import { a, ageCol, type Column, nameCol, o, s, wide } from '../../table-columns';
import type { KubeObject } from '../../types';
import { RBAC_GROUP } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

const subject = named(
  'io.k8s.api.rbac.v1.Subject',
  'A reference to the object or user identities a role binding applies to.',
  {
    kind: str('Kind of object being referenced: "User", "Group", and "ServiceAccount".'),
    apiGroup: str(
      'The API group of the referenced subject. Defaults to "" for ServiceAccount subjects and "rbac.authorization.k8s.io" for User and Group subjects.',
    ),
    name: str('Name of the object being referenced.'),
    namespace: str('Namespace of the referenced object. Required for ServiceAccount subjects of a ClusterRoleBinding.'),
  },
  ['kind', 'name'],
);

const roleRef = named(
  'io.k8s.api.rbac.v1.RoleRef',
  'Information to point to the role being used.',
  {
    apiGroup: str('The group for the resource being referenced.'),
    kind: str('The type of resource being referenced.'),
    name: str('The name of resource being referenced.'),
  },
  ['apiGroup', 'kind', 'name'],
);

export const binding = (kindName: string, what: string): ObjectSchema =>
  kindSchema('rbac.authorization.k8s.io', kindName, what, {
    subjects: arr(subject, 'Subjects holds references to the objects the role applies to.', { listType: 'atomic' }),
    roleRef: doc(roleRef, 'A reference to a Role or ClusterRole. Cannot be updated.'),
  });

const roleBinding = binding(
  'RoleBinding',
  'RoleBinding references a role, but does not contain it. It can reference a Role in the same namespace or a ClusterRole in the global namespace.',
);

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

export function validateBinding(errs: FieldErrors, obj: Rec, old: KubeObject | undefined, cluster: boolean): void {
  const ref = asObj(obj.roleRef);
  if (!ref) errs.required('roleRef');
  else {
    const apiGroup = ref.apiGroup;
    if (apiGroup !== RBAC_GROUP && typeof apiGroup !== 'number') {
      if (apiGroup === undefined || apiGroup === null || apiGroup === '') errs.notSupported('roleRef.apiGroup', apiGroup ?? '', [RBAC_GROUP]);
      else if (typeof apiGroup === 'string') errs.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]);
    }
    const kinds = cluster ? ['ClusterRole'] : ['Role', 'ClusterRole'];
    const k = ref.kind;
    if (k === undefined || k === null || k === '') errs.notSupported('roleRef.kind', '', kinds);
    else if (typeof k === 'string' && !kinds.includes(k)) errs.notSupported('roleRef.kind', k, kinds);
    const name = asStr(ref.name);
    if (!name) errs.required('roleRef.name');
    else errs.check('roleRef.name', name, isPathSegmentName(name));
  }
  asArr(obj.subjects).forEach((sv, i) => {
    const sp = indexPath('subjects', i);
    const s = asObj(sv);
    if (!s) return;
    const name = asStr(s.name);
    if (!name) errs.required(childPath(sp, 'name'));
    const kind = s.kind;
    if (typeof kind === 'string' && !SUBJECT_KINDS.includes(kind)) errs.notSupported(childPath(sp, 'kind'), kind, SUBJECT_KINDS);
    if (kind === undefined || kind === null) errs.notSupported(childPath(sp, 'kind'), '', SUBJECT_KINDS);
    if (kind === 'ServiceAccount') {
      if (typeof s.apiGroup === 'string' && s.apiGroup !== '') errs.notSupported(childPath(sp, 'apiGroup'), s.apiGroup, ['']);
      if (cluster && !asStr(s.namespace)) errs.required(childPath(sp, 'namespace'));
      if (name) errs.check(childPath(sp, 'name'), name, isDNS1123Subdomain(name));
    } else if (kind === 'User' || kind === 'Group') {
      if (typeof s.apiGroup === 'string' && s.apiGroup !== RBAC_GROUP) errs.notSupported(childPath(sp, 'apiGroup'), s.apiGroup, [RBAC_GROUP]);
    }
  });
  if (old && old.roleRef !== undefined && JSON.stringify(obj.roleRef ?? null) !== JSON.stringify(old.roleRef))
    errs.invalid('roleRef', obj.roleRef ?? null, 'cannot change roleRef');
}

export function defaultRoleBinding(o: Rec): void {
  for (const sv of items(o.subjects)) {
    const s = rec(sv);
    if (!s) continue;
    if (s.kind === 'User' || s.kind === 'Group') setDefault(s, 'apiGroup', 'rbac.authorization.k8s.io');
    if (s.kind === 'ServiceAccount') setDefault(s, 'apiGroup', '');
  }
}

function bindingSubjects(x: KubeObject, kind: string): string {
  return a(x.subjects)
    .map(o)
    .filter((sub) => sub.kind === kind)
    .map((sub) => (kind === 'ServiceAccount' ? `${s(sub.namespace)}:${s(sub.name)}` : s(sub.name)))
    .join(', ');
}

export const bindingColumns: Column[] = [
  nameCol,
  { name: 'Role', description: 'Role is the role being referenced.', cell: (x) => `${s(o(x.roleRef).kind)}/${s(o(x.roleRef).name)}` },
  ageCol,
  wide({ name: 'Users', description: 'Users in the roleBinding.', cell: (x) => bindingSubjects(x, 'User') }),
  wide({ name: 'Groups', description: 'Groups in the roleBinding.', cell: (x) => bindingSubjects(x, 'Group') }),
  wide({ name: 'ServiceAccounts', description: 'ServiceAccounts in the roleBinding.', cell: (x) => bindingSubjects(x, 'ServiceAccount') }),
];

export const roleBindingKind: KindModule = {
  resource: { group: RBAC_GROUP, kind: 'RoleBinding', hasSpec: false },
  schema: roleBinding,
  validate: (e, o, old) => validateBinding(e, o, old, false),
  defaults: defaultRoleBinding,
  columns: bindingColumns,
  nameCheck: isPathSegmentName,
  protobuf: 'rbac.RoleBinding',
};
