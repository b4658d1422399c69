import { applyDefaults } from './defaults';
import { resourceTypes } from './registry';
import type { FieldError, ResourceType } from './registry-types';
import { T, deployment, mutate, pod, service } from './testing/fixtures';
import { seededRandom } from './testing/random';
import type { KubeObject } from './types';
import { unknownFields, validateObject } from './validation';

function errorAt(errs: FieldError[], field: string, reason?: string): FieldError {
  const hit = errs.find((e) => e.field === field && (!reason || e.reason === reason));
  if (!hit) throw new Error(`no ${reason ?? ''} error at ${field}; got:\n${errs.map((e) => `${e.field} ${e.reason} ${e.message}`).join('\n')}`);
  return hit;
}

const valid = (t: ResourceType, o: unknown, old?: KubeObject): FieldError[] => validateObject(t, o, old);

describe('validateObject: metadata', () => {
  it('accepts a valid Deployment', () => {
    expect(valid(T.deploy, deployment())).toEqual([]);
  });

  it('rejects names that are not DNS subdomains, with the Kubernetes message', () => {
    const e = errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.metadata.name = 'Foo_Bar')),
      ),
      'metadata.name',
      'FieldValueInvalid',
    );
    expect(e.message).toMatch(
      /^Invalid value: "Foo_Bar": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character/,
    );
  });

  it('uses DNS-1123 labels for namespaces', () => {
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b' } };
    expect(errorAt(valid(T.ns, ns), 'metadata.name').message).toContain('a lowercase RFC 1123 label must consist of lower case alphanumeric characters');
    expect(valid(T.ns, { ...ns, metadata: { name: 'team-a' } })).toEqual([]);
    expect(errorAt(valid(T.ns, { ...ns, metadata: { name: 'x'.repeat(64) } }), 'metadata.name').message).toContain('must be no more than 63 characters');
  });

  it('requires a name unless generateName is given, and checks generateName', () => {
    errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => delete x.metadata.name),
      ),
      'metadata.name',
      'FieldValueRequired',
    );
    expect(
      valid(
        T.deploy,
        mutate(deployment(), (x) => {
          delete x.metadata.name;
          x.metadata.generateName = 'web-';
        }),
      ),
    ).toEqual([]);
    errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => {
          delete x.metadata.name;
          x.metadata.generateName = 'Web-';
        }),
      ),
      'metadata.generateName',
    );
  });

  it('requires a namespace on namespaced kinds and forbids it on cluster-scoped ones', () => {
    errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => delete x.metadata.namespace),
      ),
      'metadata.namespace',
      'FieldValueRequired',
    );
    errorAt(valid(T.ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a', namespace: 'b' } }), 'metadata.namespace', 'FieldValueForbidden');
  });

  it('checks label keys and values and annotation keys', () => {
    const errs = valid(
      T.deploy,
      mutate(deployment(), (x) => {
        x.metadata.labels = { 'bad key': 'v', ok: 'bad value!' };
        x.metadata.annotations = { 'a/b/c': 'x' };
      }),
    );
    expect(errs.filter((e) => e.field === 'metadata.labels')).toHaveLength(2);
    errorAt(errs, 'metadata.annotations');
  });

  it('limits the total size of annotations to 256KiB', () => {
    const e = errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.metadata.annotations = { a: 'x'.repeat(256 * 1024) })),
      ),
      'metadata.annotations',
      'FieldValueTooLong',
    );
    expect(e.message).toContain('262144');
  });

  it('reports values of the wrong JSON type', () => {
    const errs = valid(
      T.deploy,
      mutate(deployment(), (x) => {
        x.spec.replicas = 'two';
        x.metadata.labels = [];
      }),
    );
    expect(errorAt(errs, 'spec.replicas', 'FieldValueTypeInvalid').message).toBe(
      'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    );
    errorAt(errs, 'metadata.labels', 'FieldValueTypeInvalid');
    errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.spec.replicas = 1.5)),
      ),
      'spec.replicas',
      'FieldValueTypeInvalid',
    );
  });

  it('makes name immutable on update', () => {
    errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.metadata.name = 'other')),
        deployment(),
      ),
      'metadata.name',
    );
  });
});

