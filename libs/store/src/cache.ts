// The watch cache: every API process keeps the current state of all objects in memory, fed in
// resourceVersion order from the change log, and serves GET, LIST and WATCH from it (kube-apiserver's
// design). Postgres stays the record; the cache only ever applies changes it read from there.
import type { KubeObject } from '@flotilla/resources';
import { gone, StoreError } from './errors';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Entry {
  rv: number;
  namespace: string;
  name: string;
  obj: KubeObject;
  /** The object's JSON text, kept so LIST and WATCH can answer without serialising again. */
  json: string;
}

export interface Change {
  type: ChangeType;
  rv: number;
  resource: string;
  namespace: string;
  name: string;
  obj: KubeObject;
  json: string;
}

/** A change with the object's state before it (undefined when it did not exist). */
export interface Remembered {
  change: Change;
  prev: Entry | undefined;
}

export type WatchEventType = ChangeType | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  rv: number;
  obj: KubeObject;
  json: string;
}

export interface WatchOptions {
  namespace?: string;
  /** Extra filter (label and field selectors). */
  match?: (obj: KubeObject) => boolean;
  /** Events a watcher may have queued before it is closed as too slow. */
  maxQueue?: number;
  /**
   * Bytes of event JSON a watcher may have queued before it is closed as too slow. Events share
   * their JSON with the cache, so this bounds what a stalled client pins, not a copy.
   */
  maxQueueBytes?: number;
}

/** Loads changes with fromRv < rv <= toRv for one resource from the change log, in order. */
export type HistoryLoader = (resource: string, fromRv: number, toRv: number) => Promise<Change[]>;

const DEFAULT_MAX_QUEUE = 10_000;
const DEFAULT_MAX_QUEUE_BYTES = 16 * 1024 * 1024;

/** One client's watch: a bounded queue read with next(). */
export class Watcher {
  private queue: WatchEvent[] = [];
  private queuedBytes = 0;
  private wake?: () => void;
  private closedWith?: StoreError | 'closed';
  /** While history is being replayed, live events wait here so order is kept. */
  private held: Remembered[] | undefined = [];

  constructor(
    readonly resource: string,
    private readonly opts: WatchOptions,
    private readonly onClose: (w: Watcher) => void,
  ) {}

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** The reason the watch ended early (too slow, expired), if any. */
  get error(): StoreError | undefined {
    return this.closedWith instanceof StoreError ? this.closedWith : undefined;
  }

  matches(obj: KubeObject, namespace: string): boolean {
    if (this.opts.namespace !== undefined && this.opts.namespace !== namespace) return false;
    return this.opts.match ? this.opts.match(obj) : true;
  }

