// Job control loop: run pods to completion, within parallelism, backoffLimit and activeDeadlineSeconds; then expire.
import type { Condition, Job, JobStatus, Pod } from '@flotilla/resources';
import {
  BURST_REPLICAS,
  clone,
  controllerRefOf,
  controllerRefTo,
  deleteAction,
  eventFor,
  formatTime,
  parseTime,
  semanticEqual,
  slowStartBatch,
} from './actions';
import type { Action } from './actions';
import { compareDeletionOrder, isPodActive, isPodReady, isTerminating } from './pods';

export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';

const DEFAULT_BACKOFF_LIMIT = 6;

function conditionIsTrue(job: Job, type: string): Condition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/**
 * Plans one sync of a Job from the pods of its namespace (those it controls by owner reference). A finished Job
 * (Complete or Failed) is only expired after ttlSecondsAfterFinished.
 */
export function planJob(job: Job, pods: Pod[], now: Date, newName: () => string): Action[] {
  if (isTerminating(job)) return [];
  const finished = conditionIsTrue(job, 'Complete') ?? conditionIsTrue(job, 'Failed');
  if (finished) return planTtl(job, finished, now);

  const actions: Action[] = [];
  const events: Action[] = [];
  const spec = job.spec;
  const ns = job.metadata.namespace;
  const owned = pods.filter((p) => (p.metadata.namespace ?? ns) === ns && controllerRefOf(p)?.uid === job.metadata.uid);
  let active = owned.filter(isPodActive);
  // Counts never go down: a finished pod may be garbage-collected after it was counted.
  const succeeded = Math.max(job.status?.succeeded ?? 0, owned.filter((p) => p.status?.phase === 'Succeeded').length);
  let failed = Math.max(job.status?.failed ?? 0, owned.filter((p) => p.status?.phase === 'Failed').length);

  const status: JobStatus = { ...clone(job.status ?? {}) };
  const conditions = [...(status.conditions ?? [])];
  const setCondition = (type: string, s: Condition['status'], reason: string, message: string) => {
    const current = conditions.find((c) => c.type === type);
    if (current && current.status === s && current.reason === reason) return;
    const t = formatTime(now);
    const next: Condition = { type, status: s, reason, message, lastProbeTime: t, lastTransitionTime: t };
    if (current?.status === s && current.lastTransitionTime) next.lastTransitionTime = current.lastTransitionTime;
    conditions.splice(0, conditions.length, ...conditions.filter((c) => c.type !== type), next);
  };

  const deleteActive = (victims: Pod[]) => {
    for (const p of victims) {
      actions.push(deleteAction(p));
      events.push(eventFor(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`));
    }
    const gone = new Set(victims);
    active = active.filter((p) => !gone.has(p));
  };

  if (spec.suspend) {
    deleteActive(active);
    setCondition('Suspended', 'True', 'JobSuspended', 'Job suspended');
    return finishJob(job, actions, events, { ...status, conditions, active: 0, ready: 0, succeeded, failed });
  }
  if (conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
    setCondition('Suspended', 'False', 'JobResumed', 'Job resumed');
    status.startTime = formatTime(now);
  }
  status.startTime ??= formatTime(now);

  const backoffLimit = spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  const deadline = spec.activeDeadlineSeconds;
  const startedAt = parseTime(status.startTime) ?? now.getTime();
  let failure: { reason: string; message: string } | undefined;
  if (failed > backoffLimit || restartsPastBackoffLimit(job, active, backoffLimit)) {
    failure = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
  } else if (deadline !== undefined && now.getTime() - startedAt >= deadline * 1000) {
    failure = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
  }

  const requeue: number[] = [];
  if (failure) {
    failed += active.length;
    deleteActive([...active]);
    setCondition('Failed', 'True', failure.reason, failure.message);
    events.push(eventFor(job, 'Warning', failure.reason, failure.message));
  } else {
    const parallelism = spec.parallelism ?? 1;
    const completions = spec.completions ?? (spec.parallelism === undefined ? 1 : undefined);
    let want: number;
    if (completions === undefined) want = succeeded > 0 ? active.length : parallelism;
    else want = Math.max(0, Math.min(parallelism, completions - succeeded));

    if (active.length > want) {
      deleteActive([...active].sort(compareDeletionOrder).slice(0, Math.min(active.length - want, BURST_REPLICAS)));
    } else if (active.length < want) {
      const taken = new Set(pods.map((p) => p.metadata.name));
      const count = Math.min(want - active.length, BURST_REPLICAS);
      for (let i = 0; i < count; i++) {
        let name = `${job.metadata.name}-${newName()}`;
        for (let tries = 0; taken.has(name) && tries < 16; tries++) name = `${job.metadata.name}-${newName()}`;
        taken.add(name);
        const pod = podForJob(job, name);
        actions.push({ type: 'create', object: pod, batch: slowStartBatch(i) });
        events.push(eventFor(job, 'Normal', 'SuccessfulCreate', `Created pod: ${name}`));
        active = [...active, pod];
      }
    }

    const complete = completions === undefined ? succeeded > 0 && active.length === 0 : succeeded >= completions;
    if (complete) {
      setCondition('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
      status.completionTime = formatTime(now);
      events.push(eventFor(job, 'Normal', 'Completed', 'Job completed'));
    } else if (deadline !== undefined) {
      requeue.push(startedAt + deadline * 1000 - now.getTime());
    }
  }

  const next: JobStatus = {
    ...status,
    conditions: conditions.length ? conditions : undefined,
    active: active.length,
    ready: active.filter(isPodReady).length,
    succeeded,
    failed,
  };
  const out = finishJob(job, actions, events, next);
  if (requeue.length) out.push({ type: 'requeueAfter', ms: Math.max(0, Math.min(...requeue)) });
  return out;
}

function finishJob(job: Job, actions: Action[], events: Action[], status: JobStatus): Action[] {
  if (!sameJobStatus(job.status, status)) actions.push({ type: 'updateStatus', object: { ...clone(job), status } });
  return [...actions, ...events];
}

function sameJobStatus(a: JobStatus | undefined, b: JobStatus): boolean {
  const norm = (s: JobStatus | undefined) => ({
    ...s,
    active: s?.active ?? 0,
    ready: s?.ready ?? 0,
    succeeded: s?.succeeded ?? 0,
    failed: s?.failed ?? 0,
    conditions: s?.conditions?.length ? s.conditions : undefined,
  });
  return semanticEqual(norm(a), norm(b));
}

/** With restartPolicy OnFailure, failures are container restarts in pods that keep running. */
function restartsPastBackoffLimit(job: Job, active: Pod[], backoffLimit: number): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  const restarts = active.reduce(
    (n, p) => n + [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])].reduce((m, s) => m + (s.restartCount ?? 0), 0),
    0,
  );
  return backoffLimit === 0 ? restarts > 0 : restarts >= backoffLimit;
}

/** ttlSecondsAfterFinished: delete the Job (its pods follow by garbage collection) once the time has passed. */
function planTtl(job: Job, finished: Condition, now: Date): Action[] {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined) return [];
  const finishedAt = parseTime(job.status?.completionTime) ?? parseTime(finished.lastTransitionTime);
  if (finishedAt === undefined) return [];
  const wait = finishedAt + ttl * 1000 - now.getTime();
  return wait <= 0 ? [deleteAction(job)] : [{ type: 'requeueAfter', ms: wait }];
}

function podForJob(job: Job, name: string): Pod {
  const t = job.spec.template;
  const jobName = job.metadata.name ?? '';
  const uid = job.metadata.uid ?? '';
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: job.metadata.namespace,
      labels: {
        ...t.metadata?.labels,
        [LEGACY_CONTROLLER_UID_LABEL]: uid,
        [LEGACY_JOB_NAME_LABEL]: jobName,
        [CONTROLLER_UID_LABEL]: uid,
        [JOB_NAME_LABEL]: jobName,
      },
      ownerReferences: [controllerRefTo(job)],
    },
    spec: clone(t.spec),
  };
  if (t.metadata?.annotations) pod.metadata.annotations = { ...t.metadata.annotations };
  return pod;
}

/**
 * How many active pods the Job controls once `actions` are applied: the bound the worker enforces under the
 * Job's row lock, so two workers (or one reading a lagging cache) cannot start more than the plan meant.
 */
export function jobActiveTarget(job: Job, pods: Pod[], actions: Action[]): number {
  const uid = job.metadata.uid ?? '';
  const active = pods.filter((p) => isPodActive(p) && p.metadata.ownerReferences?.some((r) => r.controller && r.uid === uid)).length;
  const creates = actions.filter((a) => a.type === 'create').length;
  const activeDeletes = actions.filter((a) => a.type === 'delete' && pods.some((p) => p.metadata.name === a.name && isPodActive(p))).length;
  return active + creates - activeDeletes;
}
