import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeKubeProtobuf,
  encodeKubeProtobuf,
  findUndeclaredFields,
  type JsonValue,
  type KubeObject,
  ProtobufDecodeError,
  ProtobufEncodeError,
  protobufKinds,
} from './index';

const FIXTURES = join(__dirname, '__fixtures__');
const body = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, `${name}.pb`)));
const decoded = (name: string): KubeObject => decodeKubeProtobuf(body(name));

/** kubectl's own JSON for the command, without the nulls Go writes for nil lists and zero times. */
function kubectlJson(name: string): JsonValue {
  const dropNulls = (value: JsonValue): JsonValue => {
    if (Array.isArray(value)) return value.map(dropNulls);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== null)
        .map(([key, item]) => [key, dropNulls(item)]),
    );
  };
  return dropNulls(JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as JsonValue);
}

const captured = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.pb'))
  .map((file) => file.slice(0, -3));

describe('bodies captured from kubectl 1.32', () => {
  it.each(captured)('%s uses only fields our schema declares', (name) => {
    expect(findUndeclaredFields(body(name))).toEqual([]);
  });

  it.each(captured.filter((name) => name.startsWith('create-') && !name.startsWith('create-token')))(
    '%s decodes to the JSON kubectl --dry-run=client -o json prints',
    (name) => {
      expect(decoded(name)).toEqual(kubectlJson(name));
    },
  );

  it('reads create namespace', () => {
    expect(decoded('create-namespace')).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'demo' },
      spec: {},
      status: {},
    });
  });

  it('reads create configmap with its namespace and data', () => {
    const cm = decoded('create-configmap');
    expect(cm.metadata).toEqual({ name: 'cm', namespace: 'x' });
    expect(cm['data']).toEqual({ a: '1' });
  });

  it('reads binary configmap data and secret data as base64', () => {
    expect(decoded('create-configmap-from-file')['binaryData']).toEqual({ 'bin.dat': 'AAH/' });
    expect(decoded('create-secret-generic')['data']).toEqual({ p: Buffer.from('q').toString('base64') });
    expect(decoded('create-secret-docker-registry')['type']).toBe('kubernetes.io/dockerconfigjson');
  });

  it('reads create deployment: labels, selector, replicas, image and port', () => {
    const deployment = decoded('create-deployment');
    expect(deployment.metadata).toEqual({ name: 'hello', labels: { app: 'hello' } });
    expect(deployment['spec']).toEqual({
      replicas: 2,
      selector: { matchLabels: { app: 'hello' } },
      template: {
        metadata: { labels: { app: 'hello' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }] },
      },
      strategy: {},
    });
  });

  it('reads services with IntOrString target ports and node ports', () => {
    expect(decoded('create-service-clusterip')['spec']).toEqual({
      ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }],
      selector: { app: 'web' },
      type: 'ClusterIP',
    });
    expect(decoded('create-service-nodeport')['spec']).toMatchObject({ ports: [{ nodePort: 30080 }], type: 'NodePort' });
    expect(decoded('create-service-externalname')['spec']).toMatchObject({ externalName: 'db.example' });
  });

  it('reads quota quantities as strings', () => {
    expect(decoded('create-quota')['spec']).toEqual({ hard: { cpu: '1', pods: '3' } });
    expect(decoded('create-quota-scopes')['spec']).toEqual({ hard: { pods: '3' }, scopes: ['BestEffort'] });
  });

  it('reads rbac subjects and roleRef, keeping the empty core api group', () => {
    expect(decoded('create-rolebinding')).toMatchObject({
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
    });
    expect(decoded('create-role')['rules']).toEqual([
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] },
      { verbs: ['get', 'list'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['x'] },
    ]);
  });

  it('reads job and cronjob pod templates', () => {
    expect(decoded('create-job')['spec']).toEqual({
      template: {
        metadata: {},
        spec: { containers: [{ name: 'j', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never' },
      },
    });
    expect(decoded('create-cronjob')['spec']).toMatchObject({
      schedule: '*/1 * * * *',
      jobTemplate: { metadata: { name: 'cj' }, spec: { template: { spec: { restartPolicy: 'OnFailure' } } } },
    });
  });

  it('reads ingress rules, tls, class and default backend', () => {
    expect(decoded('create-ingress')['spec']).toEqual({
      rules: [
        {
          host: 'a.example',
          http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'web', port: { number: 80 } } } }] },
        },
      ],
    });
    expect(decoded('create-ingress-full')['spec']).toMatchObject({
      defaultBackend: { service: { name: 'def', port: { name: 'http' } } },
      tls: [{ hosts: ['foo.example'], secretName: 'my-cert' }],
      ingressClassName: 'nginx',
    });
  });

  it('reads create token', () => {
    expect(decoded('create-token')).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: {},
      spec: {},
      status: { token: '' },
    });
    expect(decoded('create-token-bound')['spec']).toEqual({
      audiences: ['a1', 'a2'],
      expirationSeconds: 600,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'u-1' },
    });
  });

  it('reads auth can-i resource and non-resource attributes', () => {
    expect(decoded('auth-can-i')).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'x', verb: 'create', resource: 'pods' } },
      status: { allowed: false },
    });
    expect(decoded('auth-can-i-subresource')['spec']).toEqual({
      resourceAttributes: { namespace: 'x', verb: 'list', group: 'apps', resource: 'deployments', subresource: 'scale', name: 'hello' },
    });
    expect(decoded('auth-can-i-resource-name')['spec']).toEqual({
      resourceAttributes: { namespace: 'x', verb: 'get', resource: 'pods', name: 'log' },
    });
    expect(decoded('auth-can-i-nonresource')['spec']).toEqual({ nonResourceAttributes: { path: '/logs', verb: 'get' } });
  });

  it('reads auth can-i --list and auth whoami', () => {
    expect(decoded('auth-can-i-list')).toMatchObject({ kind: 'SelfSubjectRulesReview', spec: { namespace: 'x' } });
    expect(decoded('auth-whoami')).toEqual({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'SelfSubjectReview',
      metadata: {},
      status: { userInfo: {} },
    });
  });
});

const fullDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    uid: '9f1c',
    resourceVersion: '42',
    generation: 3,
    creationTimestamp: '2025-01-02T03:04:05Z',
    deletionTimestamp: '2025-01-02T03:05:05Z',
    deletionGracePeriodSeconds: 0,
    labels: { app: 'web', tier: 'front' },
    annotations: { 'kubernetes.io/change-cause': 'v2' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Thing', name: 'owner', uid: 'u1', controller: true, blockOwnerDeletion: false }],
    finalizers: ['example.com/keep'],
    managedFields: [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2025-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { 'f:replicas': {} } },
      },
    ],
  },
  spec: {
    replicas: 0,
    selector: {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }],
    },
    template: {
      metadata: { labels: { app: 'web', tier: 'front' } },
      spec: {
        volumes: [
          { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
          { name: 'cfg', configMap: { name: 'web-config', items: [{ key: 'a', path: 'a.txt', mode: 420 }], defaultMode: 0, optional: true } },
          { name: 'creds', secret: { secretName: 'web-secret' } },
          { name: 'data', persistentVolumeClaim: { claimName: 'web-data', readOnly: true } },
          { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
        ],
        initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'], resources: {} }],
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            command: ['nginx'],
            args: ['-g', 'daemon off;'],
            workingDir: '/srv',
            ports: [
              { name: 'http', containerPort: 80, protocol: 'TCP' },
              { containerPort: 9090, hostPort: 9090 },
            ],
            env: [
              { name: 'MODE', value: 'prod' },
              { name: 'EMPTY' },
              { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
              { name: 'KEY', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'k', optional: false } } },
              { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
            ],
            envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'web-config' } }, { secretRef: { name: 'web-secret', optional: true } }],
            resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '250m' } },
            volumeMounts: [{ name: 'cfg', mountPath: '/etc/web', readOnly: true, subPath: 'conf' }],
            livenessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10 },
            readinessProbe: { tcpSocket: { port: 80 }, failureThreshold: 3 },
            startupProbe: { exec: { command: ['cat', '/tmp/ready'] } },
            lifecycle: { preStop: { sleep: { seconds: 5 } }, postStart: { exec: { command: ['true'] } } },
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            imagePullPolicy: 'IfNotPresent',
            securityContext: {
              capabilities: { drop: ['ALL'] },
              privileged: false,
              runAsUser: 0,
              runAsNonRoot: false,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            stdin: true,
            tty: true,
          },
        ],
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: 'ClusterFirst',
        nodeSelector: { disk: 'ssd' },
        serviceAccountName: 'web',
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        securityContext: { runAsUser: 1000, fsGroup: 2000, supplementalGroups: [3000, 3001] },
        imagePullSecrets: [{ name: 'registry' }],
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
            },
            preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'gpu', operator: 'Exists' }] } }],
          },
        },
        tolerations: [
          { key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' },
          { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 },
        ],
        automountServiceAccountToken: false,
        enableServiceLinks: false,
      },
    },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
    minReadySeconds: 10,
    revisionHistoryLimit: 0,
    paused: true,
    progressDeadlineSeconds: 600,
  },
  status: {
    observedGeneration: 3,
    replicas: 1,
    conditions: [
      {
        type: 'Available',
        status: 'True',
        reason: 'MinimumReplicasAvailable',
        message: 'ok',
        lastUpdateTime: '2025-01-02T03:04:05Z',
        lastTransitionTime: '2025-01-02T03:04:05Z',
      },
    ],
  },
};

