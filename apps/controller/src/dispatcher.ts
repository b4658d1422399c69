// The dispatcher: follows the store's change log (through the watch cache, in version order) and enqueues one
// reconcile job per affected key per loop: a pod change goes to its owner's key, a ReplicaSet change to its
// Deployment's, a deleted owner to its dependents' garbage collection, and so on. It re-enqueues everything
// at start-up and periodically (resync), remembers the last dispatched resourceVersion in Redis, and notices
// a flushed Redis (the cursor is gone) and resyncs at once, so lost queues only delay convergence.
import type { Redis } from 'ioredis';
import { matchesSelector, selectorFromMap } from '@flotilla/resources';
import type { Labels, Namespace, Service } from '@flotilla/resources';
import { dispatcherCursorKey } from '@flotilla/queue';
import type { ControllerQueue, ReconcileJob, ReconcileKey } from '@flotilla/queue';
import type { Change } from '@flotilla/store';
import type { IndexedChange } from './cluster-index';
import type { ControllerContext } from './context';
import { FOREGROUND, gcKey, needsCollection } from './controllers/garbage-collector';
import { isTerminating } from './controllers/namespace';
import { R } from './kinds';
import { errorText } from '@flotilla/log';

const key = (kind: string, namespace: string, name: string): ReconcileKey => ({ kind, namespace, name });

