// The CronJob kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { OBJECT_META_LISTS, podTemplateLists, listsUnder } from '../../merge-lists';
import { isDNS1123Subdomain } from '../../names';
import { defaultPodSpec, rec, setDefault } from '../../pod-defaults';
import { asObj, nonNegative, type Rec, validateLabels } from '../../pod-validation';
import { arr, bool, doc, enumOf, int, int64, obj, str, time } from '../../schema';
import { kindSchema, objectMeta, objectReference } from '../../schemas';
import { a, ageCol, type Column, containerImages, containerNames, nameCol, o, orNone, s, selectorString, since, wide } from '../../table-columns';
import type { KubeObject } from '../../types';
import type { KindModule } from '../kind-module';
import { jobSpec, validateJobSpec } from './job';

const cronJob = kindSchema('batch', 'CronJob', 'CronJob represents the configuration of a single cron job.', {
  spec: obj(
    {
      schedule: str('The schedule in Cron format.'),
      timeZone: str('The time zone name for the given schedule.'),
      startingDeadlineSeconds: int64('Optional deadline in seconds for starting the job if it misses scheduled time for any reason.'),
      concurrencyPolicy: enumOf(['Allow', 'Forbid', 'Replace'], 'Specifies how to treat concurrent executions of a Job. Defaults to Allow.'),
      suspend: bool('This flag tells the controller to suspend subsequent executions. Defaults to false.'),
      jobTemplate: obj(
        {
          metadata: doc(objectMeta, "Standard object's metadata of the jobs created from this template."),
          spec: doc(jobSpec, 'Specification of the desired behavior of the job.'),
        },
        'Specifies the job that will be created when executing a CronJob.',
      ),
      successfulJobsHistoryLimit: int('The number of successful finished jobs to retain. Defaults to 3.'),
      failedJobsHistoryLimit: int('The number of failed finished jobs to retain. Defaults to 1.'),
    },
    'Specification of the desired behavior of a cron job, including the schedule.',
  ),
  status: obj(
    {
      active: arr(objectReference, 'A list of pointers to currently running jobs.', { listType: 'atomic' }),
      lastScheduleTime: time('Information when was the last time the job was successfully scheduled.'),
      lastSuccessfulTime: time('Information when was the last time the job successfully completed.'),
    },
    'Current status of a cron job.',
  ),
});

const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

