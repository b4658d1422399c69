// @flotilla/queue: the reconcile queues the controller uses, named and typed once for producers and workers.
//
// A job carries only a key (level-triggered: the worker re-reads everything), so one pending job per key
// is enough and bursts of changes collapse into one sync.

/**
 * One BullMQ queue per control loop, so a slow loop never holds up another. Each controller names its queue in
 * its registration (apps/controller/src/controllers/index.ts); a name never contains '/' (see jobIdFor).
 */
export type ControllerQueue = string;

/** Where a reconcile job points: an object by kind, namespace ('' for cluster-scoped) and name. */
export interface ReconcileKey {
  kind: string;
  namespace: string;
  name: string;
}

/** The payload of every reconcile job. */
export interface ReconcileJob extends ReconcileKey {
  /** Why it was queued (a change, a resync, a requeue), for logs only. */
  cause: 'change' | 'resync' | 'requeue' | 'dirty';
}

/** Name → payload map, as immich declares its jobs: producers and workers import the same types. */
export type JobPayloads = Record<ControllerQueue, ReconcileJob>;

/**
 * The job id that makes bursts collapse: `<controller>/<kind>/<namespace>/<name>`. (BullMQ reserves ':' in
 * custom ids, so '/' separates the controller from the key.)
 */
export function jobIdFor(queue: ControllerQueue, key: ReconcileKey): string {
  return `${queue}/${keyString(key)}`;
}

/** `<kind>/<namespace>/<name>`: the key as a string, for maps and logs. */
export function keyString(key: ReconcileKey): string {
  return `${key.kind}/${key.namespace}/${key.name}`;
}

export function parseKey(s: string): ReconcileKey {
  const [kind, namespace, ...rest] = s.split('/');
  return { kind: kind ?? '', namespace: namespace ?? '', name: rest.join('/') };
}

/** Redis key (under the queue prefix) holding the last resourceVersion the dispatcher handed out. */
export function dispatcherCursorKey(prefix: string): string {
  return `${prefix}:dispatcher:cursor`;
}

/** Redis key of a leader lock (scheduler, node lifecycle, cron timer). */
export function leaderKey(prefix: string, role: string): string {
  return `${prefix}:leader:${role}`;
}
export * from './log-streams';
export * from './components';
