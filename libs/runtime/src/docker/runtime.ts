// The node agent's container runtime on Docker: Kubernetes pods as a sandbox container plus joined containers.
// This class keeps the per-pod state, locks and timers; each part of the work lives in its own file here.
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import type { Pod } from '@flotilla/resources';
import { DEFAULT_BACKOFF } from '../backoff';
import { dockerFromEnv, hardenDocker } from '../docker-client';
import type { EngineGarbage, EngineKeep } from '../engine-gc';
import type { DataResolver } from '../env';
import { podRef, type PodRef } from '../labels';
import type {
  ContainerInstance,
  ExecSession,
  InstanceLogFollow,
  LogOptions,
  ManagedPod,
  OutputStream,
  PodEventListener,
  PodRuntime,
  PodStatusListener,
  RuntimeInfo,
  ServiceProxyInstance,
  ServiceProxySpec,
} from '../pod-runtime';
import type { PodRuntimeStatus } from '../pod-status';
import { subPathBindOwners, removeSubPathBinds } from '../subpath';
import { networkName, type DockerContext, type DockerRuntimeOptions } from './context';
import { listInstances, listManaged, removeUnusedEngineObjects } from './adoption';
import { EngineEvents } from './events';
import { NamespaceNetworks, type NetworkRef } from './networks';
import { observePod, podIP } from './observe';
import { newPodState, stopPodWork, withLock, type PodState } from './pod-state';
import { ensureProbers } from './probes';
import { createServiceProxy, listServiceProxies } from './service-proxies';
import { podStatus } from './status';
import { containerLogs, execIn, execSession, followInstanceLogs } from './streams';
import { syncPodOnce, type SyncHooks } from './sync';
import { removePod } from './termination';
import { claimVolumes } from './volumes';

/**
 * Runs Kubernetes pods on one Docker engine. Every method is level-triggered and idempotent: it reads what
 * Docker has (by label) and moves it one step towards the pod spec, so a restarted agent adopts running pods.
 */
export class DockerRuntime implements PodRuntime {
  readonly docker: Docker;
  readonly nodeName: string;
  private readonly ctx: DockerContext;
  private readonly states = new Map<string, PodState>();
  private readonly networks: NamespaceNetworks;
  private readonly emitter = new EventEmitter();
  private readonly events: EngineEvents;
  private readonly hooks: SyncHooks;
  private closed = false;

  constructor(opts: DockerRuntimeOptions) {
    this.docker = opts.docker ? hardenDocker(opts.docker) : dockerFromEnv();
    this.nodeName = opts.nodeName;
    this.ctx = {
      docker: this.docker,
      opts,
      nodeName: opts.nodeName,
      backoff: { ...DEFAULT_BACKOFF, ...opts.backoff },
      sandboxImage: opts.sandboxImage ?? 'flotilla/busybox:1',
      subPathDir: opts.subPathDir ?? path.join(os.tmpdir(), `flotilla-subpaths-${opts.nodeName}`),
      networkPrefix: opts.networkPrefix ?? 'flotilla',
    };
    this.networks = new NamespaceNetworks(this.ctx);
    this.events = new EngineEvents(this.ctx, {
      podChanged: (uid) => {
        const st = this.states.get(uid);
        if (st) this.scheduleResync(st, 20);
      },
      engineBack: () => {
        // Network ids survive a restart, but a cached lookup may be of a network removed meanwhile: look again.
        this.networks.clear();
        this.events.watch();
        this.emitter.emit('engine-back');
      },
    });
    this.hooks = {
      networks: this.networks,
      podEvent: (st, ev) => this.emitter.emit('pod-event', st.ref, ev),
      resyncIn: (st, delayMs) => this.scheduleResync(st, delayMs),
    };
  }

  onPodStatus(listener: PodStatusListener): () => void {
    this.emitter.on('status', listener);
    return () => this.emitter.off('status', listener);
  }

  onPodEvent(listener: PodEventListener): () => void {
    this.emitter.on('pod-event', listener);
    return () => this.emitter.off('pod-event', listener);
  }