describe('validateObject: pod specs', () => {
  const C = 'spec.template.spec.containers';

  it('requires containers', () => {
    errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.spec.template.spec.containers = [])),
      ),
      C,
      'FieldValueRequired',
    );
    errorAt(valid(T.pod, pod({ containers: undefined })), 'spec.containers', 'FieldValueRequired');
  });

  it('requires an image and a valid, unique container name (init containers included)', () => {
    const errs = valid(
      T.deploy,
      mutate(deployment(), (x) => {
        x.spec.template.spec.initContainers = [{ name: 'web', image: 'busybox' }];
        x.spec.template.spec.containers.push({ name: 'Side_Car' });
      }),
    );
    errorAt(errs, `${C}[0].name`, 'FieldValueDuplicate');
    errorAt(errs, `${C}[1].image`, 'FieldValueRequired');
    errorAt(errs, `${C}[1].name`, 'FieldValueInvalid');
  });

  it('checks ports and protocols', () => {
    const errs = valid(
      T.pod,
      pod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 0 }, { containerPort: 70000 }, { containerPort: 80, protocol: 'tcp' }] }] }),
    );
    expect(errorAt(errs, 'spec.containers[0].ports[0].containerPort').message).toBe('Invalid value: 0: must be between 1 and 65535, inclusive');
    errorAt(errs, 'spec.containers[0].ports[1].containerPort');
    expect(errorAt(errs, 'spec.containers[0].ports[2].protocol', 'FieldValueNotSupported').message).toBe(
      'Unsupported value: "tcp": supported values: "SCTP", "TCP", "UDP"',
    );
  });

  it('checks the types of security context fields', () => {
    const sc = { seccompProfile: { type: 'unconfined' }, procMount: 'unmasked', seLinuxOptions: { type: 1 }, windowsOptions: { hostProcess: 'yes' } };
    const errs = valid(T.pod, pod({ securityContext: { seLinuxOptions: { user: [] } }, containers: [{ name: 'a', image: 'x', securityContext: sc }] }));
    const at = 'spec.containers[0].securityContext';
    expect(errorAt(errs, `${at}.seccompProfile.type`, 'FieldValueNotSupported').message).toBe(
      'Unsupported value: "unconfined": supported values: "Localhost", "RuntimeDefault", "Unconfined"',
    );
    errorAt(errs, `${at}.procMount`, 'FieldValueNotSupported');
    errorAt(errs, `${at}.seLinuxOptions.type`);
    errorAt(errs, `${at}.windowsOptions.hostProcess`);
    errorAt(errs, 'spec.securityContext.seLinuxOptions.user');
  });

  it('checks environment variable names', () => {
    const errs = valid(T.pod, pod({ containers: [{ name: 'a', image: 'x', env: [{ name: '1BAD' }, { value: 'x' }, { name: 'OK', valueFrom: {} }] }] }));
    errorAt(errs, 'spec.containers[0].env[0].name', 'FieldValueInvalid');
    errorAt(errs, 'spec.containers[0].env[1].name', 'FieldValueRequired');
    errorAt(errs, 'spec.containers[0].env[2].valueFrom', 'FieldValueInvalid');
  });

  it('requires unique volume names with exactly one source, and mounts of declared volumes', () => {
    const errs = valid(
      T.pod,
      pod({
        volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }, { name: 'none' }, { name: 'two', emptyDir: {}, configMap: { name: 'c' } }],
        containers: [
          {
            name: 'a',
            image: 'x',
            volumeMounts: [
              { name: 'data', mountPath: '/d' },
              { name: 'missing', mountPath: '/m' },
            ],
          },
        ],
      }),
    );
    errorAt(errs, 'spec.volumes[1].name', 'FieldValueDuplicate');
    errorAt(errs, 'spec.volumes[2]', 'FieldValueRequired');
    errorAt(errs, 'spec.volumes[3].configMap', 'FieldValueForbidden');
    errorAt(errs, 'spec.containers[0].volumeMounts[1].name');
    expect(errs.find((e) => e.field === 'spec.containers[0].volumeMounts[0].name')).toBeUndefined();
  });

  it('checks subPath and subPathExpr as local descending paths, never both', () => {
    const mounts = [
      { name: 'data', mountPath: '/a', subPath: '/etc' },
      { name: 'data', mountPath: '/b', subPath: 'x/../../y' },
      { name: 'data', mountPath: '/c', subPathExpr: '/$(POD_NAME)' },
      { name: 'data', mountPath: '/d', subPathExpr: '$(POD_NAME)/..' },
      { name: 'data', mountPath: '/e', subPath: 'x', subPathExpr: '$(POD_NAME)' },
      { name: 'data', mountPath: '/f', subPathExpr: '$(POD_NAME)/logs' },
      { name: 'data', mountPath: '/g', subPath: 'a..b/c' },
    ];
    const errs = valid(T.pod, pod({ volumes: [{ name: 'data', emptyDir: {} }], containers: [{ name: 'a', image: 'x', volumeMounts: mounts }] }));
    errorAt(errs, 'spec.containers[0].volumeMounts[0].subPath', 'FieldValueInvalid');
    errorAt(errs, 'spec.containers[0].volumeMounts[1].subPath', 'FieldValueInvalid');
    errorAt(errs, 'spec.containers[0].volumeMounts[2].subPathExpr', 'FieldValueInvalid');
    errorAt(errs, 'spec.containers[0].volumeMounts[3].subPathExpr', 'FieldValueInvalid');
    expect(errorAt(errs, 'spec.containers[0].volumeMounts[4].subPathExpr').message).toMatch(/mutually exclusive/);
    expect(errs.filter((e) => /volumeMounts\[[56]\]/.test(e.field))).toEqual([]);
  });

  it('checks resource quantities and that requests do not exceed limits', () => {
    const errs = valid(T.pod, pod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '2', memory: 'lots' }, limits: { cpu: '500m' } } }] }));
    expect(errorAt(errs, 'spec.containers[0].resources.requests[cpu]').message).toBe('Invalid value: "2": must be less than or equal to cpu limit of 500m');
    expect(errorAt(errs, 'spec.containers[0].resources.requests[memory]').message).toContain('quantities must match the regular expression');
    expect(
      valid(
        T.pod,
        pod({ containers: [{ name: 'a', image: 'x', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: 1, memory: '1e9' } } }] }),
      ),
    ).toEqual([]);
  });

  it('checks restartPolicy', () => {
    errorAt(valid(T.pod, pod({ restartPolicy: 'Sometimes' })), 'spec.restartPolicy', 'FieldValueNotSupported');
    const e = errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.spec.template.spec.restartPolicy = 'OnFailure')),
      ),
      'spec.template.spec.restartPolicy',
      'FieldValueNotSupported',
    );
    expect(e.message).toBe('Unsupported value: "OnFailure": supported values: "Always"');
  });
});

