// The agent's service networking, level-triggered: Services, Endpoints and Ingresses are watched into
// memory; any change schedules one reconcile that recomputes everything from the caches and pushes it to
// the ClusterIP proxy containers, the in-process NodePort listeners and the ingress.
import type { Endpoints, Ingress, Pod, Service } from '@flotilla/resources';
import { ServiceProxy } from '@flotilla/netproxy';
import type { PodRuntime } from '@flotilla/runtime';
import type { ApiClient } from './api-client';
import type { ListenAddress } from './config';
import { NodeIngress } from './ingress';
import { errorText, type Logger } from '@flotilla/log';
import { recordEvent } from './events';
import { Informer } from './services-informer';
import { assignNodePorts, planIngress, podAddresses, resolveServices, type DroppedBackend } from './services-plan';
import { ServiceProxyContainers } from './services-proxy';

const REFUSED_GRACE_MS = 5_000;
const REFUSED_REPEAT_MS = 5 * 60_000;

export interface ServiceNetworkingOptions {
  api: ApiClient;
  runtime: PodRuntime;
  nodeName: string;
  log: Logger;
  /** flotilla/service-proxy image; undefined turns ClusterIP proxies off. */
  proxyImage?: string;
  /** Host directory for the proxies' config files. */
  dataDir: string;
  /** Address NodePorts are published on; undefined turns NodePorts off. */
  nodePortAddress?: string;
  ingressHttp?: ListenAddress;
  ingressHttps?: ListenAddress;
  baseDomain: string;
  resyncSeconds: number;
}

export class ServiceNetworking {
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly ingresses?: Informer<Ingress>;
  /** This node's pods: a namespace gets its Services' proxies here only while it has a pod on this node. */
  private readonly localPods: Informer<Pod>;
  private readonly proxies?: ServiceProxyContainers;
  private readonly nodePorts?: ServiceProxy;
  private readonly ingress: NodeIngress;
  private timer?: NodeJS.Timeout;
  private resyncTimer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly reported = new Set<string>();
  private offEngineBack?: () => void;
  /** Last warning time per Service whose Endpoints hold addresses the agent will not route to. */
  private readonly refused = new Map<string, { since: number; ips: string; reportedAt: number }>();
  private recheckTimer?: NodeJS.Timeout;
  /** Time of the last completed reconcile (tests and logs). */
  lastReconcileAt = 0;

