// Secondary indexes over the store's watch cache that the control loops need and the cache does not keep:
// objects by uid, dependents by owner uid, pods by node, orphan pods by namespace, and each object's previous
// labels and owners (a change carries only the new state).
import type { Change, WatchCache } from '@flotilla/store';
import type { KubeObject, Labels } from '@flotilla/resources';
import { R } from './kinds';

export interface ObjectRef {
  resource: string;
  namespace: string;
  name: string;
}

interface Memo {
  uid: string;
  owners: string[];
  controllerUid: string | undefined;
  labels: Labels | undefined;
  nodeName: string | undefined;
}

export interface IndexedChange {
  change: Change;
  /** Labels before the change (undefined for a new object). */
  prevLabels: Labels | undefined;
  prevOwners: string[];
}

const refKey = (resource: string, namespace: string, name: string) => `${resource}|${namespace}|${name}`;

function parseRef(k: string): ObjectRef {
  const [resource, namespace, name] = k.split('|');
  return { resource, namespace, name };
}

export class ClusterIndex {
  private readonly memo = new Map<string, Memo>();
  private readonly byUid = new Map<string, string>();
  private readonly dependentsOf = new Map<string, Set<string>>();
  private readonly podsOnNode = new Map<string, Set<string>>();
  /** namespace → pod names without a controller reference (adoption candidates). */
  private readonly orphanPods = new Map<string, Set<string>>();

  constructor(private readonly cache: WatchCache) {}

  /** Rebuilds every index from the cache (start-up, resync: the cache may have been reloaded wholesale). */
  rebuild(): void {
    this.memo.clear();
    this.byUid.clear();
    this.dependentsOf.clear();
    this.podsOnNode.clear();
    this.orphanPods.clear();
    for (const resource of this.cache.resources()) {
      for (const e of this.cache.list(resource)) this.add(resource, e.namespace, e.name, e.obj);
    }
  }

  apply(change: Change): IndexedChange {
    const k = refKey(change.resource, change.namespace, change.name);
    const prev = this.memo.get(k);
    if (prev) this.remove(change.resource, change.namespace, change.name, prev);
    if (change.type !== 'DELETED') this.add(change.resource, change.namespace, change.name, change.obj);
    return { change, prevLabels: prev?.labels, prevOwners: prev?.owners ?? [] };
  }

  private add(resource: string, namespace: string, name: string, obj: KubeObject): void {
    const k = refKey(resource, namespace, name);
    const refs = obj.metadata.ownerReferences ?? [];
    const m: Memo = {
      uid: obj.metadata.uid ?? '',
      owners: refs.map((r) => r.uid),
      controllerUid: refs.find((r) => r.controller)?.uid,
      labels: obj.metadata.labels,
      nodeName: resource === R.pod ? ((obj.spec as { nodeName?: string } | undefined)?.nodeName ?? undefined) : undefined,
    };
    this.memo.set(k, m);
    if (m.uid) this.byUid.set(m.uid, k);
    for (const o of m.owners) setAdd(this.dependentsOf, o, k);
    if (m.nodeName) setAdd(this.podsOnNode, m.nodeName, `${namespace}/${name}`);
    if (resource === R.pod && !m.controllerUid) setAdd(this.orphanPods, namespace, name);
  }

  private remove(resource: string, namespace: string, name: string, m: Memo): void {
    const k = refKey(resource, namespace, name);
    this.memo.delete(k);
    if (m.uid && this.byUid.get(m.uid) === k) this.byUid.delete(m.uid);
    for (const o of m.owners) setDelete(this.dependentsOf, o, k);
    if (m.nodeName) setDelete(this.podsOnNode, m.nodeName, `${namespace}/${name}`);
    if (resource === R.pod && !m.controllerUid) setDelete(this.orphanPods, namespace, name);
  }

  /** Whether an object with this uid exists (as far as the cache knows). */
  uidExists(uid: string): boolean {
    return this.byUid.has(uid);
  }

  refOfUid(uid: string): ObjectRef | undefined {
    const k = this.byUid.get(uid);
    return k ? parseRef(k) : undefined;
  }

  dependents(ownerUid: string): ObjectRef[] {
    return [...(this.dependentsOf.get(ownerUid) ?? [])].map(parseRef);
  }

  /** The current objects that name this uid as an owner, of one resource. */
  dependentObjects<T extends KubeObject>(ownerUid: string, resource: string): T[] {
    const out: T[] = [];
    for (const k of this.dependentsOf.get(ownerUid) ?? []) {
      const r = parseRef(k);
      if (r.resource !== resource) continue;
      const e = this.cache.get(r.resource, r.namespace, r.name);
      if (e) out.push(e.obj as T);
    }
    return out;
  }

  orphanPodObjects<T extends KubeObject>(namespace: string): T[] {
    const out: T[] = [];
    for (const name of this.orphanPods.get(namespace) ?? []) {
      const e = this.cache.get(R.pod, namespace, name);
      if (e) out.push(e.obj as T);
    }
    return out;
  }

  /** "namespace/name" of every pod bound to the node. */
  podsOn(nodeName: string): string[] {
    return [...(this.podsOnNode.get(nodeName) ?? [])];
  }

  /** Objects with owner references, for the garbage collector's resync. */
  *withOwners(): Generator<ObjectRef> {
    for (const [k, m] of this.memo) if (m.owners.length) yield parseRef(k);
  }
}

function setAdd(map: Map<string, Set<string>>, key: string, value: string): void {
  let s = map.get(key);
  if (!s) map.set(key, (s = new Set()));
  s.add(value);
}

function setDelete(map: Map<string, Set<string>>, key: string, value: string): void {
  const s = map.get(key);
  if (!s) return;
  s.delete(value);
  if (s.size === 0) map.delete(key);
}
