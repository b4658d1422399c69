// Fixture builders for the resources specs.
import { resourceFor } from '../registry';
import type { KubeObject } from '../types';

/** The registered types the specs validate and default against. */
export const T = {
  deploy: resourceFor('apps', 'v1', 'deployments')!,
  rs: resourceFor('apps', 'v1', 'replicasets')!,
  pod: resourceFor('', 'v1', 'pods')!,
  svc: resourceFor('', 'v1', 'services')!,
  secret: resourceFor('', 'v1', 'secrets')!,
  cm: resourceFor('', 'v1', 'configmaps')!,
  job: resourceFor('batch', 'v1', 'jobs')!,
  cj: resourceFor('batch', 'v1', 'cronjobs')!,
  ns: resourceFor('', 'v1', 'namespaces')!,
  node: resourceFor('', 'v1', 'nodes')!,
  lease: resourceFor('coordination.k8s.io', 'v1', 'leases')!,
  quota: resourceFor('', 'v1', 'resourcequotas')!,
  role: resourceFor('rbac.authorization.k8s.io', 'v1', 'roles')!,
  rb: resourceFor('rbac.authorization.k8s.io', 'v1', 'rolebindings')!,
  crb: resourceFor('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings')!,
  ing: resourceFor('networking.k8s.io', 'v1', 'ingresses')!,
  pvc: resourceFor('', 'v1', 'persistentvolumeclaims')!,
};

type Rec = Record<string, unknown>;

export function deployment(overrides: Rec = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    },
    ...overrides,
  };
}

export function pod(spec: Rec = {}, status: Rec | undefined = undefined, meta: Rec = {}): KubeObject {
  const o: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', ...meta },
    spec: { containers: [{ name: 'app', image: 'busybox' }], ...spec },
  };
  if (status) o.status = status;
  return o;
}

export function service(spec: Rec = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
  };
}

/** Deep clone, then apply a mutation: keeps tests to one line of intent each. */
export function mutate<T>(o: T, fn: (x: any) => void): T {
  const copy = JSON.parse(JSON.stringify(o));
  fn(copy);
  return copy;
}
