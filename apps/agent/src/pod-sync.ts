// The agent's pod loop, level-triggered: list+watch the pods bound to this node, keep the latest of each in
// memory, and let a bounded pool of workers make Docker match each one (keyed by uid: bursts collapse),
// writing status back only when it changed. A periodic resync heals whatever an event missed.
import type { ConfigMap, Namespace, Pod, Secret } from '@flotilla/resources';
import { podLimitProblems } from '@flotilla/resources';
import { ENFORCE_LABEL, podSecurityLevel, podSecurityMessage, podSecurityViolations, podSpecOf, type PodSecurityLevel } from '@flotilla/admission';
import { claimKey, type DataResolver, type PodRuntime, type PodRuntimeStatus } from '@flotilla/runtime';
import { ApiClient, ApiStatusError, type WatchHandle } from './api-client';
import { errorText, type Logger } from '@flotilla/log';
import { postEvent, recordEvent } from './events';
import type { LogShipper } from './log-shipper';
import { buildPodStatus, sameJson } from './pod-status';
import { failedEvent, newFailures, recordPodEvent } from './pod-events';

export interface PodSyncOptions {
  api: ApiClient;
  runtime: PodRuntime;
  shipper?: LogShipper;
  nodeName: string;
  hostIP: string;
  concurrency: number;
  resyncSeconds: number;
  log: Logger;
}

function rvNumber(p: Pod): number {
  const n = Number(p.metadata.resourceVersion);
  return Number.isFinite(n) ? n : 0;
}

function podPath(p: Pod): string {
  return `/api/v1/namespaces/${encodeURIComponent(p.metadata.namespace ?? 'default')}/pods/${encodeURIComponent(p.metadata.name ?? '')}`;
}

/** A keep-set for removeOrphans that answers from the live pod cache, so a pod added meanwhile is never removed. */
class LiveKeep extends Set<string> {
  constructor(private readonly keep: (uid: string) => boolean) {
    super();
  }
  override has(uid: string): boolean {
    return this.keep(uid);
  }
}

export class PodSync {
  private readonly pods = new Map<string, Pod>();
  /** The last version seen of each pod, kept after it leaves the API so its containers can still be removed. */
  private readonly lastSeen = new Map<string, Pod>();
  private readonly queue = new Set<string>();
  private readonly active = new Set<string>();
  private readonly again = new Set<string>();
  private readonly terminating = new Map<string, Promise<void>>();
  private readonly debounce = new Map<string, NodeJS.Timeout>();
  private running = 0;
  private synced = false;
  private stopped = false;
  private watch?: WatchHandle;
  private resyncTimer?: NodeJS.Timeout;
  private cleaning?: Promise<void>;
  private cleanAgain = false;
  private readonly unsubscribe: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Per pod uid, the container failures already written as Events (container → message). */
  private readonly reported = new Map<string, Map<string, string>>();
  /** Pods that passed the agent's own Pod Security check (a running pod is not judged again when its namespace's level changes, as in Kubernetes). */
  private readonly admitted = new Set<string>();
  private readonly levels = new Map<string, { level: PodSecurityLevel; at: number }>();

  readonly resolver: DataResolver;

  constructor(private readonly o: PodSyncOptions) {
    this.resolver = {
      configMap: async (ns, name) => {
        const cm = await o.api.getOptional<ConfigMap>(`/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps/${encodeURIComponent(name)}`);
        if (!cm) return undefined;
        const out: Record<string, string> = { ...(cm.data ?? {}) };
        for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
        return out;
      },
      secret: async (ns, name) => {
        const s = await o.api.getOptional<Secret>(`/api/v1/namespaces/${encodeURIComponent(ns)}/secrets/${encodeURIComponent(name)}`);
        if (!s) return undefined;
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
        for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
        return out;
      },
    };
  }

  private get selector(): string {
    return `fieldSelector=${encodeURIComponent(`spec.nodeName=${this.o.nodeName}`)}`;
  }

  start(): void {
    this.unsubscribe.push(
      this.o.runtime.onPodStatus((ref) => this.enqueueSoon(ref.uid)),
      this.o.runtime.onPodEvent((ref, ev) => void recordPodEvent(this.o.api, this.o.nodeName, ref, ev, this.o.log)),
      this.o.runtime.onEngineBack(() => {
        this.o.log.info('the container runtime is back; re-syncing every pod');
        this.resync();
      }),
    );
    void this.listWatchLoop();
    const tick = (): void => {
      if (this.stopped) return;
      this.resync();
      this.resyncTimer = setTimeout(tick, this.o.resyncSeconds * 1000);
    };
    this.resyncTimer = setTimeout(tick, this.o.resyncSeconds * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resyncTimer);
    for (const t of this.debounce.values()) clearTimeout(t);
    for (const off of this.unsubscribe.splice(0)) off();
    this.watch?.stop();
    await this.idle();
  }

