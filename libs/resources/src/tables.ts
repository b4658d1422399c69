// meta.k8s.io/v1 Table output for `kubectl get`, with the columns kubectl shows against a real cluster.
import type { ResourceType } from './registry-types';
import { isPlainObject } from './schema';
import { labelSelectorToString } from './selectors';
import type { KubeObject, LabelSelector } from './types';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: (string | number | boolean | null)[];
  object?: unknown;
  conditions?: { type: string; status: string }[];
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export interface TableOptions {
  resourceVersion?: string;
  continue?: string;
  includeObject?: 'None' | 'Metadata' | 'Object';
  /** The clock for AGE cells (ms since epoch); defaults to now. */
  now?: number;
}

// ---- durations --------------------------------------------------------------------

/**
 * Kubernetes' human duration, as kubectl prints AGE: "5s", "3m2s", "45m", "4h", "5h3m", "2d3h", "30d",
 * "1y20d". Precision drops as the duration grows.
 */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (!Number.isFinite(ms) || seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return d === 0 ? `${y}y` : `${y}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

// ---- safe readers --------------------------------------------------------------------

type Rec = Record<string, unknown>;
const o = (v: unknown): Rec => (isPlainObject(v) ? v : {});
const a = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const s = (v: unknown): string => (typeof v === 'string' ? v : '');
const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function since(ts: unknown, now: number): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '<unknown>';
  return shortHumanDuration(now - t);
}

const orNone = (v: string): string => (v === '' ? '<none>' : v);

function formatMap(m: unknown): string {
  const entries = Object.entries(o(m))
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${String(v)}`);
  return entries.length ? entries.join(',') : '<none>';
}

function selectorString(sel: unknown): string {
  if (!isPlainObject(sel)) return '<none>';
  try {
    return orNone(labelSelectorToString(sel as LabelSelector));
  } catch {
    return '<none>';
  }
}

function podTemplateSpec(tmpl: unknown): Rec {
  return o(o(tmpl).spec);
}

function containerNames(tmpl: unknown): string {
  return a(podTemplateSpec(tmpl).containers)
    .map((c) => s(o(c).name))
    .join(',');
}

function containerImages(tmpl: unknown): string {
  return a(podTemplateSpec(tmpl).containers)
    .map((c) => s(o(c).image))
    .join(',');
}

// ---- column sets -----------------------------------------------------------------------

interface Column {
  name: string;
  type?: TableColumnDefinition['type'];
  format?: string;
  description?: string;
  priority?: number;
  cell: (obj: KubeObject, now: number) => string | number | boolean;
}

