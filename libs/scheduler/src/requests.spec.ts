import type { Container } from '@flotilla/resources';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, controllerUid, podDemand, podHostPorts, podRequests } from './requests';
import { pod } from './testing/fixtures';

const c = (name: string, requests: Record<string, string>, limits?: Record<string, string>, extra: Partial<Container> = {}): Container => ({
  name,
  resources: { requests, limits },
  ...extra,
});

describe('podRequests', () => {
  it('sums the app containers', () => {
    const p = pod('p', { containers: [c('a', { cpu: '250m', memory: '64Mi' }), c('b', { cpu: '500m', memory: '64Mi' })] });
    expect(podRequests(p)).toEqual({ cpu: 0.75, memory: 128 * 1024 ** 2, pods: 1 });
  });

  it('uses the largest init container when it exceeds the app containers', () => {
    const p = pod('p', {
      containers: [c('app', { cpu: '100m', memory: '100Mi' })],
      spec: { initContainers: [c('migrate', { cpu: '2', memory: '10Mi' }), c('warm', { cpu: '50m', memory: '50Mi' })] },
    });
    expect(podRequests(p)).toEqual({ cpu: 2, memory: 100 * 1024 ** 2, pods: 1 });
  });

  it('uses a limit as the request when only the limit is set', () => {
    const p = pod('p', { containers: [c('app', { cpu: '100m' }, { cpu: '1', memory: '1Gi' })] });
    expect(podRequests(p)).toEqual({ cpu: 0.1, memory: 1024 ** 3, pods: 1 });
  });

  it('adds sidecar init containers to everything that starts after them', () => {
    const p = pod('p', {
      containers: [c('app', { cpu: '1' })],
      spec: {
        initContainers: [c('proxy', { cpu: '200m' }, undefined, { restartPolicy: 'Always' }), c('migrate', { cpu: '1500m' })],
      },
    });
    // migrate runs beside the proxy (1.7), then app beside the proxy (1.2).
    expect(podRequests(p).cpu).toBe(1.7);
  });

  it('is zero for a pod that requests nothing, but scoring assumes the kube-scheduler defaults', () => {
    const d = podDemand(pod('p', { containers: [{ name: 'a' }, { name: 'b' }] }));
    expect(d).toEqual({
      milliCpu: 0,
      memory: 0,
      nonZeroMilliCpu: 2 * DEFAULT_MILLI_CPU_REQUEST,
      nonZeroMemory: 2 * DEFAULT_MEMORY_REQUEST,
    });
  });
});

describe('podHostPorts', () => {
  it('lists declared host ports with TCP and 0.0.0.0 as defaults', () => {
    const p = pod('p', {
      containers: [
        {
          name: 'a',
          ports: [{ containerPort: 80, hostPort: 8080 }, { containerPort: 53, hostPort: 53, protocol: 'UDP', hostIP: '10.0.0.1' }, { containerPort: 9090 }],
        },
      ],
    });
    expect(podHostPorts(p)).toEqual([
      { protocol: 'TCP', port: 8080, ip: '0.0.0.0' },
      { protocol: 'UDP', port: 53, ip: '10.0.0.1' },
    ]);
  });

  it('treats every container port as a host port under hostNetwork', () => {
    const p = pod('p', { containers: [{ name: 'a', ports: [{ containerPort: 9100 }] }], spec: { hostNetwork: true } });
    expect(podHostPorts(p)).toEqual([{ protocol: 'TCP', port: 9100, ip: '0.0.0.0' }]);
  });
});

describe('controllerUid', () => {
  it('is the uid of the controller owner only', () => {
    const p = pod('p');
    p.metadata.ownerReferences = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'not-me' },
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true },
    ];
    expect(controllerUid(p)).toBe('rs-uid');
    expect(controllerUid(pod('bare'))).toBeUndefined();
  });
});
