// Column helpers shared by the kinds' table columns: safe readers, durations, the Name and Age columns, pod summaries.
import { isPlainObject } from './schema';
import { labelSelectorToString } from './selectors';
import type { TableColumnDefinition } from './tables';
import type { KubeObject, LabelSelector } from './types';

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

type Rec = Record<string, unknown>;

export const o = (v: unknown): Rec => (isPlainObject(v) ? v : {});

export const a = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export const s = (v: unknown): string => (typeof v === 'string' ? v : '');

export const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function since(ts: unknown, now: number): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '<unknown>';
  return shortHumanDuration(now - t);
}

export const orNone = (v: string): string => (v === '' ? '<none>' : v);

export function formatMap(m: unknown): string {
  const entries = Object.entries(o(m))
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${String(v)}`);
  return entries.length ? entries.join(',') : '<none>';
}

export function selectorString(sel: unknown): string {
  if (!isPlainObject(sel)) return '<none>';
  try {
    return orNone(labelSelectorToString(sel as LabelSelector));
  } catch {
    return '<none>';
  }
}

export function podTemplateSpec(tmpl: unknown): Rec {
  return o(o(tmpl).spec);
}

export function containerNames(tmpl: unknown): string {
  return a(podTemplateSpec(tmpl).containers)
    .map((c) => s(o(c).name))
    .join(',');
}

export function containerImages(tmpl: unknown): string {
  return a(podTemplateSpec(tmpl).containers)
    .map((c) => s(o(c).image))
    .join(',');
}

export interface Column {
  name: string;
  type?: TableColumnDefinition['type'];
  format?: string;
  description?: string;
  priority?: number;
  cell: (obj: KubeObject, now: number) => string | number | boolean;
}

export const DESC = {
  name: 'Name must be unique within a namespace. Cannot be updated.',
  age: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
};

export const nameCol: Column = { name: 'Name', format: 'name', description: DESC.name, cell: (x) => s(o(x.metadata).name) };

export const ageCol: Column = { name: 'Age', description: DESC.age, cell: (x, now) => since(o(x.metadata).creationTimestamp, now) };

export const createdAtCol: Column = { name: 'Created At', type: 'date', description: DESC.age, cell: (x) => s(o(x.metadata).creationTimestamp) };

export const wide = (c: Omit<Column, 'priority'>): Column => ({ ...c, priority: 1 });

// Pods ------------------------------------------------------------------------------------

export function hasCondition(conds: unknown, type: string): boolean {
  return a(conds).some((c) => o(c).type === type && o(c).status === 'True');
}

export interface PodSummary {
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

export const templateWide = (get: (x: KubeObject) => unknown): Column[] => [
  wide({ name: 'Containers', description: 'Names of each container in the template.', cell: (x) => containerNames(get(x)) }),
  wide({ name: 'Images', description: 'Images referenced by each container in the template.', cell: (x) => containerImages(get(x)) }),
  wide({
    name: 'Selector',
    description: 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.',
    cell: (x) => selectorString(o(x.spec).selector),
  }),
];
