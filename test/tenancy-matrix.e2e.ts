// The authorisation matrix: every route generated from the resource registry (type × verb ×
// subresource) × every role (cluster-admin, admin, edit, view, none) × own namespace, another
// tenant's namespace and cluster scope, against Kubernetes' meaning of the default roles, written
// out here independently of the server's role definitions. A new resource type fails this suite
// until it is classified below.
import { resourceTypes, ResourceType } from '@flotilla/resources';
import { Platform } from './support/platform';
import { uniqueName } from './support/fixtures';
import { call, cleanUp, startTenancyPlatform, statusOf, userWithToken } from './support/tenancy';

const prefix = uniqueName('tmx');
const own = `${prefix}-own`;
const other = `${prefix}-other`;
let p: Platform;
const tokens: Record<Role, string> = {} as Record<Role, string>;

type Role = 'cluster-admin' | 'admin' | 'edit' | 'view' | 'none';
const ROLES: Role[] = ['cluster-admin', 'admin', 'edit', 'view', 'none'];
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];

// Kubernetes' aggregated view/edit/admin roles, for the resources Flotilla serves (group/resource[/sub]).
const VIEW_READS = new Set([
  '/pods',
  '/pods/log',
  '/pods/status',
  '/services',
  '/services/status',
  '/endpoints',
  '/configmaps',
  '/persistentvolumeclaims',
  '/persistentvolumeclaims/status',
  '/serviceaccounts',
  '/events',
  '/limitranges',
  '/resourcequotas',
  '/resourcequotas/status',
  '/namespaces',
  '/namespaces/status',
  'apps/deployments',
  'apps/deployments/scale',
  'apps/deployments/status',
  'apps/replicasets',
  'apps/replicasets/scale',
  'apps/replicasets/status',
  'batch/jobs',
  'batch/jobs/status',
  'batch/cronjobs',
  'batch/cronjobs/status',
  'networking.k8s.io/ingresses',
  'networking.k8s.io/ingresses/status',
]);
const EDIT_READS = new Set(['/secrets', '/pods/exec', '/pods/portforward', '/pods/attach', '/pods/proxy']);
const EDIT_WRITES = new Set([
  '/pods',
  '/pods/exec',
  '/pods/portforward',
  '/configmaps',
  // Not '/endpoints': since Kubernetes 1.22 (CVE-2021-25740) edit and admin only read them.
  '/persistentvolumeclaims',
  '/secrets',
  '/serviceaccounts',
  '/services',
  'apps/deployments',
  'apps/deployments/scale',
  'apps/replicasets',
  'apps/replicasets/scale',
  'batch/jobs',
  'batch/cronjobs',
  'networking.k8s.io/ingresses',
  'coordination.k8s.io/leases',
]);
const EDIT_CREATES = new Set(['/pods/eviction', '/serviceaccounts/token']);
const EDIT_ALL = new Set(['coordination.k8s.io/leases']);
const ADMIN_ALL = new Set(['rbac.authorization.k8s.io/roles', 'rbac.authorization.k8s.io/rolebindings']);

/** Every served type must be listed: namespaced tenant resources, or cluster-scoped ones. */
const CLASSIFIED = new Set([
  '/namespaces',
  '/pods',
  '/services',
  '/endpoints',
  '/configmaps',
  '/secrets',
  '/nodes',
  '/events',
  '/resourcequotas',
  '/limitranges',
  '/serviceaccounts',
  '/persistentvolumeclaims',
  'apps/deployments',
  'apps/replicasets',
  'batch/jobs',
  'batch/cronjobs',
  'coordination.k8s.io/leases',
  'networking.k8s.io/ingresses',
  'rbac.authorization.k8s.io/roles',
  'rbac.authorization.k8s.io/rolebindings',
  'rbac.authorization.k8s.io/clusterroles',
  'rbac.authorization.k8s.io/clusterrolebindings',
]);