function cronScheduleProblem(s: string): string | undefined {
  const t = s.trim();
  if (t.startsWith('TZ=') || t.startsWith('CRON_TZ=')) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  if (CRON_MACROS.has(t)) return undefined;
  if (/^@every\s+\S+$/.test(t)) return undefined;
  const fields = t.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${t}`;
  const ranges: [number, number][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ];
  const names = [undefined, undefined, undefined, /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$/i, /^(sun|mon|tue|wed|thu|fri|sat)$/i];
  for (let i = 0; i < 5; i++) {
    for (const part of fields[i].split(',')) {
      const [rangePart, step] = part.split('/');
      if (step !== undefined && !/^\d+$/.test(step)) return `invalid step in ${fields[i]}`;
      if (rangePart === '*' || rangePart === '?') continue;
      for (const bound of rangePart.split('-')) {
        const nameRe = names[i];
        if (nameRe && nameRe.test(bound)) continue;
        if (!/^\d+$/.test(bound)) return `failed to parse int from ${bound}`;
        const n = Number(bound);
        const [lo, hi] = ranges[i];
        if (n < lo || n > hi) return `end of range (${n}) above maximum (${hi}): ${part}`;
      }
    }
  }
  return undefined;
}

function validateCronJob(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  const schedule = spec.schedule;
  if (schedule === undefined || schedule === null || schedule === '') errs.required('spec.schedule');
  else if (typeof schedule === 'string') {
    const p = cronScheduleProblem(schedule);
    if (p) errs.invalid('spec.schedule', schedule, p);
  }
  nonNegative(errs, spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds');
  nonNegative(errs, spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit');
  nonNegative(errs, spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit');
  const jt = asObj(spec.jobTemplate);
  if (!jt) {
    if (spec.jobTemplate === undefined || spec.jobTemplate === null) errs.required('spec.jobTemplate');
    return;
  }
  validateLabels(errs, asObj(jt.metadata)?.labels, 'spec.jobTemplate.metadata.labels');
  validateJobSpec(errs, jt.spec, 'spec.jobTemplate.spec', undefined, true);
  void old;
}

function defaultCronJob(o: Rec): void {
  const spec = rec(o.spec);
  if (!spec) return;
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = rec(rec(spec.jobTemplate)?.spec);
  const podSpec = rec(rec(jobSpec?.template)?.spec);
  if (podSpec) {
    const had = podSpec.restartPolicy;
    defaultPodSpec(podSpec);
    if (had === undefined || had === null) delete podSpec.restartPolicy;
  }
}

const cronJobColumns: Column[] = [
  nameCol,
  { name: 'Schedule', description: 'The schedule in Cron format.', cell: (x) => s(o(x.spec).schedule) },
  { name: 'Timezone', description: 'The time zone name for the given schedule.', cell: (x) => orNone(s(o(x.spec).timeZone)) },
  {
    name: 'Suspend',
    type: 'boolean',
    description: 'This flag tells the controller to suspend subsequent executions.',
    cell: (x) => (o(x.spec).suspend === true ? 'True' : 'False'),
  },
  { name: 'Active', type: 'integer', description: 'A list of pointers to currently running jobs.', cell: (x) => a(o(x.status).active).length },
  {
    name: 'Last Schedule',
    description: 'Information when was the last time the job was successfully scheduled.',
    cell: (x, now) => (s(o(x.status).lastScheduleTime) ? since(o(x.status).lastScheduleTime, now) : '<none>'),
  },
  ageCol,
  wide({ name: 'Containers', description: 'Names of each container in the template.', cell: (x) => containerNames(o(o(o(x.spec).jobTemplate).spec).template) }),
  wide({
    name: 'Images',
    description: 'Images referenced by each container in the template.',
    cell: (x) => containerImages(o(o(o(x.spec).jobTemplate).spec).template),
  }),
  wide({
    name: 'Selector',
    description: 'A label query over pods that should match the pod count.',
    cell: (x) => selectorString(o(o(o(x.spec).jobTemplate).spec).selector),
  }),
];

// kubectl's protobuf bodies of a CronJob (k8s.io/api/batch/v1 generated.proto field numbers); Job's messages are shared.
const CRONJOB_PROTO = `
syntax = "proto3";

package batch;

message CronJob {
  meta.ObjectMeta metadata = 1;
  CronJobSpec spec = 2;
  CronJobStatus status = 3;
}

message CronJobSpec {
  string schedule = 1 [(always) = true];
  optional int64 startingDeadlineSeconds = 2;
  string concurrencyPolicy = 3;
  optional bool suspend = 4;
  JobTemplateSpec jobTemplate = 5;
  optional int32 successfulJobsHistoryLimit = 6;
  optional int32 failedJobsHistoryLimit = 7;
  optional string timeZone = 8;
}

message JobTemplateSpec {
  meta.ObjectMeta metadata = 1;
  JobSpec spec = 2;
}

message CronJobStatus {
  repeated core.ObjectReference active = 1;
  meta.Time lastScheduleTime = 4;
  meta.Time lastSuccessfulTime = 5;
}
`;

export const cronJobKind: KindModule = {
  resource: { group: 'batch', kind: 'CronJob', shortNames: ['cj'], categories: ['all'], subresources: ['status'] },
  schema: cronJob,
  validate: validateCronJob,
  defaults: defaultCronJob,
  columns: cronJobColumns,
  mergeLists: { ...podTemplateLists('spec.jobTemplate.spec.template'), ...listsUnder('spec.jobTemplate.metadata', OBJECT_META_LISTS) },
  // Job names get an 11-character suffix and must stay valid labels.
  nameCheck: (n) => [...isDNS1123Subdomain(n), ...(n.length > 52 ? ['must be no more than 52 characters'] : [])],
  protobuf: 'batch.CronJob',
  protobufSchema: CRONJOB_PROTO,
  podTemplatePath: 'spec.jobTemplate.spec.template',
};
