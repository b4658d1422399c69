// The ReplicaSet kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { WORKLOAD_LISTS } from '../../merge-lists';
import { defaultTemplate, rec, setDefault } from '../../pod-defaults';
import { asObj, nonNegative, type Rec } from '../../pod-validation';
import { doc, int, int64, obj } from '../../schema';
import { conditions, kindSchema, labelSelector, podTemplateSpec } from '../../schemas';
import { ageCol, type Column, n, nameCol, o, templateWide } from '../../table-columns';
import type { KubeObject } from '../../types';
import { getPath, immutable, validateSelectorAndTemplate, validateTemplate } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

const replicaSet = kindSchema('apps', 'ReplicaSet', 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
  spec: obj(
    {
      replicas: int('The number of desired pods. Defaults to 1.'),
      minReadySeconds: int(),
      selector: doc(
        labelSelector,
        'A label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.',
      ),
      template: doc(podTemplateSpec, 'The object that describes the pod that will be created if insufficient replicas are detected.'),
    },
    'Spec defines the specification of the desired behavior of the ReplicaSet.',
  ),
  status: obj(
    {
      replicas: int(),
      fullyLabeledReplicas: int(),
      readyReplicas: int(),
      availableReplicas: int(),
      terminatingReplicas: int(),
      observedGeneration: int64(),
      conditions: conditions(),
    },
    'The most recently observed status of the ReplicaSet.',
  ),
});

function validateReplicaSet(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  nonNegative(errs, spec.replicas, 'spec.replicas');
  nonNegative(errs, spec.minReadySeconds, 'spec.minReadySeconds');
  const tmpl = validateTemplate(errs, spec.template, 'spec.template', { restartPolicies: ['Always'] });
  validateSelectorAndTemplate(errs, spec, 'spec', tmpl, 'replicaset', false);
  if (old) immutable(errs, 'spec.selector', spec.selector, getPath(old, 'spec.selector'));
}

const replicaSetColumns: Column[] = [
  nameCol,
  { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas.', cell: (x) => n(o(x.spec).replicas) },
  { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.', cell: (x) => n(o(x.status).replicas) },
  { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replica set.', cell: (x) => n(o(x.status).readyReplicas) },
  ageCol,
  ...templateWide((x) => o(x.spec).template),
];

export const replicaSetKind: KindModule = {
  resource: { group: 'apps', kind: 'ReplicaSet', shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'] },
  schema: replicaSet,
  validate: validateReplicaSet,
  defaults: (o) => {
    const spec = rec(o.spec);
    if (!spec) return;
    setDefault(spec, 'replicas', 1);
    defaultTemplate(spec.template);
  },
  columns: replicaSetColumns,
  mergeLists: WORKLOAD_LISTS,
  podTemplatePath: 'spec.template',
};