  /**
   * Docker stopped or restarted: containers without a restart policy (every pod's) stay exited after a
   * restart, so the agent must re-sync everything at once rather than at its next periodic resync.
   * Subscribing starts following the engine.
   */
  onEngineBack(listener: () => void): () => void {
    this.emitter.on('engine-back', listener);
    this.events.watch();
    return () => this.emitter.off('engine-back', listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const st of this.states.values()) stopPodWork(st);
    this.states.clear();
    this.events.close();
  }

  async info(): Promise<RuntimeInfo> {
    const i = (await this.docker.info()) as {
      NCPU: number;
      MemTotal: number;
      ServerVersion: string;
      OperatingSystem: string;
      OSType: string;
      Architecture: string;
      KernelVersion: string;
      DockerRootDir: string;
    };
    return {
      cpus: i.NCPU,
      memoryBytes: i.MemTotal,
      runtimeVersion: `docker://${i.ServerVersion}`,
      osImage: i.OperatingSystem,
      osType: i.OSType,
      architecture: i.Architecture,
      kernelVersion: i.KernelVersion,
      rootDir: i.DockerRootDir,
    };
  }

  async ping(): Promise<void> {
    await this.docker.ping();
  }

  networkName(namespace: string): string {
    return networkName(this.ctx, namespace);
  }

  /** One bridge network per namespace; Docker's isolation rules keep namespaces from reaching each other. */
  ensureNamespaceNetwork(namespace: string): Promise<NetworkRef> {
    return this.networks.ensure(namespace);
  }

  removeUnusedEngineObjects(keep: EngineKeep): Promise<EngineGarbage> {
    return removeUnusedEngineObjects(this.ctx, this.networks, keep);
  }

  claimVolumes(): Promise<{ namespace: string; claim: string }[]> {
    return claimVolumes(this.ctx);
  }

  // ---- pods ------------------------------------------------------------------------------------------------

  private state(ref: PodRef): PodState {
    let st = this.states.get(ref.uid);
    if (!st) {
      st = newPodState(ref);
      this.states.set(ref.uid, st);
    }
    return st;
  }

  syncPod(pod: Pod, resolve: DataResolver): Promise<PodRuntimeStatus> {
    const ref = podRef(pod);
    const st = this.state(ref);
    st.pod = pod;
    st.resolve = resolve;
    st.terminating = false;
    this.events.watch();
    return withLock(st, async () => {
      if (this.closed) throw new Error('DockerRuntime is closed');
      await syncPodOnce(this.ctx, this.hooks, pod, resolve, st);
      return this.statusLocked(pod, st);
    });
  }

  podStatus(pod: Pod): Promise<PodRuntimeStatus> {
    const st = this.state(podRef(pod));
    return withLock(st, () => this.statusLocked(pod, st));
  }

  private async statusLocked(pod: Pod, st: PodState): Promise<PodRuntimeStatus> {
    const observed = await observePod(this.ctx, st.ref.uid);
    if (!st.terminating && !this.closed)
      ensureProbers(this.ctx, pod, st, observed, podIP(this.ctx, st.ref.namespace, observed.sandbox), {
        changed: (s) => this.emitStatusSoon(s),
        failed: (s, _c, id) => this.handleProbeFailure(s, id),
      });
    return podStatus(this.ctx, pod, st, observed);
  }

  private scheduleResync(st: PodState, delayMs: number): void {
    if (this.closed || st.terminating) return;
    const at = Date.now() + Math.max(0, delayMs);
    if (st.timer && st.timerAt !== undefined && st.timerAt <= at) return;
    clearTimeout(st.timer);
    st.timerAt = at;
    st.timer = setTimeout(
      () => {
        st.timer = undefined;
        st.timerAt = undefined;
        void this.resync(st);
      },
      Math.max(0, delayMs) + 5,
    );
    st.timer.unref?.();
  }

  private async resync(st: PodState): Promise<void> {
    if (this.closed || st.terminating || !st.pod || !st.resolve || this.states.get(st.ref.uid) !== st) return;
    try {
      const status = await this.syncPod(st.pod, st.resolve);
      this.emitter.emit('status', st.ref, status);
    } catch {
      this.scheduleResync(st, this.ctx.backoff.baseMs);
    }
  }

