// Pure pieces of the runtime: quantities, back-off, $(VAR) expansion, pod phase, names.
import type { ContainerStatus, PodSpec } from '@flotilla/resources';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { expandVars } from './env';
import { containerName } from './labels';
import { normalizeImage } from './docker/images';
import { podPhase } from './pod-status';
import { cpuToNanoCpus, memoryToBytes } from '@flotilla/resources';
import { tarArchive } from './tar';

const spec = (restartPolicy: PodSpec['restartPolicy']): PodSpec => ({ containers: [], restartPolicy });
const running: ContainerStatus = { name: 'a', image: 'i', ready: true, restartCount: 0, state: { running: {} } };
const exited = (exitCode: number): ContainerStatus => ({ name: 'a', image: 'i', ready: false, restartCount: 0, state: { terminated: { exitCode } } });
const waiting: ContainerStatus = { name: 'a', image: 'i', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } };
const crashLooping: ContainerStatus = { ...waiting, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1 } } };

describe('runtime pure logic', () => {
  it('maps Kubernetes quantities to Docker limits', () => {
    expect(cpuToNanoCpus('500m')).toBe(500_000_000);
    expect(cpuToNanoCpus(2)).toBe(2_000_000_000);
    expect(memoryToBytes('16Mi')).toBe(16 * 1024 * 1024);
    expect(memoryToBytes('1G')).toBe(1e9);
    expect(memoryToBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(() => memoryToBytes('lots')).toThrow('invalid quantity');
  });

  it('backs off 10s, 20s, 40s … capped at five minutes', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(DEFAULT_BACKOFF, n) / 1000)).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
    expect(backoffDelay(DEFAULT_BACKOFF, 8, 11 * 60_000)).toBe(10_000);
  });

  it('expands $(VAR) like Kubernetes', () => {
    const vars = new Map([['A', 'x']]);
    expect(expandVars('$(A)-$(B)-$$(A)', vars)).toBe('x-$(B)-$(A)');
  });

  it('computes the pod phase as kubelet does', () => {
    expect(podPhase(spec('Always'), [], [running])).toBe('Running');
    expect(podPhase(spec('Always'), [], [waiting])).toBe('Pending');
    expect(podPhase(spec('Always'), [], [crashLooping])).toBe('Running');
    expect(podPhase(spec('Never'), [], [exited(0)])).toBe('Succeeded');
    expect(podPhase(spec('Never'), [], [exited(0), exited(2)])).toBe('Failed');
    expect(podPhase(spec('OnFailure'), [], [exited(0)])).toBe('Succeeded');
    expect(podPhase(spec('Never'), [exited(1)], [waiting])).toBe('Failed');
    expect(podPhase(spec('Always'), [exited(1)], [waiting])).toBe('Pending');
    expect(podPhase(spec('Always'), [exited(0)], [running])).toBe('Running');
  });

  it('names containers readably and images fully', () => {
    expect(containerName({ uid: '0f8e2c1a-1111-2222-3333-444455556666', name: 'web', namespace: 'team' }, 'nginx')).toBe(
      'flotilla_team_web_nginx_0f8e2c1a111122223333444455556666',
    );
    expect(normalizeImage('busybox')).toBe('busybox:latest');
    expect(normalizeImage('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(normalizeImage('nginx:1.27')).toBe('nginx:1.27');
  });

  it('writes ustar archives with valid checksums', () => {
    const tar = tarArchive([
      { path: 'd', type: 'dir' },
      { path: 'd/f', type: 'file', data: Buffer.from('hi') },
    ]);
    expect(tar.length).toBe(512 * 3 + 1024);
    const h = tar.subarray(512, 1024);
    const stored = parseInt(h.subarray(148, 154).toString(), 8);
    const copy = Buffer.from(h);
    copy.fill(' ', 148, 156);
    expect(copy.reduce((a, b) => a + b, 0)).toBe(stored);
    expect(h.subarray(0, 3).toString()).toBe('d/f');
  });
});
