import { defaultClusterRoles } from './defaults';
import { authorizeNode, NodeGraph, podReferences } from './node';
import { Policy, PolicySnapshot } from './policy';
import { ruleAllows, uncoveredRules } from './rules';
import type { BindingObject, RequestAttributes } from './types';

const attrs = (over: Partial<RequestAttributes>): RequestAttributes => ({
  verb: 'get',
  group: '',
  resource: 'pods',
  subresource: '',
  namespace: 'team-a',
  name: '',
  ...over,
});

function rb(ns: string, role: string, subject: BindingObject['subjects'], kind = 'ClusterRole'): BindingObject {
  return { metadata: { name: `${role}-b`, namespace: ns }, subjects: subject, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role } };
}

function policy(extra: Partial<PolicySnapshot> = {}): Policy {
  return new Policy({ roles: [], clusterRoles: defaultClusterRoles(), roleBindings: [], clusterRoleBindings: [], ...extra });
}

const alice = { username: 'alice', groups: ['system:authenticated'] };
const team = { username: 'bob', groups: ['team-a-devs', 'system:authenticated'] };

describe('rule matching', () => {
  it('matches verbs, groups, resources and wildcards', () => {
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, attrs({}))).toBe(true);
    expect(ruleAllows({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, attrs({ verb: 'delete', group: 'apps', resource: 'deployments' }))).toBe(true);
    expect(ruleAllows({ verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] }, attrs({}))).toBe(false);
  });

  it('treats a subresource as its own resource, with */sub wildcards', () => {
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, attrs({ subresource: 'log' }))).toBe(false);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, attrs({ subresource: 'log' }))).toBe(true);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, attrs({ subresource: 'log' }))).toBe(true);
  });

  it('limits by resourceNames, which never match a list', () => {
    const r = { verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['app'] };
    expect(ruleAllows(r, attrs({ resource: 'configmaps', name: 'app' }))).toBe(true);
    expect(ruleAllows(r, attrs({ resource: 'configmaps', name: 'other' }))).toBe(false);
    expect(ruleAllows(r, attrs({ resource: 'configmaps', verb: 'list' }))).toBe(false);
  });

  it('matches non-resource URLs exactly or by prefix*', () => {
    const r = { verbs: ['get'], nonResourceURLs: ['/apis/*', '/version'] };
    expect(ruleAllows(r, attrs({ path: '/apis/apps/v1' }))).toBe(true);
    expect(ruleAllows(r, attrs({ path: '/version' }))).toBe(true);
    expect(ruleAllows(r, attrs({ path: '/metrics' }))).toBe(false);
    expect(ruleAllows({ verbs: ['get'], apiGroups: ['*'], resources: ['*'] }, attrs({ path: '/version' }))).toBe(false);
  });
});