describe('validateObject: workloads', () => {
  it('requires a non-empty selector matching the template labels', () => {
    errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => delete x.spec.selector),
      ),
      'spec.selector',
      'FieldValueRequired',
    );
    errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.spec.selector = {})),
      ),
      'spec.selector',
      'FieldValueInvalid',
    );
    const e = errorAt(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.spec.selector.matchLabels = { app: 'api' })),
      ),
      'spec.template.metadata.labels',
    );
    expect(e.message).toBe('Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`');
    errorAt(
      valid(
        T.rs,
        mutate(deployment({ kind: 'ReplicaSet' }), (x) => (x.spec.selector.matchLabels = { app: 'api' })),
      ),
      'spec.template.metadata.labels',
    );
  });

  it('rejects negative replicas', () => {
    expect(
      errorAt(
        valid(
          T.deploy,
          mutate(deployment(), (x) => (x.spec.replicas = -1)),
        ),
        'spec.replicas',
      ).message,
    ).toBe('Invalid value: -1: must be greater than or equal to 0');
  });

  it('checks maxSurge and maxUnavailable', () => {
    const both0 = mutate(deployment(), (x) => (x.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } }));
    errorAt(valid(T.deploy, both0), 'spec.strategy.rollingUpdate.maxUnavailable');
    const bad = mutate(deployment(), (x) => (x.spec.strategy = { rollingUpdate: { maxSurge: 'ten', maxUnavailable: '150%' } }));
    const errs = valid(T.deploy, bad);
    expect(errorAt(errs, 'spec.strategy.rollingUpdate.maxSurge').message).toContain('a valid percent string must be a numeric string followed by an ending');
    errorAt(errs, 'spec.strategy.rollingUpdate.maxUnavailable');
    expect(
      valid(
        T.deploy,
        mutate(deployment(), (x) => (x.spec.strategy = { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } })),
      ),
    ).toEqual([]);
  });

  it('makes the Deployment selector immutable', () => {
    const old = deployment();
    const now = mutate(old, (x) => {
      x.spec.selector.matchLabels = { app: 'web', v: '2' };
      x.spec.template.metadata.labels.v = '2';
    });
    errorAt(valid(T.deploy, now, old), 'spec.selector');
  });

  const job = (spec: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j', namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } }, ...spec },
  });

  it('requires Job templates to restart OnFailure or Never, and lets the selector default', () => {
    expect(valid(T.job, job())).toEqual([]);
    errorAt(
      valid(
        T.job,
        mutate(job(), (x) => (x.spec.template.spec.restartPolicy = 'Always')),
      ),
      'spec.template.spec.restartPolicy',
      'FieldValueNotSupported',
    );
    errorAt(
      valid(
        T.job,
        mutate(job(), (x) => delete x.spec.template.spec.restartPolicy),
      ),
      'spec.template.spec.restartPolicy',
      'FieldValueRequired',
    );
    errorAt(valid(T.job, job({ backoffLimit: -1 })), 'spec.backoffLimit');
  });

  it('makes the Job template immutable', () => {
    const old = job();
    errorAt(
      valid(
        T.job,
        mutate(old, (x) => (x.spec.template.spec.containers[0].image = 'alpine')),
        old,
      ),
      'spec.template',
    );
  });

  it('checks CronJob schedules', () => {
    const cj = (schedule: unknown): unknown => ({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'default' },
      spec: { schedule, jobTemplate: job().spec ? { spec: job().spec } : {} },
    });
    expect(valid(T.cj, cj('*/5 * * * *'))).toEqual([]);
    expect(valid(T.cj, cj('@hourly'))).toEqual([]);
    errorAt(valid(T.cj, cj('61 * * * *')), 'spec.schedule');
    errorAt(valid(T.cj, cj('* * *')), 'spec.schedule');
    errorAt(valid(T.cj, cj('')), 'spec.schedule', 'FieldValueRequired');
  });
});

