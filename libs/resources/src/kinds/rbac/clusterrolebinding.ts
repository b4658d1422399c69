// The ClusterRoleBinding kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { isPathSegmentName } from '../../names';
import { RBAC_GROUP } from '../../validation-helpers';
import type { KindModule } from '../kind-module';
import { binding, bindingColumns, defaultRoleBinding, validateBinding } from './rolebinding';

const clusterRoleBinding = binding('ClusterRoleBinding', 'ClusterRoleBinding references a ClusterRole, but not contain it.');

export const clusterRoleBindingKind: KindModule = {
  resource: { group: RBAC_GROUP, kind: 'ClusterRoleBinding', cluster: true, hasSpec: false },
  schema: clusterRoleBinding,
  validate: (e, o, old) => validateBinding(e, o, old, true),
  defaults: defaultRoleBinding,
  columns: bindingColumns,
  nameCheck: isPathSegmentName,
  protobuf: 'rbac.ClusterRoleBinding',
};
