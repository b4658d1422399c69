// The real kubectl 1.32 against the real API over verified HTTPS, with kubectl's default flags
// (strict validation, protobuf create bodies, aggregated discovery, tables, watch).
import { spawn } from 'node:child_process';
import { KubectlResult, kubectlFor, Platform, startPlatform, writeManifest, httpsRequest, ok } from './support/platform';
import { uniqueName } from './support/fixtures';
import { eventually } from './support/eventually';

let p: Platform;
let kubectl: (args: string[], input?: string) => KubectlResult;
const ns = uniqueName('kc');

const deployment = (image: string, replicas: number, extraLabel = '') => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${ns}
  labels:
    app: web${extraLabel ? `\n    tier: ${extraLabel}` : ''}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ${image}
          ports:
            - containerPort: 80
          env:
            - name: GREETING
              value: hello
`;

beforeAll(async () => {
  p = await startPlatform();
  kubectl = kubectlFor(p);
});

afterAll(async () => {
  if (p) {
    kubectl(['delete', 'namespace', ns, '--wait=false']);
    await httpsRequest(
      p.url,
      'PUT',
      `/api/v1/namespaces/${ns}/finalize`,
      p.caCert,
      { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
      JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: [] } }),
    );
    await p.stop();
  }
});

describe('kubectl against Flotilla', () => {
  it('reports server version 1.32 over HTTPS with the generated kubeconfig (no insecure flag)', () => {
    const out = ok(kubectl(['version', '-o', 'json']));
    expect(JSON.parse(out).serverVersion.minor).toBe('32');
    expect(p.kubeconfig).toBeTruthy();
  });

  it('creates a namespace with `kubectl create namespace` (a protobuf body) and lists it', () => {
    expect(ok(kubectl(['create', 'namespace', ns]))).toContain(`namespace/${ns} created`);
    const table = ok(kubectl(['get', 'namespaces']));
    expect(table).toMatch(/NAME\s+STATUS\s+AGE/);
    expect(table).toMatch(new RegExp(`${ns}\\s+Active`));
  });

  it('applies a Deployment with default (strict) validation, then reports it unchanged', () => {
    const file = writeManifest(p, 'deploy.yaml', deployment('nginx:1.27', 2));
    expect(ok(kubectl(['apply', '-f', file]))).toContain('deployment.apps/web created');
    expect(ok(kubectl(['apply', '-f', file]))).toContain('deployment.apps/web unchanged');
    const obj = JSON.parse(ok(kubectl(['get', 'deployment', 'web', '-n', ns, '-o', 'json'])));
    expect(obj.spec.replicas).toBe(2);
    expect(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"nginx:1.27"');
    expect(obj.metadata.generation).toBe(1);
  });

  it('applies an edited file as a three-way patch: changed image, replicas and a new label', () => {
    const file = writeManifest(p, 'deploy.yaml', deployment('nginx:1.28', 3, 'frontend'));
    expect(ok(kubectl(['apply', '-f', file]))).toContain('deployment.apps/web configured');
    const obj = JSON.parse(ok(kubectl(['get', 'deployment', 'web', '-n', ns, '-o', 'json'])));
    expect(obj.spec.replicas).toBe(3);
    expect(obj.spec.template.spec.containers[0].image).toBe('nginx:1.28');
    expect(obj.spec.template.spec.containers[0].env).toEqual([{ name: 'GREETING', value: 'hello' }]);
    expect(obj.metadata.labels.tier).toBe('frontend');
    expect(obj.metadata.generation).toBe(2);
  });

  it('rejects an unknown field under strict validation with the field named', () => {
    const bad = deployment('nginx:1.27', 1).replace('replicas: 1', 'replicas: 1\n  replicaz: 3');
    const r = kubectl(['apply', '-f', writeManifest(p, 'bad.yaml', bad)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown field "spec.replicaz"');
  });

  it('labels an object and removes the label again', () => {
    ok(kubectl(['label', 'deployment', 'web', '-n', ns, 'team=blue']));
    expect(JSON.parse(ok(kubectl(['get', 'deploy', 'web', '-n', ns, '-o', 'json']))).metadata.labels.team).toBe('blue');
    ok(kubectl(['label', 'deployment', 'web', '-n', ns, 'team-']));
    expect(JSON.parse(ok(kubectl(['get', 'deploy', 'web', '-n', ns, '-o', 'json']))).metadata.labels.team).toBeUndefined();
  });

  it('prints tables for several kinds at once with -o wide', () => {
    ok(kubectl(['create', 'service', 'clusterip', 'web', '--tcp=80:80', '-n', ns]));
    const out = ok(kubectl(['get', 'deployments,pods,services', '-n', ns, '-o', 'wide']));
    expect(out).toMatch(/deployment\.apps\/web\s+0\/3/);
    expect(out).toMatch(/NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR/);
    expect(out).toMatch(/service\/web\s+ClusterIP/);
  });

  it('watches pods by label with -w and prints a pod created afterwards', async () => {
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', p.kubeconfig, 'get', 'pods', '-n', ns, '-l', 'app=web', '-w', '--no-headers'], {
      env: { PATH: process.env.PATH ?? '', HOME: `${p.dataDir}/home` },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      ok(kubectl(['run', 'watched', '--image=busybox:latest', '-n', ns, '--labels=app=web', '--', 'sleep', '3600']));
      ok(kubectl(['run', 'unwatched', '--image=busybox:latest', '-n', ns, '--labels=app=other']));
      await eventually(() => expect(out).toMatch(/^watched\s+0\/1\s+Pending/m), { timeoutMs: 30_000, intervalMs: 100 });
    } finally {
      child.kill();
    }
    expect(out).not.toContain('unwatched');
  });

  it('scales a deployment through the scale subresource', () => {
    expect(ok(kubectl(['scale', 'deployment', 'web', '-n', ns, '--replicas=5']))).toContain('deployment.apps/web scaled');
    expect(JSON.parse(ok(kubectl(['get', 'deploy', 'web', '-n', ns, '-o', 'json']))).spec.replicas).toBe(5);
    // --current-replicas reads the Scale and PUTs it back with no Content-Type.
    expect(ok(kubectl(['scale', 'deployment', 'web', '-n', ns, '--current-replicas=5', '--replicas=4']))).toContain('scaled');
  });

  it('creates ConfigMaps and Secrets from the command line (protobuf) and reads them back', () => {
    ok(kubectl(['create', 'configmap', 'settings', '--from-literal=mode=fast', '-n', ns]));
    ok(kubectl(['create', 'secret', 'generic', 'creds', '--from-literal=password=s3cret', '-n', ns]));
    expect(ok(kubectl(['get', 'configmap', 'settings', '-n', ns, '-o', 'jsonpath={.data.mode}']))).toBe('fast');
    expect(Buffer.from(ok(kubectl(['get', 'secret', 'creds', '-n', ns, '-o', 'jsonpath={.data.password}'])), 'base64').toString()).toBe('s3cret');
  });

  it('explains errors the way kubectl users know them', () => {
    const missing = kubectl(['get', 'deployment', 'nope', '-n', ns]);
    expect(missing.stderr).toContain('Error from server (NotFound): deployments.apps "nope" not found');
    const dup = kubectl(['create', 'configmap', 'settings', '-n', ns]);
    expect(dup.stderr).toContain('configmaps "settings" already exists');
    const badName = kubectl(['create', 'configmap', 'Bad_Name', '-n', ns]);
    expect(badName.stderr).toMatch(/ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value/);
    const badType = kubectl(['get', 'frobnicators']);
    expect(badType.stderr).toContain(`the server doesn't have a resource type "frobnicators"`);
  });

  it('refuses a wrong token with 401', () => {
    const r = kubectl(['--token', 'not-the-token', 'get', 'namespaces']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('You must be logged in to the server');
  });

  it('deletes what a file created with `kubectl delete -f`', () => {
    const file = writeManifest(p, 'deploy.yaml', deployment('nginx:1.28', 3, 'frontend'));
    expect(ok(kubectl(['delete', '-f', file]))).toContain('deployment.apps "web" deleted');
    expect(kubectl(['get', 'deployment', 'web', '-n', ns]).code).toBe(1);
    ok(kubectl(['delete', 'pods,services,configmaps,secrets', '--all', '-n', ns]));
    expect(ok(kubectl(['get', 'pods,services', '-n', ns, '-o', 'name']))).toBe('');
  });
});