describe('validateObject: services', () => {
  it('accepts a plain service and DNS-1035 names only', () => {
    expect(valid(T.svc, service())).toEqual([]);
    errorAt(valid(T.svc, { ...service(), metadata: { name: '1web', namespace: 'default' } }), 'metadata.name');
  });

  it('checks ports, names, node ports and target ports', () => {
    const errs = valid(
      T.svc,
      service({
        type: 'NodePort',
        ports: [{ name: 'http', port: 80, nodePort: 80 }, { port: 0 }, { name: 'http', port: 81, targetPort: 'not_a_name' }, { name: 'x', targetPort: 9 }],
      }),
    );
    expect(errorAt(errs, 'spec.ports[0].nodePort').message).toContain('30000-32767');
    errorAt(errs, 'spec.ports[1].port', 'FieldValueInvalid');
    errorAt(errs, 'spec.ports[1].name', 'FieldValueRequired');
    errorAt(errs, 'spec.ports[2].name', 'FieldValueDuplicate');
    errorAt(errs, 'spec.ports[2].targetPort', 'FieldValueInvalid');
    errorAt(errs, 'spec.ports[3].port', 'FieldValueRequired');
  });

  it('forbids nodePort on ClusterIP services', () => {
    errorAt(valid(T.svc, service({ ports: [{ port: 80, nodePort: 30080 }] })), 'spec.ports[0].nodePort', 'FieldValueForbidden');
  });

  it('makes clusterIP immutable', () => {
    const old = service({ clusterIP: '10.0.0.1' });
    errorAt(valid(T.svc, service({ clusterIP: '10.0.0.2' }), old), 'spec.clusterIP');
    expect(valid(T.svc, service({ clusterIP: '10.0.0.1' }), old)).toEqual([]);
  });
});

