// The agent's Node object and its Lease: register (or update) on start, heartbeat status, renew the lease.
import type { Lease, Node } from '@flotilla/resources';
import type { PodRuntime, RuntimeInfo } from '@flotilla/runtime';
import { ApiClient, ApiStatusError, MERGE_PATCH } from './api-client';
import { errorText, type Logger } from '@flotilla/log';
import { diskOf, memAvailable, nodeLabels, nodeStatus, pidUsage, type HostFacts } from './node-status';
import { COMPONENT_ANNOTATION, componentStart, parseComponentRecord } from '@flotilla/queue';
import { microTime } from './time';

export const LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeAgentOptions {
  api: ApiClient;
  runtime: PodRuntime;
  nodeName: string;
  nodeIP: string;
  leaseSeconds: number;
  statusSeconds: number;
  /** The port of the kubelet endpoint, advertised in status.daemonEndpoints (0: none). */
  kubeletPort?: number;
  log: Logger;
}

export class NodeReporter {
  private engine?: RuntimeInfo;
  private uid?: string;
  private lastStatus?: Node['status'];
  private lease?: Lease;
  private leaseTimer?: NodeJS.Timeout;
  private statusTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: NodeAgentOptions) {}

  async engineInfo(): Promise<RuntimeInfo> {
    const info = await this.o.runtime.info();
    this.engine = info;
    return info;
  }

  private async facts(): Promise<HostFacts> {
    let engineUp = true;
    try {
      await this.o.runtime.ping();
      await this.engineInfo();
    } catch {
      engineUp = false;
    }
    const engine = this.engine ?? (await this.engineInfo());
    return { engine, engineUp, memAvailableBytes: memAvailable(), disk: await diskOf(engine.rootDir), pids: pidUsage() };
  }

  private get path(): string {
    return `/api/v1/nodes/${encodeURIComponent(this.o.nodeName)}`;
  }

  /**
   * Creates the Node, or brings an existing one's labels up to date; then writes its status. The Node also
   * carries this agent's start (pid, restarts, last exit) for the admin components view: agents may only
   * talk to the API.
   */
  async register(): Promise<Node> {
    const { api, nodeName } = this.o;
    const facts = await this.facts();
    const labels = nodeLabels(nodeName, facts.engine);
    let node: Node | undefined;
    for (let attempt = 0; attempt < 5 && !node; attempt++) {
      const existing = await api.getOptional<Node>(this.path);
      const start = componentStart('agent', nodeName, process.env, parseComponentRecord(existing?.metadata.annotations?.[COMPONENT_ANNOTATION]));
      const annotations = { ...existing?.metadata.annotations, [COMPONENT_ANNOTATION]: JSON.stringify(start) };
      try {
        if (!existing) {
          const metadata = { name: nodeName, labels, annotations };
          node = await api.request<Node>('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata, spec: {} });
        } else {
          const merged = { ...existing.metadata.labels, ...labels };
          node = await api.request<Node>('PUT', this.path, { ...existing, metadata: { ...existing.metadata, labels: merged, annotations } });
        }
      } catch (e) {
        if (e instanceof ApiStatusError && (e.code === 409 || (e.code === 404 && existing))) continue;
        throw e;
      }
    }
    if (!node) throw new Error(`could not register node ${nodeName}: it kept changing under us`);
    this.uid = node.metadata.uid;
    this.lastStatus = node.status;
    await this.heartbeat(facts);
    this.o.log.info('node registered', { node: nodeName, uid: this.uid });
    return node;
  }

  /** PATCH nodes/<n>/status with fresh conditions and capacity. */
  async heartbeat(facts?: HostFacts): Promise<void> {
    const f = facts ?? (await this.facts());
    const status = nodeStatus(this.o.nodeName, this.o.nodeIP, f, this.lastStatus, this.o.kubeletPort);
    const updated = await this.o.api.request<Node>('PATCH', `${this.path}/status`, { status }, MERGE_PATCH);
    this.lastStatus = updated.status;
  }

  private leaseSpec(): Lease['spec'] {
    const now = microTime();
    return {
      holderIdentity: this.o.nodeName,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.o.leaseSeconds * 5)),
      renewTime: now,
    };
  }

  private leaseObject(): Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.o.nodeName,
        namespace: LEASE_NAMESPACE,
        ...(this.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: this.uid }] } : {}),
      },
      spec: { ...this.leaseSpec(), acquireTime: microTime() },
    };
  }

  /** One renewal: PUT with the known resourceVersion; re-read on conflict; create when missing. */
  async renewLease(): Promise<void> {
    const { api } = this.o;
    const base = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`;
    const path = `${base}/${encodeURIComponent(this.o.nodeName)}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!this.lease) this.lease = await api.getOptional<Lease>(path);
      try {
        if (!this.lease) {
          this.lease = await api.request<Lease>('POST', base, this.leaseObject());
          return;
        }
        this.lease = await api.request<Lease>('PUT', path, { ...this.lease, spec: { ...this.lease.spec, ...this.leaseSpec() } });
        return;
      } catch (e) {
        if (!(e instanceof ApiStatusError)) throw e;
        this.lease = undefined;
        if (e.code === 404 && /namespaces? "?kube-node-lease/.test(e.message)) await this.ensureLeaseNamespace();
        else if (e.code !== 409 && e.code !== 404) throw e;
      }
    }
  }

  private async ensureLeaseNamespace(): Promise<void> {
    try {
      await this.o.api.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LEASE_NAMESPACE } });
      this.o.log.info('created namespace kube-node-lease');
    } catch (e) {
      if (!(e instanceof ApiStatusError && e.code === 409))
        this.o.log.warn('namespace kube-node-lease is missing and cannot be created', { error: errorText(e) });
    }
  }

  start(): void {
    const leaseLoop = async (): Promise<void> => {
      if (this.stopped) return;
      try {
        await this.renewLease();
      } catch (e) {
        this.o.log.warn('lease renewal failed', { error: errorText(e) });
      }
      if (!this.stopped) this.leaseTimer = setTimeout(() => void leaseLoop(), this.o.leaseSeconds * 1000);
    };
    const statusLoop = async (): Promise<void> => {
      if (this.stopped) return;
      try {
        await this.heartbeat();
      } catch (e) {
        this.o.log.warn('node status update failed', { error: errorText(e) });
      }
      if (!this.stopped) this.statusTimer = setTimeout(() => void statusLoop(), this.o.statusSeconds * 1000);
    };
    void leaseLoop();
    this.statusTimer = setTimeout(() => void statusLoop(), this.o.statusSeconds * 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.leaseTimer);
    clearTimeout(this.statusTimer);
  }
}
