import type { ContainerStatus, Pod } from '@flotilla/resources';
import type { PodRuntimeStatus } from '@flotilla/runtime';
import { SANDBOX_CHANGED } from '@flotilla/runtime';
import { failedEvent, newFailures, podEventObject } from './pod-events';

function rs(containers: ContainerStatus[], init: ContainerStatus[] = []): PodRuntimeStatus {
  return { phase: 'Pending', containerStatuses: containers, initContainerStatuses: init, conditions: [] };
}

function waiting(name: string, reason: string, message?: string): ContainerStatus {
  return { name, ready: false, restartCount: 0, image: 'x', imageID: '', state: { waiting: { reason, message } } } as ContainerStatus;
}

describe('container failure events', () => {
  it('reports a refused container once per distinct message, and again after it recovered', () => {
    const reported = new Map<string, string>();
    const refused = waiting('c', 'CreateContainerConfigError', 'volumeMount "v": subPath "esc": component "esc" is a symlink');
    expect(newFailures(rs([refused, waiting('s', 'ContainerCreating')]), reported)).toEqual([
      { container: 'c', message: 'Error: volumeMount "v": subPath "esc": component "esc" is a symlink' },
    ]);
    expect(newFailures(rs([refused]), reported)).toEqual([]);
    expect(newFailures(rs([waiting('c', 'CreateContainerConfigError', 'other')]), reported)).toHaveLength(1);
    expect(newFailures(rs([waiting('c', 'CrashLoopBackOff')]), reported)).toEqual([]);
    expect(newFailures(rs([], [waiting('c', 'CreateContainerConfigError', 'other')]), reported)).toHaveLength(1);
  });

  it('is a Warning "Failed" on the pod naming the container as kubelet does', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', uid: 'u1', resourceVersion: '7' },
      spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'c' }] },
    } as Pod;
    const ev = failedEvent(pod, 'i', 'Error: x', 'node-1', new Date('2026-12-03T12:00:00.123Z'));
    expect(ev).toMatchObject({
      metadata: { namespace: 'ns' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'ns', uid: 'u1', fieldPath: 'spec.initContainers{i}' },
      reason: 'Failed',
      type: 'Warning',
      message: 'Error: x',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-12-03T12:00:00Z',
      count: 1,
    });
    expect(ev.metadata.name).toMatch(/^p\.[0-9a-f]+$/);
    expect(failedEvent(pod, 'c', 'm', 'n').involvedObject.fieldPath).toBe('spec.containers{c}');
  });
});

describe('pod events', () => {
  it('names the pod, the node and the reason as kubelet does', () => {
    const ev = podEventObject({ uid: 'u1', name: 'web', namespace: 'shop' }, SANDBOX_CHANGED, 'n1', new Date('2026-01-02T03:04:05.678Z'));
    expect(ev.metadata.namespace).toBe('shop');
    expect(ev.metadata.name).toMatch(/^web\.[0-9a-f]+$/);
    expect(ev.involvedObject).toEqual({ kind: 'Pod', apiVersion: 'v1', namespace: 'shop', name: 'web', uid: 'u1' });
    expect(ev).toMatchObject({ type: 'Normal', reason: 'SandboxChanged', message: 'Pod sandbox changed, it will be killed and re-created.' });
    expect(ev.source).toEqual({ component: 'kubelet', host: 'n1' });
    expect(ev.firstTimestamp).toBe('2026-01-02T03:04:05Z');
  });
});