describe('validateObject: config and cluster kinds', () => {
  const cm = (extra: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'default' },
    ...extra,
  });
  const secret = (extra: Record<string, unknown>): Record<string, unknown> => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's', namespace: 'default' },
    ...extra,
  });

  it('checks ConfigMap keys and total size', () => {
    expect(errorAt(valid(T.cm, cm({ data: { 'bad key': 'x' } })), 'data[bad key]').message).toContain(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    );
    errorAt(valid(T.cm, cm({ data: { a: 'x'.repeat(1024 * 1024 + 1) } })), 'data', 'FieldValueTooLong');
    expect(valid(T.cm, cm({ data: { 'app.properties': 'a=b', KEY_1: 'v' } }))).toEqual([]);
  });

  it('freezes data of immutable ConfigMaps and Secrets', () => {
    const old = cm({ data: { a: '1' }, immutable: true }) as KubeObject;
    errorAt(valid(T.cm, cm({ data: { a: '2' }, immutable: true }), old), 'data', 'FieldValueForbidden');
    errorAt(valid(T.cm, cm({ data: { a: '1' }, immutable: false }), old), 'immutable', 'FieldValueForbidden');
    const oldS = secret({ data: { a: 'eA==' }, immutable: true }) as KubeObject;
    errorAt(valid(T.secret, secret({ data: { a: 'eQ==' }, immutable: true }), oldS), 'data', 'FieldValueForbidden');
  });

  it('checks Secret keys and base64', () => {
    const errs = valid(T.secret, secret({ data: { good: 'aGVsbG8=', bad: 'not base64!', 'x y': 'eA==' } }));
    errorAt(errs, 'data[bad]');
    errorAt(errs, 'data[x y]');
    expect(errs.find((e) => e.field === 'data[good]')).toBeUndefined();
    errorAt(valid(T.secret, secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } })), 'data[tls.key]', 'FieldValueRequired');
  });

  it('checks Node taint effects', () => {
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }, { key: 'k2' }] } };
    const errs = valid(T.node, node);
    errorAt(errs, 'spec.taints[0].effect', 'FieldValueNotSupported');
    errorAt(errs, 'spec.taints[1].effect', 'FieldValueRequired');
  });

  it('checks Lease fields', () => {
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'n1', namespace: 'kube-node-lease' },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 0, renewTime: 'yesterday' },
    };
    const errs = valid(T.lease, lease);
    errorAt(errs, 'spec.leaseDurationSeconds');
    errorAt(errs, 'spec.renewTime');
    expect(valid(T.lease, { ...lease, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:00.000000Z' } })).toEqual([]);
  });

  it('requires ResourceQuota hard values to be quantities', () => {
    const q = {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q', namespace: 'default' },
      spec: { hard: { cpu: '4', memory: 'many', pods: 10 } },
    };
    const errs = valid(T.quota, q);
    errorAt(errs, 'spec.hard[memory]');
    expect(errs).toHaveLength(1);
  });

  it('refuses ResourceQuota limits beyond exact counting, and fractional object counts', () => {
    const q = (hard: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard } });
    const errs = valid(T.quota, q({ pods: '99999999999999999999', 'count/deployments.apps': '1500m', memory: '1E' }));
    errorAt(errs, 'spec.hard[pods]');
    errorAt(errs, 'spec.hard[count/deployments.apps]');
    errorAt(errs, 'spec.hard[memory]');
    expect(errs).toHaveLength(3);
    expect(valid(T.quota, q({ pods: '9007199254740991', 'requests.cpu': '500m', memory: '64Gi', services: '5' }))).toEqual([]);
  });

  it('checks RBAC rules and role references', () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'r', namespace: 'default' },
      rules: [
        { apiGroups: [''], resources: ['pods'] },
        { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      ],
    };
    const errs = valid(T.role, role);
    errorAt(errs, 'rules[0].verbs', 'FieldValueRequired');
    errorAt(errs, 'rules[1].nonResourceURLs');
    const rb = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'b', namespace: 'default' },
      subjects: [{ kind: 'User', name: 'alice' }],
    };
    errorAt(valid(T.rb, rb), 'roleRef', 'FieldValueRequired');
    const good = { ...rb, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' } };
    expect(valid(T.rb, good)).toEqual([]);
    errorAt(valid(T.rb, { ...good, roleRef: { ...good.roleRef, name: 'other' } }, good as unknown as KubeObject), 'roleRef');
    const crb = { ...good, kind: 'ClusterRoleBinding', metadata: { name: 'b' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] };
    const crbErrs = valid(T.crb, crb);
    errorAt(crbErrs, 'roleRef.kind', 'FieldValueNotSupported');
    errorAt(crbErrs, 'subjects[0].namespace', 'FieldValueRequired');
  });

  it('checks Ingress paths and backends', () => {
    const ing = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i', namespace: 'default' },
      spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: 'x', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } }] } }] },
    };
    const errs = valid(T.ing, ing);
    errorAt(errs, 'spec.rules[0].http.paths[0].path');
    errorAt(errs, 'spec.rules[0].http.paths[0].backend.service.port', 'FieldValueRequired');
  });

  it('requires PVC access modes and a storage request', () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'p', namespace: 'default' },
      spec: { accessModes: ['ReadWriteSometimes'], resources: { requests: {} } },
    };
    const errs = valid(T.pvc, pvc);
    errorAt(errs, 'spec.accessModes[0]', 'FieldValueNotSupported');
    errorAt(errs, 'spec.resources[storage]', 'FieldValueRequired');
  });
});

