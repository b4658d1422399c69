// The sync's container decision: restart policies, back-off, init order, spec changes and liveness kills.
import type { Container, Pod, PodSpec } from '@flotilla/resources';
import type { BackoffPolicy } from './backoff';
import { computePodActions, crashLoopBackOff, type ObservedContainer, type PodActionsInput } from './pod-actions';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const backoff: BackoffPolicy = { baseMs: 10_000, maxMs: 300_000, resetAfterMs: 600_000 };
const iso = (ms: number): string => new Date(ms).toISOString();
const hash = (c: Container): string => `h-${c.image ?? ''}`;

function pod(spec: Partial<PodSpec>): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { containers: [], ...spec } };
}
const c = (name: string, extra: Partial<Container> = {}): Container => ({ name, image: `img-${name}`, ...extra });

function running(name: string, extra: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    id: `id-${name}`,
    imageId: 'sha',
    running: true,
    created: false,
    exitCode: 0,
    oomKilled: false,
    error: '',
    startedAt: iso(T0),
    finishedAt: '0001-01-01T00:00:00Z',
    restartCount: 0,
    createdAt: iso(T0),
    specHash: `h-img-${name}`,
    ...extra,
  };
}
/** Ran from `start` to `end` (ms after T0) and exited with `code`. */
function exited(name: string, code: number, start: number, end: number, extra: Partial<ObservedContainer> = {}): ObservedContainer {
  return running(name, { running: false, exitCode: code, startedAt: iso(T0 + start), finishedAt: iso(T0 + end), ...extra });
}

function decide(p: Pod, observed: ObservedContainer[], now: number, extra: Partial<PodActionsInput> = {}): ReturnType<typeof computePodActions> {
  const containers = new Map(observed.map((o) => [o.id.replace(/^id-/, ''), o]));
  return computePodActions({ pod: p, sandbox: 'running', containers, now: T0 + now, backoff, specHash: hash, ...extra });
}
const kinds = (r: ReturnType<typeof computePodActions>): string[] => r.actions.map((a) => `${a.type}:${a.container.name}`);

