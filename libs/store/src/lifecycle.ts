// Object lifecycle rules applied on every write, whoever the writer is (API, controllers):
// identity and timestamps on create, generation on spec change, status kept apart from spec,
// and what deletion means (graceful, finalizers, propagation).
import { randomUUID } from 'node:crypto';
import { kindModuleFor, type KubeObject, type LifecycleHooks, type ObjectMeta, type ResourceType } from '@flotilla/resources';

/** 'finalize' is the Namespace subresource that alone may change spec.finalizers. */
export type Subresource = 'status' | 'finalize' | undefined;

const NAME_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_SUFFIX_ALPHABET[Math.floor(Math.random() * NAME_SUFFIX_ALPHABET.length)];
  return s;
}

/** The last instant RFC 3339 (four-digit years, so every client) can write. */
const LAST_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Kubernetes timestamps: RFC 3339, whole seconds, UTC. */
export function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hooksOf(t: ResourceType): LifecycleHooks {
  return kindModuleFor(t)?.lifecycle ?? {};
}

export function initialStatus(t: ResourceType, obj: KubeObject): unknown {
  const hooks = hooksOf(t);
  if (hooks.initialStatus) return hooks.initialStatus(obj);
  return t.hasStatus ? {} : obj.status;
}

/** Fills what the server owns on create. The caller has validated and defaulted the object. */
export function prepareCreate(t: ResourceType, obj: KubeObject, namespace: string, now: Date): KubeObject {
  const meta: ObjectMeta = { ...obj.metadata };
  // A uid given by a trusted caller (the API assigns one before admission) is kept.
  meta.uid = typeof meta.uid === 'string' && /^[0-9a-f-]{36}$/.test(meta.uid) ? meta.uid : randomUUID();
  meta.creationTimestamp = timestamp(now);
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  if (t.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  if (t.hasSpec) meta.generation = 1;
  else delete meta.generation;
  const out: KubeObject = { ...obj, apiVersion: obj.apiVersion, kind: t.kind, metadata: meta };
  const status = initialStatus(t, obj);
  if (status === undefined) delete out.status;
  else out.status = status;
  hooksOf(t).onCreate?.(out, obj);
  return out;
}

/** Stable JSON for comparisons (key order does not matter). */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as Record<string, unknown>;
      return Object.keys(o)
        .sort()
        .reduce<Record<string, unknown>>((acc, k) => {
          acc[k] = o[k];
          return acc;
        }, {});
    }
    return val;
  });
}