// ---- strict field validation -----------------------------------------------------------------

const fullDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'default',
    uid: '6b1f0c0e-1111-2222-3333-444455556666',
    resourceVersion: '1234',
    generation: 3,
    creationTimestamp: '2024-05-01T10:00:00Z',
    labels: { app: 'web' },
    annotations: { 'deployment.kubernetes.io/revision': '2', 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' },
    managedFields: [
      {
        manager: 'kubectl-client-side-apply',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2024-05-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ],
  },
  spec: {
    replicas: 3,
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['frontend'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: {
        creationTimestamp: null,
        labels: { app: 'web', tier: 'frontend' },
        annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' },
      },
      spec: {
        serviceAccountName: 'web',
        securityContext: { runAsNonRoot: true, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'web' } } } },
            ],
          },
        },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { app: 'web' } } }],
        initContainers: [{ name: 'migrate', image: 'web:1.2', command: ['./migrate'], envFrom: [{ configMapRef: { name: 'web-config' } }] }],
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            imagePullPolicy: 'IfNotPresent',
            args: ['--port=8080'],
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [
              { name: 'MODE', value: 'prod' },
              { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
              { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            ],
            resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
            volumeMounts: [
              { name: 'config', mountPath: '/etc/web', readOnly: true },
              { name: 'cache', mountPath: '/cache' },
            ],
            livenessProbe: {
              httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' },
              initialDelaySeconds: 5,
              timeoutSeconds: 1,
              periodSeconds: 10,
              successThreshold: 1,
              failureThreshold: 3,
            },
            readinessProbe: { tcpSocket: { port: 8080 } },
            lifecycle: { preStop: { exec: { command: ['sleep', '5'] } } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        volumes: [
          { name: 'config', configMap: { name: 'web-config', items: [{ key: 'nginx.conf', path: 'nginx.conf' }], defaultMode: 420 } },
          { name: 'cache', emptyDir: { sizeLimit: '1Gi' } },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        schedulerName: 'default-scheduler',
      },
    },
  },
  status: {
    observedGeneration: 3,
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
    conditions: [
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'ok',
        lastUpdateTime: '2024-05-01T10:00:00Z',
        lastTransitionTime: '2024-05-01T10:00:00Z',
      },
    ],
  },
};

