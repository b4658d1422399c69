// The ClusterRole kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { isPathSegmentName } from '../../names';
import { arr, obj } from '../../schema';
import { kindSchema, labelSelector } from '../../schemas';
import { createdAtCol, nameCol } from '../../table-columns';
import { RBAC_GROUP } from '../../validation-helpers';
import type { KindModule } from '../kind-module';
import { rules, validateRules } from './role';

const clusterRole = kindSchema(
  'rbac.authorization.k8s.io',
  'ClusterRole',
  'ClusterRole is a cluster level, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding or ClusterRoleBinding.',
  {
    rules,
    aggregationRule: obj(
      { clusterRoleSelectors: arr(labelSelector, 'A list of selectors which will be used to find ClusterRoles and create the rules.', { listType: 'atomic' }) },
      'Describes how to build the Rules for this ClusterRole.',
    ),
  },
);

export const clusterRoleKind: KindModule = {
  resource: { group: RBAC_GROUP, kind: 'ClusterRole', cluster: true, hasSpec: false },
  schema: clusterRole,
  validate: (e, o) => validateRules(e, o, false),
  columns: [nameCol, createdAtCol],
  nameCheck: isPathSegmentName,
  protobuf: 'rbac.ClusterRole',
};
