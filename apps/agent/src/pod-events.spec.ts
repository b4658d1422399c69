import { SANDBOX_CHANGED } from '@flotilla/runtime';
import { podEventObject } from './pod-events';

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