const fullService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    type: 'LoadBalancer',
    selector: { app: 'web' },
    ports: [
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30080, appProtocol: 'http' },
      { name: 'https', port: 443, targetPort: 8443 },
    ],
    clusterIP: '10.96.0.10',
    clusterIPs: ['10.96.0.10'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    sessionAffinity: 'None',
    externalTrafficPolicy: 'Cluster',
    internalTrafficPolicy: 'Cluster',
    allocateLoadBalancerNodePorts: true,
  },
  status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } },
};

const fullPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-abc',
    namespace: 'default',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'x', controller: true, blockOwnerDeletion: true }],
  },
  spec: {
    nodeName: 'node-1',
    containers: [{ name: 'web', image: 'nginx', stdin: true, tty: true, startupProbe: { exec: { command: ['true'] } } }],
    hostname: 'web',
    readinessGates: [{ conditionType: 'example.com/ready' }],
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
    priority: 0,
  },
  status: {
    phase: 'Running',
    podIP: '10.0.0.5',
    podIPs: [{ ip: '10.0.0.5' }],
    hostIP: '192.168.1.2',
    qosClass: 'BestEffort',
    startTime: '2024-05-01T10:00:00Z',
    conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:00Z' }],
    containerStatuses: [
      {
        name: 'web',
        ready: true,
        started: true,
        restartCount: 0,
        image: 'nginx',
        imageID: 'docker://sha',
        containerID: 'docker://abc',
        state: { running: { startedAt: '2024-05-01T10:00:00Z' } },
        lastState: {},
      },
    ],
  },
};

describe('unknownFields (strict validation)', () => {
  it('passes full, realistic manifests read back from the server', () => {
    expect(unknownFields(T.deploy, fullDeployment)).toEqual([]);
    expect(unknownFields(T.svc, fullService)).toEqual([]);
    expect(unknownFields(T.pod, fullPod)).toEqual([]);
    expect(validateObject(T.deploy, fullDeployment)).toEqual([]);
    expect(validateObject(T.svc, fullService)).toEqual([]);
    expect(validateObject(T.pod, fullPod)).toEqual([]);
  });

  it('still passes after defaulting', () => {
    const d = JSON.parse(JSON.stringify(fullDeployment));
    applyDefaults(T.deploy, d);
    expect(unknownFields(T.deploy, d)).toEqual([]);
    expect(validateObject(T.deploy, d)).toEqual([]);
  });

  it('finds undeclared fields with their paths', () => {
    const d = mutate(deployment(), (x) => {
      x.spec.foo = 1;
      x.spec.template.spec.containers[0].imagee = 'typo';
      x.metadata.labelz = {};
    });
    expect(unknownFields(T.deploy, d).sort()).toEqual(['metadata.labelz', 'spec.foo', 'spec.template.spec.containers[0].imagee']);
  });

  it('is not fooled by prototype property names', () => {
    const d = JSON.parse('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","constructor":{},"__proto__":{"x":1}},"spec":{"toString":1}}');
    expect(unknownFields(T.deploy, d).sort()).toEqual(['metadata.__proto__', 'metadata.constructor', 'spec.toString']);
    expect(() => validateObject(T.deploy, d)).not.toThrow();
  });

  it('accepts free-form affinity subfields', () => {
    const p = pod({ affinity: { nodeAffinity: { anything: { goes: [1, 2] } } } });
    expect(unknownFields(T.pod, p)).toEqual([]);
  });
});

// ---- fuzzing -------------------------------------------------------------------------------------

