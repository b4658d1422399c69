// What a controller declares so the process can run it without naming it: the kinds it owns, the kinds it
// watches and how a change of each maps to the keys it must reconcile (Kubernetes' informer event handlers),
// the keys a resync covers, and how to build its reconcile function. The dispatcher and main.ts read the list
// in controllers/index.ts and nothing else; adding a controller is its plan, its registration and their tests.
import type { ControllerQueue, ReconcileKey } from '@flotilla/queue';
import type { WatchCache } from '@flotilla/store';
import type { ClusterIndex, IndexedChange } from './cluster-index';
import type { ControllerContext } from './context';
import type { Reconciler } from './work-queue';

/** What a change mapping reads: the watch cache and its secondary indexes, both already showing the change. */
export interface ClusterView {
  cache: WatchCache;
  index: ClusterIndex;
}

/** The keys to reconcile after one change (an informer's add/update/delete handler in one function). */
export type KeyMapper = (change: IndexedChange, view: ClusterView) => Iterable<ReconcileKey>;

/** A watch on every resource (namespace emptying and garbage collection react to any deletion). */
export const ANY_RESOURCE = '*';

/** A level-triggered controller: a work queue of keys, fed by the dispatcher from the change log. */
export interface QueueControllerRegistration {
  name: string;
  queue: ControllerQueue;
  /** Store resource keys ("apps/replicasets") of the objects it writes as their controller. */
  owns: readonly string[];
  /** Store resource key (or ANY_RESOURCE) → the keys a change of it maps to. */
  watches: Readonly<Record<string, KeyMapper>>;
  /** Every key the loop should look at on start-up and periodically. */
  resync: (view: ClusterView) => Iterable<ReconcileKey>;
  reconciler: (ctx: ControllerContext) => Reconciler;
}

export interface LoopEnvironment {
  /** Singleton loops act only while this process holds the controller lease. */
  isLeader: () => boolean;
}

export interface RunningLoop {
  stop: () => void;
}

/** A controller that runs its own loop (a periodic pass, or its own change subscription) instead of a queue. */
export interface LoopControllerRegistration {
  name: string;
  owns: readonly string[];
  /** Runs once before any controller starts (objects the loop and the simulated nodes rely on). */
  prepare?: (ctx: ControllerContext) => Promise<void>;
  start: (ctx: ControllerContext, env: LoopEnvironment) => RunningLoop;
}

export type ControllerRegistration = QueueControllerRegistration | LoopControllerRegistration;

export function isQueueController(r: ControllerRegistration): r is QueueControllerRegistration {
  return 'queue' in r;
}

export const reconcileKey = (kind: string, namespace: string, name: string): ReconcileKey => ({ kind, namespace, name });

/** Every object of one resource (in one namespace, when given) as a key of `kind`: the usual resync. */
export function* keysOf(view: ClusterView, resource: string, kind: string, namespace?: string): Generator<ReconcileKey> {
  const entries = namespace === undefined ? view.cache.list(resource) : view.cache.list(resource, namespace);
  for (const e of entries) yield reconcileKey(kind, e.namespace, e.name);
}

/** The changed object itself as a key of `kind` (a controller's own objects). */
export function selfKey(kind: string): KeyMapper {
  return function* (ic) {
    yield reconcileKey(kind, ic.change.namespace, ic.change.name);
  };
}

/** The change's controller reference when it points at `kind`, as that owner's key. */
export function* controllerKey(ic: IndexedChange, kind: string): Generator<ReconcileKey> {
  const ref = ic.change.obj.metadata.ownerReferences?.find((r) => r.controller);
  if (ref?.kind === kind && ref.name) yield reconcileKey(kind, ic.change.namespace, ref.name);
}

/**
 * Owners of `resource` that owned the object before this change and no longer do (or whose dependent was
 * deleted): they re-count what they control.
 */
export function releasedBy(resource: string, kind: string): KeyMapper {
  return function* (ic, view) {
    const now = new Set((ic.change.obj.metadata.ownerReferences ?? []).map((r) => r.uid));
    for (const uid of ic.prevOwners) {
      if (now.has(uid) && ic.change.type !== 'DELETED') continue;
      const ref = view.index.refOfUid(uid);
      if (ref?.resource === resource) yield reconcileKey(kind, ic.change.namespace, ref.name);
    }
  };
}

/** A mapper that chains others, in order. */
export function allOf(...mappers: KeyMapper[]): KeyMapper {
  return function* (ic, view) {
    for (const m of mappers) yield* m(ic, view);
  };
}

/** Where a key goes: one registration's queue. */
export interface Routed {
  queue: ControllerQueue;
  key: ReconcileKey;
}

/**
 * The dispatcher's routing table, built from the registrations: a change goes to each controller watching its
 * resource, then to each watching every resource, in registration order.
 */
export class ChangeRouter {
  private readonly byResource = new Map<string, Array<{ queue: ControllerQueue; map: KeyMapper }>>();
  private readonly everywhere: Array<{ queue: ControllerQueue; map: KeyMapper }> = [];

  constructor(private readonly controllers: readonly QueueControllerRegistration[]) {
    for (const c of controllers) {
      for (const [resource, map] of Object.entries(c.watches)) {
        if (resource === ANY_RESOURCE) {
          this.everywhere.push({ queue: c.queue, map });
          continue;
        }
        let list = this.byResource.get(resource);
        if (!list) this.byResource.set(resource, (list = []));
        list.push({ queue: c.queue, map });
      }
    }
  }

  route(ic: IndexedChange, view: ClusterView): Routed[] {
    const out: Routed[] = [];
    for (const h of [...(this.byResource.get(ic.change.resource) ?? []), ...this.everywhere]) {
      for (const key of h.map(ic, view)) out.push({ queue: h.queue, key });
    }
    return out;
  }

  resync(view: ClusterView): Routed[] {
    const out: Routed[] = [];
    for (const c of this.controllers) for (const key of c.resync(view)) out.push({ queue: c.queue, key });
    return out;
  }
}
