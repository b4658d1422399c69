// The Job kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { WORKLOAD_LISTS } from '../../merge-lists';
import { child, defaultPodSpec, rec, setDefault } from '../../pod-defaults';
import { asObj, nonNegative, positive, type Rec, validateLabelSelector } from '../../pod-validation';
import { any, bool, childPath, doc, enumOf, int, int64, named, obj, str, strings, time } from '../../schema';
import { conditions, kindSchema, labelSelector, podTemplateSpec } from '../../schemas';
import { ageCol, type Column, hasCondition, n, nameCol, o, s, shortHumanDuration, templateWide } from '../../table-columns';
import type { KubeObject } from '../../types';
import { immutable, validateSelectorAndTemplate, validateTemplate } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

export const jobSpec = named(
  'io.k8s.api.batch.v1.JobSpec',
  'JobSpec describes how the job execution will look like.',
  {
    parallelism: int('The maximum desired number of pods the job should run at any given time. Defaults to 1.'),
    completions: int('The desired number of successfully finished pods the job should be run with.'),
    activeDeadlineSeconds: int64(
      'The duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.',
    ),
    podFailurePolicy: any('The handling of failed pods.'),
    successPolicy: any('The policy when the Job can be declared as succeeded.'),
    backoffLimit: int('The number of retries before marking this job failed. Defaults to 6.'),
    backoffLimitPerIndex: int(),
    maxFailedIndexes: int(),
    selector: doc(labelSelector, 'A label query over pods that should match the pod count. Normally, the system sets this field for you.'),
    manualSelector: bool('Controls generation of pod labels and pod selectors. Leave unset unless you are certain what you are doing.'),
    template: doc(
      podTemplateSpec,
      'Describes the pod that will be created when executing a job. The only allowed restartPolicy values are "Never" or "OnFailure".',
    ),
    ttlSecondsAfterFinished: int('Limits the lifetime of a Job that has finished execution.'),
    completionMode: enumOf(['NonIndexed', 'Indexed'], 'How Pod completions are tracked. Defaults to NonIndexed.'),
    suspend: bool('Whether the Job controller should create Pods or not.'),
    podReplacementPolicy: enumOf(['TerminatingOrFailed', 'Failed'], 'When to create replacement Pods.'),
    managedBy: str('The controller which manages the Job.'),
  },
  ['template'],
);

const job = kindSchema('batch', 'Job', 'Job represents the configuration of a single job.', {
  spec: doc(jobSpec, 'Specification of the desired behavior of a job.'),
  status: obj(
    {
      conditions: { ...conditions("The latest available observations of an object's current state."), listType: 'atomic' },
      startTime: time(),
      completionTime: time(),
      active: int(),
      succeeded: int(),
      failed: int(),
      terminating: int(),
      completedIndexes: str(),
      failedIndexes: str(),
      uncountedTerminatedPods: obj({ succeeded: strings(), failed: strings() }),
      ready: int(),
    },
    'Current status of a job.',
  ),
});

export function validateJobSpec(errs: FieldErrors, specValue: unknown, path: string, old: Rec | undefined, inCronJob: boolean): void {
  const spec = asObj(specValue);
  if (!spec) {
    errs.required(path);
    return;
  }
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'])
    nonNegative(errs, spec[f], childPath(path, f));
  positive(errs, spec.activeDeadlineSeconds, childPath(path, 'activeDeadlineSeconds'));
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null))
    errs.required(childPath(path, 'completions'), 'when completion mode is Indexed');
  const tmpl = validateTemplate(errs, spec.template, childPath(path, 'template'), { restartPolicies: ['OnFailure', 'Never'], restartPolicyRequired: true });
  if (!inCronJob) validateSelectorAndTemplate(errs, spec, path, tmpl, 'job', true);
  else validateLabelSelector(errs, spec.selector, childPath(path, 'selector'));
  if (old) {
    immutable(errs, childPath(path, 'selector'), spec.selector, old.selector);
    immutable(errs, childPath(path, 'template'), spec.template, old.template);
    immutable(errs, childPath(path, 'completionMode'), spec.completionMode, old.completionMode);
    if (spec.completionMode !== 'Indexed') immutable(errs, childPath(path, 'completions'), spec.completions, old.completions);
  }
}

/** Job pod labels and selector, derived from the Job's uid as the Job controller expects. */
function defaultJobSelector(o: Rec, spec: Rec): void {
  const uid = rec(o.metadata)?.uid;
  if (typeof uid !== 'string' || uid === '' || spec.manualSelector === true) return;
  if (spec.selector !== undefined && spec.selector !== null) return;
  const name = rec(o.metadata)?.name;
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const tmpl = rec(spec.template);
  if (!tmpl) return;
  const meta = child(tmpl, 'metadata');
  const labels = meta && child(meta, 'labels');
  if (!labels) return;
  setDefault(labels, 'batch.kubernetes.io/controller-uid', uid);
  setDefault(labels, 'controller-uid', uid);
  if (typeof name === 'string') {
    setDefault(labels, 'batch.kubernetes.io/job-name', name);
    setDefault(labels, 'job-name', name);
  }
}

function defaultJob(o: Rec): void {
  const spec = rec(o.spec);
  if (!spec) return;
  // A work-queue Job (parallelism without completions) keeps completions unset.
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) spec.completions = 1;
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  defaultJobSelector(o, spec);
  // restartPolicy is not defaulted for Jobs: Always is invalid and the user must choose.
  const tmpl = rec(spec.template);
  const podSpec = rec(tmpl?.spec);
  if (podSpec) {
    const had = podSpec.restartPolicy;
    defaultPodSpec(podSpec);
    if (had === undefined || had === null) delete podSpec.restartPolicy;
  }
}

export function jobStatus(x: KubeObject): string {
  const conds = o(x.status).conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (o(x.metadata).deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  return 'Running';
}

export function jobCompletions(x: KubeObject): string {
  const spec = o(x.spec);
  const succeeded = n(o(x.status).succeeded);
  if (typeof spec.completions === 'number') return `${succeeded}/${spec.completions}`;
  const parallelism = n(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(x: KubeObject, now: number): string {
  const st = o(x.status);
  const start = Date.parse(s(st.startTime));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(s(st.completionTime));
  return shortHumanDuration((Number.isNaN(end) ? now : end) - start);
}

const jobColumns: Column[] = [
  nameCol,
  { name: 'Status', description: 'Status of the job.', cell: jobStatus },
  { name: 'Completions', description: 'The desired number of successfully finished pods the job should be run with.', cell: jobCompletions },
  { name: 'Duration', description: 'Time required to complete the job.', cell: jobDuration },
  ageCol,
  ...templateWide((x) => o(x.spec).template),
];

export const jobKind: KindModule = {
  resource: { group: 'batch', kind: 'Job', categories: ['all'], subresources: ['status'] },
  schema: job,
  validate: (e, o, old) => validateJobSpec(e, o.spec, 'spec', old ? asObj(old.spec) : undefined, false),
  defaults: defaultJob,
  columns: jobColumns,
  mergeLists: WORKLOAD_LISTS,
  protobuf: 'batch.Job',
  podTemplatePath: 'spec.template',
};