  /** A pod bound to this node, by uid, as last seen from the API. */
  pod(uid: string): Pod | undefined {
    return this.pods.get(uid);
  }

  /** Resolves when no sync is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  // ---- list + watch ------------------------------------------------------------------------------

  private async listWatchLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const list = await this.o.api.list<Pod>(`/api/v1/pods?${this.selector}`);
        if (!this.synced) await this.rememberRunning();
        this.replaceAll(list.items);
        if (!this.synced) {
          this.synced = true;
          await this.removeOrphans();
        }
        failures = 0;
        let rv = list.resourceVersion;
        let gone = false;
        this.watch = this.o.api.watch<Pod>(`/api/v1/pods?watch=true&allowWatchBookmarks=true&${this.selector}&resourceVersion=${rv}`, (ev) => {
          if (ev.type === 'ERROR') {
            const code = (ev.object as unknown as { code?: number }).code;
            if (code === 410) gone = true;
            this.watch?.stop();
            return;
          }
          if (ev.object.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
          if (ev.type === 'BOOKMARK') return;
          if (ev.type === 'DELETED') this.forget(ev.object);
          else this.upsert(ev.object);
        });
        await this.watch.done.catch((e: unknown) => {
          if (e instanceof ApiStatusError && e.code === 410) gone = true;
          else throw e;
        });
        this.o.log.debug('pod watch ended; re-listing', { gone, rv });
      } catch (e) {
        if (this.stopped) return;
        failures++;
        this.o.log.warn('pod list/watch failed', { error: errorText(e) });
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * 2 ** Math.min(failures, 5))));
      }
    }
  }

  private upsert(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    const cur = this.pods.get(uid);
    if (cur && rvNumber(cur) > rvNumber(pod)) return; // we already hold a newer one (our own status write)
    this.pods.set(uid, pod);
    this.lastSeen.set(uid, pod);
    this.enqueue(uid);
  }

  private forget(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid) return;
    this.pods.delete(uid);
    this.lastSeen.set(uid, pod);
    this.enqueue(uid);
  }

  private replaceAll(items: Pod[]): void {
    const seen = new Set<string>();
    for (const p of items) {
      if (!p.metadata.uid) continue;
      seen.add(p.metadata.uid);
      this.pods.set(p.metadata.uid, p);
      this.lastSeen.set(p.metadata.uid, p);
      this.enqueue(p.metadata.uid);
    }
    for (const [uid, p] of this.pods) if (!seen.has(uid)) this.forget(p);
  }

  /** Every known pod again, and whatever Docker runs for pods that no longer exist. */
  resync(): void {
    for (const uid of this.pods.keys()) this.enqueue(uid);
    if (this.synced) void this.removeOrphans();
    this.o.shipper?.kick();
  }

  private async removeOrphans(): Promise<void> {
    try {
      const removed = await this.o.runtime.removeOrphans(new LiveKeep((uid) => this.pods.has(uid) || this.terminating.has(uid) || this.active.has(uid)));
      for (const uid of removed) {
        this.o.log.info('removed containers of a pod that no longer exists', { uid });
        void this.o.shipper?.podDeleted(uid).catch(() => undefined);
      }
    } catch (e) {
      this.o.log.warn('orphan clean-up failed', { error: errorText(e) });
    }
    await this.cleanEngine();
  }

  /**
   * Networks and volumes nothing uses any more, including what was left while the agent was down. Runs after
   * a pod's containers are removed too, so a namespace's network goes with its last pod, not at the next
   * resync. Overlapping calls collapse into one more run.
   */
  cleanEngine(): Promise<void> {
    if (this.cleaning) {
      this.cleanAgain = true;
      return this.cleaning;
    }
    this.cleaning = (async () => {
      do {
        this.cleanAgain = false;
        try {
          const keep = new LiveKeep((uid) => this.pods.has(uid) || this.terminating.has(uid) || this.active.has(uid));
          const removed = await this.o.runtime.removeUnusedEngineObjects({ podUids: keep, goneClaims: await this.goneClaims() });
          if (removed.networks.length + removed.volumes.length > 0) this.o.log.info('removed unused engine objects', { ...removed });
        } catch (e) {
          this.o.log.warn('engine clean-up failed', { error: errorText(e) });
        }
      } while (this.cleanAgain && !this.stopped);
    })().finally(() => (this.cleaning = undefined));
    return this.cleaning;
  }

