import type { Job, JobSpec, Pod, PodPhase } from '@flotilla/resources';
import { controllerRefTo, formatTime } from './actions';
import { jobActiveTarget, planJob } from './job';
import { NS, T0, at, eventMessages, names, ofType, template, uid } from './__fixtures__/builders';

function job(name: string, spec: Partial<JobSpec> = {}, status?: Job['status']): Job {
  const t = template('busybox', { app: name });
  t.spec.restartPolicy = 'Never';
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS, uid: uid(name), resourceVersion: '1', generation: 1 },
    spec: { template: t, ...spec },
    status,
  };
}

function jobPod(j: Job, name: string, phase: PodPhase, restarts = 0): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: uid(name),
      labels: { app: j.metadata.name ?? '' },
      ownerReferences: [controllerRefTo(j)],
      creationTimestamp: formatTime(at(-60)),
    },
    spec: { containers: [{ name: 'main', image: 'busybox' }], nodeName: 'node-1' },
    status: { phase, containerStatuses: [{ name: 'main', ready: phase === 'Running', restartCount: restarts, image: 'busybox' }] },
  };
}

const statusOf = (actions: ReturnType<typeof planJob>) => (ofType(actions, 'updateStatus')[0]?.object as Job | undefined)?.status;

describe('planJob', () => {
  it('starts parallelism pods, labelled with the job name and controller uid', () => {
    const j = job('pi', { parallelism: 2, completions: 5 });
    const actions = planJob(j, [], T0, names());
    const pods = ofType(actions, 'create').map((a) => a.object as Pod);
    expect(pods.map((p) => p.metadata.name)).toEqual(['pi-aaaaa', 'pi-aaaab']);
    expect(pods[0].metadata.labels).toEqual({
      app: 'pi',
      'job-name': 'pi',
      'controller-uid': j.metadata.uid,
      'batch.kubernetes.io/job-name': 'pi',
      'batch.kubernetes.io/controller-uid': j.metadata.uid,
    });
    expect(pods[0].metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Job', apiVersion: 'batch/v1', controller: true });
    expect(statusOf(actions)).toMatchObject({ active: 2, succeeded: 0, failed: 0, startTime: '2024-05-01T12:00:00Z' });
  });

  it('never runs more pods than the completions still needed', () => {
    const j = job('pi', { parallelism: 3, completions: 4 }, { startTime: formatTime(T0) });
    const done = [jobPod(j, 'a', 'Succeeded'), jobPod(j, 'b', 'Succeeded'), jobPod(j, 'c', 'Succeeded')];
    const actions = planJob(j, [...done, jobPod(j, 'd', 'Running')], T0, names());
    expect(ofType(actions, 'create')).toEqual([]);
  });

  it('completes when enough pods succeeded, with completionTime', () => {
    const j = job('pi', { completions: 2 }, { startTime: formatTime(T0), active: 1, succeeded: 1 });
    const actions = planJob(j, [jobPod(j, 'a', 'Succeeded'), jobPod(j, 'b', 'Succeeded')], at(30), names());
    const status = statusOf(actions);
    expect(status?.conditions).toEqual([expect.objectContaining({ type: 'Complete', status: 'True' })]);
    expect(status).toMatchObject({ succeeded: 2, active: 0, completionTime: '2024-05-01T12:00:30Z' });
    expect(eventMessages(actions)).toEqual(['Completed: Job completed']);
  });

  it('replaces failed pods until backoffLimit, then fails and stops the active ones', () => {
    const j = job('flaky', { backoffLimit: 2, parallelism: 2, completions: 2 }, { startTime: formatTime(T0) });
    const twoFailed = [jobPod(j, 'f1', 'Failed'), jobPod(j, 'f2', 'Failed')];
    expect(ofType(planJob(j, [...twoFailed, jobPod(j, 'r', 'Running')], T0, names()), 'create')).toHaveLength(1);

    const actions = planJob(j, [...twoFailed, jobPod(j, 'f3', 'Failed'), jobPod(j, 'r', 'Running')], T0, names());
    expect(ofType(actions, 'create')).toEqual([]);
    expect(ofType(actions, 'delete').map((a) => a.name)).toEqual(['r']);
    expect(statusOf(actions)?.conditions).toEqual([
      expect.objectContaining({ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }),
    ]);
    expect(statusOf(actions)).toMatchObject({ failed: 4, active: 0 });
  });

  it('fails with DeadlineExceeded after activeDeadlineSeconds, and asks to be woken at the deadline before', () => {
    const j = job('slow', { activeDeadlineSeconds: 60 }, { startTime: formatTime(T0), active: 1 });
    const running = [jobPod(j, 'r', 'Running')];
    expect(planJob(j, running, at(20), names())).toEqual([{ type: 'requeueAfter', ms: 40_000 }]);
    expect(statusOf(planJob(j, running, at(60), names()))?.conditions?.[0]).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded' });
  });

  it('deletes a finished Job once ttlSecondsAfterFinished has passed', () => {
    const j = job(
      'once',
      { ttlSecondsAfterFinished: 100 },
      {
        completionTime: formatTime(T0),
        conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: formatTime(T0) }],
      },
    );
    expect(planJob(j, [], at(40), names())).toEqual([{ type: 'requeueAfter', ms: 60_000 }]);
    expect(planJob(j, [], at(100), names())).toEqual([
      { type: 'delete', kind: 'Job', namespace: NS, name: 'once', uid: j.metadata.uid, preconditionUid: j.metadata.uid },
    ]);
  });

  it('plans nothing more once its actions are applied', () => {
    const j = job('pi', { parallelism: 2, completions: 3 });
    const actions = planJob(j, [], T0, names());
    const created = ofType(actions, 'create').map((a, i) => ({ ...a.object, metadata: { ...a.object.metadata, uid: `p${i}` } }) as Pod);
    const stored = { ...j, status: statusOf(actions) };
    expect(planJob(stored, created, T0, names())).toEqual([]);
  });
});

describe('jobActiveTarget', () => {
  it('counts the active pods the Job controls, plus the plan’s creates, minus its deletes of active pods', () => {
    const j = job('pi', { parallelism: 3, completions: 10 });
    const running = jobPod(j, 'pi-a', 'Running');
    const done = jobPod(j, 'pi-b', 'Succeeded');
    const stranger = { ...jobPod(j, 'pi-c', 'Running'), metadata: { ...jobPod(j, 'pi-c', 'Running').metadata, ownerReferences: undefined } };
    const pods = [running, done, stranger];
    const actions = planJob(j, pods, T0, names());
    expect(jobActiveTarget(j, pods, actions)).toBe(1 + ofType(actions, 'create').length);
    expect(jobActiveTarget(j, pods, [{ type: 'delete', kind: 'Pod', namespace: NS, name: 'pi-a', uid: 'x' }])).toBe(0);
    expect(jobActiveTarget(j, pods, [{ type: 'delete', kind: 'Pod', namespace: NS, name: 'pi-b', uid: 'x' }])).toBe(1);
  });
});