/** What a namespace-bound role may do in its own namespace. */
function roleAllows(role: Role, key: string, verb: string): boolean {
  if (role === 'cluster-admin') return true;
  if (role === 'none') return false;
  const view = READ.includes(verb) && VIEW_READS.has(key);
  if (role === 'view') return view;
  const edit =
    view ||
    (READ.includes(verb) && EDIT_READS.has(key)) ||
    (WRITE.includes(verb) && EDIT_WRITES.has(key)) ||
    (verb === 'create' && EDIT_CREATES.has(key)) ||
    EDIT_ALL.has(key);
  if (role === 'edit') return edit;
  return edit || ADMIN_ALL.has(key);
}

type Expect = 'allowed' | 'forbidden' | 'hidden';

interface Route {
  role: Role;
  method: string;
  path: string;
  verb: string;
  expect: Expect;
  what: string;
}

const METHOD: Record<string, string> = {
  get: 'GET',
  list: 'GET',
  watch: 'GET',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETE',
};

function base(t: ResourceType): string {
  return t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
}

function routes(): Route[] {
  const out: Route[] = [];
  for (const t of resourceTypes) {
    const key = `${t.group}/${t.plural}`;
    for (const role of ROLES) {
      const add = (verb: string, path: string, expect: Expect, what: string) =>
        out.push({
          role,
          verb,
          method: METHOD[verb],
          path: `${path}${path.includes('?') ? '&' : '?'}${verb === 'watch' ? 'watch=true&timeoutSeconds=1' : 'dryRun=All'}`,
          expect,
          what,
        });
      const perms = (sub: string, verb: string) => roleAllows(role, sub ? `${key}/${sub}` : key, verb);
      if (t.namespaced) {
        for (const [scope, ns] of [
          ['own', own],
          ['other', other],
        ] as const) {
          const visible = scope === 'own' && role !== 'none';
          const exp = (sub: string, verb: string): Expect =>
            role === 'cluster-admin' ? 'allowed' : !visible ? 'hidden' : perms(sub, verb) ? 'allowed' : 'forbidden';
          const coll = `${base(t)}/namespaces/${ns}/${t.plural}`;
          for (const verb of t.verbs) {
            const named = ['get', 'update', 'patch', 'delete'].includes(verb);
            add(verb, named ? `${coll}/x` : coll, exp('', verb), `${verb} ${key} in ${scope}`);
          }
          for (const sub of t.subresources) {
            for (const verb of ['get', 'create', 'update', 'patch']) add(verb, `${coll}/x/${sub}`, exp(sub, verb), `${verb} ${key}/${sub} in ${scope}`);
          }
        }
        // Across namespaces: a tenant's list/watch is filtered to what it may see; other verbs are cluster-wide and forbidden.
        for (const verb of ['list', 'watch', 'create']) {
          const exp: Expect = role === 'cluster-admin' ? 'allowed' : verb !== 'create' && perms('', verb) ? 'allowed' : 'forbidden';
          add(verb, `${base(t)}/${t.plural}`, exp, `${verb} ${key} across namespaces`);
        }
      } else if (t.plural === 'namespaces' && !t.group) {
        for (const verb of t.verbs) {
          if (['get', 'update', 'patch', 'delete'].includes(verb)) {
            for (const [scope, ns] of [
              ['own', own],
              ['other', other],
            ] as const) {
              const visible = scope === 'own' && role !== 'none';
              const exp: Expect = role === 'cluster-admin' ? 'allowed' : !visible ? 'hidden' : perms('', verb) ? 'allowed' : 'forbidden';
              add(verb, `/api/v1/namespaces/${ns}`, exp, `${verb} namespace ${scope}`);
            }
          } else {
            // Listing namespaces is always allowed and filtered; creating them is for cluster admins.
            const exp: Expect = role === 'cluster-admin' || verb === 'list' || verb === 'watch' ? 'allowed' : 'forbidden';
            add(verb, '/api/v1/namespaces', exp, `${verb} namespaces`);
          }
        }
      } else {
        const coll = `${base(t)}/${t.plural}`;
        const exp: Expect = role === 'cluster-admin' ? 'allowed' : 'forbidden';
        for (const verb of t.verbs) add(verb, ['get', 'update', 'patch', 'delete'].includes(verb) ? `${coll}/x` : coll, exp, `${verb} ${key}`);
        for (const sub of t.subresources) for (const verb of ['get', 'update', 'patch']) add(verb, `${coll}/x/${sub}`, exp, `${verb} ${key}/${sub}`);
      }
    }
  }
  return out;
}

