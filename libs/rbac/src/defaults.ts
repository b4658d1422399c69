// The default ClusterRoles and ClusterRoleBindings every cluster starts with, with the meanings
// Kubernetes gives them: cluster-admin (everything), admin (everything in a namespace, including
// granting roles there), edit (workloads and Secrets but not RBAC), view (read, except Secrets),
// plus discovery, self-review and public-info rules for every client.
import type { BindingObject, PolicyRule, RoleObject } from './types';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** The label Kubernetes puts on what it seeds (and reconciles). */
export const BOOTSTRAP_LABELS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

/** Group that Flotilla's user admins belong to (bound to cluster-admin). */
export const ADMINS_GROUP = 'flotilla:admins';

const VIEW_RULES: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'pods/status',
      'services',
      'services/status',
      'endpoints',
      'configmaps',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'serviceaccounts',
      'events',
      'limitranges',
      'resourcequotas',
      'resourcequotas/status',
      'namespaces',
      'namespaces/status',
      'replicationcontrollers',
      'bindings',
    ],
    verbs: READ,
  },
  {
    apiGroups: ['apps'],
    resources: [
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
      'daemonsets',
      'daemonsets/status',
    ],
    verbs: READ,
  },
  { apiGroups: ['batch'], resources: ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingresses/status', 'networkpolicies'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
];

// No write on endpoints (or endpointslices): hand-written Endpoints let a tenant route a Service to
// another namespace's pods or the host's loopback (CVE-2021-25740); Kubernetes dropped it in 1.22.
const EDIT_EXTRA: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], verbs: READ },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/attach',
      'pods/exec',
      'pods/portforward',
      'pods/proxy',
      'configmaps',
      'persistentvolumeclaims',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'secrets',
      'serviceaccounts',
      'services',
      'services/proxy',
    ],
    verbs: WRITE,
  },
  { apiGroups: [''], resources: ['pods/eviction', 'serviceaccounts/token'], verbs: ['create'] },
  {
    apiGroups: ['apps'],
    resources: [
      'deployments',
      'deployments/scale',
      'replicasets',
      'replicasets/scale',
      'statefulsets',
      'statefulsets/scale',
      'daemonsets',
      'deployments/rollback',
    ],
    verbs: WRITE,
  },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: WRITE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: WRITE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: [...READ, ...WRITE] },
];

const ADMIN_EXTRA: PolicyRule[] = [
  { apiGroups: [RBAC_GROUP], resources: ['roles', 'rolebindings'], verbs: [...READ, ...WRITE] },
  { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
];

function clusterRole(name: string, rules: PolicyRule[], extraLabels: Record<string, string> = {}): RoleObject & { apiVersion: string; kind: string } {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS, ...extraLabels } },
    rules,
  };
}

function binding(name: string, role: string, groups: string[]): BindingObject & { apiVersion: string; kind: string } {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { ...BOOTSTRAP_LABELS } } as BindingObject['metadata'],
    subjects: groups.map((g) => ({ kind: 'Group', apiGroup: RBAC_GROUP, name: g })),
    roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
  };
}

export const PUBLIC_URLS = ['/healthz', '/livez', '/readyz', '/version', '/version/', '/flotilla/v1/login', '/flotilla/v1/logout', '/flotilla/v1/nodes/join'];

export function defaultClusterRoles(): (RoleObject & { apiVersion: string; kind: string })[] {
  return [
    clusterRole('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    clusterRole('admin', [...VIEW_RULES, ...EDIT_EXTRA, ...ADMIN_EXTRA]),
    clusterRole('edit', [...VIEW_RULES, ...EDIT_EXTRA]),
    clusterRole('view', VIEW_RULES),
    clusterRole('system:discovery', [
      {
        nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/readyz', '/openapi', '/openapi/*', '/version', '/version/'],
        verbs: ['get'],
      },
    ]),
    clusterRole('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
      // The caller's own tokens, sessions and kubeconfig.
      { nonResourceURLs: ['/flotilla/v1/me', '/flotilla/v1/me/*'], verbs: ['*'] },
    ]),
    clusterRole('system:public-info-viewer', [{ nonResourceURLs: PUBLIC_URLS, verbs: ['get', 'post', 'create'] }]),
  ];
}

export function defaultClusterRoleBindings(): (BindingObject & { apiVersion: string; kind: string })[] {
  return [
    binding('cluster-admin', 'cluster-admin', ['system:masters']),
    binding('flotilla:admins', 'cluster-admin', [ADMINS_GROUP]),
    binding('system:discovery', 'system:discovery', ['system:authenticated']),
    binding('system:basic-user', 'system:basic-user', ['system:authenticated']),
    binding('system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
  ];
}
