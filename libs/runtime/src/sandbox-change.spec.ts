import type { Pod } from '@flotilla/resources';
import { EngineLiveness, pingDelayMs, recreatedRestartCount, reportedStatus } from './sandbox-change';

describe('a container re-created after its sandbox or the engine died', () => {
  it('counts as a restart of the instance removed with the dead sandbox', () => {
    expect(recreatedRestartCount(0, undefined)).toBe(1);
    expect(recreatedRestartCount(4, { containerID: 'docker://a', restartCount: 2 })).toBe(5);
  });

  it('counts as a restart when the status names an instance the engine no longer holds', () => {
    expect(recreatedRestartCount(undefined, { containerID: 'docker://a', restartCount: 3 })).toBe(4);
    expect(recreatedRestartCount(undefined, { containerID: 'docker://a' } as { containerID: string; restartCount: number })).toBe(1);
  });

  it('is a first start when no instance ever existed', () => {
    expect(recreatedRestartCount(undefined, undefined)).toBe(0);
    // ContainerCreating: a status entry, but no container id yet.
    expect(recreatedRestartCount(undefined, { restartCount: 0 })).toBe(0);
  });

  it('reads the reported status of init and app containers separately', () => {
    const pod = {
      metadata: { name: 'p' },
      spec: { containers: [] },
      status: {
        initContainerStatuses: [{ name: 'c', containerID: 'docker://i', restartCount: 7 }],
        containerStatuses: [{ name: 'c', containerID: 'docker://a', restartCount: 1 }],
      },
    } as unknown as Pod;
    expect(reportedStatus(pod, 'init', 'c')?.restartCount).toBe(7);
    expect(reportedStatus(pod, 'container', 'c')?.restartCount).toBe(1);
    expect(reportedStatus(pod, 'container', 'other')).toBeUndefined();
  });
});

describe('engine liveness', () => {
  it('reports the engine back once per outage, however often the stream ends meanwhile', () => {
    const e = new EngineLiveness();
    expect(e.pingAnswered()).toBe(false);
    expect(e.streamLost()).toBe(true);
    expect(e.away).toBe(true);
    expect(e.streamLost()).toBe(false);
    expect(e.pingAnswered()).toBe(true);
    expect(e.pingAnswered()).toBe(false);
    expect(e.away).toBe(false);
    expect(e.streamLost()).toBe(true);
  });

  it('pings quickly at first and never waits more than 2 s', () => {
    expect(pingDelayMs(0)).toBe(100);
    expect(pingDelayMs(1)).toBeGreaterThan(pingDelayMs(0));
    expect(pingDelayMs(50)).toBe(2000);
  });
});
