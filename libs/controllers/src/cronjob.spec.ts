import type { CronJob, Job } from '@flotilla/resources';
import { jobNameFor, planCronJob } from './cronjob';

function cronJob(spec: Partial<CronJob['spec']> = {}, status?: CronJob['status']): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'ns', uid: 'cj-uid', creationTimestamp: '2024-05-01T10:00:00Z' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
    status,
  };
}

function job(name: string, state: 'active' | 'Complete' | 'Failed', start: string): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ns', uid: `${name}-uid`, creationTimestamp: start },
    spec: { template: { spec: { containers: [] } } },
    status: {
      startTime: start,
      conditions: state === 'active' ? [] : [{ type: state, status: 'True' }],
      completionTime: state === 'Complete' ? start : undefined,
    },
  };
}

const now = new Date('2024-05-01T10:07:00Z');

describe('planCronJob', () => {
  it('starts the Job for the latest scheduled time, named after that minute', () => {
    const actions = planCronJob(cronJob(), [], now);
    const create = actions.find((a) => a.type === 'create');
    expect(create?.type === 'create' && create.object.metadata.name).toBe(jobNameFor(cronJob(), new Date('2024-05-01T10:05:00Z')));
    const status = actions.find((a) => a.type === 'updateStatus');
    expect(status?.type === 'updateStatus' && (status.object as CronJob).status?.lastScheduleTime).toBe('2024-05-01T10:05:00Z');
    expect(actions.find((a) => a.type === 'requeueAfter')).toEqual({ type: 'requeueAfter', ms: 3 * 60_000 + 100 });
  });

  it('does not start a Job twice for the same time', () => {
    const existing = job(jobNameFor(cronJob(), new Date('2024-05-01T10:05:00Z')), 'active', '2024-05-01T10:05:00Z');
    const actions = planCronJob(cronJob({}, { lastScheduleTime: '2024-05-01T10:05:00Z' }), [existing], now);
    expect(actions.some((a) => a.type === 'create')).toBe(false);
  });

  it('skips a run while one is active under Forbid, and replaces it under Replace', () => {
    const running = job('tick-1', 'active', '2024-05-01T10:00:00Z');
    const forbid = planCronJob(cronJob({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: '2024-05-01T10:00:00Z' }), [running], now);
    expect(forbid.some((a) => a.type === 'create')).toBe(false);
    const replace = planCronJob(cronJob({ concurrencyPolicy: 'Replace' }, { lastScheduleTime: '2024-05-01T10:00:00Z' }), [running], now);
    expect(replace.filter((a) => a.type === 'delete' || a.type === 'create').map((a) => a.type)).toEqual(['delete', 'create']);
  });

  it('keeps only the newest finished Jobs allowed by the history limits', () => {
    const jobs = [
      job('a', 'Complete', '2024-05-01T09:00:00Z'),
      job('b', 'Complete', '2024-05-01T09:10:00Z'),
      job('c', 'Failed', '2024-05-01T09:20:00Z'),
      job('d', 'Failed', '2024-05-01T09:30:00Z'),
    ];
    const actions = planCronJob(cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 1, suspend: true }), jobs, now);
    expect(actions.filter((a) => a.type === 'delete').map((a) => a.type === 'delete' && a.name)).toEqual(['a', 'c']);
  });

  it('misses a start that is later than startingDeadlineSeconds', () => {
    const actions = planCronJob(cronJob({ startingDeadlineSeconds: 30 }), [], now);
    expect(actions.some((a) => a.type === 'create')).toBe(false);
    expect(actions.some((a) => a.type === 'event' && a.event.reason === 'MissSchedule')).toBe(true);
  });
});
