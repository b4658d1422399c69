import { applyDefaults, defaultPullPolicy } from './defaults';
import { T, deployment, mutate, pod, service } from './testing/fixtures';
import type { KubeObject } from './types';

describe('applyDefaults', () => {
  it('fills a minimal Deployment the way the API server does', () => {
    const d = mutate(deployment(), (x) => {
      delete x.spec.replicas;
      x.spec.template.spec.containers[0].livenessProbe = { httpGet: { port: 80 } };
    });
    applyDefaults(T.deploy, d);
    const spec = d.spec as any;
    expect(spec.replicas).toBe(1);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(spec.revisionHistoryLimit).toBe(10);
    expect(spec.progressDeadlineSeconds).toBe(600);
    const podSpec = spec.template.spec;
    expect(podSpec).toMatchObject({
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
    });
    const c = podSpec.containers[0];
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.ports[0].protocol).toBe('TCP');
    expect(c.terminationMessagePath).toBe('/dev/termination-log');
    expect(c.terminationMessagePolicy).toBe('File');
    expect(c.livenessProbe).toMatchObject({ timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });

  it('keeps values the user gave', () => {
    const d = mutate(deployment(), (x) => {
      x.spec.replicas = 0;
      x.spec.strategy = { type: 'Recreate' };
    });
    applyDefaults(T.deploy, d);
    expect((d.spec as any).replicas).toBe(0);
    expect((d.spec as any).strategy).toEqual({ type: 'Recreate' });
  });

  it('pulls :latest and untagged images always, pinned ones if not present', () => {
    expect(defaultPullPolicy('nginx')).toBe('Always');
    expect(defaultPullPolicy('nginx:latest')).toBe('Always');
    expect(defaultPullPolicy('registry:5000/nginx')).toBe('Always');
    expect(defaultPullPolicy('registry:5000/nginx:1.2')).toBe('IfNotPresent');
    expect(defaultPullPolicy('nginx@sha256:abc')).toBe('IfNotPresent');
  });

  it('defaults Service type, affinity, protocols and targetPort', () => {
    const s = service({ ports: [{ port: 80 }, { port: 443, targetPort: 'https', protocol: 'UDP' }] });
    applyDefaults(T.svc, s);
    const spec = s.spec as any;
    expect(spec.type).toBe('ClusterIP');
    expect(spec.sessionAffinity).toBe('None');
    expect(spec.ports[0]).toEqual({ port: 80, protocol: 'TCP', targetPort: 80 });
    expect(spec.ports[1]).toEqual({ port: 443, protocol: 'UDP', targetPort: 'https' });
  });

  it('merges Secret stringData into base64 data and drops it', () => {
    const s: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' }, stringData: { b: 'héllo' } };
    applyDefaults(T.secret, s);
    expect(s.type).toBe('Opaque');
    expect(s.data).toEqual({ a: 'eA==', b: Buffer.from('héllo').toString('base64') });
    expect(s.stringData).toBeUndefined();
  });

  it('defaults Jobs without choosing a restartPolicy for their pods', () => {
    const j: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', uid: 'u-1' },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } },
    };
    applyDefaults(T.job, j);
    const spec = j.spec as any;
    expect(spec).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
    expect(spec.template.spec.restartPolicy).toBeUndefined();
    expect(spec.template.spec.dnsPolicy).toBe('ClusterFirst');
    expect(spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } });
    expect(spec.template.metadata.labels['batch.kubernetes.io/job-name']).toBe('j');
  });

  it('leaves completions unset for work-queue Jobs', () => {
    const j: KubeObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { parallelism: 3, template: { spec: { containers: [] } } } };
    applyDefaults(T.job, j);
    expect((j.spec as any).completions).toBeUndefined();
  });

  it('defaults CronJobs and their pod templates', () => {
    const cj: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x:1' }] } } } } },
    };
    applyDefaults(T.cj, cj);
    const spec = cj.spec as any;
    expect(spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('marks new namespaces Active', () => {
    const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } };
    applyDefaults(T.ns, ns);
    expect((ns.status as any).phase).toBe('Active');
  });

  it('defaults ReplicaSet replicas and Pod specs', () => {
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      spec: { template: { spec: { containers: [{ name: 'a', image: 'a' }] } } },
    };
    applyDefaults(T.rs, rs);
    expect((rs.spec as any).replicas).toBe(1);
    const p = pod();
    applyDefaults(T.pod, p);
    expect((p.spec as any).containers[0].imagePullPolicy).toBe('Always');
  });

  it('does not throw on malformed objects', () => {
    for (const junk of [
      { spec: 3 },
      { spec: { template: [] } },
      { spec: { ports: 'x', template: { spec: { containers: [null, 1, 'a'] } } } },
      { stringData: { a: 1 } },
    ]) {
      for (const t of Object.values(T)) expect(() => applyDefaults(t, junk as unknown as KubeObject)).not.toThrow();
    }
  });
});