describe('encodeKubeProtobuf', () => {
  it('round-trips a Deployment using every PodSpec feature we serve', () => {
    const bytes = encodeKubeProtobuf(fullDeployment);
    expect(findUndeclaredFields(bytes)).toEqual([]);
    expect(decodeKubeProtobuf(bytes)).toEqual(fullDeployment);
  });

  it('keeps pointer fields set to zero and drops value fields that are zero', () => {
    const out = decodeKubeProtobuf(
      encodeKubeProtobuf({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'z', generateName: '' },
        spec: { replicas: 0, minReadySeconds: 0, paused: false, template: { spec: { hostNetwork: false, containers: [] } } },
      }),
    );
    expect(out).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'z' },
      spec: { replicas: 0, template: { spec: {} } },
    });
  });

  it('writes the k8s envelope that the decoder reads back for every served kind', () => {
    for (const { apiVersion, kind } of protobufKinds()) {
      const bytes = encodeKubeProtobuf({ apiVersion, kind, metadata: { name: 'n' } });
      expect([...bytes.subarray(0, 4)]).toEqual([0x6b, 0x38, 0x73, 0x00]);
      expect(decodeKubeProtobuf(bytes)).toMatchObject({ apiVersion, kind, metadata: { name: 'n' } });
    }
  });

  it('round-trips secrets, pods and token reviews', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { k: 'AAH/' }, stringData: { a: 'b' }, immutable: false },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
        status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }], startTime: '2025-01-02T03:04:05Z' },
      },
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        metadata: { name: 'bot' },
        spec: { audiences: ['api'], expirationSeconds: 3600 },
        status: { token: 'abc', expirationTimestamp: '2025-01-02T04:04:05Z' },
      },
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'SelfSubjectReview',
        metadata: {},
        status: { userInfo: { username: 'alice', uid: '1', groups: ['dev'], extra: { scopes: ['a', 'b'] } } },
      },
      {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        metadata: {},
        spec: { namespace: 'x' },
        status: {
          resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }],
          nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }],
          incomplete: false,
        },
      },
    ];
    for (const object of objects) expect(decodeKubeProtobuf(encodeKubeProtobuf(object))).toEqual(object);
  });

  it('refuses kinds it does not serve and fields of the wrong type', () => {
    expect(() => encodeKubeProtobuf({ apiVersion: 'v1', kind: 'Node' })).toThrow(ProtobufEncodeError);
    expect(() => encodeKubeProtobuf({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 'two' } })).toThrow('spec.replicas: expected an integer');
  });
});

