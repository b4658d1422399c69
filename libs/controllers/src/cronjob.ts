// CronJob control loop, pure: from the CronJob, the Jobs it owns and the time, the actions to take
// (start the Job for the latest missed schedule, concurrencyPolicy, history limits, status).
import { controllerRefTo, deleteAction, eventFor, formatTime } from './actions';
import type { Action } from './actions';
import type { CronJob, Job } from '@flotilla/resources';
import { CronError, mostRecent, nextAfter, parseCron } from './cron-schedule';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

function finished(job: Job): 'Complete' | 'Failed' | undefined {
  const c = job.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c ? (c.type as 'Complete' | 'Failed') : undefined;
}

function startedAt(job: Job): number {
  return Date.parse(job.status?.startTime ?? job.metadata.creationTimestamp ?? '') || 0;
}

/** Kubernetes names a CronJob's Job after the scheduled minute, so one schedule never starts twice. */
export function jobNameFor(cj: CronJob, scheduled: Date): string {
  return `${cj.metadata.name}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

export function planCronJob(cj: CronJob, owned: Job[], now: Date): Action[] {
  if (cj.metadata.deletionTimestamp) return [];
  const actions: Action[] = [];
  const spec = cj.spec;
  const active = owned.filter((j) => !finished(j) && !j.metadata.deletionTimestamp);
  const done = owned.filter((j) => finished(j));

  // History limits: the oldest finished Jobs beyond the limits go (their pods follow by garbage collection).
  const trim = (jobs: Job[], limit: number) =>
    jobs
      .sort((a, b) => startedAt(a) - startedAt(b))
      .slice(0, Math.max(0, jobs.length - limit))
      .filter((j) => !j.metadata.deletionTimestamp);
  const succeeded = done.filter((j) => finished(j) === 'Complete');
  const failed = done.filter((j) => finished(j) === 'Failed');
  for (const j of [...trim(succeeded, spec.successfulJobsHistoryLimit ?? 3), ...trim(failed, spec.failedJobsHistoryLimit ?? 1)]) {
    actions.push(deleteAction(j));
    actions.push(eventFor(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`));
  }

  const status = { ...(cj.status ?? {}) };
  const lastSuccess = succeeded.map((j) => Date.parse(j.status?.completionTime ?? '') || 0).reduce((a, b) => Math.max(a, b), 0);
  if (lastSuccess && (!status.lastSuccessfulTime || Date.parse(status.lastSuccessfulTime) < lastSuccess))
    status.lastSuccessfulTime = formatTime(new Date(lastSuccess));

  let schedule;
  try {
    schedule = parseCron(spec.schedule);
  } catch (err) {
    actions.push(eventFor(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${spec.schedule}" : ${(err as CronError).message}`));
    return withStatus(cj, actions, status, active);
  }
  if (spec.timeZone && spec.timeZone !== 'UTC' && spec.timeZone !== 'Etc/UTC') {
    actions.push(eventFor(cj, 'Warning', 'UnknownTimeZone', `time zone ${spec.timeZone} is not supported; schedules run in UTC`));
  }

  const since = new Date(Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '') || now.getTime());
  const nextRun = nextAfter(schedule, now);
  const requeue: Action[] = nextRun ? [{ type: 'requeueAfter', ms: nextRun.getTime() - now.getTime() + 100 }] : [];
  if (spec.suspend) return [...withStatus(cj, actions, status, active), ...requeue];

  const { time, missed } = mostRecent(schedule, since, now);
  if (!time) return [...withStatus(cj, actions, status, active), ...requeue];
  if (missed > 100)
    actions.push(
      eventFor(
        cj,
        'Warning',
        'TooManyMissedTimes',
        `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`,
      ),
    );
  const deadline = spec.startingDeadlineSeconds;
  if (deadline !== undefined && now.getTime() - time.getTime() > deadline * 1000) {
    actions.push(eventFor(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatTime(time)}`));
    status.lastScheduleTime = formatTime(time);
    return [...withStatus(cj, actions, status, active), ...requeue];
  }
  const name = jobNameFor(cj, time);
  if (owned.some((j) => j.metadata.name === name)) {
    status.lastScheduleTime = formatTime(time);
    return [...withStatus(cj, actions, status, active), ...requeue];
  }
  const policy = spec.concurrencyPolicy ?? 'Allow';
  if (policy === 'Forbid' && active.length > 0) {
    actions.push(eventFor(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid'));
    return [...withStatus(cj, actions, status, active), { type: 'requeueAfter', ms: 1000 }];
  }
  let stillActive = active;
  if (policy === 'Replace' && active.length > 0) {
    for (const j of active) {
      actions.push(deleteAction(j));
      actions.push(eventFor(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`));
    }
    stillActive = [];
  }
  const tmpl = spec.jobTemplate;
  const job: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: { ...tmpl.metadata?.labels },
      annotations: { ...tmpl.metadata?.annotations, [SCHEDULED_TIMESTAMP_ANNOTATION]: formatTime(time) },
      ownerReferences: [controllerRefTo(cj)],
    },
    spec: structuredClone(tmpl.spec),
  };
  actions.push({ type: 'create', object: job });
  actions.push(eventFor(cj, 'Normal', 'SuccessfulCreate', `Created job ${name}`));
  status.lastScheduleTime = formatTime(time);
  return [...withStatus(cj, actions, status, stillActive), ...requeue];
}

function withStatus(cj: CronJob, actions: Action[], status: NonNullable<CronJob['status']>, active: Job[]): Action[] {
  const next = { ...status };
  const refs = active.map((j) => ({ kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1' }));
  if (refs.length) next.active = refs;
  else delete next.active;
  if (JSON.stringify(next) !== JSON.stringify(cj.status ?? {})) actions.push({ type: 'updateStatus', object: { ...structuredClone(cj), status: next } });
  return actions;
}
