// The "deploy an app" form: its checks (run in the browser before sending and again on the server),
// the Deployment and Service it builds, and where the API's field errors belong on the form.
import type { Container, Deployment, EnvVar, Probe, Service } from './k8s';
import { isAmount, isEnvName, isImage, isName } from './validate';

export type FormValues = Record<string, string>;

export function valuesOf(form: FormData): FormValues {
  const v: FormValues = {};
  for (const [k, x] of form.entries()) if (typeof x === 'string') v[k] = x.trim();
  return v;
}

function ports(s: string): number[] {
  return s
    .split(/[,\s]+/)
    .filter(Boolean)
    .map(Number);
}

function envLines(s: string): { name: string; value: string; line: number }[] {
  return s
    .split('\n')
    .map((l, i) => ({ l: l.trim(), i }))
    .filter((x) => x.l && !x.l.startsWith('#'))
    .map(({ l, i }) => {
      const eq = l.indexOf('=');
      return { name: eq < 0 ? l : l.slice(0, eq).trim(), value: eq < 0 ? '' : l.slice(eq + 1), line: i + 1 };
    });
}

export function validate(v: FormValues): Record<string, string> {
  const e: Record<string, string> = {};
  if (!isName(v.name ?? '')) e.name = 'Use lower-case letters, digits and dashes (at most 63), starting and ending with a letter or digit.';
  if (!v.image || !isImage(v.image)) e.image = 'Enter an image, e.g. nginx:1.27.';
  const r = Number(v.replicas || '1');
  if (!Number.isInteger(r) || r < 0 || r > 100) e.replicas = 'Replicas must be a whole number from 0 to 100.';
  if (ports(v.ports ?? '').some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) e.ports = 'Ports are numbers from 1 to 65535, separated by commas.';
  for (const x of envLines(v.env ?? '')) {
    if (!isEnvName(x.name)) {
      e.env = `Line ${x.line}: "${x.name}" is not a valid variable name (letters, digits, _ . -; not starting with a digit).`;
      break;
    }
    const ref = /^(configmap|secret):([a-z0-9.-]+)\/(.+)$/.exec(x.value);
    if (x.value.startsWith('configmap:') || x.value.startsWith('secret:')) {
      if (!ref) {
        e.env = `Line ${x.line}: write a reference as configmap:<name>/<key> or secret:<name>/<key>.`;
        break;
      }
    }
  }
  for (const k of ['configMapRefs', 'secretRefs'])
    if (
      (v[k] ?? '')
        .split(/[,\s]+/)
        .filter(Boolean)
        .some((n) => !isName(n))
    )
      e[k] = 'Names of existing objects, separated by commas.';
  for (const k of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'])
    if (v[k] && !isAmount(v[k])) e[k] = k.startsWith('cpu') ? 'A CPU amount such as 100m or 0.5.' : 'A memory amount such as 64Mi or 1Gi.';
  for (const k of ['readinessPort', 'livenessPort', 'servicePort']) {
    const n = Number(v[k]);
    if (v[k] && (!Number.isInteger(n) || n < 1 || n > 65535)) e[k] = 'A port number from 1 to 65535.';
  }
  for (const k of ['readinessPath', 'livenessPath']) if (v[k] && !v[k].startsWith('/')) e[k] = 'A path starting with /.';
  if (v.sidecarImage && !isImage(v.sidecarImage)) e.sidecarImage = 'An image reference, e.g. busybox:1.36.';
  if (v.sidecarImage && !isName(v.sidecarName || 'sidecar')) e.sidecarName = 'Lower-case letters, digits and dashes.';
  if (v.expose === 'on' && ports(v.ports ?? '').length === 0 && !v.servicePort) e.ports = 'Give the port your app listens on to expose it.';
  return e;
}

function probe(path: string | undefined, port: string | undefined, fallbackPort: number | undefined): Probe | undefined {
  if (!path) return undefined;
  return { httpGet: { path, port: Number(port) || fallbackPort || 80 }, periodSeconds: 5 };
}

export function build(v: FormValues): { deployment: Deployment; service?: Service } {
  const name = v.name;
  const labels = { app: name };
  const ps = ports(v.ports ?? '');
  const env: EnvVar[] = envLines(v.env ?? '').map((x) => {
    const ref = /^(configmap|secret):([a-z0-9.-]+)\/(.+)$/.exec(x.value);
    if (!ref) return { name: x.name, value: x.value };
    const key = { name: ref[2], key: ref[3] };
    return ref[1] === 'configmap' ? { name: x.name, valueFrom: { configMapKeyRef: key } } : { name: x.name, valueFrom: { secretKeyRef: key } };
  });
  const list = (s: string | undefined) => (s ?? '').split(/[,\s]+/).filter(Boolean);
  const envFrom = [...list(v.configMapRefs).map((n) => ({ configMapRef: { name: n } })), ...list(v.secretRefs).map((n) => ({ secretRef: { name: n } }))];
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (v.cpuRequest) requests.cpu = v.cpuRequest;
  if (v.memoryRequest) requests.memory = v.memoryRequest;
  if (v.cpuLimit) limits.cpu = v.cpuLimit;
  if (v.memoryLimit) limits.memory = v.memoryLimit;
  const main: Container = { name, image: v.image };
  if (ps.length) main.ports = ps.map((p) => ({ containerPort: p }));
  if (env.length) main.env = env;
  if (envFrom.length) main.envFrom = envFrom;
  if (Object.keys(requests).length || Object.keys(limits).length)
    main.resources = { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) };
  const readiness = probe(v.readinessPath, v.readinessPort, ps[0]);
  const liveness = probe(v.livenessPath, v.livenessPort, ps[0]);
  if (readiness) main.readinessProbe = readiness;
  if (liveness) main.livenessProbe = liveness;
  const containers: Container[] = [main];
  if (v.sidecarImage) {
    const sc: Container = { name: v.sidecarName || 'sidecar', image: v.sidecarImage };
    if (v.sidecarCommand) sc.command = ['sh', '-c', v.sidecarCommand];
    containers.push(sc);
  }
  const deployment: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: { replicas: Number(v.replicas || '1'), selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers } } },
  };
  if (v.expose !== 'on') return { deployment };
  const target = ps[0] ?? Number(v.servicePort);
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels },
    spec: {
      type: (v.serviceType || 'ClusterIP') as NonNullable<Service['spec']['type']>,
      selector: labels,
      ports: [{ name: 'http', port: Number(v.servicePort) || target, targetPort: target, protocol: 'TCP' }],
    },
  };
  return { deployment, service };
}

