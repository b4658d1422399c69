// What a plan asks the worker to do, and the small helpers every controller uses to build those requests.
import type { KubeObject, OwnerReference } from '@flotilla/resources';

export interface EventObjectReference {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  apiVersion: string;
}

export interface PlannedEvent {
  involvedObject: EventObjectReference;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * One step of a plan. The worker applies them in order:
 * - `create`: the object as it should be stored (no uid/resourceVersion). `batch` is the slow-start batch
 *   (0, 1, 2, …, sizes 1, 2, 4, …): apply a batch's creates in parallel and skip later batches once one fails.
 * - `update` / `updateStatus`: the full object with the resourceVersion it was planned from; a stale
 *   resourceVersion is a conflict, answered by re-reading and re-planning. When a plan writes the same
 *   object twice (a Deployment's revision annotation, then its status), the second write carries the
 *   resourceVersion returned by the first.
 * - `delete`: with `preconditionUid`, only that incarnation of the object may be deleted.
 * - `event`: record after the writes it describes succeeded.
 * - `requeueAfter`: run the plan again after `ms`, even if nothing changes (a pod becomes available, a deadline
 *   passes).
 * A plan's `updateStatus` describes the state after the plan's other writes; if one of them fails, drop the
 * status write and re-plan.
 */
export type Action =
  | { type: 'create'; object: KubeObject; batch?: number }
  | { type: 'update'; object: KubeObject }
  | { type: 'updateStatus'; object: KubeObject }
  | { type: 'delete'; kind: string; namespace: string; name: string; uid: string; preconditionUid?: string }
  | { type: 'event'; event: PlannedEvent }
  | { type: 'requeueAfter'; ms: number };

export type ActionType = Action['type'];

/** Kubernetes creates at most this many pods (or deletes this many) in one sync of a ReplicaSet or Job. */
export const BURST_REPLICAS = 500;

export function eventFor(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): Action {
  return {
    type: 'event',
    event: {
      involvedObject: {
        kind: obj.kind,
        apiVersion: obj.apiVersion,
        namespace: obj.metadata.namespace ?? '',
        name: obj.metadata.name ?? '',
        uid: obj.metadata.uid ?? '',
      },
      type,
      reason,
      message,
    },
  };
}

export function deleteAction(obj: KubeObject): Action {
  const uid = obj.metadata.uid ?? '';
  return {
    type: 'delete',
    kind: obj.kind,
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    uid,
    preconditionUid: uid || undefined,
  };
}

/** The controller reference an owner puts on what it creates or adopts. */
export function controllerRefTo(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** Slow-start batch index for the i-th create (batches of 1, 2, 4, …), as Kubernetes' slowStartBatch. */
export function slowStartBatch(i: number): number {
  return Math.floor(Math.log2(i + 1));
}

/** metav1.Time has second precision and serialises as RFC 3339 in UTC. */
export function formatTime(t: Date): string {
  return new Date(Math.floor(t.getTime() / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function parseTime(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : ms;
}

/** JSON with object keys sorted and undefined members dropped: equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortKeys(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
