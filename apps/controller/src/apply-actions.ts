// Applies a plan's actions through the store, honouring the Action contract (libs/controllers/src/actions.ts):
// writes in plan order, a slow-start batch of creates per transaction (later batches skipped once one fails),
// updates with the resourceVersion they were planned from (a conflict stops the plan: re-read, re-plan),
// the status write last and only when everything before it succeeded, events after the writes they describe.
import { AdmissionDenied, admitInTx } from '@flotilla/admission';
import type { Action, PlannedEvent } from '@flotilla/controllers';
import type { KubeObject } from '@flotilla/resources';
import type { Store, WriteTx } from '@flotilla/store';
import { StoreError } from '@flotilla/store';
import type { EventRecorder } from './events';
import { T, typeOfKind } from './kinds';
import type { Logger } from '@flotilla/log';
import { errorText } from '@flotilla/log';

/**
 * Keeps two workers (or a worker reading a cache that lags its own writes) from overshooting a replica
 * count: under the owner's row lock, the active pods it owns are counted in the database, and creates or
 * deletes of active pods are cut to what reaches `target`.
 */
export interface ActiveGuard {
  ownerKind: 'ReplicaSet' | 'Job';
  namespace: string;
  name: string;
  uid: string;
  /** The number of active pods the owner should have, given the locked owner (undefined: the owner is gone). */
  target: (owner: KubeObject | undefined) => number;
}

export interface ApplyResult {
  /** A write hit a stale resourceVersion or a missing object: re-read and re-plan. */
  conflict: boolean;
  /** Some write failed for another reason (logged): retry later. */
  failed: boolean;
  requeueAfterMs?: number;
  /** The highest resourceVersion written, so callers can wait for their cache to see it. */
  lastRv: number;
  /** Why admission refused a planned create (quota, LimitRange, Pod Security), in Kubernetes' words. */
  refused?: string;
}

/** Back-off after a refused create: quota frees up when someone deletes, not by retrying hot. */
export const REFUSED_CREATE_REQUEUE_MS = 10_000;

interface Ctx {
  store: Store;
  events: EventRecorder;
  log: Logger;
}

