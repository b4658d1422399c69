// Fixture builders for the resources specs.
import type { KubeObject } from '../types';

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