  /**
   * The claims whose volumes this engine holds and that the API answers are gone (404). A claim it cannot ask
   * about (API away, refused) is not in the set, so its volume stays.
   */
  private async goneClaims(): Promise<Set<string>> {
    const gone = new Set<string>();
    for (const { namespace, claim } of await this.o.runtime.claimVolumes()) {
      try {
        const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/persistentvolumeclaims/${encodeURIComponent(claim)}`;
        if ((await this.o.api.getOptional(path)) === undefined) gone.add(claimKey(namespace, claim));
      } catch (e) {
        this.o.log.debug('cannot tell whether a claim still exists; keeping its volume', { claim: `${namespace}/${claim}`, error: errorText(e) });
      }
    }
    return gone;
  }

  // ---- work queue --------------------------------------------------------------------------------

  private enqueueSoon(uid: string, ms = 30): void {
    if (this.debounce.has(uid)) return;
    this.debounce.set(
      uid,
      setTimeout(() => {
        this.debounce.delete(uid);
        this.enqueue(uid);
      }, ms),
    );
  }

  enqueue(uid: string): void {
    if (this.stopped) return;
    if (this.active.has(uid)) {
      this.again.add(uid);
      return;
    }
    this.queue.add(uid);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.o.concurrency && this.queue.size > 0) {
      const uid = this.queue.values().next().value as string;
      this.queue.delete(uid);
      this.active.add(uid);
      this.running++;
      void this.syncOne(uid)
        .catch((e: unknown) => {
          this.o.log.warn('pod sync failed', { uid, error: errorText(e) });
          this.enqueueSoon(uid, 1000);
        })
        .finally(() => {
          this.active.delete(uid);
          this.running--;
          if (this.again.delete(uid)) this.queue.add(uid);
          this.pump();
          if (this.running === 0 && this.queue.size === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  private async syncOne(uid: string): Promise<void> {
    const pod = this.pods.get(uid);
    if (!pod) {
      // Gone from the API (deleted, or bound elsewhere): stop and remove what runs for it.
      const last = this.lastSeen.get(uid);
      if (last && !this.terminating.has(uid)) {
        await this.o.runtime.killPod(last, Math.min(last.metadata.deletionGracePeriodSeconds ?? 2, 2));
        await this.o.shipper?.podDeleted(uid).catch(() => undefined);
        void this.cleanEngine();
      }
      this.lastSeen.delete(uid);
      this.reported.delete(uid);
      this.admitted.delete(uid);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      this.terminate(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return; // kubelet never runs a finished pod again
    if (!this.admitted.has(uid)) {
      // Refused before anything is made: a pod of thousands of containers would hold the engine for minutes.
      const tooBig = podLimitProblems(pod.spec);
      if (tooBig.length) {
        await this.reject(
          pod,
          'PodExceedsLimits',
          tooBig
            .slice(0, 3)
            .map((p) => `${p.field}: ${p.message}`)
            .join('; '),
        );
        return;
      }
      const refusal = await this.podSecurityRefusal(pod);
      if (refusal) {
        await this.reject(pod, 'PodSecurity', refusal);
        return;
      }
      this.admitted.add(uid);
    }
    const rs = await this.o.runtime.syncPod(pod, this.resolver);
    this.o.shipper?.kick();
    await this.writeStatus(pod, rs);
    await this.reportFailures(pod, rs);
  }

  /** Warning Events for container failures not reported yet; best effort (a lost Event costs no state). */
  private async reportFailures(pod: Pod, rs: PodRuntimeStatus): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    let reported = this.reported.get(uid);
    if (!reported) this.reported.set(uid, (reported = new Map()));
    for (const f of newFailures(rs, reported)) {
      if (!(await postEvent(this.o.api, failedEvent(pod, f.container, f.message, this.o.nodeName), this.o.log))) reported.delete(f.container);
    }
  }

  /**
   * The second wall behind admission: a pod can reach this node without passing the API's admission (a bug,
   * a compromised controller, a row written straight into the database), and the agent is what would run
   * it as root on the host. So before a pod first runs here, the agent judges it again by the Pod Security
   * level of its namespace's `enforce` label, with the API's own rules. Returns the refusal, if any.
   */
  private async podSecurityRefusal(pod: Pod): Promise<string | undefined> {
    const level = await this.namespaceLevel(pod.metadata.namespace ?? 'default');
    const violations = podSecurityViolations(podSpecOf(pod) ?? {}, level, pod.metadata.annotations ?? {});
    return violations.length ? podSecurityMessage(violations, level) : undefined;
  }

  /**
   * Pods an earlier run of this agent already started were admitted then: a restart must not fail them
   * because their namespace's level was raised meanwhile (Kubernetes leaves running pods alone too).
   */
  private async rememberRunning(): Promise<void> {
    try {
      for (const m of await this.o.runtime.listManaged()) if (m.containers.length > 0) this.admitted.add(m.podUid);
    } catch (e) {
      this.o.log.warn('cannot list running pods; each is judged again', { error: errorText(e) });
    }
  }

  /**
   * The namespace's level, cached for a few seconds. A namespace that is gone is the default level; any other
   * failure throws (the sync is retried), so a pod of a privileged namespace is never failed for a blip.
   */
  private async namespaceLevel(namespace: string): Promise<PodSecurityLevel> {
    const cached = this.levels.get(namespace);
    if (cached && Date.now() - cached.at < 10_000) return cached.level;
    const ns = await this.o.api.getOptional<Namespace>(`/api/v1/namespaces/${encodeURIComponent(namespace)}`);
    const level = podSecurityLevel(ns?.metadata.labels?.[ENFORCE_LABEL]);
    this.levels.set(namespace, { level, at: Date.now() });
    return level;
  }

  /** Kubelet's answer to a pod it will not admit: nothing runs, the pod is Failed with the reason, and an Event says why. */
  private async reject(pod: Pod, reason: string, message: string): Promise<void> {
    const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
    this.o.log.warn('pod refused', { pod: where, reason, message });
    await this.o.runtime.killPod(pod, 0).catch((e: unknown) => this.o.log.warn('cannot remove a refused pod', { pod: where, error: errorText(e) }));
    recordEvent(this.o.api, this.o.nodeName, this.o.log, { object: pod, type: 'Warning', reason, message: `Pod was rejected: ${message}` });
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = attempt === 0 ? pod : await this.o.api.getOptional<Pod>(podPath(pod));
      if (!current || current.metadata.uid !== pod.metadata.uid) return;
      const status = { ...current.status, phase: 'Failed' as const, reason, message: `Pod was rejected: ${message}` };
      try {
        await this.o.api.request<Pod>('PUT', `${podPath(current)}/status`, { ...current, status });
        return;
      } catch (e) {
        if (!(e instanceof ApiStatusError) || (e.code !== 409 && e.code !== 404)) throw e;
        if (e.code === 404) return;
      }
    }
    throw new Error(`status of refused pod ${where} kept conflicting`);
  }

  /** Graceful stop, then the final DELETE (grace 0, uid precondition) that lets the API remove the pod. */
  private terminate(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    if (this.terminating.has(uid)) return;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const work = (async () => {
      await this.o.runtime.killPod(pod, grace);
      try {
        await this.o.api.request('DELETE', podPath(pod), { gracePeriodSeconds: 0, preconditions: { uid } });
      } catch (e) {
        if (!(e instanceof ApiStatusError && (e.code === 404 || e.code === 409))) throw e;
      }
      await this.o.shipper?.podDeleted(uid).catch(() => undefined);
      void this.cleanEngine();
    })()
      .catch((e: unknown) => {
        this.o.log.warn('pod termination failed; retrying', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, error: errorText(e) });
        setTimeout(() => this.enqueue(uid), 1000);
      })
      .finally(() => this.terminating.delete(uid));
    this.terminating.set(uid, work);
  }

  /** PUT pods/<n>/status when it changed, with the pod's resourceVersion; on 409 re-read and retry. */
  private async writeStatus(pod: Pod, rs: PodRuntimeStatus): Promise<void> {
    let current = pod;
    for (let attempt = 0; attempt < 5; attempt++) {
      const status = buildPodStatus(current, rs, this.o.hostIP);
      if (sameJson(status, current.status)) return;
      try {
        const updated = await this.o.api.request<Pod>('PUT', `${podPath(current)}/status`, { ...current, status });
        const uid = updated.metadata.uid ?? '';
        const cached = this.pods.get(uid);
        if (cached && rvNumber(cached) < rvNumber(updated)) this.pods.set(uid, updated);
        return;
      } catch (e) {
        if (!(e instanceof ApiStatusError)) throw e;
        if (e.code === 404) return;
        if (e.code !== 409) throw e;
        const fresh = await this.o.api.getOptional<Pod>(podPath(current));
        if (!fresh || fresh.metadata.uid !== pod.metadata.uid || fresh.metadata.deletionTimestamp) return;
        current = fresh;
      }
    }
    throw new Error(`status of pod ${pod.metadata.namespace}/${pod.metadata.name} kept conflicting`);
  }
}