function isActivePod(obj: KubeObject | undefined): boolean {
  if (!obj || obj.metadata.deletionTimestamp) return false;
  const phase = (obj.status as { phase?: string } | undefined)?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

function objKey(kind: string, ns: string, name: string): string {
  return `${kind}/${ns}/${name}`;
}

export async function applyActions(ctx: Ctx, actions: Action[], guard?: ActiveGuard): Promise<ApplyResult> {
  const result: ApplyResult = { conflict: false, failed: false, lastRv: 0 };
  /** resourceVersions returned by this plan's own writes, for a second write to the same object. */
  const written = new Map<string, string>();
  /** Names of objects whose planned write did not happen: their events are dropped. */
  const notWritten = new Set<string>();
  const events: PlannedEvent[] = [];
  /** FailedCreate warnings: they name the refused object, so they must not be dropped with its events. */
  const failedCreates: PlannedEvent[] = [];
  let stopped = false;

  const noteRv = (obj: KubeObject | undefined) => {
    const rv = Number(obj?.metadata.resourceVersion ?? 0);
    if (rv > result.lastRv) result.lastRv = rv;
    if (obj) written.set(objKey(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name ?? ''), obj.metadata.resourceVersion ?? '');
  };

  const fail = (err: unknown, what: string) => {
    if (err instanceof StoreError && (err.reason === 'Conflict' || err.reason === 'NotFound')) {
      result.conflict = true;
      ctx.log.debug('write conflict; re-planning', { what, error: err.message });
    } else {
      result.failed = true;
      ctx.log.warn('write failed', { what, error: errorText(err) });
    }
    stopped = true;
  };

  const guardTarget = async (tx: WriteTx): Promise<{ target: number; active: number } | undefined> => {
    if (!guard) return undefined;
    const t = guard.ownerKind === 'ReplicaSet' ? T.replicaSet : T.job;
    const owner = await tx.read(t, guard.namespace, guard.name);
    const alive = owner && owner.metadata.uid === guard.uid && !owner.metadata.deletionTimestamp ? owner : undefined;
    return { target: guard.target(alive), active: await tx.countActivePodsOwnedBy(guard.namespace, guard.uid) };
  };

  // Group the plan into steps: consecutive creates of one batch, consecutive deletes, single updates.
  let i = 0;
  const deferredStatus: KubeObject[] = [];
  while (i < actions.length) {
    const a = actions[i];
    if (a.type === 'event') {
      events.push(a.event);
      i++;
      continue;
    }
    if (a.type === 'requeueAfter') {
      result.requeueAfterMs = Math.min(result.requeueAfterMs ?? Infinity, a.ms);
      i++;
      continue;
    }
    if (a.type === 'updateStatus') {
      deferredStatus.push(a.object);
      i++;
      continue;
    }
    if (stopped) {
      if (a.type === 'create' || a.type === 'update') notWritten.add(a.object.metadata.name ?? '');
      if (a.type === 'delete') notWritten.add(a.name);
      i++;
      continue;
    }
    if (a.type === 'create') {
      const batch = a.batch ?? 0;
      const group: KubeObject[] = [];
      const groupEvents: PlannedEvent[] = [];
      while (i < actions.length) {
        const b = actions[i];
        if (b.type === 'event') {
          groupEvents.push(b.event);
          i++;
          continue;
        }
        if (b.type !== 'create' || (b.batch ?? 0) !== batch) break;
        // A quota counts what is committed: the creates of one transaction do not see each other, so in a
        // namespace with a ResourceQuota each create commits on its own and the next one counts it.
        if (group.length > 0 && ctx.store.cache.list('core/resourcequotas', b.object.metadata.namespace ?? '').length > 0) break;
        group.push(b.object);
        i++;
      }
      const nsName = group[0]?.metadata.namespace ?? '';
      const nsObj = nsName ? ctx.store.cache.get('core/namespaces', '', nsName)?.obj : undefined;
      if (nsName && (!nsObj || nsObj.metadata.deletionTimestamp)) {
        // Kubernetes refuses creates in a namespace that is gone or terminating; so do we.
        for (const obj of group) notWritten.add(obj.metadata.name ?? '');
        events.push(...groupEvents);
        stopped = true;
        continue;
      }
      let refusal: { obj: KubeObject; message: string } | undefined;
      try {
        const created = await ctx.store.transaction(async (tx) => {
          refusal = undefined;
          const g = await guardTarget(tx);
          const allowed = g ? Math.max(0, g.target - g.active) : group.length;
          const out: KubeObject[] = [];
          for (const obj of group.slice(0, allowed)) {
            const t = typeOfKind(obj.kind);
            if (!t) throw new Error(`plan asked to create unknown kind ${obj.kind}`);
            const ns = obj.metadata.namespace ?? '';
            // Every controller create passes the API's admission (quota, LimitRange, Pod Security) in this
            // transaction; a refusal keeps what the batch created so far and stops the plan.
            try {
              await admitInTx(tx, ctx.store, t, ns, obj);
            } catch (err) {
              if (!(err instanceof AdmissionDenied)) throw err;
              refusal = { obj, message: err.message };
              break;
            }
            out.push(await ctx.store.createIn(tx, t, obj, ns));
          }
          // The events about these creates commit with them (one transaction per batch, not two).
          await ctx.events.recordIn(tx, groupEvents.filter(aboutAny(namesOf(out))));
          return out;
        });
        const recorded = aboutAny(namesOf(created));
        events.push(...groupEvents.filter((e) => !recorded(e)));
        created.forEach(noteRv);
        if (refusal) {
          for (const obj of group.slice(created.length)) notWritten.add(obj.metadata.name ?? '');
          const owner = refusal.obj.metadata.ownerReferences?.find((r) => r.controller) ?? refusal.obj.metadata.ownerReferences?.[0];
          result.refused = `Error creating: ${refusal.message}`;
          if (owner) {
            failedCreates.push({
              involvedObject: {
                kind: owner.kind,
                apiVersion: owner.apiVersion,
                namespace: refusal.obj.metadata.namespace ?? '',
                name: owner.name,
                uid: owner.uid,
              },
              type: 'Warning',
              reason: 'FailedCreate',
              message: result.refused,
            });
          }
          result.requeueAfterMs = Math.min(result.requeueAfterMs ?? Infinity, REFUSED_CREATE_REQUEUE_MS);
          stopped = true;
        } else if (created.length < group.length) {
          for (const obj of group.slice(created.length)) notWritten.add(obj.metadata.name ?? '');
          stopped = true; // the guard saw pods the cache has not: re-plan once it has
          result.conflict = true;
        }
      } catch (err) {
        for (const obj of group) notWritten.add(obj.metadata.name ?? '');
        events.push(...groupEvents);
        fail(err, `create batch of ${group.length} ${group[0]?.kind}`);
      }
      continue;
    }
    if (a.type === 'delete') {
      const group: Extract<Action, { type: 'delete' }>[] = [];
      while (i < actions.length) {
        const b = actions[i];
        if (b.type === 'event') {
          events.push(b.event);
          i++;
          continue;
        }
        if (b.type !== 'delete') break;
        group.push(b);
        i++;
      }
      const deleted: KubeObject[] = [];
      try {
        const skipped = await ctx.store.transaction(async (tx) => {
          deleted.length = 0;
          const g = await guardTarget(tx);
          let active = g?.active ?? 0;
          const skip: string[] = [];
          for (const d of group) {
            const t = typeOfKind(d.kind);
            if (!t) throw new Error(`plan asked to delete unknown kind ${d.kind}`);
            const current = await tx.read(t, d.namespace, d.name);
            if (!current || (d.preconditionUid && current.metadata.uid !== d.preconditionUid)) continue; // already gone
            const guarded = g && t === T.pod && isActivePod(current);
            if (guarded && active - 1 < g.target) {
              skip.push(d.name);
              continue;
            }
            const r = await ctx.store.deleteIn(tx, t, d.namespace, d.name, { preconditions: d.preconditionUid ? { uid: d.preconditionUid } : undefined });
            if (guarded) active--;
            deleted.push(r.object);
          }
          return skip;
        });
        deleted.forEach(noteRv);
        if (skipped.length) {
          skipped.forEach((n) => notWritten.add(n));
          stopped = true;
          result.conflict = true;
        }
      } catch (err) {
        group.forEach((d) => notWritten.add(d.name));
        fail(err, `delete ${group.length} ${group[0]?.kind}`);
      }
      continue;
    }
    // update
    const obj = withWrittenRv(a.object, written);
    const t = typeOfKind(obj.kind);
    i++;
    if (!t) {
      fail(new Error(`plan asked to update unknown kind ${obj.kind}`), 'update');
      continue;
    }
    try {
      noteRv(await ctx.store.update(t, obj, obj.metadata.namespace ?? ''));
    } catch (err) {
      notWritten.add(obj.metadata.name ?? '');
      fail(err, `update ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`);
    }
  }

  if (!stopped) {
    for (const s of deferredStatus) {
      const obj = withWrittenRv(s, written);
      const t = typeOfKind(obj.kind);
      if (!t) continue;
      try {
        noteRv(await ctx.store.update(t, obj, obj.metadata.namespace ?? '', { subresource: 'status' }));
      } catch (err) {
        fail(err, `status of ${obj.kind} ${obj.metadata.namespace}/${obj.metadata.name}`);
        break;
      }
    }
  }

  const unwritten = aboutAny(notWritten);
  const kept = [...events.filter((e) => !unwritten(e)), ...failedCreates];
  await ctx.events.record(kept);
  return result;
}

/** Whether an event is about one of the named objects (its message names it, as every create/delete event does). */
function aboutAny(names: Iterable<string>): (e: PlannedEvent) => boolean {
  const named = [...names].filter(Boolean);
  return (e) => named.some((n) => e.message.includes(n));
}

const namesOf = (objs: KubeObject[]): string[] => objs.map((o) => o.metadata.name ?? '');

function withWrittenRv(obj: KubeObject, written: Map<string, string>): KubeObject {
  const rv = written.get(objKey(obj.kind, obj.metadata.namespace ?? '', obj.metadata.name ?? ''));
  if (rv === undefined) return obj;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } };
}