  /** Called by the cache for every change to this resource, with the state before it. */
  offer(change: Change, prev: Entry | undefined, live = true): void {
    if (this.closed) return;
    if (live && this.held) {
      this.held.push({ change, prev });
      return;
    }
    const before = prev !== undefined && this.matches(prev.obj, prev.namespace);
    const after = change.type !== 'DELETED' && this.matches(change.obj, change.namespace);
    let type: ChangeType | undefined;
    if (change.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (before && after) type = 'MODIFIED';
    else if (after) type = 'ADDED';
    else if (before) type = 'DELETED'; // the object stopped matching the selector
    if (type) this.push({ type, rv: change.rv, obj: change.obj, json: change.json });
  }

  push(ev: WatchEvent): void {
    if (this.closed) return;
    if (
      this.queue.length >= (this.opts.maxQueue ?? DEFAULT_MAX_QUEUE) ||
      this.queuedBytes + ev.json.length > (this.opts.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES)
    ) {
      this.close(new StoreError('Expired', 'watch closed: the client fell too far behind; list again and resume'));
      return;
    }
    this.queue.push(ev);
    this.queuedBytes += ev.json.length;
    this.wake?.();
  }

  /** Ends replay: history events were pushed already; now deliver the live ones that waited. */
  release(afterRv: number): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const r of held) if (r.change.rv > afterRv) this.offer(r.change, r.prev, false);
  }

  /** The next event, or undefined once the watch is closed and drained. */
  async next(): Promise<WatchEvent | undefined> {
    for (;;) {
      const ev = this.queue.shift();
      if (ev) {
        this.queuedBytes -= ev.json.length;
        return ev;
      }
      if (this.closed) return undefined;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  /** Events ready without waiting (lets a writer batch a burst into one flush). */
  drain(): WatchEvent[] {
    const out = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    return out;
  }

  get pending(): number {
    return this.queue.length;
  }

  close(reason?: StoreError): void {
    if (this.closed) return;
    this.closedWith = reason ?? 'closed';
    if (reason) {
      this.queue = [];
      this.queuedBytes = 0;
    }
    this.onClose(this);
    this.wake?.();
  }
}

interface Bucket {
  /** namespace → name → entry */
  byNs: Map<string, Map<string, Entry>>;
  /** Sorted "namespace\0name" keys, rebuilt lazily after adds and deletes. */
  sorted?: Entry[];
  count: number;
}

export class WatchCache {
  /** Every change up to and including this version has been applied. */
  rv = 0;
  /** Changes at or below this version are gone from the change log. */
  compactedRv = 0;
  private buckets = new Map<string, Bucket>();
  private ring: (Remembered | undefined)[];
  private ringStart = 0;
  private ringLen = 0;
  /** JSON bytes of the changes in the ring (their parsed objects cost a few times more). */
  private ringBytes = 0;
  private watchers = new Map<string, Set<Watcher>>();
  private waiters: { rv: number; resolve: () => void }[] = [];
  private listeners = new Set<(c: Change) => void>();

  /**
   * `ringSize` changes, and at most `ringMaxBytes` of their JSON, are kept for watch replay; older ones are
   * read from the change log. The byte bound keeps the ring's memory independent of object size and count.
   */
  constructor(
    private readonly history: HistoryLoader,
    ringSize = 50_000,
    private readonly ringMaxBytes = Infinity,
  ) {
    this.ring = new Array<Remembered | undefined>(ringSize);
  }

  private bucket(resource: string): Bucket {
    let b = this.buckets.get(resource);
    if (!b) {
      b = { byNs: new Map(), count: 0 };
      this.buckets.set(resource, b);
    }
    return b;
  }

  /** Replaces the whole state with a snapshot taken at `rv` (start-up, or re-list after falling behind). */
  load(entries: (Entry & { resource: string })[], rv: number): void {
    this.buckets.clear();
    for (const e of entries) this.put(e.resource, e);
    this.rv = rv;
    this.ringStart = 0;
    this.ringLen = 0;
    this.ringBytes = 0;
    this.ring.fill(undefined);
    for (const set of this.watchers.values()) for (const w of set) w.close(new StoreError('Expired', 'the watch cache was reloaded; list again and resume'));
    this.resolveWaiters();
  }

  private put(resource: string, e: Entry): Entry | undefined {
    const b = this.bucket(resource);
    let ns = b.byNs.get(e.namespace);
    if (!ns) {
      ns = new Map();
      b.byNs.set(e.namespace, ns);
    }
    const prev = ns.get(e.name);
    ns.set(e.name, e);
    if (!prev) {
      b.count++;
      b.sorted = undefined;
    } else if (b.sorted) {
      const i = indexOfKey(b.sorted, e.namespace, e.name);
      if (i >= 0) b.sorted[i] = e;
      else b.sorted = undefined;
    }
    return prev;
  }

  private remove(resource: string, namespace: string, name: string): Entry | undefined {
    const b = this.buckets.get(resource);
    const ns = b?.byNs.get(namespace);
    const prev = ns?.get(name);
    if (b && ns && prev) {
      ns.delete(name);
      if (ns.size === 0) b.byNs.delete(namespace);
      b.count--;
      b.sorted = undefined;
    }
    return prev;
  }

  /** Applies changes read from the change log; they must come in order, without gaps. */
  apply(changes: Change[]): void {
    for (const c of changes) {
      if (c.rv <= this.rv) continue;
      const prev =
        c.type === 'DELETED'
          ? this.remove(c.resource, c.namespace, c.name)
          : this.put(c.resource, { rv: c.rv, namespace: c.namespace, name: c.name, obj: c.obj, json: c.json });
      this.rv = c.rv;
      this.remember({ change: c, prev });
      const ws = this.watchers.get(c.resource);
      if (ws) for (const w of ws) w.offer(c, prev);
      for (const l of this.listeners) l(c);
    }
    this.resolveWaiters();
  }

  /** Advances the version without a change (e.g. a rolled-back transaction's number is never used). */
  advanceTo(rv: number): void {
    if (rv > this.rv) {
      this.rv = rv;
      this.resolveWaiters();
    }
  }

  private remember(c: Remembered): void {
    const cap = this.ring.length;
    if (cap === 0) return;
    if (this.ringLen === cap) this.forgetOldest();
    this.ring[(this.ringStart + this.ringLen) % cap] = c;
    this.ringLen++;
    this.ringBytes += c.change.json.length;
    while (this.ringBytes > this.ringMaxBytes && this.ringLen > 1) this.forgetOldest();
  }

  private forgetOldest(): void {
    const old = this.ring[this.ringStart] as Remembered;
    this.ringBytes -= old.change.json.length;
    this.ring[this.ringStart] = undefined;
    this.ringStart = (this.ringStart + 1) % this.ring.length;
    this.ringLen--;
  }

  /** The oldest version the ring can replay from (a watch from rv needs rv >= this). */
  private ringFloor(): number {
    if (this.ringLen === 0) return this.rv;
    return (this.ring[this.ringStart] as Remembered).change.rv - 1;
  }

  private *ringSince(resource: string, rv: number): Generator<Remembered> {
    const cap = this.ring.length;
    for (let i = 0; i < this.ringLen; i++) {
      const r = this.ring[(this.ringStart + i) % cap] as Remembered;
      if (r.change.rv > rv && r.change.resource === resource) yield r;
    }
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.rv <= this.rv) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** Resolves once every change up to `rv` is applied. */
  waitFor(rv: number, timeoutMs = 10_000): Promise<void> {
    if (rv <= this.rv) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new StoreError('Timeout', `Too large resource version: ${rv}, current: ${this.rv}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ rv, resolve: done });
    });
  }

  onChange(listener: (c: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(resource: string, namespace: string, name: string): Entry | undefined {
    return this.buckets.get(resource)?.byNs.get(namespace)?.get(name);
  }

  count(resource: string, namespace?: string): number {
    const b = this.buckets.get(resource);
    if (!b) return 0;
    return namespace === undefined ? b.count : (b.byNs.get(namespace)?.size ?? 0);
  }

  /** Entries in key order (namespace, then name), optionally after a key, for paging. */
  list(resource: string, namespace?: string, after?: { namespace: string; name: string }): Entry[] {
    const b = this.buckets.get(resource);
    if (!b) return [];
    if (namespace !== undefined) {
      const ns = b.byNs.get(namespace);
      if (!ns) return [];
      if (after && after.namespace > namespace) return [];
      const entries = [...ns.values()].sort((x, y) => cmp(x.name, y.name));
      return after && after.namespace === namespace ? entries.filter((e) => cmp(e.name, after.name) > 0) : entries;
    }
    if (!b.sorted) b.sorted = [...b.byNs.values()].flatMap((m) => [...m.values()]).sort(cmpEntry);
    if (!after) return b.sorted;
    const start = firstAfter(b.sorted, after.namespace, after.name);
    return b.sorted.slice(start);
  }

  resources(): string[] {
    return [...this.buckets.keys()];
  }

  /**
   * Starts a watch after `fromRv`. `undefined` or 0 means "from now, beginning with the current
   * state as ADDED events", as Kubernetes does for resourceVersion unset or "0".
   */
  async watch(resource: string, fromRv: number | undefined, opts: WatchOptions = {}): Promise<Watcher> {
    const w = new Watcher(resource, opts, (x) => this.watchers.get(resource)?.delete(x));
    if (fromRv !== undefined && fromRv > this.rv) await this.waitFor(fromRv);
    let set = this.watchers.get(resource);
    if (!set) {
      set = new Set();
      this.watchers.set(resource, set);
    }
    set.add(w);
    const startRv = this.rv;
    if (!fromRv) {
      for (const e of this.list(resource, opts.namespace)) {
        if (w.matches(e.obj, e.namespace)) w.push({ type: 'ADDED', rv: e.rv, obj: e.obj, json: e.json });
      }
      w.release(startRv);
      return w;
    }
    if (fromRv < this.compactedRv) {
      w.close();
      throw gone(fromRv, this.compactedRv);
    }
    const floor = this.ringFloor();
    try {
      // Older than the ring: read the change log. Those rows carry no "before" state, so an event is
      // classified by its own type (a MODIFIED stays MODIFIED when the object matches).
      const fromLog: Remembered[] =
        fromRv < floor
          ? (await this.history(resource, fromRv, floor)).map((c) => ({
              change: c,
              prev: c.type === 'ADDED' ? undefined : { rv: c.rv, namespace: c.namespace, name: c.name, obj: c.obj, json: c.json },
            }))
          : [];
      for (const r of [...fromLog, ...this.ringSince(resource, Math.max(fromRv, floor))]) {
        if (r.change.rv > fromRv && r.change.rv <= startRv) w.offer(r.change, r.prev, false);
      }
      w.release(startRv);
    } catch (err) {
      w.close();
      throw err;
    }
    return w;
  }

  /** Closes every watch (shutdown). */
  closeAll(): void {
    for (const set of this.watchers.values()) for (const w of [...set]) w.close();
  }

  watcherCount(): number {
    let n = 0;
    for (const s of this.watchers.values()) n += s.size;
    return n;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function cmpEntry(a: Entry, b: Entry): number {
  return cmp(a.namespace, b.namespace) || cmp(a.name, b.name);
}

function firstAfter(sorted: Entry[], namespace: string, name: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const e = sorted[mid];
    if (cmp(e.namespace, namespace) < 0 || (e.namespace === namespace && cmp(e.name, name) <= 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function indexOfKey(sorted: Entry[], namespace: string, name: string): number {
  const i = firstAfter(sorted, namespace, name) - 1;
  return i >= 0 && sorted[i].namespace === namespace && sorted[i].name === name ? i : -1;
}