describe('decodeKubeProtobuf on bad input', () => {
  const withEnvelopeField = (base: Uint8Array, field: number, text: string): Uint8Array => {
    const value = Buffer.from(text);
    return Buffer.concat([base, Buffer.from([(field << 3) | 2, value.length]), value]);
  };

  it('needs the k8s magic', () => {
    expect(() => decodeKubeProtobuf(Buffer.from('{"kind":"Namespace"}'))).toThrow(/missing the "k8s\\0" magic/);
    expect(() => decodeKubeProtobuf(new Uint8Array())).toThrow(ProtobufDecodeError);
  });

  it('names an unknown apiVersion/kind the way the apiserver does', () => {
    const node = encodeKubeProtobuf({ apiVersion: 'v1', kind: 'Namespace' });
    const renamed = Buffer.from(Buffer.from(node).toString('latin1').replace('Namespace', 'NodeSpace'), 'latin1');
    expect(() => decodeKubeProtobuf(renamed)).toThrow('no kind "NodeSpace" is registered for version "v1"');
  });

  it('refuses a content encoding it cannot undo', () => {
    expect(() => decodeKubeProtobuf(withEnvelopeField(body('create-namespace'), 3, 'gzip'))).toThrow('unsupported contentEncoding "gzip"');
  });

  it('reports truncated bodies', () => {
    const deployment = body('create-deployment');
    expect(() => decodeKubeProtobuf(deployment.subarray(0, deployment.length - 40))).toThrow(/truncated or malformed/);
  });

  it('accepts timestamps up to year 9999 and refuses later ones', () => {
    const at = (time: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { creationTimestamp: time } });
    expect(decodeKubeProtobuf(encodeKubeProtobuf(at('9999-12-31T23:59:59Z'))).metadata).toEqual({
      creationTimestamp: '9999-12-31T23:59:59Z',
    });
    expect(() => decodeKubeProtobuf(encodeKubeProtobuf(at('+010000-01-01T00:00:00Z')))).toThrow(/timestamp out of range/);
  });

  it('refuses fieldsV1 that is not JSON', () => {
    const entry = Buffer.concat([Buffer.from([0x3a, 3, 0x0a, 1]), Buffer.from('{')]); // managedFields.fieldsV1.Raw = "{"
    const meta = Buffer.concat([Buffer.from([0x8a, 0x01, entry.length]), entry]); // ObjectMeta.managedFields (17)
    const raw = Buffer.concat([Buffer.from([0x0a, meta.length]), meta]); // ConfigMap.metadata (1)
    const typeMeta = Buffer.concat([Buffer.from([0x0a, 2]), Buffer.from('v1'), Buffer.from([0x12, 9]), Buffer.from('ConfigMap')]);
    const envelope = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0, 0x0a, typeMeta.length]), typeMeta, Buffer.from([0x12, raw.length]), raw]);
    expect(() => decodeKubeProtobuf(envelope)).toThrow('fieldsV1 is not valid JSON');
  });

  it('throws only ProtobufDecodeError, quickly, on 2,000 hostile buffers', () => {
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const fixtures = captured.map(body);
    const started = Date.now();
    let decodedCount = 0;
    for (let i = 0; i < 2000; i += 1) {
      const source = fixtures[random(fixtures.length)]!;
      let input: Uint8Array;
      switch (i % 4) {
        case 0: // random bytes after the magic
          input = Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0]), Buffer.from(Array.from({ length: random(300) }, () => random(256)))]);
          break;
        case 1: // a captured body cut short
          input = source.subarray(0, random(source.length));
          break;
        case 2: {
          // a captured body with bytes flipped
          const copy = Buffer.from(source);
          for (let flips = 1 + random(4); flips > 0; flips -= 1) copy[4 + random(copy.length - 4)] = random(256);
          input = copy;
          break;
        }
        default: // entirely random
          input = Buffer.from(Array.from({ length: random(64) }, () => random(256)));
      }
      try {
        decodeKubeProtobuf(input);
        findUndeclaredFields(input);
        decodedCount += 1;
      } catch (error) {
        if (!(error instanceof ProtobufDecodeError)) throw error;
      }
    }
    expect(Date.now() - started).toBeLessThan(5000);
    expect(decodedCount).toBeGreaterThan(0);
  });
});
