// The Role kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { isPathSegmentName } from '../../names';
import { asArr, asObj, type Rec } from '../../pod-validation';
import { arr, childPath, indexPath, named, strings } from '../../schema';
import { kindSchema } from '../../schemas';
import { createdAtCol, nameCol } from '../../table-columns';
import { RBAC_GROUP } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

const policyRule = named(
  'io.k8s.api.rbac.v1.PolicyRule',
  'Information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.',
  {
    verbs: strings("A list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs."),
    apiGroups: strings('The name of the APIGroup that contains the resources. "" represents the core API group and "*" represents all API groups.'),
    resources: strings("A list of resources this rule applies to. '*' represents all resources."),
    resourceNames: strings('An optional allow list of names that the rule applies to.'),
    nonResourceURLs: strings('A set of partial urls that a user should have access to. Only in ClusterRoles.'),
  },
  ['verbs'],
);

export const rules = arr(policyRule, 'Rules holds all the PolicyRules for this role.', { listType: 'atomic' });

const role = kindSchema(
  'rbac.authorization.k8s.io',
  'Role',
  'Role is a namespaced, logical grouping of PolicyRules that can be referenced as a unit by a RoleBinding.',
  { rules },
);

export function validateRules(errs: FieldErrors, obj: Rec, namespaced: boolean): void {
  asArr(obj.rules).forEach((rv, i) => {
    const rp = indexPath('rules', i);
    const r = asObj(rv);
    if (!r) return;
    if (asArr(r.verbs).length === 0) errs.required(childPath(rp, 'verbs'), 'verbs must contain at least one value');
    const urls = asArr(r.nonResourceURLs);
    if (urls.length > 0) {
      if (namespaced) errs.invalid(childPath(rp, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs');
      if (asArr(r.apiGroups).length > 0 || asArr(r.resources).length > 0 || asArr(r.resourceNames).length > 0)
        errs.invalid(childPath(rp, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs');
      return;
    }
    if (asArr(r.apiGroups).length === 0) errs.required(childPath(rp, 'apiGroups'), 'resource rules must supply at least one api group');
    if (asArr(r.resources).length === 0) errs.required(childPath(rp, 'resources'), 'resource rules must supply at least one resource');
  });
}

export const roleKind: KindModule = {
  resource: { group: RBAC_GROUP, kind: 'Role', hasSpec: false },
  schema: role,
  validate: (e, o) => validateRules(e, o, true),
  columns: [nameCol, createdAtCol],
  nameCheck: isPathSegmentName,
  protobuf: 'rbac.Role',
};
