// Kubernetes defaulting for the served kinds. Runs before validation on untrusted bodies, so it only
// fills in values where the shape is right and leaves anything malformed for validation to report.
import type { ResourceType } from './registry-types';
import { isPlainObject } from './schema';
import type { KubeObject } from './types';

type Rec = Record<string, unknown>;

const obj = (v: unknown): Rec | undefined => (isPlainObject(v) ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function setDefault(o: Rec, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** Ensures o[key] is an object (creating it when absent) and returns it; undefined when it is something else. */
function child(o: Rec, key: string): Rec | undefined {
  if (o[key] === undefined || o[key] === null) o[key] = {};
  return obj(o[key]);
}

/** Always for `:latest` or no tag (digests pin the image), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tail = image.slice(lastSlash + 1);
  const colon = tail.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return tail.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(v: unknown): void {
  const p = obj(v);
  if (!p) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  defaultHandler(p);
}

function defaultHandler(h: Rec): void {
  const http = obj(h.httpGet);
  if (http) {
    setDefault(http, 'path', '/');
    setDefault(http, 'scheme', 'HTTP');
  }
}

function defaultContainer(v: unknown): void {
  const c = obj(v);
  if (!c) return;
  if (typeof c.image === 'string' && c.image !== '') setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const pv of list(c.ports)) {
    const p = obj(pv);
    if (p) setDefault(p, 'protocol', 'TCP');
  }
  for (const ev of list(c.env)) {
    const fr = obj(obj(obj(ev)?.valueFrom)?.fieldRef);
    if (fr) setDefault(fr, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lc = obj(c.lifecycle);
  if (lc) {
    const ps = obj(lc.postStart);
    if (ps) defaultHandler(ps);
    const pr = obj(lc.preStop);
    if (pr) defaultHandler(pr);
  }
  // Requests default to limits when only limits are given.
  const res = obj(c.resources);
  const limits = obj(res?.limits);
  if (res && limits && Object.keys(limits).length > 0) {
    const requests = child(res, 'requests');
    if (requests) for (const [k, q] of Object.entries(limits)) setDefault(requests, k, q);
  }
}

export function defaultPodSpec(v: unknown): void {
  const spec = obj(v);
  if (!spec) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  if (typeof spec.serviceAccount === 'string' && (spec.serviceAccountName === undefined || spec.serviceAccountName === null))
    spec.serviceAccountName = spec.serviceAccount;
  for (const c of list(spec.initContainers)) defaultContainer(c);
  for (const c of list(spec.containers)) defaultContainer(c);
  for (const vv of list(spec.volumes)) {
    const vol = obj(vv);
    if (!vol) continue;
    const cm = obj(vol.configMap);
    if (cm) setDefault(cm, 'defaultMode', 0o644);
    const sec = obj(vol.secret);
    if (sec) setDefault(sec, 'defaultMode', 0o644);
    const hp = obj(vol.hostPath);
    if (hp) setDefault(hp, 'type', '');
  }
}

function defaultTemplate(v: unknown): void {
  const t = obj(v);
  if (t) defaultPodSpec(t.spec);
}

function defaultDeployment(o: Rec): void {
  const spec = obj(o.spec);
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  const strategy = child(spec, 'strategy');
  if (strategy) {
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy.type === 'RollingUpdate') {
      const ru = child(strategy, 'rollingUpdate');
      if (ru) {
        setDefault(ru, 'maxUnavailable', '25%');
        setDefault(ru, 'maxSurge', '25%');
      }
    }
  }
  defaultTemplate(spec.template);
}

/** Job pod labels and selector, derived from the Job's uid as the Job controller expects. */
function defaultJobSelector(o: Rec, spec: Rec): void {
  const uid = obj(o.metadata)?.uid;
  if (typeof uid !== 'string' || uid === '' || spec.manualSelector === true) return;
  if (spec.selector !== undefined && spec.selector !== null) return;
  const name = obj(o.metadata)?.name;
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  const tmpl = obj(spec.template);
  if (!tmpl) return;
  const meta = child(tmpl, 'metadata');
  const labels = meta && child(meta, 'labels');
  if (!labels) return;
  setDefault(labels, 'batch.kubernetes.io/controller-uid', uid);
  setDefault(labels, 'controller-uid', uid);
  if (typeof name === 'string') {
    setDefault(labels, 'batch.kubernetes.io/job-name', name);
    setDefault(labels, 'job-name', name);
  }
}

function defaultJob(o: Rec): void {
  const spec = obj(o.spec);
  if (!spec) return;
  // A work-queue Job (parallelism without completions) keeps completions unset.
  if ((spec.completions === undefined || spec.completions === null) && (spec.parallelism === undefined || spec.parallelism === null)) spec.completions = 1;
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  defaultJobSelector(o, spec);
  // restartPolicy is not defaulted for Jobs: Always is invalid and the user must choose.
  const tmpl = obj(spec.template);
  const podSpec = obj(tmpl?.spec);
  if (podSpec) {
    const had = podSpec.restartPolicy;
    defaultPodSpec(podSpec);
    if (had === undefined || had === null) delete podSpec.restartPolicy;
  }
}

function defaultCronJob(o: Rec): void {
  const spec = obj(o.spec);
  if (!spec) return;
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = obj(obj(spec.jobTemplate)?.spec);
  const podSpec = obj(obj(jobSpec?.template)?.spec);
  if (podSpec) {
    const had = podSpec.restartPolicy;
    defaultPodSpec(podSpec);
    if (had === undefined || had === null) delete podSpec.restartPolicy;
  }
}

function defaultService(o: Rec): void {
  const spec = obj(o.spec);
  if (!spec) return;
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.type !== 'ExternalName') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  for (const pv of list(spec.ports)) {
    const p = obj(pv);
    if (!p) continue;
    setDefault(p, 'protocol', 'TCP');
    if ((p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') && p.port !== undefined && p.port !== null)
      p.targetPort = p.port;
  }
}

function utf8Base64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

function defaultSecret(o: Rec): void {
  setDefault(o, 'type', 'Opaque');
  const sd = obj(o.stringData);
  if (!sd) return;
  // Leave malformed stringData for validation to report.
  if (!Object.values(sd).every((v) => typeof v === 'string')) return;
  if (o.data !== undefined && o.data !== null && !obj(o.data)) return;
  const data = child(o, 'data');
  if (!data) return;
  for (const [k, v] of Object.entries(sd)) data[k] = utf8Base64(v as string);
  delete o.stringData;
}

function defaultNamespace(o: Rec): void {
  const spec = child(o, 'spec');
  if (spec && (spec.finalizers === undefined || spec.finalizers === null)) spec.finalizers = ['kubernetes'];
  const status = child(o, 'status');
  if (status) setDefault(status, 'phase', 'Active');
}

function defaultRoleBinding(o: Rec): void {
  for (const sv of list(o.subjects)) {
    const s = obj(sv);
    if (!s) continue;
    if (s.kind === 'User' || s.kind === 'Group') setDefault(s, 'apiGroup', 'rbac.authorization.k8s.io');
    if (s.kind === 'ServiceAccount') setDefault(s, 'apiGroup', '');
  }
}

const BY_KIND: Record<string, (o: Rec) => void> = {
  Pod: (o) => defaultPodSpec(o.spec),
  Deployment: defaultDeployment,
  ReplicaSet: (o) => {
    const spec = obj(o.spec);
    if (!spec) return;
    setDefault(spec, 'replicas', 1);
    defaultTemplate(spec.template);
  },
  Job: defaultJob,
  CronJob: defaultCronJob,
  Service: defaultService,
  Secret: defaultSecret,
  Namespace: defaultNamespace,
  RoleBinding: defaultRoleBinding,
  ClusterRoleBinding: defaultRoleBinding,
  PersistentVolumeClaim: (o) => {
    const spec = obj(o.spec);
    if (spec) setDefault(spec, 'volumeMode', 'Filesystem');
  },
};

/** Fills in Kubernetes defaults in place. Safe on malformed objects (does nothing where shapes are wrong). */
export function applyDefaults(t: ResourceType, o: KubeObject): void {
  if (!isPlainObject(o)) return;
  try {
    BY_KIND[t.kind]?.(o);
  } catch {
    // Defaulting never fails a request: validation reports what is wrong with the object.
  }
}