function outcome(status: number): Expect | string {
  if (status === 403) return 'forbidden';
  if (status === 401 || status === 429 || status >= 500) return `status ${status}`;
  return 'allowed-or-hidden';
}

beforeAll(async () => {
  p = await startTenancyPlatform(`${prefix}-root`, { FLOTILLA_MUTATION_BURST: '1000000', FLOTILLA_MUTATION_RATE: '100000' });
  for (const role of ROLES) tokens[role] = await userWithToken(p, `${prefix}-${role}`);
  // The other namespace's admin exists too: the API refuses a binding to a user that does not.
  await userWithToken(p, `${prefix}-elsewhere`);
  const bindings = (['admin', 'edit', 'view'] as const).map((r) => ({ role: r, users: [`${prefix}-${r}`] }));
  expect((await call(p, 'POST', '/flotilla/v1/admin/namespaces', p.token, { name: own, bindings })).status).toBe(201);
  expect(
    (await call(p, 'POST', '/flotilla/v1/admin/namespaces', p.token, { name: other, bindings: [{ role: 'admin', users: [`${prefix}-elsewhere`] }] })).status,
  ).toBe(201);
  const crb = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `${prefix}-ca` },
    subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: `${prefix}-cluster-admin` }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  };
  expect((await call(p, 'POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', p.token, crb)).status).toBe(201);
  await call(p, 'POST', `/api/v1/namespaces/${other}/configmaps`, p.token, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'secret-plans' } });
  await call(p, 'POST', `/api/v1/namespaces/${own}/configmaps`, p.token, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ours' } });
});

afterAll(async () => {
  await call(p, 'DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${prefix}-ca`, p.token);
  await p?.stop();
  await cleanUp([own, other], prefix);
});

describe('the authorisation matrix', () => {
  it('classifies every served resource type', () => {
    const unknown = resourceTypes.map((t) => `${t.group}/${t.plural}`).filter((k) => !CLASSIFIED.has(k));
    expect(unknown).toEqual([]);
  });

  it('answers every route × role × scope as Kubernetes RBAC would, with 404 for namespaces a user cannot see', async () => {
    const all = routes();
    expect(all.length).toBeGreaterThan(1000);
    const wrong: string[] = [];
    const queue = [...all];
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        for (let r = queue.shift(); r; r = queue.shift()) {
          const body = r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}';
          const ct = r.method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
          const status = await statusOf(p, r.method, r.path, tokens[r.role], body, ct);
          const got = outcome(status);
          const ok = r.expect === 'forbidden' ? got === 'forbidden' : r.expect === 'hidden' ? status === 404 : got === 'allowed-or-hidden';
          if (!ok) wrong.push(`${r.role}: ${r.what} (${r.method} ${r.path}) → ${status}, expected ${r.expect}`);
        }
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('lists only what a tenant may see, across namespaces', async () => {
    const ns = await call(p, 'GET', '/api/v1/namespaces', tokens.view);
    expect((ns.json().items as { metadata: { name: string } }[]).map((i) => i.metadata.name)).toEqual([own]);
    const none = await call(p, 'GET', '/api/v1/namespaces', tokens.none);
    expect(none.json().items).toEqual([]);
    const cms = await call(p, 'GET', '/api/v1/configmaps', tokens.view);
    const names = (cms.json().items as { metadata: { namespace: string } }[]).map((i) => i.metadata.namespace);
    expect(names).toContain(own);
    expect(names.every((n) => n === own)).toBe(true);
  });

  it('says "not found" for another tenant’s objects, exactly as for missing ones', async () => {
    const theirs = await call(p, 'GET', `/api/v1/namespaces/${other}/configmaps/secret-plans`, tokens.admin);
    const missing = await call(p, 'GET', `/api/v1/namespaces/${prefix}-nowhere/configmaps/secret-plans`, tokens.admin);
    expect(theirs.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(theirs.json().message).toBe(missing.json().message);
  });
});
