import type { KubeObject } from '@flotilla/resources';
import { applyLimitRangeDefaults, limitRangeViolations } from './limit-range';
import { podSecurityViolations, podSpecOf } from './pod-security';
import { countedResource, deltaFor, exceeded, podCompute } from './quota';

const pod = (spec: object): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec }) as KubeObject;

describe('quota arithmetic', () => {
  it('maps quota keys to counted resources', () => {
    expect(countedResource('pods')).toBe('core/pods');
    expect(countedResource('count/deployments.apps')).toBe('apps/deployments');
    expect(countedResource('count/secrets')).toBe('core/secrets');
    expect(countedResource('requests.cpu')).toBeUndefined();
  });

  it('sums containers and takes the larger init container', () => {
    const { usage } = podCompute({
      containers: [{ resources: { requests: { cpu: '250m' } } }, { resources: { requests: { cpu: '250m' } } }],
      initContainers: [{ resources: { requests: { cpu: '1' } } }],
    });
    expect(usage['requests.cpu']).toBe(1);
  });

  it('words an exceeded quota as Kubernetes does', () => {
    const { delta } = deltaFor('core/pods', pod({ containers: [{ name: 'c' }] }), { pods: '5' });
    expect(exceeded('q', { pods: '5' }, { pods: 5 }, delta)).toBe('exceeded quota: q, requested: pods=1, used: pods=5, limited: pods=5');
    expect(exceeded('q', { pods: '5' }, { pods: 4 }, delta)).toBeUndefined();
  });

  it('requires requests for compute keys a quota limits', () => {
    expect(deltaFor('core/pods', pod({ containers: [{ name: 'c' }] }), { 'limits.cpu': '1' }).missing).toEqual(['must specify limits.cpu for: c']);
  });
});

describe('LimitRange', () => {
  const lr = {
    spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, max: { cpu: '1' } }] },
  } as unknown as KubeObject;
  it('fills missing requests and limits', () => {
    const p = pod({ containers: [{ name: 'c' }] });
    applyLimitRangeDefaults(p, [lr]);
    expect((p.spec as { containers: { resources: unknown }[] }).containers[0].resources).toEqual({ limits: { cpu: '500m' }, requests: { cpu: '100m' } });
  });
  it('enforces max', () => {
    expect(limitRangeViolations(pod({ containers: [{ name: 'c', resources: { limits: { cpu: '2' } } }] }), [lr])).toEqual([
      'maximum cpu usage per Container is 1, but limit is 2',
    ]);
  });
});

describe('pod security', () => {
  it('finds every baseline violation', () => {
    const v = podSecurityViolations({
      hostNetwork: true,
      volumes: [{ name: 'root', hostPath: { path: '/' } }],
      containers: [{ name: 'c', securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } }, ports: [{ hostPort: 80 }] }],
    });
    expect(v).toEqual([
      'privileged (container "c" must not set securityContext.privileged=true)',
      'host namespaces (hostNetwork=true)',
      'hostPath volumes (volume "root")',
      'non-default capabilities (container "c" must not include "NET_ADMIN" in securityContext.capabilities.add)',
      'hostPort (container "c" uses hostPort 80)',
    ]);
    expect(podSecurityViolations({ containers: [{ name: 'c' }] })).toEqual([]);
  });
  it('finds the pod template of workloads', () => {
    const cj = { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { hostPID: true } } } } } } as unknown as KubeObject;
    expect(podSpecOf(cj)).toEqual({ hostPID: true });
  });
});
