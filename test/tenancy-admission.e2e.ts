// Admission for tenants: ResourceQuota exact under concurrent creates (and freed on delete),
// LimitRange defaults, pod security on pods and workload templates, RBAC escalation.
import { Platform } from './support/platform';
import { uniqueName } from './support/fixtures';
import { call, cleanUp, startTenancyPlatform, userWithToken } from './support/tenancy';
import { eventually } from './support/eventually';

const prefix = uniqueName('tad');
const ns = `${prefix}-team`;
const priv = `${prefix}-priv`;
let p: Platform;
let tenant: string;

const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec },
});

beforeAll(async () => {
  p = await startTenancyPlatform(`${prefix}-root`, { FLOTILLA_MUTATION_BURST: '200' });
  tenant = await userWithToken(p, `${prefix}-tenant`);
  const r = await call(p, 'POST', '/flotilla/v1/admin/namespaces', p.token, {
    name: ns,
    quota: { pods: '5', 'requests.cpu': '10', 'limits.memory': '10Gi' },
    limits: { default: { cpu: '200m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' } },
    bindings: [{ role: 'admin', users: [`${prefix}-tenant`] }],
  });
  expect(r.status).toBe(201);
  expect(
    (await call(p, 'POST', '/flotilla/v1/admin/namespaces', p.token, { name: priv, bindings: [{ role: 'admin', users: [`${prefix}-tenant`] }] })).status,
  ).toBe(201);
});

afterAll(async () => {
  await p?.stop();
  await cleanUp([ns, priv], prefix);
});

describe('ResourceQuota', () => {
  it('admits exactly 5 of 20 concurrent pod creates against pods=5, with Kubernetes’ message', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call(p, 'POST', `/api/v1/namespaces/${ns}/pods`, tenant, pod(`p${i}`))));
    const ok = results.filter((r) => r.status === 201);
    const denied = results.filter((r) => r.status === 403);
    expect(ok).toHaveLength(5);
    expect(denied).toHaveLength(15);
    expect(denied[0].json().message).toMatch(/^pods "p\d+" is forbidden: exceeded quota: quota, requested: pods=1, used: pods=5, limited: pods=5$/);
    const q = await call(p, 'GET', `/api/v1/namespaces/${ns}/resourcequotas/quota`, tenant);
    expect((q.json().status as { used: Record<string, string> }).used).toEqual({ pods: '5', 'requests.cpu': '500m', 'limits.memory': '640Mi' });
    expect(ok).toHaveLength(5);
  });

  it('fills LimitRange defaults into containers without requests or limits', async () => {
    const list = await call(p, 'GET', `/api/v1/namespaces/${ns}/pods`, tenant);
    const first = (list.json().items as { spec: { containers: { resources: unknown }[] } }[])[0];
    expect(first.spec.containers[0].resources).toEqual({ limits: { cpu: '200m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
  });

  it('frees quota when a pod is deleted and keeps status current', async () => {
    const list = await call(p, 'GET', `/api/v1/namespaces/${ns}/pods`, tenant);
    const name = (list.json().items as { metadata: { name: string } }[])[0].metadata.name;
    const del = await call(p, 'DELETE', `/api/v1/namespaces/${ns}/pods/${name}?gracePeriodSeconds=0`, tenant);
    expect(del.status).toBeLessThan(300);
    // The quota status follows the delete asynchronously: a create is refused until it has.
    await eventually(async () => expect((await call(p, 'POST', `/api/v1/namespaces/${ns}/pods`, tenant, pod('after-delete'))).status).toBe(201));
    expect((await call(p, 'POST', `/api/v1/namespaces/${ns}/pods`, tenant, pod('one-too-many'))).status).toBe(403);
  });
});

describe('pod security', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'privileged',
      { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] },
      'privileged (container "c" must not set securityContext.privileged=true)',
    ],
    ['hostPath', { volumes: [{ name: 'root', hostPath: { path: '/' } }] }, 'hostPath volumes (volume "root")'],
    ['hostNetwork', { hostNetwork: true }, 'host namespaces (hostNetwork=true)'],
    ['hostPID', { hostPID: true }, 'host namespaces (hostPID=true)'],
    [
      'capabilities',
      { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { capabilities: { add: ['SYS_ADMIN'] } } }] },
      'non-default capabilities',
    ],
    [
      'hostPort',
      { containers: [{ name: 'c', image: 'busybox:1.36', ports: [{ containerPort: 80, hostPort: 8080 }] }] },
      'hostPort (container "c" uses hostPort 8080)',
    ],
  ];
  it.each(cases)('refuses a %s pod in a tenant namespace', async (_what, spec, message) => {
    const r = await call(p, 'POST', `/api/v1/namespaces/${priv}/pods`, tenant, pod('bad', spec));
    expect(r.status).toBe(403);
    expect(r.json().message).toContain('violates PodSecurity "baseline:latest": ');
    expect(r.json().message).toContain(message);
  });

  it('checks the pod templates of Deployments and CronJobs too', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: { metadata: { labels: { a: 'b' } }, spec: { hostIPC: true, containers: [{ name: 'c', image: 'busybox:1.36' }] } },
      },
    };
    const r = await call(p, 'POST', `/apis/apps/v1/namespaces/${priv}/deployments`, tenant, dep);
    expect(r.status).toBe(403);
    expect(r.json().message).toBe('deployments.apps "d" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostIPC=true)');
  });

  it('lets only a cluster admin label a namespace privileged, which then admits such pods', async () => {
    const label = { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } };
    expect((await call(p, 'PATCH', `/api/v1/namespaces/${priv}`, tenant, label)).status).toBe(403);
    expect((await call(p, 'PATCH', `/api/v1/namespaces/${priv}`, p.token, label)).status).toBe(200);
    expect((await call(p, 'POST', `/api/v1/namespaces/${priv}/pods`, tenant, pod('host', { hostNetwork: true }))).status).toBe(201);
  });
});

describe('RBAC escalation', () => {
  it('lets a namespace admin bind edit and view there, but not cluster-admin', async () => {
    const rb = (name: string, role: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'someone' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    });
    expect((await call(p, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, tenant, rb('e', 'edit'))).status).toBe(201);
    const up = await call(p, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, tenant, rb('ca', 'cluster-admin'));
    expect(up.status).toBe(403);
    expect(up.json().message).toContain('is attempting to grant RBAC permissions not currently held');
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'nodes' },
      rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }],
    };
    expect((await call(p, 'POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, tenant, role)).status).toBe(403);
  });
});
