// The slices of Kubernetes objects the portal shows, and the API paths it reads them from.
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
}

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
}

export interface List<T> {
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string };
  };
}

export interface Probe {
  httpGet?: { path?: string; port: number | string };
  tcpSocket?: { port: number | string };
  exec?: { command: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  restartPolicy?: string;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: { containers: Container[]; initContainers?: Container[]; [k: string]: unknown };
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface Deployment extends KObject {
  spec: {
    replicas?: number;
    paused?: boolean;
    selector: { matchLabels?: Record<string, string> };
    template: PodTemplate;
    strategy?: { type?: string };
  };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: Condition[];
  };
}

export interface ReplicaSet extends KObject {
  spec: { replicas?: number; template: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number; availableReplicas?: number };
}

export interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { reason?: string; exitCode?: number; message?: string; finishedAt?: string };
}

export interface ContainerStatus {
  name: string;
  image?: string;
  ready?: boolean;
  restartCount?: number;
  started?: boolean;
  state?: ContainerState;
}

export interface Pod extends KObject {
  spec: { nodeName?: string; containers: Container[]; initContainers?: Container[] };
  status?: {
    phase?: string;
    podIP?: string;
    hostIP?: string;
    reason?: string;
    message?: string;
    startTime?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

export interface Service extends KObject {
  spec: { type?: string; clusterIP?: string; selector?: Record<string, string>; ports?: ServicePort[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface EndpointSlice extends KObject {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name: string } }[];
  ports?: { port?: number; name?: string }[];
}

export interface Endpoints extends KObject {
  subsets?: { addresses?: { ip: string; targetRef?: { name: string } }[]; notReadyAddresses?: { ip: string; targetRef?: { name: string } }[] }[];
}

export interface Ingress extends KObject {
  spec: {
    tls?: { hosts?: string[] }[];
    rules?: { host?: string; http?: { paths: { path?: string; backend: { service?: { name: string; port?: { number?: number } } } }[] } }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string; ports?: { port: number }[] }[] } };
}

export interface Job extends KObject {
  spec: { completions?: number; parallelism?: number };
  status?: { active?: number; succeeded?: number; failed?: number; completionTime?: string; conditions?: Condition[] };
}

export interface KEvent extends KObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  firstTimestamp?: string;
  involvedObject?: { kind?: string; name?: string; namespace?: string; uid?: string };
  source?: { component?: string };
}

export interface ResourceQuota extends KObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

export interface ConfigMap extends KObject {
  data?: Record<string, string>;
}

export interface Secret extends KObject {
  type?: string;
  data?: Record<string, string>;
}

export interface NodeObj extends KObject {
  spec?: { unschedulable?: boolean; taints?: { key: string; effect: string }[] };
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: { kubeletVersion?: string; containerRuntimeVersion?: string };
  };
}

export interface RoleBinding extends KObject {
  subjects?: { kind: string; name: string; apiGroup?: string }[];
  roleRef: { kind: string; name: string; apiGroup?: string };
}

const enc = encodeURIComponent;

/** Path of a namespaced collection (or one object in it). `group` '' is the core group. */
export function nsPath(group: string, plural: string, ns: string, name?: string, sub?: string): string {
  const base = group ? `/apis/${group}/v1` : '/api/v1';
  return `${base}/namespaces/${enc(ns)}/${plural}${name ? `/${enc(name)}` : ''}${sub ? `/${sub}` : ''}`;
}

export const REVISION = 'deployment.kubernetes.io/revision';
export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

export function selectorString(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** The ReplicaSets a Deployment controls, newest revision first. */
export function revisionsOf(d: Deployment, rss: ReplicaSet[]): ReplicaSet[] {
  return rss
    .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.uid === d.metadata.uid && o.controller !== false))
    .sort((a, b) => Number(b.metadata.annotations?.[REVISION] ?? 0) - Number(a.metadata.annotations?.[REVISION] ?? 0));
}

export function isReady(p: Pod): boolean {
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** What kubectl prints in STATUS: a waiting/terminated reason beats the phase. */
export function podStatus(p: Pod): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  for (const c of p.status?.initContainerStatuses ?? []) {
    if (c.state?.terminated && c.state.terminated.exitCode !== 0) return `Init:${c.state.terminated.reason ?? 'Error'}`;
    if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') return `Init:${c.state.waiting.reason}`;
  }
  for (const c of p.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) return c.state.waiting.reason;
    if (c.state?.terminated?.reason) return c.state.terminated.reason;
  }
  return p.status?.reason ?? p.status?.phase ?? 'Pending';
}

export function restarts(p: Pod): number {
  return (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

export function eventTime(e: KEvent): string {
  return e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '';
}

/** Warnings first, then newest first. */
export function sortEvents(events: KEvent[]): KEvent[] {
  return [...events].sort((a, b) => {
    const w = Number(b.type === 'Warning') - Number(a.type === 'Warning');
    return w !== 0 ? w : eventTime(b).localeCompare(eventTime(a));
  });
}

/** Container names of a pod spec, init containers and sidecars included. */
export function containerNames(spec: { containers: Container[]; initContainers?: Container[] }): string[] {
  return [...(spec.initContainers ?? []).map((c) => c.name), ...spec.containers.map((c) => c.name)];
}
