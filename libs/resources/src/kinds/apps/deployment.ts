// The Deployment kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { WORKLOAD_LISTS } from '../../merge-lists';
import { child, defaultTemplate, rec, setDefault } from '../../pod-defaults';
import { asNum, asObj, nonNegative, type Rec } from '../../pod-validation';
import { bool, doc, enumOf, int, int64, intOrStr, named, obj } from '../../schema';
import { conditions, kindSchema, labelSelector, podTemplateSpec } from '../../schemas';
import { ageCol, type Column, n, nameCol, o, templateWide } from '../../table-columns';
import type { KubeObject } from '../../types';
import { getPath, immutable, validateIntOrPercent, validateSelectorAndTemplate, validateTemplate } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

const deployment = kindSchema('apps', 'Deployment', 'Deployment enables declarative updates for Pods and ReplicaSets.', {
  spec: named(
    'io.k8s.api.apps.v1.DeploymentSpec',
    'The specification of the desired behavior of the Deployment.',
    {
      replicas: int('Number of desired pods. Defaults to 1.'),
      selector: doc(labelSelector, "Label selector for pods. It must match the pod template's labels. Immutable in apps/v1."),
      template: doc(podTemplateSpec, 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".'),
      strategy: obj(
        {
          type: enumOf(['Recreate', 'RollingUpdate'], 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
          rollingUpdate: obj(
            {
              maxUnavailable: intOrStr(
                'The maximum number of pods that can be unavailable during the update: an absolute number or a percentage of desired pods. Defaults to 25%.',
              ),
              maxSurge: intOrStr(
                'The maximum number of pods that can be scheduled above the desired number of pods: an absolute number or a percentage. Defaults to 25%.',
              ),
            },
            'Rolling update config params. Present only if type = RollingUpdate.',
          ),
        },
        'The deployment strategy to use to replace existing pods with new ones.',
      ),
      minReadySeconds: int(
        'Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.',
      ),
      revisionHistoryLimit: int('The number of old ReplicaSets to retain to allow rollback. Defaults to 10.'),
      paused: bool('Indicates that the deployment is paused.'),
      progressDeadlineSeconds: int('The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.'),
    },
    ['selector', 'template'],
  ),
  status: obj(
    {
      observedGeneration: int64('The generation observed by the deployment controller.'),
      replicas: int('Total number of non-terminated pods targeted by this deployment (their labels match the selector).'),
      updatedReplicas: int('Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      readyReplicas: int('Number of pods targeted by this Deployment with a Ready Condition.'),
      availableReplicas: int('Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      unavailableReplicas: int('Total number of unavailable pods targeted by this deployment.'),
      terminatingReplicas: int(),
      conditions: conditions("Represents the latest available observations of a deployment's current state."),
      collisionCount: int('Count of hash collisions for the Deployment.'),
    },
    'Most recently observed status of the Deployment.',
  ),
});

function validateDeployment(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  nonNegative(errs, spec.replicas, 'spec.replicas');
  const tmpl = validateTemplate(errs, spec.template, 'spec.template', { restartPolicies: ['Always'] });
  validateSelectorAndTemplate(errs, spec, 'spec', tmpl, 'deployment', false);
  nonNegative(errs, spec.minReadySeconds, 'spec.minReadySeconds');
  nonNegative(errs, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  const pds = asNum(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    if (pds <= 0) errs.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than 0');
    const mrs = asNum(spec.minReadySeconds) ?? 0;
    if (pds > 0 && pds <= mrs) errs.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds');
  }
  const strategy = asObj(spec.strategy);
  if (strategy) {
    const ru = asObj(strategy.rollingUpdate);
    if (strategy.type === 'Recreate' && ru) errs.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'");
    if (ru && strategy.type !== 'Recreate') {
      const surge = validateIntOrPercent(errs, ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge');
      const unavail = validateIntOrPercent(errs, ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable');
      if (typeof ru.maxUnavailable === 'string' && unavail !== undefined && unavail > 100)
        errs.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'must not be greater than 100%');
      if (surge === 0 && unavail === 0) errs.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
    }
  }
  if (old) immutable(errs, 'spec.selector', spec.selector, getPath(old, 'spec.selector'));
}

function defaultDeployment(o: Rec): void {
  const spec = rec(o.spec);
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  const strategy = child(spec, 'strategy');
  if (strategy) {
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = child(strategy, 'rollingUpdate');
      if (ru) {
        setDefault(ru, 'maxUnavailable', '25%');
        setDefault(ru, 'maxSurge', '25%');
      }
    }
  }
  defaultTemplate(spec.template);
}

const deploymentColumns: Column[] = [
  nameCol,
  { name: 'Ready', description: 'Number of the pod with ready state', cell: (x) => `${n(o(x.status).readyReplicas)}/${n(o(x.spec).replicas)}` },
  {
    name: 'Up-to-date',
    type: 'integer',
    description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    cell: (x) => n(o(x.status).updatedReplicas),
  },
  {
    name: 'Available',
    type: 'integer',
    description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    cell: (x) => n(o(x.status).availableReplicas),
  },
  ageCol,
  ...templateWide((x) => o(x.spec).template),
];

export const deploymentKind: KindModule = {
  resource: { group: 'apps', kind: 'Deployment', shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'] },
  schema: deployment,
  validate: validateDeployment,
  defaults: defaultDeployment,
  columns: deploymentColumns,
  mergeLists: WORKLOAD_LISTS,
  protobuf: 'apps.Deployment',
  podTemplatePath: 'spec.template',
};