  private emitStatusSoon(st: PodState): void {
    const pod = st.pod;
    if (!pod || this.closed || st.terminating) return;
    void this.podStatus(pod)
      .then((s) => this.emitter.emit('status', st.ref, s))
      .catch(() => undefined);
  }

  /**
   * A liveness (or startup) probe failed: the next sync (now) stops the instance, as computePodActions decides
   * for an unhealthy container, and the one after restarts it as the pod's restart policy says.
   */
  private handleProbeFailure(st: PodState, id: string): void {
    if (!st.pod || st.terminating) return;
    st.unhealthy.add(id);
    this.scheduleResync(st, 0);
  }

  // ---- termination and adoption --------------------------------------------------------------------------

  killPod(pod: Pod, gracePeriodSeconds?: number): Promise<void> {
    const ref = podRef(pod);
    const st = this.state(ref);
    st.terminating = true;
    st.pod = pod;
    stopPodWork(st);
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return withLock(st, async () => {
      await removePod(this.ctx, ref, pod, grace);
      if (this.states.get(ref.uid) === st) this.states.delete(ref.uid);
    });
  }

  listManaged(): Promise<ManagedPod[]> {
    return listManaged(this.ctx);
  }

  async removeOrphans(keepUids: ReadonlySet<string>, gracePeriodSeconds = 2): Promise<string[]> {
    const removed: string[] = [];
    for (const p of await this.listManaged()) {
      if (keepUids.has(p.podUid)) continue;
      const ref: PodRef = { uid: p.podUid, name: p.name, namespace: p.namespace };
      const st = this.state(ref);
      st.terminating = true;
      stopPodWork(st);
      await withLock(st, () => removePod(this.ctx, ref, st.pod, gracePeriodSeconds));
      this.states.delete(p.podUid);
      removed.push(p.podUid);
    }
    // subPath binds of pods whose containers are already gone (removed while the agent was down, or a failed clean-up).
    for (const uid of subPathBindOwners(this.ctx.subPathDir)) {
      if (!keepUids.has(uid)) await removeSubPathBinds(path.posix.join(this.ctx.subPathDir, uid));
    }
    return removed;
  }

  // ---- streams ---------------------------------------------------------------------------------------------

  logs(pod: Pod, container: string, opts: LogOptions = {}): Promise<NodeJS.ReadableStream> {
    return containerLogs(this.ctx, pod, container, opts);
  }

  exec(pod: Pod, container: string, command: string[], opts: { stdin?: boolean; tty?: boolean } = {}): Promise<ExecSession> {
    return execSession(this.ctx, pod, container, command, opts);
  }

  /** Runs a command in a container and collects its output; rejects when it outlasts the timeout. */
  execIn(containerId: string, command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    return execIn(this.ctx, containerId, command, timeoutMs);
  }

  /** The agent reaches pod addresses on the engine's bridges directly (the engine runs on the agent's host). */
  portForward(pod: Pod, port: number): Socket {
    return connect({ host: pod.status?.podIP, port });
  }

  listInstances(): Promise<ContainerInstance[]> {
    return listInstances(this.ctx);
  }

  followInstanceLogs(id: string, sinceSeconds: number, output: (stream: OutputStream, data: Buffer) => void): Promise<InstanceLogFollow> {
    return followInstanceLogs(this.ctx, id, sinceSeconds, output);
  }

  async instanceRunning(id: string): Promise<boolean | undefined> {
    return this.docker
      .getContainer(id)
      .inspect()
      .then(
        (i) => i.State.Running,
        () => undefined,
      );
  }

  // ---- service proxies -------------------------------------------------------------------------------------

  listServiceProxies(): Promise<ServiceProxyInstance[]> {
    return listServiceProxies(this.ctx);
  }

  async imageId(image: string): Promise<string> {
    return (await this.docker.getImage(image).inspect()).Id;
  }

  createServiceProxy(spec: ServiceProxySpec): Promise<void> {
    return createServiceProxy(this.ctx, this.networks, spec);
  }

  async startServiceProxy(id: string): Promise<void> {
    await this.docker.getContainer(id).start();
  }

  async removeServiceProxy(id: string): Promise<void> {
    await this.docker.getContainer(id).remove({ force: true });
  }
}