const DESC = {
  name: 'Name must be unique within a namespace. Cannot be updated.',
  age: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

const nameCol: Column = { name: 'Name', format: 'name', description: DESC.name, cell: (x) => s(o(x.metadata).name) };
const ageCol: Column = { name: 'Age', description: DESC.age, cell: (x, now) => since(o(x.metadata).creationTimestamp, now) };
const createdAtCol: Column = { name: 'Created At', type: 'date', description: DESC.age, cell: (x) => s(o(x.metadata).creationTimestamp) };
const wide = (c: Omit<Column, 'priority'>): Column => ({ ...c, priority: 1 });

// Pods ------------------------------------------------------------------------------------

function hasCondition(conds: unknown, type: string): boolean {
  return a(conds).some((c) => o(c).type === type && o(c).status === 'True');
}

interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** Mirrors kubectl's pod printer: the STATUS is the most telling reason, not just the phase. */
export function podSummary(pod: KubeObject, now = Date.now()): PodSummary {
  const spec = o(pod.spec);
  const status = o(pod.status);
  const meta = o(pod.metadata);
  const initSpecs = a(spec.initContainers).map(o);
  const sidecars = new Set(initSpecs.filter((c) => c.restartPolicy === 'Always').map((c) => s(c.name)));
  let total = a(spec.containers).length + sidecars.size;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  const noteRestart = (cs: Rec): void => {
    const finished = s(o(o(cs.lastState).terminated).finishedAt);
    const t = finished ? Date.parse(finished) : NaN;
    if (!Number.isNaN(t) && t > lastRestart) lastRestart = t;
  };
  let reason = s(status.phase);
  if (s(status.reason)) reason = s(status.reason);
  if (a(status.conditions).some((c) => o(c).type === 'PodScheduled' && o(c).reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  let sidecarRestarts = 0;
  const initStatuses = a(status.initContainerStatuses).map(o);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const state = o(cs.state);
    const term = isPlainObject(state.terminated) ? state.terminated : undefined;
    const waiting = isPlainObject(state.waiting) ? state.waiting : undefined;
    restarts += n(cs.restartCount);
    noteRestart(cs);
    const isSidecar = sidecars.has(s(cs.name));
    if (isSidecar) {
      sidecarRestarts += n(cs.restartCount);
      if (cs.started === true && cs.ready === true) ready++;
    }
    if (term && n(term.exitCode) === 0) continue;
    if (isSidecar && cs.started === true) continue;
    if (term) {
      if (s(term.reason)) reason = `Init:${s(term.reason)}`;
      else reason = n(term.signal) !== 0 ? `Init:Signal:${n(term.signal)}` : `Init:ExitCode:${n(term.exitCode)}`;
    } else if (waiting && s(waiting.reason) && waiting.reason !== 'PodInitializing') {
      reason = `Init:${s(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    let hasRunning = false;
    const statuses = a(status.containerStatuses).map(o);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      const state = o(cs.state);
      restarts += n(cs.restartCount);
      noteRestart(cs);
      const waiting = isPlainObject(state.waiting) ? state.waiting : undefined;
      const term = isPlainObject(state.terminated) ? state.terminated : undefined;
      if (waiting && s(waiting.reason)) reason = s(waiting.reason);
      else if (term && s(term.reason)) reason = s(term.reason);
      else if (term) reason = n(term.signal) !== 0 ? `Signal:${n(term.signal)}` : `ExitCode:${n(term.exitCode)}`;
      else if (cs.ready === true && isPlainObject(state.running)) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }
  const phase = s(status.phase);
  if (meta.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (meta.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';
  if (total < 0) total = 0;
  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart > 0) restartsStr = `${restarts} (${shortHumanDuration(now - lastRestart)} ago)`;
  return { ready: `${ready}/${total}`, status: reason, restarts: restartsStr };
}

const podColumns: Column[] = [
  nameCol,
  { name: 'Ready', description: 'The aggregate readiness state of this pod for accepting traffic.', cell: (x, now) => podSummary(x, now).ready },
  { name: 'Status', description: 'The aggregate status of the containers in this pod.', cell: (x, now) => podSummary(x, now).status },
  {
    name: 'Restarts',
    description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    cell: (x, now) => podSummary(x, now).restarts,
  },
  ageCol,
  wide({
    name: 'IP',
    description: 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    cell: (x) => orNone(s(o(x.status).podIP)),
  }),
  wide({ name: 'Node', description: 'NodeName is a request to schedule this pod onto a specific node.', cell: (x) => orNone(s(o(x.spec).nodeName)) }),
  wide({
    name: 'Nominated Node',
    description: 'nominatedNodeName is set only when this pod preempts other pods on the node.',
    cell: (x) => orNone(s(o(x.status).nominatedNodeName)),
  }),
  wide({
    name: 'Readiness Gates',
    description: 'If specified, all readiness gates will be evaluated for pod readiness.',
    cell: (x) => {
      const gates = a(o(x.spec).readinessGates).map((g) => s(o(g).conditionType));
      if (gates.length === 0) return '<none>';
      const conds = a(o(x.status).conditions).map(o);
      const met = gates.filter((g) => conds.some((c) => c.type === g && c.status === 'True')).length;
      return `${met}/${gates.length}`;
    },
  }),
];

// Workloads -------------------------------------------------------------------------------

const templateWide = (get: (x: KubeObject) => unknown): Column[] => [
  wide({ name: 'Containers', description: 'Names of each container in the template.', cell: (x) => containerNames(get(x)) }),
  wide({ name: 'Images', description: 'Images referenced by each container in the template.', cell: (x) => containerImages(get(x)) }),
  wide({
    name: 'Selector',
    description: 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    cell: (x) => selectorString(o(x.spec).selector),
  }),
];

const deploymentColumns: Column[] = [
  nameCol,
  { name: 'Ready', description: 'Number of the pod with ready state', cell: (x) => `${n(o(x.status).readyReplicas)}/${n(o(x.spec).replicas)}` },
  {
    name: 'Up-to-date',
    type: 'integer',
    description: 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
    cell: (x) => n(o(x.status).updatedReplicas),
  },
  {
    name: 'Available',
    type: 'integer',
    description: 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.',
    cell: (x) => n(o(x.status).availableReplicas),
  },
  ageCol,
  ...templateWide((x) => o(x.spec).template),
];

const replicaSetColumns: Column[] = [
  nameCol,
  { name: 'Desired', type: 'integer', description: 'Replicas is the number of desired replicas.', cell: (x) => n(o(x.spec).replicas) },
  { name: 'Current', type: 'integer', description: 'Replicas is the most recently observed number of replicas.', cell: (x) => n(o(x.status).replicas) },
  { name: 'Ready', type: 'integer', description: 'The number of ready replicas for this replica set.', cell: (x) => n(o(x.status).readyReplicas) },
  ageCol,
  ...templateWide((x) => o(x.spec).template),
];

function jobStatus(x: KubeObject): string {
  const conds = o(x.status).conditions;
  if (hasCondition(conds, 'Complete')) return 'Complete';
  if (hasCondition(conds, 'Failed')) return 'Failed';
  if (o(x.metadata).deletionTimestamp) return 'Terminating';
  if (hasCondition(conds, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (hasCondition(conds, 'FailureTarget')) return 'FailureTarget';
  if (hasCondition(conds, 'Suspended')) return 'Suspended';
  return 'Running';
}

function jobCompletions(x: KubeObject): string {
  const spec = o(x.spec);
  const succeeded = n(o(x.status).succeeded);
  if (typeof spec.completions === 'number') return `${succeeded}/${spec.completions}`;
  const parallelism = n(spec.parallelism);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(x: KubeObject, now: number): string {
  const st = o(x.status);
  const start = Date.parse(s(st.startTime));
  if (Number.isNaN(start)) return '';
  const end = Date.parse(s(st.completionTime));
  return shortHumanDuration((Number.isNaN(end) ? now : end) - start);
}

const jobColumns: Column[] = [
  nameCol,
  { name: 'Status', description: 'Status of the job.', cell: jobStatus },
  { name: 'Completions', description: 'The desired number of successfully finished pods the job should be run with.', cell: jobCompletions },
  { name: 'Duration', description: 'Time required to complete the job.', cell: jobDuration },
  ageCol,
  ...templateWide((x) => o(x.spec).template),
];

const cronJobColumns: Column[] = [
  nameCol,
  { name: 'Schedule', description: 'The schedule in Cron format.', cell: (x) => s(o(x.spec).schedule) },
  { name: 'Timezone', description: 'The time zone name for the given schedule.', cell: (x) => orNone(s(o(x.spec).timeZone)) },
  {
    name: 'Suspend',
    type: 'boolean',
    description: 'This flag tells the controller to suspend subsequent executions.',
    cell: (x) => (o(x.spec).suspend === true ? 'True' : 'False'),
  },
  { name: 'Active', type: 'integer', description: 'A list of pointers to currently running jobs.', cell: (x) => a(o(x.status).active).length },
  {
    name: 'Last Schedule',
    description: 'Information when was the last time the job was successfully scheduled.',
    cell: (x, now) => (s(o(x.status).lastScheduleTime) ? since(o(x.status).lastScheduleTime, now) : '<none>'),
  },
  ageCol,
  wide({ name: 'Containers', description: 'Names of each container in the template.', cell: (x) => containerNames(o(o(o(x.spec).jobTemplate).spec).template) }),
  wide({
    name: 'Images',
    description: 'Images referenced by each container in the template.',
    cell: (x) => containerImages(o(o(o(x.spec).jobTemplate).spec).template),
  }),
  wide({
    name: 'Selector',
    description: 'A label query over pods that should match the pod count.',
    cell: (x) => selectorString(o(o(o(x.spec).jobTemplate).spec).selector),
  }),
];

// Core ------------------------------------------------------------------------------------

function serviceExternalIP(x: KubeObject): string {
  const spec = o(x.spec);
  const type = s(spec.type) || 'ClusterIP';
  const external = a(spec.externalIPs).map(s).filter(Boolean);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = a(o(o(x.status).loadBalancer).ingress)
        .map((i) => s(o(i).ip) || s(o(i).hostname))
        .filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return s(spec.externalName);
    default:
      return '<unknown>';
  }
}

function servicePorts(x: KubeObject): string {
  const ports = a(o(x.spec).ports).map(o);
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${String(p.port ?? '')}${n(p.nodePort) ? `:${n(p.nodePort)}` : ''}/${s(p.protocol) || 'TCP'}`).join(',');
}

const serviceColumns: Column[] = [
  nameCol,
  { name: 'Type', description: 'type determines how the Service is exposed.', cell: (x) => s(o(x.spec).type) || 'ClusterIP' },
  {
    name: 'Cluster-IP',
    description: 'clusterIP is the IP address of the service and is usually assigned randomly.',
    cell: (x) => orNone(s(o(x.spec).clusterIP)),
  },
  {
    name: 'External-IP',
    description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    cell: serviceExternalIP,
  },
  { name: 'Port(s)', description: 'The list of ports that are exposed by this service.', cell: servicePorts },
  ageCol,
  wide({
    name: 'Selector',
    description: 'Route service traffic to pods with label keys and values matching this selector.',
    cell: (x) => formatMap(o(x.spec).selector),
  }),
];

function endpointsCell(x: KubeObject): string {
  const list: string[] = [];
  let count = 0;
  for (const sub of a(x.subsets).map(o)) {
    const ports = a(sub.ports).map(o);
    for (const addr of a(sub.addresses).map(o)) {
      if (ports.length === 0) {
        count++;
        if (list.length < 3) list.push(s(addr.ip));
        continue;
      }
      for (const p of ports) {
        count++;
        if (list.length < 3) list.push(`${s(addr.ip)}:${String(p.port ?? '')}`);
      }
    }
  }
  if (count === 0) return '<none>';
  return count > list.length ? `${list.join(',')} + ${count - list.length} more...` : list.join(',');
}

function nodeStatus(x: KubeObject): string {
  const conds = a(o(x.status).conditions).map(o);
  const readyCond = conds.find((c) => c.type === 'Ready');
  const out: string[] = [readyCond ? (readyCond.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (o(x.spec).unschedulable === true) out.push('SchedulingDisabled');
  return out.join(',');
}

function nodeRoles(x: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o(o(x.metadata).labels))) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && typeof v === 'string' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(x: KubeObject, type: string): string {
  const addr = a(o(x.status).addresses)
    .map(o)
    .find((ad) => ad.type === type);
  return orNone(s(addr?.address));
}

const nodeInfo = (x: KubeObject, key: string): string => s(o(o(x.status).nodeInfo)[key]);

const nodeColumns: Column[] = [
  nameCol,
  { name: 'Status', description: 'The status of the node', cell: nodeStatus },
  { name: 'Roles', description: 'The roles of the node', cell: nodeRoles },
  ageCol,
  { name: 'Version', description: 'Kubelet Version reported by the node.', cell: (x) => nodeInfo(x, 'kubeletVersion') },
  wide({
    name: 'Internal-IP',
    description: 'List of addresses reachable to the node. Queried from cloud provider, if available.',
    cell: (x) => nodeAddress(x, 'InternalIP'),
  }),
  wide({
    name: 'External-IP',
    description: 'List of addresses reachable to the node. Queried from cloud provider, if available.',
    cell: (x) => nodeAddress(x, 'ExternalIP'),
  }),
  wide({
    name: 'OS-Image',
    description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
    cell: (x) => nodeInfo(x, 'osImage') || '<unknown>',
  }),
  wide({
    name: 'Kernel-Version',
    description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    cell: (x) => nodeInfo(x, 'kernelVersion') || '<unknown>',
  }),
  wide({
    name: 'Container-Runtime',
    description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
    cell: (x) => nodeInfo(x, 'containerRuntimeVersion') || '<unknown>',
  }),
];

function eventLastSeen(x: KubeObject, now: number): string {
  const last = s(x.lastTimestamp) || s(x.eventTime) || s(x.firstTimestamp) || s(o(x.metadata).creationTimestamp);
  const seen = since(last, now);
  const count = n(x.count);
  const first = s(x.firstTimestamp);
  if (count > 1 && first) return `${seen} (x${count} over ${since(first, now)})`;
  return seen;
}

const eventColumns: Column[] = [
  { name: 'Last Seen', description: 'The time at which the most recent occurrence of this event was recorded.', cell: eventLastSeen },
  { name: 'Type', description: 'Type of this event (Normal, Warning), new types could be added in the future.', cell: (x) => s(x.type) },
  { name: 'Reason', description: "The reason for the transition into the object's current status.", cell: (x) => s(x.reason) },
  {
    name: 'Object',
    description: 'The object that this event is about.',
    cell: (x) => `${s(o(x.involvedObject).kind).toLowerCase()}/${s(o(x.involvedObject).name)}`,
  },
  wide({ name: 'Subobject', description: 'The field of the object that this event is about.', cell: (x) => s(o(x.involvedObject).fieldPath) }),
  wide({
    name: 'Source',
    description: 'The component reporting this event.',
    cell: (x) => [s(o(x.source).component), s(o(x.source).host)].filter(Boolean).join(', ') || s(x.reportingComponent),
  }),
  { name: 'Message', description: 'A human-readable description of the status of this operation.', cell: (x) => s(x.message) },
  wide({
    name: 'First Seen',
    description: 'The time at which the event was first recorded.',
    cell: (x, now) => since(s(x.firstTimestamp) || s(x.eventTime), now),
  }),
  wide({ name: 'Count', type: 'integer', description: 'The number of times this event has occurred.', cell: (x) => n(x.count) }),
  wide({ name: 'Name', format: 'name', description: DESC.name, cell: (x) => s(o(x.metadata).name) }),
];

function quotaCell(x: KubeObject, limits: boolean): string {
  const hard = o(o(x.status).hard);
  const specHard = o(o(x.spec).hard);
  const used = o(o(x.status).used);
  const source = Object.keys(hard).length ? hard : specHard;
  return Object.keys(source)
    .filter((k) => k.startsWith('limits.') === limits)
    .sort()
    .map((k) => `${k}: ${String(used[k] ?? '0')}/${String(source[k])}`)
    .join(', ');
}

function bindingSubjects(x: KubeObject, kind: string): string {
  return a(x.subjects)
    .map(o)
    .filter((sub) => sub.kind === kind)
    .map((sub) => (kind === 'ServiceAccount' ? `${s(sub.namespace)}:${s(sub.name)}` : s(sub.name)))
    .join(', ');
}

const bindingColumns: Column[] = [
  nameCol,
  { name: 'Role', description: 'Role is the role being referenced.', cell: (x) => `${s(o(x.roleRef).kind)}/${s(o(x.roleRef).name)}` },
  ageCol,
  wide({ name: 'Users', description: 'Users in the roleBinding.', cell: (x) => bindingSubjects(x, 'User') }),
  wide({ name: 'Groups', description: 'Groups in the roleBinding.', cell: (x) => bindingSubjects(x, 'Group') }),
  wide({ name: 'ServiceAccounts', description: 'ServiceAccounts in the roleBinding.', cell: (x) => bindingSubjects(x, 'ServiceAccount') }),
];

function ingressHosts(x: KubeObject): string {
  const hosts = a(o(x.spec).rules)
    .map((r) => s(o(r).host))
    .filter(Boolean);
  if (hosts.length === 0) return '*';
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',');
}

const COLUMNS: Record<string, Column[]> = {
  Pod: podColumns,
  Deployment: deploymentColumns,
  ReplicaSet: replicaSetColumns,
  Job: jobColumns,
  CronJob: cronJobColumns,
  Service: serviceColumns,
  Endpoints: [nameCol, { name: 'Endpoints', description: 'Endpoints of the service.', cell: endpointsCell }, ageCol],
  Namespace: [nameCol, { name: 'Status', description: 'The status of the namespace', cell: (x) => s(o(x.status).phase) }, ageCol],
  Node: nodeColumns,
  ConfigMap: [
    nameCol,
    {
      name: 'Data',
      type: 'integer',
      description: 'Number of keys in the ConfigMap.',
      cell: (x) => Object.keys(o(x.data)).length + Object.keys(o(x.binaryData)).length,
    },
    ageCol,
  ],
  Secret: [
    nameCol,
    { name: 'Type', description: 'The type of secret', cell: (x) => s(x.type) },
    { name: 'Data', type: 'integer', description: 'Number of keys in the secret.', cell: (x) => Object.keys(o(x.data)).length },
    ageCol,
  ],
  Event: eventColumns,
  ResourceQuota: [
    nameCol,
    ageCol,
    { name: 'Request', description: 'Request represents a minimum amount of cpu/memory that a container may consume.', cell: (x) => quotaCell(x, false) },
    {
      name: 'Limit',
      description: 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
      cell: (x) => quotaCell(x, true),
    },
  ],
  LimitRange: [nameCol, createdAtCol],
  ServiceAccount: [
    nameCol,
    {
      name: 'Secrets',
      type: 'integer',
      description: 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      cell: (x) => a(x.secrets).length,
    },
    ageCol,
  ],
  PersistentVolumeClaim: [
    nameCol,
    { name: 'Status', description: 'The current phase of the claim.', cell: (x) => s(o(x.status).phase) || 'Pending' },
    { name: 'Volume', description: 'The binding reference to the PersistentVolume backing this claim.', cell: (x) => s(o(x.spec).volumeName) },
    { name: 'Capacity', description: 'The actual resources of the underlying volume.', cell: (x) => String(o(o(x.status).capacity).storage ?? '') },
    {
      name: 'Access Modes',
      description: 'The desired access modes the volume should have.',
      cell: (x) =>
        a(o(x.status).accessModes)
          .map((m) => (({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' }) as Record<string, string>)[s(m)] ?? s(m))
          .join(','),
    },
    { name: 'StorageClass', description: 'The name of the StorageClass required by the claim.', cell: (x) => orNone(s(o(x.spec).storageClassName)) },
    { name: 'VolumeAttributesClass', description: 'The name of the VolumeAttributesClass.', cell: (x) => orNone(s(o(x.spec).volumeAttributesClassName)) },
    ageCol,
    wide({ name: 'VolumeMode', description: 'What type of volume is required by the claim.', cell: (x) => s(o(x.spec).volumeMode) || 'Filesystem' }),
  ],
  Lease: [nameCol, { name: 'Holder', description: 'The holder of the lease.', cell: (x) => s(o(x.spec).holderIdentity) }, ageCol],
  Ingress: [
    nameCol,
    { name: 'Class', description: 'The name of the IngressClass cluster resource.', cell: (x) => orNone(s(o(x.spec).ingressClassName)) },
    { name: 'Hosts', description: 'Hosts that incoming requests are matched against before the ingress rule', cell: ingressHosts },
    {
      name: 'Address',
      description: 'Address is a list containing ingress points for the load-balancer',
      cell: (x) =>
        a(o(o(x.status).loadBalancer).ingress)
          .map((i) => s(o(i).ip) || s(o(i).hostname))
          .filter(Boolean)
          .join(','),
    },
    { name: 'Ports', description: 'Ports of TLS configurations that open', cell: (x) => (a(o(x.spec).tls).length ? '80, 443' : '80') },
    ageCol,
  ],
  Role: [nameCol, createdAtCol],
  ClusterRole: [nameCol, createdAtCol],
  RoleBinding: bindingColumns,
  ClusterRoleBinding: bindingColumns,
};

const DEFAULT_COLUMNS: Column[] = [nameCol, ageCol];

export function tableColumns(t: Pick<ResourceType, 'kind'>): TableColumnDefinition[] {
  const cols = Object.prototype.hasOwnProperty.call(COLUMNS, t.kind) ? COLUMNS[t.kind] : DEFAULT_COLUMNS;
  return cols.map((c) => ({ name: c.name, type: c.type ?? 'string', format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }));
}

function rowObject(obj: KubeObject, mode: TableOptions['includeObject']): unknown {
  if (mode === 'None') return undefined;
  if (mode === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: isPlainObject(obj.metadata) ? obj.metadata : {} };
}

export function toTable(t: ResourceType, objs: KubeObject[], opts: TableOptions = {}): Table {
  const now = opts.now ?? Date.now();
  const cols = Object.prototype.hasOwnProperty.call(COLUMNS, t.kind) ? COLUMNS[t.kind] : DEFAULT_COLUMNS;
  const rows: TableRow[] = objs.map((obj) => {
    const cells = cols.map((c) => {
      try {
        return c.cell(obj, now);
      } catch {
        return '<unknown>';
      }
    });
    const row: TableRow = { cells };
    const object = rowObject(obj, opts.includeObject ?? 'Metadata');
    if (object !== undefined) row.object = object;
    if (t.kind === 'Pod') {
      const phase = s(o(obj.status).phase);
      if (phase === 'Succeeded' || phase === 'Failed') row.conditions = [{ type: 'Completed', status: 'True' }];
    }
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue !== undefined) metadata.continue = opts.continue;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: tableColumns(t), rows };
}