export function deepEqual(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** The parts of an object that are neither metadata nor status: what "spec changed" compares. */
function specOf(t: ResourceType, obj: KubeObject): unknown {
  if (t.hasSpec) return obj.spec;
  const rest: Record<string, unknown> = { ...obj };
  delete rest.metadata;
  delete rest.status;
  delete rest.apiVersion;
  delete rest.kind;
  return rest;
}

/**
 * Merges an update into the stored object following Kubernetes' strategies: a main-resource write
 * keeps the stored status; a status write keeps everything but status; server-owned metadata always
 * comes from the stored object. Returns undefined when nothing would change.
 */
export function prepareUpdate(t: ResourceType, old: KubeObject, next: KubeObject, sub: Subresource): KubeObject | undefined {
  let out: KubeObject;
  if (sub === 'status') {
    out = { ...old, status: next.status };
    if (next.status === undefined) delete out.status;
  } else if (sub === 'finalize') {
    out = { ...old, spec: next.spec };
  } else {
    out = { ...next, apiVersion: old.apiVersion, kind: old.kind };
    if (t.hasStatus) {
      if (old.status === undefined) delete out.status;
      else out.status = old.status;
    }
  }
  const om = old.metadata;
  const meta: ObjectMeta = sub ? { ...om } : { ...next.metadata };
  meta.name = om.name;
  meta.uid = om.uid;
  meta.creationTimestamp = om.creationTimestamp;
  if (om.namespace !== undefined) meta.namespace = om.namespace;
  else delete meta.namespace;
  if (om.deletionTimestamp) {
    meta.deletionTimestamp = om.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
  } else {
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
  }
  meta.resourceVersion = om.resourceVersion;
  if (t.hasSpec) {
    const gen = om.generation ?? 1;
    meta.generation = !sub && !deepEqual(specOf(t, old), specOf(t, out)) ? gen + 1 : gen;
  } else delete meta.generation;
  out.metadata = meta;
  hooksOf(t).onUpdate?.(out, old, sub);
  return deepEqual(out, old) ? undefined : out;
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeletePlan {
  /** remove: gone now; mark: kept with deletionTimestamp until finalizers/grace are done. */
  action: 'remove' | 'mark' | 'none';
  object: KubeObject;
}

/**
 * What a delete request does to an object. Pods on a node get graceful deletion (the node's agent
 * stops the containers, then removes the pod); finalizers keep an object until they are cleared.
 */
export function planDelete(
  t: ResourceType,
  obj: KubeObject,
  opts: { propagationPolicy?: PropagationPolicy; gracePeriodSeconds?: number; hasDependents: boolean },
  now: Date,
): DeletePlan {
  const meta: ObjectMeta = { ...obj.metadata, finalizers: [...(obj.metadata.finalizers ?? [])] };
  const finalizers = meta.finalizers as string[];
  if (opts.hasDependents && opts.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  const hooks = hooksOf(t);
  const grace = hooks.deletionGracePeriod?.(obj, opts.gracePeriodSeconds) ?? 0;
  const specFinalizers = hooks.specFinalizers?.(obj) ?? [];
  if (finalizers.length === 0 && grace <= 0 && specFinalizers.length === 0) {
    return { action: 'remove', object: obj };
  }
  if (finalizers.length === 0) delete meta.finalizers;
  if (meta.deletionTimestamp) {
    // Already terminating: a shorter grace period may still cut it short, as in Kubernetes.
    const changed = grace > 0 && meta.deletionGracePeriodSeconds !== undefined && grace < meta.deletionGracePeriodSeconds;
    if (opts.gracePeriodSeconds === 0 && finalizers.length === 0 && specFinalizers.length === 0) return { action: 'remove', object: obj };
    if (!changed && deepEqual(meta.finalizers ?? [], obj.metadata.finalizers ?? [])) return { action: 'none', object: obj };
  }
  // Any int64 grace is valid; past the year 9999 the deletion is simply never due.
  meta.deletionTimestamp = timestamp(new Date(Math.min(now.getTime() + grace * 1000, LAST_DATE_MS)));
  meta.deletionGracePeriodSeconds = grace;
  const out: KubeObject = { ...obj, metadata: meta };
  hooks.onMarkDeleted?.(out, obj);
  if (t.hasSpec && meta.generation !== undefined) meta.generation = meta.generation + 1;
  return { action: 'mark', object: out };
}

/** After an update, an object marked for deletion with no finalizers left is removed. */
export function readyToRemove(t: ResourceType, obj: KubeObject): boolean {
  if (!obj.metadata.deletionTimestamp) return false;
  if ((obj.metadata.finalizers ?? []).length > 0) return false;
  const hooks = hooksOf(t);
  if ((hooks.specFinalizers?.(obj) ?? []).length > 0) return false;
  // A graceful deletion in progress ends when its agent removes the object, not when finalizers clear.
  if (hooks.deletionGracePeriod && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0) return false;
  return true;
}

/** Index columns kept beside the JSON body. */
export function indexColumns(obj: KubeObject): { nodeName: string | null; phase: string | null; ownerUids: string[] } {
  const spec = obj.spec as { nodeName?: string } | undefined;
  const status = obj.status as { phase?: string } | undefined;
  return {
    nodeName: typeof spec?.nodeName === 'string' ? spec.nodeName : null,
    phase: typeof status?.phase === 'string' ? status.phase : null,
    ownerUids: (obj.metadata.ownerReferences ?? []).map((r) => r.uid).filter((u): u is string => typeof u === 'string'),
  };
}