describe('default roles', () => {
  const p = policy({ roleBindings: [rb('team-a', 'view', [{ kind: 'User', name: 'alice' }]), rb('team-a', 'edit', [{ kind: 'Group', name: 'team-a-devs' }])] });

  it('view reads workloads but not Secrets, and writes nothing', () => {
    expect(p.allows(alice, attrs({ verb: 'list' }))).toBe(true);
    expect(p.allows(alice, attrs({ subresource: 'log', name: 'x' }))).toBe(true);
    expect(p.allows(alice, attrs({ resource: 'secrets', name: 'x' }))).toBe(false);
    expect(p.allows(alice, attrs({ verb: 'create' }))).toBe(false);
  });

  it('applies a RoleBinding only in its namespace', () => {
    expect(p.allows(alice, attrs({ namespace: 'team-b', verb: 'list' }))).toBe(false);
    expect(p.allows(alice, attrs({ namespace: '', verb: 'list' }))).toBe(false);
  });

  it('edit (given to a group) writes workloads and Secrets but not RBAC', () => {
    expect(p.allows(team, attrs({ verb: 'create', resource: 'secrets' }))).toBe(true);
    expect(p.allows(team, attrs({ verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'w' }))).toBe(true);
    expect(p.allows(team, attrs({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' }))).toBe(false);
  });

  it('knows the namespaces a user is bound in', () => {
    expect([...p.boundNamespaces(team)]).toEqual(['team-a']);
    expect(p.boundNamespaces({ username: 'carol', groups: [] }).size).toBe(0);
  });

  it('binds service accounts by namespace and name', () => {
    const q = policy({ roleBindings: [rb('team-a', 'view', [{ kind: 'ServiceAccount', name: 'ci' }])] });
    expect(q.allows({ username: 'system:serviceaccount:team-a:ci', groups: [] }, attrs({ verb: 'list' }))).toBe(true);
    expect(q.allows({ username: 'system:serviceaccount:team-b:ci', groups: [] }, attrs({ verb: 'list' }))).toBe(false);
  });

  it('resolves Roles in the binding namespace', () => {
    const q = policy({
      roles: [{ metadata: { name: 'cm-reader', namespace: 'team-a' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }] }],
      roleBindings: [rb('team-a', 'cm-reader', [{ kind: 'User', name: 'alice' }], 'Role')],
    });
    expect(q.allows(alice, attrs({ resource: 'configmaps', name: 'c' }))).toBe(true);
    expect(q.allows(alice, attrs({ resource: 'configmaps', name: 'c', namespace: 'team-b' }))).toBe(false);
  });
});

describe('escalation check', () => {
  const roles = Object.fromEntries(defaultClusterRoles().map((r) => [r.metadata.name, r.rules ?? []]));
  it('admin covers edit and view but not cluster-admin', () => {
    expect(uncoveredRules(roles.admin, roles.edit)).toEqual([]);
    expect(uncoveredRules(roles.admin, roles.view)).toEqual([]);
    expect(uncoveredRules(roles.admin, roles['cluster-admin']).length).toBeGreaterThan(0);
  });
  it('view does not cover edit; a wildcard is only covered by a wildcard', () => {
    expect(uncoveredRules(roles.view, roles.edit).length).toBeGreaterThan(0);
    expect(uncoveredRules([{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }])).toHaveLength(
      1,
    );
    expect(uncoveredRules(roles['cluster-admin'], roles.admin)).toEqual([]);
  });
});

describe('node authorizer', () => {
  const graph: NodeGraph = {
    podNode: (ns, name) => (ns === 'a' && name === 'mine' ? 'n1' : 'n2'),
    nodeUses: (node, kind, ns, name) => node === 'n1' && kind === 'secrets' && name === 'used',
    nodeHasPodIn: (node, ns) => node === 'n1' && ns === 'a',
  };
  it('gets only the namespaces it has pods in (to judge their Pod Security level), never lists them', () => {
    const ns = (verb: string, name: string) => authorizeNode('n1', attrs({ verb, resource: 'namespaces', namespace: '', name }), graph).allowed;
    expect(ns('get', 'a')).toBe(true);
    expect(ns('get', 'b')).toBe(false);
    expect(ns('list', '')).toBe(false);
    expect(ns('update', 'a')).toBe(false);
  });
  it('allows its own Node, Lease, pods and the Secrets they use', () => {
    expect(authorizeNode('n1', attrs({ verb: 'update', resource: 'nodes', subresource: 'status', namespace: '', name: 'n1' }), graph).allowed).toBe(true);
    expect(
      authorizeNode('n1', attrs({ verb: 'update', group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', name: 'n1' }), graph).allowed,
    ).toBe(true);
    expect(authorizeNode('n1', attrs({ namespace: 'a', name: 'mine' }), graph).allowed).toBe(true);
    expect(authorizeNode('n1', attrs({ verb: 'list', namespace: '' }), graph)).toEqual({ allowed: true, podsOnNode: 'n1' });
    expect(authorizeNode('n1', attrs({ resource: 'secrets', namespace: 'a', name: 'used' }), graph).allowed).toBe(true);
    expect(authorizeNode('n1', attrs({ resource: 'persistentvolumeclaims', namespace: 'a', name: 'data' }), graph).allowed).toBe(true);
  });
  it('denies other nodes, other pods, unused Secrets and everything else', () => {
    expect(authorizeNode('n1', attrs({ verb: 'update', resource: 'nodes', subresource: 'status', namespace: '', name: 'n2' }), graph).allowed).toBe(false);
    expect(authorizeNode('n1', attrs({ namespace: 'a', name: 'theirs' }), graph).allowed).toBe(false);
    expect(authorizeNode('n1', attrs({ resource: 'secrets', namespace: 'a', name: 'other' }), graph).allowed).toBe(false);
    expect(authorizeNode('n1', attrs({ resource: 'secrets', verb: 'list', namespace: 'a' }), graph).allowed).toBe(false);
    expect(authorizeNode('n1', attrs({ resource: 'persistentvolumeclaims', verb: 'list', namespace: 'a' }), graph).allowed).toBe(false);
    expect(authorizeNode('n1', attrs({ resource: 'persistentvolumeclaims', verb: 'delete', namespace: 'a', name: 'data' }), graph).allowed).toBe(false);
    expect(authorizeNode('n1', attrs({ verb: 'create', group: 'apps', resource: 'deployments' }), graph).allowed).toBe(false);
  });
  it('finds the ConfigMaps and Secrets a pod spec references', () => {
    const refs = podReferences({
      volumes: [{ secret: { secretName: 's1' } }, { configMap: { name: 'c1' } }],
      containers: [{ env: [{ valueFrom: { secretKeyRef: { name: 's2' } } }], envFrom: [{ configMapRef: { name: 'c2' } }] }],
      imagePullSecrets: [{ name: 'pull' }],
    });
    expect([...refs.secrets].sort()).toEqual(['pull', 's1', 's2']);
    expect([...refs.configmaps].sort()).toEqual(['c1', 'c2']);
  });
});

describe('node authorizer and ingresses', () => {
  const graph = { podNode: () => '', nodeUses: () => false, ingressUses: (ns: string, name: string) => ns === 'shop' && name === 'shop-tls' };
  const attrs = (verb: string, group: string, resource: string, namespace = '', name = '', subresource = '') => ({
    verb,
    group,
    resource,
    subresource,
    namespace,
    name,
  });

  it('lets a node read Ingresses and write their status, nothing more', () => {
    expect(authorizeNode('n1', attrs('list', 'networking.k8s.io', 'ingresses'), graph).allowed).toBe(true);
    expect(authorizeNode('n1', attrs('update', 'networking.k8s.io', 'ingresses', 'shop', 'web', 'status'), graph).allowed).toBe(true);
    expect(authorizeNode('n1', attrs('delete', 'networking.k8s.io', 'ingresses', 'shop', 'web'), graph).allowed).toBe(false);
  });

  it('lets a node get only the Secrets an Ingress names for TLS', () => {
    expect(authorizeNode('n1', attrs('get', '', 'secrets', 'shop', 'shop-tls'), graph).allowed).toBe(true);
    expect(authorizeNode('n1', attrs('get', '', 'secrets', 'shop', 'db-password'), graph).allowed).toBe(false);
    expect(authorizeNode('n1', attrs('list', '', 'secrets', 'shop'), graph).allowed).toBe(false);
  });
});
