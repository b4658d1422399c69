// Wires one node agent: trusted API client, container runtime, node registration and lease, the pod loop, log shipping,
// service networking (ClusterIP proxies, NodePorts, ingress).
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createPodRuntime, type PodRuntime } from '@flotilla/runtime';
import { ApiClient } from './api-client';
import { resolveCa } from './ca-trust';
import { nodeCredential } from './join';
import type { AgentConfig } from './config';
import { KubeletServer } from './kubelet-server';
import { createLogger, errorText, type Logger } from '@flotilla/log';
import { LogShipper } from './log-shipper';
import { NodeReporter } from './node';
import { defaultIPv4 } from './node-status';
import { PodSync } from './pod-sync';
import { ServiceNetworking } from './services';

export class Agent {
  readonly log: Logger;
  private api?: ApiClient;
  private redis?: Redis;
  private runtime?: PodRuntime;
  private node?: NodeReporter;
  private pods?: PodSync;
  private shipper?: LogShipper;
  private services?: ServiceNetworking;
  private kubelet?: KubeletServer;

  constructor(private readonly config: AgentConfig) {
    this.log = createLogger('agent', config.logLevel);
  }

  async start(): Promise<void> {
    const c = this.config;
    const ca = await resolveCa({ apiUrl: c.apiUrl, caFile: c.caFile, caHash: c.caHash });
    const token = await nodeCredential({ apiUrl: c.apiUrl, ca, nodeName: c.nodeName, token: c.token, joinToken: c.joinToken, tokenFile: c.tokenFile });
    this.api = new ApiClient(c.apiUrl, ca, token, Math.max(16, c.syncConcurrency * 2));
    const hostIP = c.nodeIP ?? defaultIPv4();
    // The runtime connects to DOCKER_HOST (or the local socket); every part of the agent goes through it.
    this.runtime = createPodRuntime({
      nodeName: c.nodeName,
      hostIP,
      backoff: { baseMs: c.backoffBaseMs },
      extraLabels: c.dockerLabels,
      subPathDir: join(c.dataDir, 'subpaths'),
      namespaceSubnets: c.namespaceSubnets,
    });
    this.redis = new Redis(c.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false });
    this.redis.on('error', (e: Error) => this.log.warn('redis', { error: e.message }));
    this.shipper = new LogShipper(this.runtime, this.redis, this.log);
    // Listening before the node registers, so the first status already advertises the port.
    if (c.kubeletAddress) {
      this.kubelet = new KubeletServer({
        api: this.api,
        ca,
        listen: c.kubeletAddress,
        nodeName: c.nodeName,
        addresses: [hostIP],
        pod: (uid) => this.pods?.pod(uid),
        runtime: this.runtime,
        log: this.log,
      });
      await this.kubelet.start();
    }
    this.node = new NodeReporter({
      api: this.api,
      runtime: this.runtime,
      nodeName: c.nodeName,
      nodeIP: hostIP,
      leaseSeconds: c.leaseSeconds,
      statusSeconds: c.statusSeconds,
      kubeletPort: this.kubelet?.port,
      log: this.log,
    });
    await this.node.register();
    await this.node.renewLease();
    this.node.start();
    this.pods = new PodSync({
      api: this.api,
      runtime: this.runtime,
      shipper: this.shipper,
      nodeName: c.nodeName,
      hostIP,
      concurrency: c.syncConcurrency,
      resyncSeconds: c.resyncSeconds,
      log: this.log,
    });
    this.pods.start();
    this.services = new ServiceNetworking({
      api: this.api,
      runtime: this.runtime,
      nodeName: c.nodeName,
      log: this.log,
      proxyImage: c.serviceProxyImage,
      dataDir: c.dataDir,
      nodePortAddress: c.nodePortAddress,
      ingressHttp: c.ingressHttp,
      ingressHttps: c.ingressHttps,
      baseDomain: c.baseDomain,
      resyncSeconds: c.resyncSeconds,
    });
    await this.services.start();
    void this.shipper.scan();
    this.log.info('agent started', { node: c.nodeName, api: c.apiUrl, hostIP });
  }

  /** Stops watching and reporting; containers keep running (a restarted agent adopts them). */
  async stop(): Promise<void> {
    this.node?.stop();
    await this.kubelet?.stop().catch((e: unknown) => this.log.warn('stopping the kubelet endpoint', { error: errorText(e) }));
    await this.services?.stop().catch((e: unknown) => this.log.warn('stopping service networking', { error: errorText(e) }));
    await this.pods?.stop().catch((e: unknown) => this.log.warn('stopping pod loop', { error: errorText(e) }));
    this.shipper?.stop();
    await this.runtime?.close();
    this.api?.close();
    this.redis?.disconnect();
  }
}