describe('computePodActions', () => {
  describe('sandbox', () => {
    it('creates a missing sandbox and starts every container in the same sync', () => {
      const r = decide(pod({ containers: [c('a'), c('b')] }), [], 0, { sandbox: 'missing' });
      expect(r.sandbox).toBe('create');
      expect(kinds(r)).toEqual(['start:a', 'start:b']);
    });

    it('replaces a dead sandbox and starts over from the first init container, whatever ran before', () => {
      const p = pod({ initContainers: [c('i1')], containers: [c('a')] });
      const r = decide(p, [exited('i1', 0, 0, 1), running('a')], 5_000, { sandbox: 'dead' });
      expect(r.sandbox).toBe('recreate');
      expect(kinds(r)).toEqual(['start:i1']);
    });
  });

  describe('restart policies', () => {
    const cases: [PodSpec['restartPolicy'], number, string][] = [
      ['Always', 0, 'restart'],
      ['Always', 1, 'restart'],
      ['OnFailure', 0, 'done'],
      ['OnFailure', 2, 'restart'],
      ['Never', 0, 'done'],
      ['Never', 1, 'done'],
    ];
    it.each(cases)('restartPolicy %s, exit code %i → %s', (policy, code, expected) => {
      const r = decide(pod({ restartPolicy: policy, containers: [c('a')] }), [exited('a', code, 0, 1_000)], 60_000);
      expect(r.actions.map((a) => a.type)).toEqual([expected]);
      expect(r.podDone).toBe(expected === 'done');
    });

    it('defaults to Always', () => {
      expect(kinds(decide(pod({ containers: [c('a')] }), [exited('a', 0, 0, 1_000)], 60_000))).toEqual(['restart:a']);
    });

    it('counts an instance that could not start as a failure (exit 128): OnFailure restarts it', () => {
      const broken = running('a', { running: false, created: true, error: 'exec format error', startedAt: undefined, finishedAt: undefined });
      expect(kinds(decide(pod({ restartPolicy: 'OnFailure', containers: [c('a')] }), [broken], 60_000))).toEqual(['restart:a']);
    });

    it('starts an instance an earlier sync created but did not start', () => {
      const created = running('a', { running: false, created: true, startedAt: undefined, finishedAt: undefined });
      expect(decide(pod({ containers: [c('a')] }), [created], 0).actions).toEqual([{ type: 'startCreated', role: 'container', container: c('a'), id: 'id-a' }]);
    });

    it('leaves a running container of the current spec alone', () => {
      const r = decide(pod({ containers: [c('a')] }), [running('a')], 0);
      expect(r.actions).toEqual([]);
      expect(r.podDone).toBe(false);
    });
  });

  describe('crash-loop back-off', () => {
    it('waits out the back-off, then restarts with the next restart count', () => {
      const p = pod({ containers: [c('a')] });
      const dead = exited('a', 1, 0, 2_000, { restartCount: 3 });
      // 3 earlier restarts: 10 s · 2³ = 80 s after it finished.
      const early = decide(p, [dead], 2_000 + 79_000).actions[0];
      expect(early).toMatchObject({ type: 'backOff', retryAt: T0 + 82_000, delayMs: 80_000 });
      expect(decide(p, [dead], 2_000 + 80_000).actions[0]).toMatchObject({ type: 'restart', restartCount: 4, id: 'id-a' });
    });

    it('doubles per restart up to the cap', () => {
      const delays = [0, 1, 2, 3, 4, 5, 8].map((n) => crashLoopBackOff(backoff, exited('a', 1, 0, 1_000, { restartCount: n })).delayMs / 1000);
      expect(delays).toEqual([10, 20, 40, 80, 160, 300, 300]);
    });

    it('resets to the base delay after a run longer than resetAfterMs', () => {
      const long = exited('a', 1, 0, 11 * 60_000, { restartCount: 7 });
      expect(crashLoopBackOff(backoff, long)).toEqual({ restartAt: T0 + 11 * 60_000 + 10_000, delayMs: 10_000 });
      const r = decide(pod({ containers: [c('a')] }), [long], 11 * 60_000 + 10_000);
      expect(r.actions[0]).toMatchObject({ type: 'restart', restartCount: 8 });
    });

    it('counts from the creation time when the instance never ran', () => {
      const never = running('a', {
        running: false,
        created: true,
        error: 'no such file',
        startedAt: undefined,
        finishedAt: undefined,
        createdAt: iso(T0 + 5_000),
      });
      expect(crashLoopBackOff(backoff, never).restartAt).toBe(T0 + 15_000);
    });
  });

  describe('init containers', () => {
    const p = pod({ initContainers: [c('i1'), c('i2')], containers: [c('a'), c('b')] });

    it('start one at a time, in order, before any app container', () => {
      expect(decide(p, [], 0)).toMatchObject({ initNext: 'i1', initDone: false });
      expect(kinds(decide(p, [], 0))).toEqual(['start:i1']);
      expect(kinds(decide(p, [running('i1')], 0))).toEqual([]);
      expect(kinds(decide(p, [exited('i1', 0, 0, 1)], 0))).toEqual(['start:i2']);
      const r = decide(p, [exited('i1', 0, 0, 1), exited('i2', 0, 1, 2)], 0);
      expect(r).toMatchObject({ initNext: undefined, initDone: true });
      expect(kinds(r)).toEqual(['start:a', 'start:b']);
    });

    it('a failed one restarts under back-off (Always, OnFailure) and the next never starts meanwhile', () => {
      for (const policy of ['Always', 'OnFailure'] as const) {
        const q = pod({ ...p.spec, restartPolicy: policy });
        expect(kinds(decide(q, [exited('i1', 1, 0, 1_000)], 1_000))).toEqual(['backOff:i1']);
        expect(kinds(decide(q, [exited('i1', 1, 0, 1_000)], 11_000))).toEqual(['restart:i1']);
      }
    });

    it('a failed one under Never fails the pod: nothing else starts', () => {
      const q = pod({ ...p.spec, restartPolicy: 'Never' });
      const r = decide(q, [exited('i1', 0, 0, 1), exited('i2', 3, 1, 2)], 60_000);
      expect(kinds(r)).toEqual(['done:i2']);
      expect(r).toMatchObject({ initNext: 'i2', initDone: false, podDone: true });
    });

    it('a completed one is never run again, also under restartPolicy Always', () => {
      const r = decide(p, [exited('i1', 0, 0, 1), exited('i2', 0, 1, 2), running('a'), running('b')], 60_000);
      expect(r.actions).toEqual([]);
    });

    it('a restartable one (a sidecar) is run as an ordinary init container today: the next waits for it to exit', () => {
      const q = pod({ initContainers: [c('side', { restartPolicy: 'Always' }), c('i2')], containers: [c('a')] });
      expect(kinds(decide(q, [running('side')], 0))).toEqual([]);
      expect(decide(q, [running('side')], 0).initNext).toBe('side');
    });
  });

  describe('spec changes and liveness', () => {
    it('replaces a running container whose spec changed, counting a restart', () => {
      const r = decide(pod({ terminationGracePeriodSeconds: 5, containers: [c('a', { image: 'img-new' })] }), [running('a', { restartCount: 2 })], 0);
      expect(r.actions).toEqual([
        { type: 'replace', role: 'container', container: c('a', { image: 'img-new' }), id: 'id-a', restartCount: 3, graceSeconds: 5 },
      ]);
    });

    it('kills a container whose liveness probe failed, with the probe’s grace period', () => {
      const spec = c('a', { livenessProbe: { exec: { command: ['false'] }, terminationGracePeriodSeconds: 2 } });
      const r = decide(pod({ containers: [spec, c('b')] }), [running('a'), running('b')], 0, { unhealthy: new Set(['id-a']) });
      expect(r.actions).toEqual([{ type: 'kill', role: 'container', container: spec, id: 'id-a', graceSeconds: 2 }]);
    });

    it('after the liveness kill (SIGKILL, exit 137) the policy decides: Always and OnFailure restart, Never does not', () => {
      const spec = c('a', { livenessProbe: { exec: { command: ['false'] } } });
      const killed = exited('a', 137, 0, 30_000);
      expect(kinds(decide(pod({ containers: [spec] }), [killed], 40_000))).toEqual(['restart:a']);
      expect(kinds(decide(pod({ restartPolicy: 'OnFailure', containers: [spec] }), [killed], 31_000))).toEqual(['backOff:a']);
      expect(kinds(decide(pod({ restartPolicy: 'Never', containers: [spec] }), [killed], 40_000))).toEqual(['done:a']);
    });
  });

  it('a pod whose containers all exited and stay so is done', () => {
    const p = pod({ restartPolicy: 'OnFailure', containers: [c('a'), c('b')] });
    expect(decide(p, [exited('a', 0, 0, 1), exited('b', 0, 0, 1)], 0).podDone).toBe(true);
    expect(decide(p, [exited('a', 0, 0, 1), exited('b', 1, 0, 1)], 0).podDone).toBe(false);
  });
});