export class Dispatcher {
  private lastRv = 0;
  private persistedRv = -1;
  private resyncTimer: NodeJS.Timeout | undefined;
  private cursorTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly redis: Redis,
  ) {}

  async start(): Promise<void> {
    const cursorKey = dispatcherCursorKey(this.ctx.config.queuePrefix);
    const previous = await this.redis.get(cursorKey).catch(() => null);
    // Index and subscription in one synchronous step, so no change falls between them.
    this.ctx.index.rebuild();
    this.lastRv = this.ctx.store.cache.rv;
    this.unsubscribe = this.ctx.store.cache.onChange((c) => this.onChange(c));
    this.ctx.log.info('dispatcher started; full resync', { resumedFrom: previous ?? 'none', cacheRv: this.lastRv });
    this.resync('start');
    if (this.ctx.config.resyncSeconds > 0) {
      this.resyncTimer = setInterval(() => this.resync('periodic'), this.ctx.config.resyncSeconds * 1000);
    }
    this.cursorTimer = setInterval(() => void this.persistCursor(), 1000);
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    if (this.cursorTimer) clearInterval(this.cursorTimer);
  }

  private async persistCursor(): Promise<void> {
    const cursorKey = dispatcherCursorKey(this.ctx.config.queuePrefix);
    try {
      const old = await this.redis.getset(cursorKey, String(this.lastRv));
      if (old === null && this.persistedRv >= 0) {
        // The cursor we wrote is gone: Redis lost its data (FLUSHALL, failover without persistence).
        this.ctx.log.warn('Redis lost the queues; resyncing every key');
        this.ctx.queues.forgetPending();
        this.resync('redis-flushed');
      }
      this.persistedRv = this.lastRv;
    } catch (err) {
      this.ctx.log.warn('could not persist the dispatcher cursor', { error: errorText(err) });
    }
  }

  private enqueue(q: ControllerQueue, k: ReconcileKey, cause: ReconcileJob['cause'] = 'change'): void {
    this.ctx.queues.enqueue(q, k, cause);
  }

  /** Every key of every loop (level-triggered: the loops decide whether anything needs doing). */
  resync(why: string): void {
    const cache = this.ctx.store.cache;
    // The cache may have been reloaded wholesale (after falling behind a compacted log): rebuild the indexes.
    this.ctx.index.rebuild();
    let n = 0;
    const each = (resource: string, q: ControllerQueue, kind: string) => {
      for (const e of cache.list(resource)) {
        this.enqueue(q, key(kind, e.namespace, e.name), 'resync');
        n++;
      }
    };
    each(R.deployment, 'deployment', 'Deployment');
    each(R.replicaSet, 'replicaset', 'ReplicaSet');
    each(R.job, 'job', 'Job');
    each(R.cronJob, 'cronjob', 'CronJob');
    each(R.service, 'endpoints', 'Service');
    for (const e of cache.list(R.namespace)) {
      if (isTerminating(e.obj as Namespace)) {
        this.enqueue('namespace', key('Namespace', '', e.name), 'resync');
        n++;
      }
    }
    for (const ref of this.ctx.index.withOwners()) {
      const e = cache.get(ref.resource, ref.namespace, ref.name);
      if (e && needsCollection(this.ctx, e.obj)) {
        this.enqueue('garbagecollector', gcKey(ref.resource, ref.namespace, ref.name), 'resync');
        n++;
      }
    }
    for (const resource of cache.resources()) {
      for (const e of cache.list(resource)) {
        if (e.obj.metadata.deletionTimestamp && e.obj.metadata.finalizers?.includes(FOREGROUND)) {
          this.enqueue('garbagecollector', gcKey(resource, e.namespace, e.name), 'resync');
          n++;
        }
      }
    }
    this.ctx.log.debug('resync', { why, keys: n });
  }

  private onChange(c: Change): void {
    this.lastRv = c.rv;
    let ic: IndexedChange;
    try {
      ic = this.ctx.index.apply(c);
      this.route(ic);
    } catch (err) {
      this.ctx.log.error('dispatch failed for a change; the next resync covers it', { resource: c.resource, name: c.name, error: errorText(err) });
    }
  }

  private route(ic: IndexedChange): void {
    const { change: c } = ic;
    const obj = c.obj;
    const ns = c.namespace;
    const controller = obj.metadata.ownerReferences?.find((r) => r.controller);
    switch (c.resource) {
      case R.deployment:
        this.enqueue('deployment', key('Deployment', ns, c.name));
        break;
      case R.replicaSet:
        this.enqueue('replicaset', key('ReplicaSet', ns, c.name));
        if (controller?.kind === 'Deployment') this.enqueue('deployment', key('Deployment', ns, controller.name));
        else for (const d of this.ctx.store.cache.list(R.deployment, ns)) this.enqueue('deployment', key('Deployment', ns, d.name));
        this.previousControllers(ic, ns);
        break;
      case R.pod:
        this.routePod(ic, controller?.kind, controller?.name);
        break;
      case R.job:
        this.enqueue('job', key('Job', ns, c.name));
        if (controller?.kind === 'CronJob') this.enqueue('cronjob', key('CronJob', ns, controller.name));
        break;
      case R.cronJob:
        this.enqueue('cronjob', key('CronJob', ns, c.name));
        break;
      case R.service:
        this.enqueue('endpoints', key('Service', ns, c.name));
        break;
      case R.endpoints:
        if (c.type === 'DELETED' && this.ctx.store.cache.get(R.service, ns, c.name)) this.enqueue('endpoints', key('Service', ns, c.name));
        break;
      case R.namespace:
        if (c.type !== 'DELETED' && isTerminating(obj as Namespace)) this.enqueue('namespace', key('Namespace', '', c.name));
        break;
    }

    // Emptying a namespace makes progress with every deletion in it.
    if (c.type === 'DELETED' && ns) {
      const nsObj = this.ctx.store.cache.get(R.namespace, '', ns)?.obj as Namespace | undefined;
      if (nsObj && isTerminating(nsObj)) this.enqueue('namespace', key('Namespace', '', ns));
    }

    // Garbage collection.
    const uid = obj.metadata.uid ?? '';
    if (c.type === 'DELETED') {
      for (const d of this.ctx.index.dependents(uid)) this.enqueue('garbagecollector', gcKey(d.resource, d.namespace, d.name));
      for (const ownerUid of ic.prevOwners) {
        const ref = this.ctx.index.refOfUid(ownerUid);
        const owner = ref && this.ctx.store.cache.get(ref.resource, ref.namespace, ref.name);
        if (ref && owner?.obj.metadata.finalizers?.includes(FOREGROUND)) this.enqueue('garbagecollector', gcKey(ref.resource, ref.namespace, ref.name));
      }
    } else if (needsCollection(this.ctx, obj)) {
      this.enqueue('garbagecollector', gcKey(c.resource, ns, c.name));
    }
    if (c.type !== 'DELETED' && obj.metadata.deletionTimestamp) {
      // A dependent started terminating: an owner in foreground deletion may be waiting on it.
      for (const r of obj.metadata.ownerReferences ?? []) {
        const ref = this.ctx.index.refOfUid(r.uid);
        const owner = ref && this.ctx.store.cache.get(ref.resource, ref.namespace, ref.name);
        if (ref && owner?.obj.metadata.finalizers?.includes(FOREGROUND)) this.enqueue('garbagecollector', gcKey(ref.resource, ref.namespace, ref.name));
      }
    }
  }

  private routePod(ic: IndexedChange, controllerKind: string | undefined, controllerName: string | undefined): void {
    const { change: c } = ic;
    const ns = c.namespace;
    if (controllerKind === 'ReplicaSet' && controllerName) this.enqueue('replicaset', key('ReplicaSet', ns, controllerName));
    else if (controllerKind === 'Job' && controllerName) this.enqueue('job', key('Job', ns, controllerName));
    else if (!controllerKind && c.type !== 'DELETED') {
      // An orphan: any ReplicaSet here may adopt it.
      for (const rs of this.ctx.store.cache.list(R.replicaSet, ns)) this.enqueue('replicaset', key('ReplicaSet', ns, rs.name));
    }
    this.previousControllers(ic, ns);
    // Services whose selector matches the pod now or matched it before.
    const labels = c.obj.metadata.labels;
    for (const e of this.ctx.store.cache.list(R.service, ns)) {
      const svc = e.obj as Service;
      if (matches(svc, labels) || matches(svc, ic.prevLabels)) this.enqueue('endpoints', key('Service', ns, e.name));
    }
  }

  /** An object released by (or deleted from under) a controller: that controller re-counts. */
  private previousControllers(ic: IndexedChange, ns: string): void {
    const now = new Set((ic.change.obj.metadata.ownerReferences ?? []).map((r) => r.uid));
    for (const uid of ic.prevOwners) {
      if (now.has(uid) && ic.change.type !== 'DELETED') continue;
      const ref = this.ctx.index.refOfUid(uid);
      if (!ref) continue;
      if (ref.resource === R.replicaSet) this.enqueue('replicaset', key('ReplicaSet', ns, ref.name));
      else if (ref.resource === R.deployment) this.enqueue('deployment', key('Deployment', ns, ref.name));
      else if (ref.resource === R.job) this.enqueue('job', key('Job', ns, ref.name));
    }
  }
}

function matches(svc: Service, labels: Labels | undefined): boolean {
  if (!labels) return false;
  const sel = selectorFromMap(svc.spec.selector);
  return !sel.matchesNothing && matchesSelector(sel, labels);
}