  constructor(private readonly o: ServiceNetworkingOptions) {
    const changed = (): void => this.schedule();
    this.services = new Informer<Service>(o.api, '/api/v1/services', changed, o.log);
    this.endpoints = new Informer<Endpoints>(o.api, '/api/v1/endpoints', changed, o.log);
    this.localPods = new Informer<Pod>(o.api, `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${o.nodeName}`)}`, changed, o.log);
    this.ingress = new NodeIngress({ api: o.api, http: o.ingressHttp, https: o.ingressHttps, log: o.log });
    if (this.ingress.enabled) this.ingresses = new Informer<Ingress>(o.api, '/apis/networking.k8s.io/v1/ingresses', changed, o.log);
    if (o.proxyImage)
      this.proxies = new ServiceProxyContainers({
        runtime: o.runtime,
        nodeName: o.nodeName,
        image: o.proxyImage,
        dataDir: o.dataDir,
        log: o.log,
      });
    if (o.nodePortAddress)
      this.nodePorts = new ServiceProxy(o.nodePortAddress, {
        onBackendError: (b, e) => o.log.debug('nodePort backend unreachable', { backend: `${b.host}:${b.port}`, error: e.message }),
      });
  }

  async start(): Promise<void> {
    this.services.start();
    this.endpoints.start();
    this.localPods.start();
    this.ingresses?.start();
    await this.ingress.start();
    // After a Docker restart the proxies are checked at once (restarted or re-created), not at the next resync.
    this.offEngineBack = this.o.runtime.onEngineBack(() => {
      this.proxies?.engineBack();
      this.schedule(0);
    });
    const tick = (): void => {
      if (this.stopped) return;
      this.schedule(0);
      this.resyncTimer = setTimeout(tick, this.o.resyncSeconds * 1000);
    };
    this.resyncTimer = setTimeout(tick, this.o.resyncSeconds * 1000);
  }

  /** Stops watching and listening; proxy containers keep running (a restarted agent adopts them). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.resyncTimer);
    this.offEngineBack?.();
    clearTimeout(this.recheckTimer);
    this.services.stop();
    this.endpoints.stop();
    this.localPods.stop();
    this.ingresses?.stop();
    await this.running?.catch(() => undefined);
    await this.nodePorts?.close(true);
    await this.ingress.stop();
  }

  /** Bursts of watch events (an Endpoints update per pod) collapse into one reconcile. */
  private schedule(delayMs = 20): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delayMs);
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.reconcile()
      .catch((e: unknown) => this.o.log.warn('service reconcile failed', { error: errorText(e) }))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  private reportOnce(msg: string): void {
    if (this.reported.has(msg)) return;
    this.reported.add(msg);
    this.o.log.warn(msg);
  }

  /**
   * Addresses refused by the second wall: a warning log and a `FailedToRoute` Warning Event on the Service.
   * The Endpoints of a pod that just started can be a moment ahead of the pod's status in this agent's cache
   * (they are routed at the next reconcile), so only a refusal that lasts REFUSED_GRACE_MS is reported, and
   * then at most once per REFUSED_REPEAT_MS per Service unless the refused set changes: hostile Endpoints
   * must not turn every reconcile into a log line and an API write.
   */
  private reportRefused(dropped: readonly DroppedBackend[]): void {
    const now = Date.now();
    const byService = new Map<string, string[]>();
    for (const d of dropped) {
      const key = `${d.namespace}/${d.service}`;
      byService.set(key, [...(byService.get(key) ?? []), d.ip]);
    }
    for (const key of this.refused.keys()) if (!byService.has(key)) this.refused.delete(key);
    let waiting = false;
    for (const [key, list] of byService) {
      const ips = list.sort().join(',');
      let r = this.refused.get(key);
      if (!r || r.ips !== ips) this.refused.set(key, (r = { since: now, ips, reportedAt: 0 }));
      if (now - r.since < REFUSED_GRACE_MS) {
        waiting = true;
        continue;
      }
      if (r.reportedAt && now - r.reportedAt < REFUSED_REPEAT_MS) continue;
      r.reportedAt = now;
      const [namespace, name] = key.split('/');
      const shown = list.length > 5 ? `${list.slice(0, 5).join(', ')} and ${list.length - 5} more` : list.join(', ');
      const message = `not routing to ${shown}: not the address of a pod of namespace ${namespace} on node ${this.o.nodeName}`;
      this.o.log.warn('endpoints refused', { service: key, addresses: ips, node: this.o.nodeName });
      const svc = this.services.items.get(key) ?? { apiVersion: 'v1', kind: 'Service', metadata: { namespace, name } };
      recordEvent(this.o.api, this.o.nodeName, this.o.log, { object: svc, type: 'Warning', reason: 'FailedToRoute', message });
    }
    if (waiting && !this.recheckTimer && !this.stopped) {
      this.recheckTimer = setTimeout(() => {
        this.recheckTimer = undefined;
        this.schedule(0);
      }, REFUSED_GRACE_MS + 50);
    }
  }

  private async reconcile(): Promise<void> {
    // Acting on a half-filled cache would tear down proxies that are fine: wait for the first lists.
    if (!this.services.synced || !this.endpoints.synced || !this.localPods.synced || (this.ingresses && !this.ingresses.synced)) return;
    const dropped: DroppedBackend[] = [];
    const resolved = resolveServices(this.services.items.values(), this.endpoints.items, podAddresses(this.localPods.items.values()), dropped);
    this.reportRefused(dropped);
    const work: Promise<unknown>[] = [];
    // Not awaited: creating a container for a new Service must not hold back endpoint updates of the others.
    // Only namespaces with a pod on this node need a proxy on this engine (its bridge networks are local).
    if (this.proxies) {
      const local = new Set<string>();
      for (const pod of this.localPods.items.values()) {
        const phase = pod.status?.phase;
        // The field selector should already hold only this node's pods; checked again so a stray event cannot start proxies.
        if (pod.spec?.nodeName === this.o.nodeName && phase !== 'Succeeded' && phase !== 'Failed') local.add(pod.metadata.namespace ?? 'default');
      }
      void this.proxies.sync(resolved.filter((r) => local.has(r.namespace)));
    }
    if (this.nodePorts) {
      const { bindings, conflicts } = assignNodePorts(resolved);
      for (const c of conflicts) this.reportOnce(c);
      work.push(
        this.nodePorts.apply(bindings.map((b) => ({ port: b.nodePort, backends: b.backends }))).then((errors) => {
          for (const e of errors) this.reportOnce(`cannot publish nodePort ${this.o.nodePortAddress}:${e.port}: ${e.error.message}`);
        }),
      );
    }
    if (this.ingress.enabled) {
      const plan = planIngress(resolved, this.ingresses?.items.values() ?? [], this.o.baseDomain);
      for (const i of plan.ignored) this.reportOnce(i);
      work.push(this.ingress.apply(plan, this.ingresses?.items.values() ?? []));
    }
    await Promise.all(work);
    this.lastReconcileAt = Date.now();
  }
}