/** The form field an API cause's `field` path belongs to. */
export function formFieldOf(path: string | undefined, kind: 'Deployment' | 'Service'): string | undefined {
  if (!path) return undefined;
  if (path === 'metadata.name') return 'name';
  if (kind === 'Service') return path.includes('ports') ? 'servicePort' : path.includes('type') ? 'serviceType' : undefined;
  if (path.startsWith('spec.replicas')) return 'replicas';
  const m = /containers\[(\d+)\]\.?(.*)$/.exec(path);
  if (!m) return undefined;
  if (m[1] !== '0') return m[2].startsWith('name') ? 'sidecarName' : 'sidecarImage';
  const rest = m[2];
  if (rest.startsWith('image')) return 'image';
  if (rest.startsWith('ports')) return 'ports';
  if (rest.startsWith('envFrom')) return /secret/i.test(rest) ? 'secretRefs' : 'configMapRefs';
  if (rest.startsWith('env')) return 'env';
  if (rest.startsWith('readinessProbe')) return /port/.test(rest) ? 'readinessPort' : 'readinessPath';
  if (rest.startsWith('livenessProbe')) return /port/.test(rest) ? 'livenessPort' : 'livenessPath';
  const r = /resources\.(requests|limits)(?:\[|\.)?\W*(cpu|memory)/.exec(rest);
  if (r) return `${r[2]}${r[1] === 'requests' ? 'Request' : 'Limit'}`;
  if (rest.startsWith('name')) return 'name';
  return undefined;
}