const KEYS = [
  'metadata',
  'spec',
  'status',
  'name',
  'namespace',
  'labels',
  'annotations',
  'template',
  'containers',
  'initContainers',
  'ports',
  'port',
  'targetPort',
  'nodePort',
  'image',
  'env',
  'volumes',
  'volumeMounts',
  'selector',
  'matchLabels',
  'matchExpressions',
  'replicas',
  'strategy',
  'rollingUpdate',
  'maxSurge',
  'maxUnavailable',
  'resources',
  'limits',
  'requests',
  'data',
  'stringData',
  'binaryData',
  'type',
  'rules',
  'verbs',
  'roleRef',
  'subjects',
  'taints',
  'effect',
  'hard',
  'schedule',
  'jobTemplate',
  'valueFrom',
  'httpGet',
  'livenessProbe',
  'immutable',
  'generateName',
  'kind',
  'apiVersion',
  '__proto__',
  'constructor',
  'toString',
  'limits',
  'leaseDurationSeconds',
  'subsets',
  'addresses',
];

function junk(r: () => number, depth: number): unknown {
  const pick = Math.floor(r() * 12);
  if (depth <= 0 && pick > 8) return 'x';
  switch (pick) {
    case 0:
      return null;
    case 1:
      return Math.floor(r() * 200000) - 100000;
    case 2:
      return r() * 1e6;
    case 3:
      return r() < 0.5;
    case 4:
      return ['', 'a', 'Foo_Bar', '500m', '1Gi', '25%', 'TCP', 'Always', '-', '*', 'x'.repeat(Math.floor(r() * 300000))][Math.floor(r() * 11)];
    case 5:
      return [NaN, Infinity, -0, 1e308][Math.floor(r() * 4)];
    case 6:
    case 7:
    case 8: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) o[KEYS[Math.floor(r() * KEYS.length)]] = junk(r, depth - 1);
      return o;
    }
    default: {
      const n = Math.floor(r() * 4);
      return Array.from({ length: n }, () => junk(r, depth - 1));
    }
  }
}

/** Junk grafted onto a valid object, so the fuzzer reaches deep semantic checks too. */
function graft(r: () => number, base: unknown, depth = 0): unknown {
  if (depth > 8 || r() < 0.15) return junk(r, 3);
  if (Array.isArray(base)) return base.map((x) => graft(r, x, depth + 1));
  if (base && typeof base === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(base)) if (r() > 0.05) o[k] = r() < 0.7 ? v : graft(r, v, depth + 1);
    if (r() < 0.2) o[KEYS[Math.floor(r() * KEYS.length)]] = junk(r, 2);
    return o;
  }
  return base;
}

describe('validateObject under fuzzing', () => {
  it('never throws on 2,000 malformed bodies, for every kind', () => {
    const r = seededRandom(20240501);
    const bases = [fullDeployment, fullService, fullPod];
    for (let i = 0; i < 2000; i++) {
      const t = resourceTypes[i % resourceTypes.length];
      const body = i % 2 === 0 ? junk(r, 6) : graft(r, bases[i % 3]);
      const old = i % 5 === 0 ? (graft(r, bases[(i + 1) % 3]) as KubeObject) : undefined;
      let errs: FieldError[] = [];
      expect(() => {
        errs = validateObject(t, body, old);
        unknownFields(t, body);
        applyDefaults(t, JSON.parse(JSON.stringify(body ?? null)) as KubeObject);
      }).not.toThrow();
      for (const e of errs) {
        expect(typeof e.field).toBe('string');
        expect(e.message).not.toContain('internal validation error');
      }
    }
  });

  it('rejects non-objects at the top level', () => {
    for (const body of [null, undefined, 3, 'x', [], [1]]) {
      const errs = validateObject(T.deploy, body);
      expect(errs).toHaveLength(1);
      expect(errs[0].reason).toBe('FieldValueTypeInvalid');
    }
  });

  it('survives deeply nested junk', () => {
    let deep: unknown = {};
    for (let i = 0; i < 10000; i++) deep = { spec: deep, containers: [deep] };
    expect(() => validateObject(T.pod, deep)).not.toThrow();
    expect(() => unknownFields(T.pod, deep)).not.toThrow();
  });
});
