import { resourceFor } from './registry';
import { shortHumanDuration, toTable } from './tables';
import { deployment, pod, service } from './testing/fixtures';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

const pods = resourceFor('', 'v1', 'pods')!;
const deploys = resourceFor('apps', 'v1', 'deployments')!;
const svcs = resourceFor('', 'v1', 'services')!;

describe('shortHumanDuration', () => {
  it.each([
    [5 * S, '5s'],
    [119 * S, '119s'],
    [3 * M + 2 * S, '3m2s'],
    [5 * M, '5m'],
    [45 * M, '45m'],
    [4 * H, '4h'],
    [5 * H + 3 * M, '5h3m'],
    [20 * H, '20h'],
    [2 * D + 3 * H, '2d3h'],
    [30 * D, '30d'],
    [400 * D, '400d'],
    [3 * 365 * D + 20 * D, '3y20d'],
    [-500, '0s'],
    [-5 * S, '<invalid>'],
  ])('%d ms → %s', (ms, out) => {
    expect(shortHumanDuration(ms)).toBe(out);
  });
});

describe('toTable', () => {
  const runningPod = pod(
    { nodeName: 'node-1' },
    {
      phase: 'Running',
      podIP: '10.0.0.5',
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          restartCount: 2,
          image: 'busybox',
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt: ago(5 * M) } },
        },
      ],
    },
    { name: 'web-1', creationTimestamp: ago(3 * M + 2 * S), labels: { app: 'web' } },
  );
  const crashing = pod(
    {},
    { phase: 'Running', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'x', state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
    { name: 'web-2', creationTimestamp: ago(2 * D + 3 * H) },
  );
  const creating = pod(
    {},
    { phase: 'Pending', containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'x', state: { waiting: { reason: 'ContainerCreating' } } }] },
    { name: 'web-3' },
  );
  const done = pod(
    { restartPolicy: 'Never' },
    {
      phase: 'Succeeded',
      containerStatuses: [{ name: 'app', ready: false, restartCount: 0, image: 'x', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    },
    { name: 'job-1' },
  );
  const deleting = pod(
    {},
    { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'x', state: { running: {} } }] },
    { name: 'old', deletionTimestamp: ago(S) },
  );
  const initing = pod(
    { initContainers: [{ name: 'init', image: 'x' }] },
    { phase: 'Pending', initContainerStatuses: [{ name: 'init', ready: false, restartCount: 0, image: 'x', state: { running: {} } }] },
    { name: 'init-1' },
  );

  it('prints pods with kubectl columns and statuses', () => {
    const table = toTable(pods, [runningPod, crashing, creating, done, deleting, initing], { resourceVersion: '42', now: NOW });
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.metadata).toEqual({ resourceVersion: '42' });
    expect(table.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0],
      ['Ready', 0],
      ['Status', 0],
      ['Restarts', 0],
      ['Age', 0],
      ['IP', 1],
      ['Node', 1],
      ['Nominated Node', 1],
      ['Readiness Gates', 1],
    ]);
    expect(table.columnDefinitions[0].format).toBe('name');
    expect(table.rows[0].cells).toEqual(['web-1', '1/1', 'Running', '2 (5m ago)', '3m2s', '10.0.0.5', 'node-1', '<none>', '<none>']);
    expect(table.rows[1].cells.slice(0, 5)).toEqual(['web-2', '0/1', 'CrashLoopBackOff', '0', '2d3h']);
    expect(table.rows[2].cells[2]).toBe('ContainerCreating');
    expect(table.rows[2].cells[4]).toBe('<unknown>');
    expect(table.rows[3].cells[2]).toBe('Completed');
    expect(table.rows[4].cells[2]).toBe('Terminating');
    expect(table.rows[5].cells[2]).toBe('Init:0/1');
  });

  it('attaches PartialObjectMetadata by default, the object on request, nothing for None', () => {
    const meta = toTable(pods, [runningPod], { now: NOW }).rows[0].object as any;
    expect(meta).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: runningPod.metadata });
    expect(toTable(pods, [runningPod], { includeObject: 'Object', now: NOW }).rows[0].object).toBe(runningPod);
    expect(toTable(pods, [runningPod], { includeObject: 'None', now: NOW }).rows[0].object).toBeUndefined();
  });

  it('prints deployments as READY x/y, UP-TO-DATE, AVAILABLE and wide template columns', () => {
    const d = deployment({ status: { readyReplicas: 1, updatedReplicas: 2, availableReplicas: 1 } });
    (d.metadata as any).creationTimestamp = ago(4 * H);
    const table = toTable(deploys, [d], { continue: 'abc', now: NOW });
    expect(table.metadata).toEqual({ continue: 'abc' });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    expect(table.rows[0].cells).toEqual(['web', '1/2', 2, 1, '4h', 'web', 'nginx:1.27', 'app=web']);
  });

  it('prints services with ports and external IPs', () => {
    const s = service({
      type: 'NodePort',
      clusterIP: '10.96.0.1',
      ports: [
        { port: 80, nodePort: 30080, protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    });
    const lb = service({ type: 'LoadBalancer', clusterIP: '10.96.0.2' });
    const rows = toTable(svcs, [s, lb], { now: NOW }).rows;
    expect(rows[0].cells.slice(1, 5)).toEqual(['NodePort', '10.96.0.1', '<none>', '80:30080/TCP,53/UDP']);
    expect(rows[0].cells[6]).toBe('app=web');
    expect(rows[1].cells[3]).toBe('<pending>');
  });

  it('falls back to NAME and AGE for other kinds, and survives junk objects', () => {
    const cm = resourceFor('', 'v1', 'configmaps')!;
    const t = toTable(cm, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1', b: '2' } }], { now: NOW });
    expect(t.rows[0].cells).toEqual(['c', 2, '<unknown>']);
    expect(() => toTable(pods, [{ apiVersion: 'v1', kind: 'Pod', metadata: null as any, spec: 3, status: [] }], {})).not.toThrow();
  });
});
