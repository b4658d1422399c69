// The node agent's container runtime: Kubernetes pods as a sandbox container plus joined containers on Docker.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable, type Duplex } from 'node:stream';
import Docker from 'dockerode';
import type { Container, ContainerStatus, LifecycleHandler, Pod, Volume } from '@flotilla/resources';
import { execProblems, imageReferenceError } from '@flotilla/resources';
import { dockerFromEnv, hardenDocker } from './docker-client';
import { DEFAULT_BACKOFF, backoffDelay, formatDuration, type BackoffPolicy } from './backoff';
import { resolveEnv, expandVars, type DataResolver } from './env';
import { ContainerStartError, configError, type WaitingReason } from './errors';
import { engineGarbage, type EngineGarbage, type EngineKeep } from './engine-gc';
import {
  LABEL,
  PREVIOUS_SUFFIX,
  SANDBOX_NAME,
  containerName,
  namespaceNetworkName,
  podRef,
  podVolumeName,
  pvcVolumeName,
  type ContainerRole,
  type PodRef,
} from './labels';
import { ByteLimiter, DockerDemuxer, splitDockerStream } from './log-stream';
import { podConditions, podPhase, terminatedState, type ObservedInstance, type PodRuntimeStatus } from './pod-status';
import { ContainerProber, runProbe } from './prober';
import { cpuToNanoCpus, memoryToBytes } from '@flotilla/resources';
import { tarArchive } from './tar';
import { containerSecurity, sandboxSysctls, type SecurityHostConfig } from './security';
import { applyFsGroup } from './fsgroup';
import { freeSubnet } from './subnets';
import { bindOpened, mountSubPath, openSubPath, removeSubPathBinds, subPathBindOwners } from './subpath';
import { EngineLiveness, SANDBOX_CHANGED, pingDelayMs, recreatedRestartCount, reportedStatus, type PodEvent } from './sandbox-change';
import { PROJECTED_ROOT, PROJECT_SCRIPT, emptyDirDriverOpts, projectedEntries, renderProjected, volumeKind } from './volumes';

export interface DockerRuntimeOptions {
  /** Defaults to DOCKER_HOST (tcp://host:port or unix://path) or /var/run/docker.sock. */
  docker?: Docker;
  nodeName: string;
  /** Namespace networks are `<networkPrefix>-ns-<namespace>`. Default `flotilla`. */
  networkPrefix?: string;
  /** Upstream DNS server for pods (Docker's embedded DNS forwards to it). */
  dnsServer?: string;
  /** Search domains for a namespace's pods; default `<ns>.svc.cluster.local svc.cluster.local cluster.local` when dnsServer is set. */
  dnsSearch?: (namespace: string) => string[];
  /** Image of the sandbox container; must provide /bin/pause. Default `flotilla/busybox:1`. */
  sandboxImage?: string;
  /** Crash-loop and image-pull back-off; tests shorten baseMs. */
  backoff?: Partial<BackoffPolicy>;
  allowPrivileged?: boolean;
  allowHostPath?: boolean;
  /** Added to every Docker object the runtime creates (tests add `flotilla.test=1`). */
  extraLabels?: Record<string, string>;
  /** Address hostPorts are published on. Default 127.0.0.1. */
  hostPortAddress?: string;
  /** The node's address, reported as status.hostIP. */
  hostIP?: string;
  /** Follow Docker's event stream so exits are noticed without waiting for the agent's next sync. Default true. */
  watchEvents?: boolean;
  /**
   * Directory (owned by the agent, on the host Docker runs on) where subPath mounts are bound before Docker
   * binds them into a container. Default `<tmpdir>/flotilla-subpaths-<nodeName>`.
   */
  subPathDir?: string;
  /**
   * Where namespace networks get a /24 once Docker's default address pools are used up (about 30 networks).
   * Default `10.244.0.0/16`.
   */
  namespaceSubnets?: string;
}

export interface ManagedContainer {
  id: string;
  /** The Kubernetes container name (`POD` for the sandbox). */
  name: string;
  role: ContainerRole;
  /** Docker's state: created, running, exited, … */
  state: string;
  restartCount: number;
  /** The kept, exited previous instance of this container. */
  previous: boolean;
}

export interface ManagedPod {
  podUid: string;
  namespace: string;
  name: string;
  containers: ManagedContainer[];
  volumes: string[];
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
}

export interface ExecSession {
  /** Docker's hijacked connection: write stdin here; for a tty it also carries the raw output. */
  stream: Duplex;
  /** stdout as plain text; with a tty, the terminal's whole output. */
  stdout: NodeJS.ReadableStream;
  /** stderr as plain text; undefined with a tty (a terminal has one output). */
  stderr?: NodeJS.ReadableStream;
  resize(width: number, height: number): Promise<void>;
  exitCode(): Promise<number>;
}

export type PodStatusListener = (pod: PodRef, status: PodRuntimeStatus) => void;
export type PodEventListener = (pod: PodRef, event: PodEvent) => void;

interface Instance {
  info: Docker.ContainerInspectInfo;
  obs: ObservedInstance;
  role: ContainerRole;
  name: string;
  previous: boolean;
}

interface ObservedPod {
  sandbox?: Instance;
  current: Map<string, Instance>;
  previous: Map<string, Instance>;
  all: Instance[];
}

interface PodState {
  ref: PodRef;
  pod?: Pod;
  resolve?: DataResolver;
  waiting: Map<string, { reason: WaitingReason; message: string }>;
  pullFailures: Map<string, { count: number; retryAt: number; message: string }>;
  projected: Map<string, string>;
  volumeErrors: Map<string, string>;
  /** Volumes already made group-owned by the pod's fsGroup since this agent took the pod on. */
  fsGroupDone: Set<string>;
  probers: Map<string, ContainerProber>;
  transitions: Map<string, { status: 'True' | 'False' | 'Unknown'; time: string }>;
  lock: Promise<unknown>;
  timer?: NodeJS.Timeout;
  timerAt?: number;
  terminating: boolean;
  startTime?: string;
  /** `role/name` → restart count of instances removed with a dead sandbox, until their successors exist. */
  carried: Map<string, number>;
}

function isNotFound(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { statusCode?: number }).statusCode === 404;
}

function errorMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null) {
    const json = (e as { json?: { message?: string } }).json;
    if (json?.message) return json.message;
  }
  return e instanceof Error ? e.message : String(e);
}

/** `busybox` → `busybox:latest`; digests and explicit tags stay. */
export function normalizeImage(image: string): string {
  if (image.includes('@')) return image;
  const lastSlash = image.lastIndexOf('/');
  return image.slice(lastSlash + 1).includes(':') ? image : `${image}:latest`;
}

function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return normalizeImage(image).endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

function registryHost(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

function specHash(c: Container): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('hex').slice(0, 16);
}

function shouldRestart(role: ContainerRole, policy: 'Always' | 'OnFailure' | 'Never', exitCode: number): boolean {
  if (role === 'init') return policy !== 'Never' && exitCode !== 0;
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Runs Kubernetes pods on one Docker engine. Every method is level-triggered and idempotent: it reads what
 * Docker has (by label) and moves it one step towards the pod spec, so a restarted agent adopts running pods.
 */
export class DockerRuntime {
  readonly docker: Docker;
  readonly nodeName: string;
  private readonly prefix: string;
  private readonly backoff: BackoffPolicy;
  private readonly sandboxImage: string;
  private readonly subPathDir: string;
  private readonly states = new Map<string, PodState>();
  private readonly networks = new Map<string, Promise<{ name: string; id: string }>>();
  private readonly emitter = new EventEmitter();
  private events?: NodeJS.ReadableStream;
  private readonly engine = new EngineLiveness();
  private closed = false;

  constructor(private readonly opts: DockerRuntimeOptions) {
    this.docker = opts.docker ? hardenDocker(opts.docker) : dockerFromEnv();
    this.nodeName = opts.nodeName;
    this.prefix = opts.networkPrefix ?? 'flotilla';
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.sandboxImage = opts.sandboxImage ?? 'flotilla/busybox:1';
    this.subPathDir = opts.subPathDir ?? path.join(os.tmpdir(), `flotilla-subpaths-${opts.nodeName}`);
  }

  /** Called whenever the runtime itself re-synced a pod (a container exited, a probe flipped, a back-off ended). */
  onPodStatus(listener: PodStatusListener): () => void {
    this.emitter.on('status', listener);
    return () => this.emitter.off('status', listener);
  }

  /** Called with the Events a pod's sync produced (SandboxChanged), for the agent to record. */
  onPodEvent(listener: PodEventListener): () => void {
    this.emitter.on('pod-event', listener);
    return () => this.emitter.off('pod-event', listener);
  }

  /**
   * Called when the engine answers again after its event stream ended (Docker stopped or restarted). Containers
   * without a restart policy (every pod's) stay exited after a restart: the agent must re-sync everything at
   * once rather than at its next periodic resync. Subscribing starts following the engine.
   */
  onEngineBack(listener: () => void): () => void {
    this.emitter.on('engine-back', listener);
    this.watchEvents();
    return () => this.emitter.off('engine-back', listener);
  }

  /** Stops probes, timers and the event stream; leaves containers running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const st of this.states.values()) this.forget(st);
    this.states.clear();
    const ev = this.events as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    ev?.destroy?.();
    this.events = undefined;
  }

  private labels(extra: Record<string, string>): Record<string, string> {
    return { ...this.opts.extraLabels, [LABEL.node]: this.nodeName, ...extra };
  }

  networkName(namespace: string): string {
    return namespaceNetworkName(this.prefix, namespace);
  }

  // ---- networks --------------------------------------------------------------------------------------------

  /** One bridge network per namespace; Docker's isolation rules keep namespaces from reaching each other. */
  ensureNamespaceNetwork(namespace: string): Promise<{ name: string; id: string }> {
    let p = this.networks.get(namespace);
    if (!p) {
      p = this.createNetwork(namespace);
      this.networks.set(namespace, p);
      p.catch(() => this.networks.delete(namespace));
    }
    return p;
  }

  /**
   * The namespace's network. Docker does not refuse a second network of the same name (two agents on one
   * engine can create one each at the same moment), so when there are several, all agents agree on the
   * oldest, and containers are attached by id, never by the ambiguous name.
   */
  private async findNetwork(name: string): Promise<{ name: string; id: string } | undefined> {
    const list = (await this.docker.listNetworks({ filters: { name: [name] } })).filter((x) => x.Name === name);
    list.sort((a, b) => String(a.Created).localeCompare(String(b.Created)) || a.Id.localeCompare(b.Id));
    return list[0] ? { name, id: list[0].Id } : undefined;
  }

  private async createNetwork(namespace: string): Promise<{ name: string; id: string }> {
    const name = this.networkName(namespace);
    const found = await this.findNetwork(name);
    if (found) return found;
    try {
      const net = await this.createBridge(name, namespace);
      const chosen = await this.findNetwork(name);
      if (chosen && chosen.id !== net.id) {
        // Another agent made one at the same time and its is the oldest: use that one, drop ours.
        await this.docker
          .getNetwork(net.id)
          .remove()
          .catch(() => undefined);
        return chosen;
      }
      return { name, id: net.id };
    } catch (e) {
      const again = await this.findNetwork(name);
      if (again) return again;
      throw e;
    }
  }

  /** A bridge network from Docker's pools, or past them a free /24 of `namespaceSubnets`. */
  private async createBridge(name: string, namespace: string): Promise<Docker.Network> {
    const spec = { Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: this.labels({ [LABEL.namespace]: namespace }) };
    try {
      return await this.docker.createNetwork(spec);
    } catch (e) {
      if (!/available, non-overlapping IPv4 address pool/.test(errorMessage(e))) throw e;
    }
    const pool = this.opts.namespaceSubnets ?? '10.244.0.0/16';
    // Another agent on the engine may take the subnet chosen between the list and the create: try the next.
    for (let skip = 0; skip < 8; skip++) {
      const used = (await this.docker.listNetworks()).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ''));
      const subnet = freeSubnet(pool, used, skip);
      if (!subnet) throw new Error(`no address space left for namespace networks: Docker's pools and ${pool} are all in use`);
      try {
        return await this.docker.createNetwork({ ...spec, IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } });
      } catch (e) {
        if (!/overlap/i.test(errorMessage(e))) throw e;
      }
    }
    throw new Error(`could not claim a subnet of ${pool} for namespace ${namespace}`);
  }

  /**
   * Removes what this node's agent made that belongs to nothing any more: namespace networks no container uses
   * (left behind, they exhaust Docker's address pools and slow every `docker run`), and volumes of pods not
   * kept. Only objects labelled with this node are looked at. A network a pod joins in the meantime refuses
   * removal, which is fine; a pod that looked it up just before gets a missing network, fails, and its retry
   * creates it again because the cache entry is dropped here.
   */
  async removeUnusedEngineObjects(keep: EngineKeep): Promise<EngineGarbage> {
    const mine = { label: [`${LABEL.node}=${this.nodeName}`] };
    const [networks, containers, vols] = await Promise.all([
      this.docker.listNetworks({ filters: mine }),
      this.docker.listContainers({ all: true, filters: mine }),
      this.docker.listVolumes({ filters: mine }),
    ]);
    const garbage = engineGarbage(
      {
        networks: networks.map((n) => ({ id: n.Id, labels: n.Labels ?? {} })),
        containers: containers.map((c) => ({ id: c.Id, labels: c.Labels ?? {} })),
        volumes: (vols.Volumes ?? []).map((v) => ({ id: v.Name, labels: v.Labels ?? {} })),
      },
      keep,
    );
    const removed: EngineGarbage = { networks: [], volumes: [] };
    const nsOf = new Map(networks.map((n) => [n.Id, n.Labels?.[LABEL.namespace]]));
    for (const id of garbage.networks) {
      const ns = nsOf.get(id);
      if (ns !== undefined) this.networks.delete(ns);
      try {
        await this.docker.getNetwork(id).remove();
        removed.networks.push(id);
      } catch {
        // In use again (a pod joined since the listing) or already gone: either way nothing to do.
      }
      if (ns !== undefined) this.networks.delete(ns);
    }
    for (const name of garbage.volumes) {
      try {
        await this.docker.getVolume(name).remove();
        removed.volumes.push(name);
      } catch {
        // Still mounted by a container being removed; the next resync tries again.
      }
    }
    return removed;
  }

  /** The claims whose volumes this node's engine holds: the agent asks the API which of them are gone. */
  async claimVolumes(): Promise<{ namespace: string; claim: string }[]> {
    const vols = await this.docker.listVolumes({ filters: { label: [`${LABEL.node}=${this.nodeName}`, LABEL.pvc] } });
    const out: { namespace: string; claim: string }[] = [];
    for (const v of vols.Volumes ?? []) {
      const claim = v.Labels?.[LABEL.pvc];
      const namespace = v.Labels?.[LABEL.namespace];
      if (claim && namespace) out.push({ namespace, claim });
    }
    return out;
  }

  // ---- observing ---------------------------------------------------------------------------------------------

  private state(ref: PodRef): PodState {
    let st = this.states.get(ref.uid);
    if (!st) {
      st = {
        ref,
        waiting: new Map(),
        pullFailures: new Map(),
        projected: new Map(),
        volumeErrors: new Map(),
        fsGroupDone: new Set(),
        probers: new Map(),
        transitions: new Map(),
        lock: Promise.resolve(),
        terminating: false,
        carried: new Map(),
      };
      this.states.set(ref.uid, st);
    }
    return st;
  }

  private forget(st: PodState): void {
    clearTimeout(st.timer);
    st.timer = undefined;
    for (const p of st.probers.values()) p.stop();
    st.probers.clear();
  }

  private withLock<T>(st: PodState, fn: () => Promise<T>): Promise<T> {
    const run = st.lock.then(fn, fn);
    st.lock = run.catch(() => undefined);
    return run;
  }

  private toInstance(info: Docker.ContainerInspectInfo): Instance {
    const labels = info.Config.Labels ?? {};
    const s = info.State;
    return {
      info,
      role: (labels[LABEL.role] as ContainerRole) ?? 'container',
      name: labels[LABEL.containerName] ?? '',
      previous: info.Name.endsWith(PREVIOUS_SUFFIX),
      obs: {
        id: info.Id,
        imageId: info.Image,
        running: s.Running,
        created: s.Status === 'created',
        exitCode: s.ExitCode,
        oomKilled: s.OOMKilled,
        error: s.Error,
        startedAt: s.StartedAt,
        finishedAt: s.FinishedAt,
        restartCount: Number(labels[LABEL.restartCount] ?? 0),
      },
    };
  }

  private async observe(uid: string): Promise<ObservedPod> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL.podUid}=${uid}`, `${LABEL.node}=${this.nodeName}`] } });
    const infos = await Promise.all(
      list.map((c) =>
        this.docker
          .getContainer(c.Id)
          .inspect()
          .catch(() => undefined),
      ),
    );
    const obs: ObservedPod = { current: new Map(), previous: new Map(), all: [] };
    for (const info of infos) {
      if (!info) continue;
      const inst = this.toInstance(info);
      obs.all.push(inst);
      if (inst.role === 'sandbox') obs.sandbox = inst;
      else (inst.previous ? obs.previous : obs.current).set(inst.name, inst);
    }
    return obs;
  }

  private podIP(ns: string, sandbox?: Instance): string | undefined {
    if (!sandbox?.obs.running) return undefined;
    const ip = sandbox.info.NetworkSettings.Networks?.[this.networkName(ns)]?.IPAddress;
    return ip || undefined;
  }

  // ---- sync --------------------------------------------------------------------------------------------------

  /** Moves the pod one step towards its spec (create sandbox, run init containers, start/restart containers). */
  syncPod(pod: Pod, resolve: DataResolver): Promise<PodRuntimeStatus> {
    const ref = podRef(pod);
    const st = this.state(ref);
    st.pod = pod;
    st.resolve = resolve;
    st.terminating = false;
    this.watchEvents();
    return this.withLock(st, async () => {
      if (this.closed) throw new Error('DockerRuntime is closed');
      await this.syncLocked(pod, resolve, st);
      return this.statusLocked(pod, st);
    });
  }

  /** The pod's status as Docker reports it now, without changing anything. */
  podStatus(pod: Pod): Promise<PodRuntimeStatus> {
    const st = this.state(podRef(pod));
    return this.withLock(st, () => this.statusLocked(pod, st));
  }

  private async syncLocked(pod: Pod, resolve: DataResolver, st: PodState): Promise<void> {
    const { ref } = st;
    const now = Date.now();
    const policy = pod.spec.restartPolicy ?? 'Always';
    let observed = await this.observe(ref.uid);

    // Pod-level refusals: nothing starts, every container says why.
    if ((pod.spec.hostNetwork || pod.spec.hostPID || pod.spec.hostIPC) && !this.opts.allowPrivileged) {
      for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        st.waiting.set(c.name, {
          reason: 'CreateContainerConfigError',
          message: 'host namespaces (hostNetwork, hostPID, hostIPC) are not allowed on this node',
        });
      }
      return;
    }

    const net = await this.ensureNamespaceNetwork(ref.namespace);
    await this.ensureVolumes(pod, st);

    // Sandbox: create it, or replace a dead one together with every container that was joined to it.
    let sandbox = observed.sandbox;
    if (sandbox && !sandbox.obs.running) {
      // Its successors are restarts of these instances, as kubelet counts them.
      for (const i of observed.current.values())
        st.carried.set(`${i.role}/${i.name}`, Math.max(i.obs.restartCount, st.carried.get(`${i.role}/${i.name}`) ?? -1));
      this.emitter.emit('pod-event', ref, SANDBOX_CHANGED);
      this.forget(st);
      await Promise.all(
        observed.all.map((i) =>
          this.docker
            .getContainer(i.info.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined),
        ),
      );
      st.projected.clear();
      observed = { current: new Map(), previous: new Map(), all: [] };
      sandbox = undefined;
    }
    if (!sandbox) {
      try {
        sandbox = await this.createSandbox(pod, st, net.id).catch(async (e: unknown) => {
          // The namespace's last container went a moment ago and the clean-up removed the network we looked
          // up: make it again and try once more, rather than failing the pod until the next sync.
          if ((e as { statusCode?: number }).statusCode !== 404 || !/network/i.test(String((e as Error).message))) throw e;
          this.networks.delete(ref.namespace);
          const fresh = await this.ensureNamespaceNetwork(ref.namespace);
          return this.createSandbox(pod, st, fresh.id);
        });
      } catch (e) {
        if (!(e instanceof ContainerStartError)) {
          this.networks.delete(ref.namespace);
          throw e;
        }
        for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) st.waiting.set(c.name, { reason: e.reason, message: e.message });
        return;
      }
    }
    if (!st.startTime) st.startTime = new Date(sandbox.info.Created).toISOString();
    const podIP = this.podIP(ref.namespace, sandbox);
    await this.refreshProjected(pod, st, sandbox, resolve);

    // Init containers, strictly in order, one step per sync.
    let initDone = true;
    for (const c of pod.spec.initContainers ?? []) {
      const cur = observed.current.get(c.name);
      if (!cur) {
        await this.startInstance(pod, st, c, 'init', sandbox, podIP, this.recreatedCount(pod, st, 'init', c.name));
        initDone = false;
        break;
      }
      if (cur.obs.running) {
        initDone = false;
        break;
      }
      const exitCode = cur.obs.created && !cur.obs.error ? undefined : cur.obs.exitCode;
      if (exitCode === 0 && !cur.obs.created) continue;
      initDone = false;
      if (exitCode === undefined) {
        await this.startCreated(st, c, cur);
      } else if (shouldRestart('init', policy, cur.obs.created ? 1 : exitCode)) {
        await this.restartAfterBackoff(pod, st, c, 'init', cur, sandbox, podIP, now);
      }
      break;
    }

    if (initDone) {
      for (const c of pod.spec.containers) {
        const cur = observed.current.get(c.name);
        if (!cur) {
          await this.startInstance(pod, st, c, 'container', sandbox, podIP, this.recreatedCount(pod, st, 'container', c.name));
          continue;
        }
        if (cur.obs.running) {
          if (cur.info.Config.Labels?.[LABEL.specHash] !== specHash(c)) {
            // The spec changed (e.g. a new image): replace the container now, as kubelet does.
            await this.stopInstance(pod, c, cur, pod.spec.terminationGracePeriodSeconds ?? 30);
            await this.startInstance(pod, st, c, 'container', sandbox, podIP, cur.obs.restartCount + 1, cur);
          }
          continue;
        }
        if (cur.obs.created && !cur.obs.error) {
          await this.startCreated(st, c, cur);
          continue;
        }
        const exitCode = cur.obs.created ? 128 : cur.obs.exitCode;
        if (shouldRestart('container', policy, exitCode)) {
          await this.restartAfterBackoff(pod, st, c, 'container', cur, sandbox, podIP, now);
        } else {
          st.waiting.delete(c.name);
        }
      }
    }
  }

  private recreatedCount(pod: Pod, st: PodState, role: ContainerRole, name: string): number {
    return recreatedRestartCount(st.carried.get(`${role}/${name}`), reportedStatus(pod, role, name));
  }

  private async restartAfterBackoff(
    pod: Pod,
    st: PodState,
    c: Container,
    role: ContainerRole,
    cur: Instance,
    sandbox: Instance,
    podIP: string | undefined,
    now: number,
  ): Promise<void> {
    const { restartAt, waiting } = this.crashLoop(st.ref, c.name, cur);
    if (now < restartAt) {
      st.waiting.set(c.name, waiting);
      this.scheduleResync(st, restartAt - now);
      return;
    }
    await this.startInstance(pod, st, c, role, sandbox, podIP, cur.obs.restartCount + 1, cur);
  }

  /**
   * When a failed instance may restart and the waiting state kubelet reports meanwhile. One place, so a
   * status read before the restart decision was made says the same as one read after it.
   */
  private crashLoop(ref: PodRef, name: string, cur: Instance): { restartAt: number; waiting: { reason: 'CrashLoopBackOff'; message: string } } {
    const finished = Date.parse(cur.obs.finishedAt ?? '') || Date.parse(cur.info.Created);
    const startedAt = Date.parse(cur.obs.startedAt ?? '') || finished;
    const delay = backoffDelay(this.backoff, cur.obs.restartCount, finished - startedAt);
    return {
      restartAt: finished + delay,
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${formatDuration(delay)} restarting failed container=${name} pod=${ref.name}_${ref.namespace}(${ref.uid})`,
      },
    };
  }

  private async startCreated(st: PodState, c: Container, cur: Instance): Promise<void> {
    try {
      await this.docker.getContainer(cur.info.Id).start();
      st.waiting.delete(c.name);
    } catch (e) {
      st.waiting.set(c.name, { reason: 'RunContainerError', message: errorMessage(e) });
    }
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
      this.scheduleResync(st, this.backoff.baseMs);
    }
  }

  /**
   * Docker's event stream is the runtime's PLEG: a container of ours died or started → re-sync its pod. The
   * stream ends when the engine stops; then the engine is pinged until it answers, and the stream re-opened.
   */
  private watchEvents(): void {
    if (this.events || this.closed || this.opts.watchEvents === false || this.engine.away) return;
    const placeholder = new PassThrough();
    this.events = placeholder;
    this.docker
      .getEvents({ filters: { type: ['container'], event: ['die', 'start', 'oom'], label: [`${LABEL.node}=${this.nodeName}`] } })
      .then((stream) => {
        if (this.closed || this.events !== placeholder) {
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          return;
        }
        this.events = stream;
        let buf = '';
        stream.on('data', (chunk: Buffer) => {
          buf += chunk.toString('utf8');
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (!line) continue;
            try {
              const ev = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
              const uid = ev.Actor?.Attributes?.[LABEL.podUid];
              const st = uid ? this.states.get(uid) : undefined;
              if (st) this.scheduleResync(st, 20);
            } catch {
              // a partial or foreign line: ignore
            }
          }
        });
        const ended = (): void => {
          if (this.events !== stream) return;
          this.events = undefined;
          this.engineLost();
        };
        stream.on('error', ended);
        stream.on('end', ended);
        stream.on('close', ended);
      })
      .catch(() => {
        if (this.events !== placeholder) return;
        this.events = undefined;
        this.engineLost();
      });
  }

  /** Pings until the engine answers, then follows its events again and tells the agent to re-sync everything. */
  private engineLost(): void {
    if (this.closed || !this.engine.streamLost()) return;
    void (async () => {
      for (let attempt = 0; !this.closed; attempt++) {
        await new Promise((r) => setTimeout(r, pingDelayMs(attempt)));
        try {
          await this.docker.ping();
          break;
        } catch {
          // still away
        }
      }
      if (this.closed || !this.engine.pingAnswered()) return;
      // Network ids survive a restart, but a cached lookup may be of a network removed meanwhile: look again.
      this.networks.clear();
      this.watchEvents();
      this.emitter.emit('engine-back');
    })();
  }

  // ---- images ------------------------------------------------------------------------------------------------

  private async imageInfo(image: string): Promise<Docker.ImageInspectInfo | undefined> {
    try {
      return await this.docker.getImage(image).inspect();
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async pullAuth(pod: Pod, image: string, resolve: DataResolver): Promise<Docker.AuthConfig | undefined> {
    const host = registryHost(image);
    const candidates =
      host === 'docker.io' ? ['docker.io', 'index.docker.io', 'https://index.docker.io/v1/', 'registry-1.docker.io'] : [host, `https://${host}`];
    for (const ref of pod.spec.imagePullSecrets ?? []) {
      const data = await resolve.secret(pod.metadata.namespace ?? 'default', ref.name);
      const raw = data?.['.dockerconfigjson'] ?? data?.['.dockercfg'];
      if (!raw) continue;
      let parsed: { auths?: Record<string, { username?: string; password?: string; auth?: string }> } & Record<string, unknown>;
      try {
        parsed = JSON.parse(raw) as typeof parsed;
      } catch {
        continue;
      }
      const auths = (parsed.auths ?? parsed) as Record<string, { username?: string; password?: string; auth?: string }>;
      for (const key of candidates) {
        const a = auths[key];
        if (!a) continue;
        let { username, password } = a;
        if ((!username || !password) && a.auth) [username, password] = Buffer.from(a.auth, 'base64').toString('utf8').split(/:(.*)/s);
        if (username && password) return { username, password, serveraddress: key };
      }
    }
    return undefined;
  }

  private async ensureImage(pod: Pod, st: PodState, c: Container, resolve: DataResolver): Promise<void> {
    if (!c.image) throw new ContainerStartError('InvalidImageName', `container ${c.name} has no image`);
    // Second wall behind admission: a stored pod may not have passed it (older data, direct writes).
    const invalid = imageReferenceError(c.image);
    if (invalid) throw new ContainerStartError('InvalidImageName', `Failed to apply default image tag ${JSON.stringify(c.image.slice(0, 300))}: ${invalid}`);
    const image = normalizeImage(c.image);
    const policy = c.imagePullPolicy ?? defaultPullPolicy(c.image);
    let local: Docker.ImageInspectInfo | undefined;
    try {
      local = await this.imageInfo(image);
    } catch (e) {
      throw new ContainerStartError('ErrImagePull', `failed to inspect image "${c.image}": ${errorMessage(e)}`);
    }
    if (policy === 'Never') {
      if (!local) throw new ContainerStartError('ErrImageNeverPull', `Container image "${c.image}" is not present with pull policy of Never`);
      return;
    }
    if (local && policy === 'IfNotPresent') return;
    const failure = st.pullFailures.get(image);
    if (failure && Date.now() < failure.retryAt) {
      if (local) return;
      throw new ContainerStartError('ImagePullBackOff', `Back-off pulling image "${c.image}": ${failure.message}`);
    }
    try {
      const auth = await this.pullAuth(pod, image, resolve);
      const stream = await this.docker.pull(image, auth ? { authconfig: auth } : {});
      await new Promise<void>((ok, fail) => this.docker.modem.followProgress(stream, (err: Error | null) => (err ? fail(err) : ok())));
      st.pullFailures.delete(image);
    } catch (e) {
      const message = errorMessage(e);
      const count = (failure?.count ?? 0) + 1;
      st.pullFailures.set(image, { count, retryAt: Date.now() + backoffDelay(this.backoff, count - 1), message });
      // With pullPolicy Always an unreachable registry is not fatal when the image is here (offline nodes).
      if (local) return;
      throw new ContainerStartError('ErrImagePull', `failed to pull image "${c.image}": ${message}`);
    }
  }

  // ---- volumes -----------------------------------------------------------------------------------------------

  private async ensureVolumes(pod: Pod, st: PodState): Promise<void> {
    const { ref } = st;
    await Promise.all(
      (pod.spec.volumes ?? []).map(async (v) => {
        const kind = volumeKind(v);
        if (kind === 'emptyDir' || kind === 'configMap' || kind === 'secret') {
          const tmpfs = kind === 'emptyDir' ? emptyDirDriverOpts(v, pod.spec.securityContext?.fsGroup) : undefined;
          await this.docker.createVolume({
            Name: podVolumeName(ref, v.name),
            Labels: this.labels({ [LABEL.podUid]: ref.uid, [LABEL.podNamespace]: ref.namespace, [LABEL.podName]: ref.name, [LABEL.volume]: v.name }),
            ...(kind === 'emptyDir' && tmpfs ? { Driver: 'local', DriverOpts: tmpfs } : {}),
          });
          if (kind === 'emptyDir' && !tmpfs) await this.ensureFsGroup(pod, st, v.name, podVolumeName(ref, v.name), false);
        } else if (kind === 'persistentVolumeClaim' && v.persistentVolumeClaim) {
          const name = await this.pvcVolume(ref.namespace, v.persistentVolumeClaim.claimName);
          await this.docker.createVolume({
            Name: name,
            Labels: this.labels({ [LABEL.pvc]: v.persistentVolumeClaim.claimName, [LABEL.namespace]: ref.namespace }),
          });
          await this.ensureFsGroup(pod, st, v.name, name, false);
        }
      }),
    );
  }

  /**
   * Makes a volume group-owned by the pod's fsGroup once per pod, as kubelet does at volume set-up (a memory
   * emptyDir gets it as a tmpfs mount option instead). A failure keeps the containers mounting it from starting,
   * with the reason.
   */
  private async ensureFsGroup(pod: Pod, st: PodState, volume: string, dockerVolume: string, readOnly: boolean): Promise<void> {
    const gid = pod.spec.securityContext?.fsGroup;
    if (gid === undefined || st.fsGroupDone.has(volume)) return;
    try {
      const { Mountpoint } = await this.docker.getVolume(dockerVolume).inspect();
      const policy = pod.spec.securityContext?.fsGroupChangePolicy === 'OnRootMismatch' ? 'OnRootMismatch' : 'Always';
      await applyFsGroup(Mountpoint, gid, { readOnly, policy });
      st.fsGroupDone.add(volume);
      st.volumeErrors.delete(volume);
    } catch (e) {
      st.volumeErrors.set(volume, `MountVolume.SetUp failed for volume "${volume}": ${errorMessage(e)}`);
    }
  }

  /** The claim's volume: one made earlier (found by its labels, whatever its name) or the injective name. */
  private async pvcVolume(namespace: string, claim: string): Promise<string> {
    const found = await this.docker.listVolumes({ filters: JSON.stringify({ label: [`${LABEL.pvc}=${claim}`, `${LABEL.namespace}=${namespace}`] }) });
    return found.Volumes?.[0]?.Name ?? pvcVolumeName(namespace, claim);
  }

  private async refreshProjected(pod: Pod, st: PodState, sandbox: Instance, resolve: DataResolver): Promise<void> {
    for (const v of pod.spec.volumes ?? []) {
      if (!v.configMap && !v.secret) continue;
      try {
        const files = await renderProjected(st.ref.namespace, v, resolve);
        st.volumeErrors.delete(v.name);
        if (st.projected.get(v.name) === files.hash) continue;
        const { dir, entries, topLevel } = projectedEntries(files);
        const root = `${PROJECTED_ROOT}/${v.name}`;
        await this.docker.getContainer(sandbox.info.Id).putArchive(tarArchive(entries), { path: root });
        const res = await this.execIn(sandbox.info.Id, ['sh', '-c', PROJECT_SCRIPT, 'project', root, dir, ...topLevel], 10_000);
        if (res.exitCode !== 0) throw new Error(`writing volume ${v.name} failed: ${res.output}`);
        // Each version directory is new, so the group is applied again after every write.
        st.fsGroupDone.delete(v.name);
        await this.ensureFsGroup(pod, st, v.name, podVolumeName(st.ref, v.name), true);
        if (st.volumeErrors.has(v.name)) continue;
        st.projected.set(v.name, files.hash);
      } catch (e) {
        st.volumeErrors.set(v.name, errorMessage(e));
      }
    }
  }

  private async mountsFor(pod: Pod, c: Container, env: ReadonlyMap<string, string>): Promise<{ mounts: Docker.MountSettings[]; binds: string[] }> {
    const ref = podRef(pod);
    const mounts: Docker.MountSettings[] = [];
    const binds: string[] = [];
    const volumes = new Map<string, Volume>((pod.spec.volumes ?? []).map((v) => [v.name, v]));
    for (const [index, m] of (c.volumeMounts ?? []).entries()) {
      const v = volumes.get(m.name);
      if (!v) throw configError(`volumeMount "${m.name}" names no volume of the pod`);
      const kind = volumeKind(v);
      let source: string;
      let readOnly = !!m.readOnly;
      let sub: string | undefined;
      try {
        sub = mountSubPath(m, env);
      } catch (e) {
        throw configError(`volumeMount "${m.name}": ${errorMessage(e)}`);
      }
      switch (kind) {
        case 'emptyDir':
          source = podVolumeName(ref, v.name);
          break;
        case 'configMap':
        case 'secret':
          source = podVolumeName(ref, v.name);
          readOnly = true;
          break;
        case 'persistentVolumeClaim':
          source = await this.pvcVolume(ref.namespace, v.persistentVolumeClaim?.claimName ?? '');
          readOnly = readOnly || !!v.persistentVolumeClaim?.readOnly;
          break;
        case 'hostPath': {
          if (!this.opts.allowHostPath) throw configError(`hostPath volumes are not allowed on this node (volume "${v.name}")`);
          const hp = path.posix.join(v.hostPath?.path ?? '/', sub ?? '');
          binds.push(`${hp}:${m.mountPath}${readOnly ? ':ro' : ''}`);
          continue;
        }
        default:
          throw configError(`volume "${v.name}" has a type this node does not support`);
      }
      if (sub !== undefined) {
        // Docker 20.10 cannot mount part of a volume. The sub-path is opened component by component without
        // following links (a tenant can plant and swap links in the volume), what was opened is bind-mounted
        // under the agent's own directory, and Docker binds that: no path a tenant controls is resolved again.
        const vol = await this.docker.getVolume(source).inspect();
        const projected = kind === 'configMap' || kind === 'secret';
        const target = path.posix.join(this.subPathDir, ref.uid, c.name, String(index));
        try {
          const opened = openSubPath(vol.Mountpoint, sub, { create: !projected, projected });
          try {
            await bindOpened(opened, target);
          } finally {
            closeSync(opened.fd);
          }
        } catch (e) {
          throw configError(`volumeMount "${m.name}": ${errorMessage(e)}`);
        }
        binds.push(`${target}:${m.mountPath}${readOnly ? ':ro' : ''}`);
        continue;
      }
      // Docker copies the image's directory (content, owner and mode) into an empty volume at first mount, which
      // would undo the fsGroup ownership just applied; kubelet's volumes start as they are, so no copy then.
      // (dockerode's type insists on Labels and DriverConfig, which the engine treats as optional.)
      const noCopy = pod.spec.securityContext?.fsGroup !== undefined ? { VolumeOptions: { NoCopy: true } as Docker.MountSettings['VolumeOptions'] } : {};
      mounts.push({ Type: 'volume', Source: source, Target: m.mountPath, ReadOnly: readOnly, ...noCopy });
    }
    return { mounts, binds };
  }

  // ---- containers --------------------------------------------------------------------------------------------

  private async createSandbox(pod: Pod, st: PodState, network: string): Promise<Instance> {
    const { ref } = st;
    await this.ensureImage(
      pod,
      st,
      { name: SANDBOX_NAME, image: this.sandboxImage, imagePullPolicy: 'IfNotPresent' },
      { configMap: async () => undefined, secret: async () => undefined },
    );
    const exposed: Record<string, Record<string, never>> = {};
    const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
    for (const c of pod.spec.containers) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort) continue;
        const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
        exposed[key] = {};
        bindings[key] = [{ HostIp: p.hostIP ?? this.opts.hostPortAddress ?? '127.0.0.1', HostPort: String(p.hostPort) }];
      }
    }
    const projected: Docker.MountSettings[] = (pod.spec.volumes ?? [])
      .filter((v) => v.configMap || v.secret)
      .map((v) => ({ Type: 'volume', Source: podVolumeName(ref, v.name), Target: `${PROJECTED_ROOT}/${v.name}`, ReadOnly: false }));
    const hostname = (pod.spec.hostname ?? ref.name).slice(0, 63).replace(/[^a-zA-Z0-9-]+$/, '');
    const search =
      this.opts.dnsSearch?.(ref.namespace) ?? (this.opts.dnsServer ? [`${ref.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'] : []);
    const created = await this.docker.createContainer({
      name: containerName(ref, SANDBOX_NAME),
      Image: this.sandboxImage,
      Cmd: ['/bin/pause'],
      Hostname: hostname,
      Domainname: pod.spec.subdomain ? `${pod.spec.subdomain}.${ref.namespace}.svc.cluster.local` : undefined,
      Labels: this.labels({
        [LABEL.podUid]: ref.uid,
        [LABEL.podName]: ref.name,
        [LABEL.podNamespace]: ref.namespace,
        [LABEL.role]: 'sandbox',
        [LABEL.containerName]: SANDBOX_NAME,
      }),
      ExposedPorts: exposed,
      StopSignal: 'SIGTERM',
      HostConfig: {
        NetworkMode: network,
        IpcMode: 'shareable',
        PortBindings: bindings,
        Mounts: projected,
        Dns: this.opts.dnsServer ? [this.opts.dnsServer] : undefined,
        DnsSearch: search.length ? search : undefined,
        SecurityOpt: ['no-new-privileges'],
        Sysctls: sandboxSysctls(pod),
        RestartPolicy: { Name: 'no' },
        Memory: 16 * 1024 * 1024,
      },
      NetworkingConfig: {
        EndpointsConfig: { [network]: { Aliases: [ref.name, ...(pod.spec.hostname && pod.spec.hostname !== ref.name ? [pod.spec.hostname] : [])] } },
      },
    });
    // What the engine refuses at start comes from the pod spec (a sysctl value the kernel rejects, a host
    // port in use): the pod's containers say so, rather than the sync failing and retrying every second.
    await created.start().catch((e: unknown) => {
      throw new ContainerStartError('CreateContainerError', `failed to start the pod sandbox: ${errorMessage(e)}`);
    });
    return this.toInstance(await created.inspect());
  }

  private securityFor(pod: Pod, c: Container, image: Docker.ImageInspectInfo | undefined): SecurityHostConfig {
    return containerSecurity(pod, c, image?.Config?.User, { allowPrivileged: this.opts.allowPrivileged });
  }

  private async startInstance(
    pod: Pod,
    st: PodState,
    c: Container,
    role: ContainerRole,
    sandbox: Instance,
    podIP: string | undefined,
    restartCount: number,
    replace?: Instance,
  ): Promise<void> {
    const { ref } = st;
    const name = containerName(ref, c.name);
    try {
      for (const m of c.volumeMounts ?? []) {
        const err = st.volumeErrors.get(m.name);
        if (err) throw new ContainerStartError('ContainerCreating', err);
      }
      await this.ensureImage(pod, st, c, st.resolve ?? { configMap: async () => undefined, secret: async () => undefined });
      const image = await this.imageInfo(normalizeImage(c.image ?? ''));
      const env = await resolveEnv(pod, c, st.resolve ?? { configMap: async () => undefined, secret: async () => undefined }, {
        podIP,
        hostIP: this.opts.hostIP,
        nodeName: this.nodeName,
      });
      const { mounts, binds } = await this.mountsFor(pod, c, env);
      const { User, ...security } = this.securityFor(pod, c, image);
      const limits = c.resources?.limits ?? {};
      let memory: number | undefined;
      let nanoCpus: number | undefined;
      try {
        memory = limits.memory !== undefined ? memoryToBytes(limits.memory) : undefined;
        nanoCpus = limits.cpu !== undefined ? cpuToNanoCpus(limits.cpu) : undefined;
      } catch (e) {
        throw configError(`container ${c.name}: ${errorMessage(e)}`);
      }
      const cmd = c.command?.map((s) => expandVars(s, env));
      const args = c.args?.map((s) => expandVars(s, env));
      // Admission bounded the literal values; env from Secrets and ConfigMaps is only known here (and envFrom
      // comes first, so a variable is named rather than numbered).
      const tooBig = execProblems(`container ${c.name}`, cmd ?? [], args ?? [], env, (name) => `container ${c.name} env ${name}`)[0];
      if (tooBig) throw configError(`${tooBig.field}: ${tooBig.message}`);

      if (replace) {
        // Keep exactly one previous instance (for `logs --previous`), as kubelet does; found by labels, so one an
        // older agent named differently goes too.
        for (const prev of await this.instancesOf(ref, c.name, true)) {
          if (prev.Id === replace.info.Id) continue;
          await this.docker
            .getContainer(prev.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined);
        }
        await this.docker.getContainer(replace.info.Id).rename({ name: `${name}${PREVIOUS_SUFFIX}` });
      } else {
        // A leftover with our name but not seen by observe (another node label, a crash mid-create): replace it.
        await this.docker
          .getContainer(name)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      }
      const created = await this.docker.createContainer({
        name,
        Image: normalizeImage(c.image ?? ''),
        Entrypoint: cmd,
        Cmd: cmd ? (args ?? []) : args,
        Env: [...env].map(([k, v]) => `${k}=${v}`),
        WorkingDir: c.workingDir,
        User,
        Tty: !!c.tty,
        OpenStdin: !!c.stdin,
        AttachStdin: false,
        Labels: this.labels({
          [LABEL.podUid]: ref.uid,
          [LABEL.podName]: ref.name,
          [LABEL.podNamespace]: ref.namespace,
          [LABEL.role]: role,
          [LABEL.containerName]: c.name,
          [LABEL.restartCount]: String(restartCount),
          [LABEL.specHash]: specHash(c),
        }),
        HostConfig: {
          NetworkMode: `container:${sandbox.info.Id}`,
          IpcMode: `container:${sandbox.info.Id}`,
          PidMode: pod.spec.shareProcessNamespace ? `container:${sandbox.info.Id}` : undefined,
          Mounts: mounts,
          Binds: binds.length ? binds : undefined,
          Memory: memory,
          MemorySwap: memory,
          NanoCpus: nanoCpus,
          RestartPolicy: { Name: 'no' },
          ...security,
        },
      });
      // The successor exists and carries the count in its labels from now on.
      st.carried.delete(`${role}/${c.name}`);
      st.waiting.delete(c.name);
      try {
        await created.start();
      } catch (e) {
        st.waiting.set(c.name, { reason: 'RunContainerError', message: errorMessage(e) });
        return;
      }
      await this.postStart(pod, c, created.id);
    } catch (e) {
      if (e instanceof ContainerStartError) st.waiting.set(c.name, { reason: e.reason, message: e.message });
      else st.waiting.set(c.name, { reason: 'CreateContainerError', message: errorMessage(e) });
    }
  }

  private async postStart(pod: Pod, c: Container, id: string): Promise<void> {
    const hook = c.lifecycle?.postStart;
    if (!hook) return;
    const ok = await this.runHook(pod, c, id, hook, 30_000);
    if (!ok)
      await this.docker
        .getContainer(id)
        .stop({ t: pod.spec.terminationGracePeriodSeconds ?? 30 })
        .catch(() => undefined);
  }

  private async runHook(pod: Pod, c: Container, id: string, hook: LifecycleHandler, timeoutMs: number): Promise<boolean> {
    try {
      if (hook.sleep) {
        await sleep(Math.min(hook.sleep.seconds * 1000, timeoutMs));
        return true;
      }
      if (hook.exec) return (await this.execIn(id, hook.exec.command ?? [], timeoutMs)).exitCode === 0;
      if (hook.httpGet || hook.tcpSocket) {
        const ref = podRef(pod);
        const obs = await this.observe(ref.uid);
        const ip = this.podIP(ref.namespace, obs.sandbox);
        const r = await runProbe({ httpGet: hook.httpGet, tcpSocket: hook.tcpSocket, timeoutSeconds: Math.ceil(timeoutMs / 1000) }, c, {
          podIP: () => ip,
          exec: async () => 1,
        });
        return r.ok;
      }
    } catch {
      return false;
    }
    return true;
  }

  private async stopInstance(pod: Pod, c: Container | undefined, inst: Instance, graceSeconds: number): Promise<void> {
    const deadline = Date.now() + graceSeconds * 1000;
    if (inst.obs.running && c?.lifecycle?.preStop) await this.runHook(pod, c, inst.info.Id, c.lifecycle.preStop, Math.max(0, deadline - Date.now()));
    const t = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    await this.docker
      .getContainer(inst.info.Id)
      .stop({ t })
      .catch((e: unknown) => {
        if (!isNotFound(e) && (e as { statusCode?: number }).statusCode !== 304) throw e;
      });
  }

  /** Runs a command in a container and collects its output; rejects when it outlasts the timeout. */
  async execIn(containerId: string, command: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const exec = await this.docker.getContainer(containerId).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const demux = new DockerDemuxer();
    demux.on('data', (b: Buffer) => chunks.push(b));
    stream.pipe(demux);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        stream.destroy();
        reject(new Error(`command timed out after ${timeoutMs}ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(t);
        resolve();
      };
      stream.on('end', done);
      stream.on('close', done);
      stream.on('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    for (let i = 0; i < 50; i++) {
      const info = await exec.inspect();
      if (!info.Running) return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
      await sleep(20);
    }
    return { exitCode: -1, output: Buffer.concat(chunks).toString('utf8') };
  }

  // ---- probes ------------------------------------------------------------------------------------------------

  private ensureProbers(pod: Pod, st: PodState, observed: ObservedPod, podIP: string | undefined): void {
    const keep = new Set<string>();
    for (const c of pod.spec.containers) {
      const cur = observed.current.get(c.name);
      if (!cur?.obs.running || !(c.readinessProbe || c.livenessProbe || c.startupProbe)) continue;
      keep.add(c.name);
      const existing = st.probers.get(c.name);
      if (existing?.containerId === cur.info.Id) continue;
      existing?.stop();
      const id = cur.info.Id;
      const prober = new ContainerProber(
        id,
        c,
        { podIP: () => podIP, exec: (cmd, timeoutMs) => this.execIn(id, cmd, timeoutMs).then((r) => r.exitCode) },
        {
          changed: () => {
            this.emitStatusSoon(st);
          },
          failed: () => {
            // As kubelet: the container is killed and restarts under the crash-loop back-off, whose waiting message the status reports.
            void this.handleProbeFailure(st, c, id);
          },
        },
      );
      st.probers.set(c.name, prober);
      prober.start();
    }
    for (const [name, p] of st.probers) {
      if (!keep.has(name)) {
        p.stop();
        st.probers.delete(name);
      }
    }
  }

  private emitStatusSoon(st: PodState): void {
    const pod = st.pod;
    if (!pod || this.closed || st.terminating) return;
    void this.podStatus(pod)
      .then((s) => this.emitter.emit('status', st.ref, s))
      .catch(() => undefined);
  }

  private async handleProbeFailure(st: PodState, c: Container, id: string): Promise<void> {
    const pod = st.pod;
    if (!pod || st.terminating) return;
    const grace = c.livenessProbe?.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.withLock(st, async () => {
      const obs = await this.observe(st.ref.uid);
      const cur = obs.current.get(c.name);
      if (!cur || cur.info.Id !== id || !cur.obs.running) return;
      await this.stopInstance(pod, c, cur, grace);
    });
    this.scheduleResync(st, 0);
  }

  // ---- status ------------------------------------------------------------------------------------------------

  private async statusLocked(pod: Pod, st: PodState): Promise<PodRuntimeStatus> {
    const { ref } = st;
    const observed = await this.observe(ref.uid);
    const policy = pod.spec.restartPolicy ?? 'Always';
    const podIP = this.podIP(ref.namespace, observed.sandbox);
    if (!st.terminating && !this.closed) this.ensureProbers(pod, st, observed, podIP);

    const initSpecs = pod.spec.initContainers ?? [];
    const initDone = initSpecs.every((c) => {
      const cur = observed.current.get(c.name);
      return cur && !cur.obs.running && !cur.obs.created && cur.obs.exitCode === 0;
    });
    const statusOf = (c: Container, role: ContainerRole): ContainerStatus => {
      const cur = observed.current.get(c.name);
      const prev = observed.previous.get(c.name);
      const image = c.image ?? '';
      const base: ContainerStatus = { name: c.name, image, ready: false, restartCount: cur?.obs.restartCount ?? 0, started: false };
      if (cur) {
        base.imageID = `docker://${cur.obs.imageId}`;
        base.containerID = `docker://${cur.info.Id}`;
      }
      const waiting = st.waiting.get(c.name);
      const prevState = prev ? terminatedState(prev.obs) : undefined;
      if (cur?.obs.running) {
        const prober = st.probers.get(c.name);
        const started = prober ? prober.started : true;
        const ready = role === 'container' && (prober ? prober.ready : true);
        return { ...base, state: { running: { startedAt: cur.obs.startedAt } }, lastState: prevState ?? {}, ready, started };
      }
      if (cur && (!cur.obs.created || cur.obs.error)) {
        const exitCode = cur.obs.created ? 128 : cur.obs.exitCode;
        const term = terminatedState(cur.obs);
        if (shouldRestart(role, policy, exitCode) && !st.terminating) {
          return {
            ...base,
            state: { waiting: waiting?.reason === 'CrashLoopBackOff' || !waiting ? this.crashLoop(ref, c.name, cur).waiting : waiting },
            lastState: term,
          };
        }
        return { ...base, state: term, lastState: prevState ?? {} };
      }
      const reason = waiting ?? { reason: role === 'container' && !initDone ? 'PodInitializing' : 'ContainerCreating' };
      return { ...base, state: { waiting: reason }, lastState: prevState ?? {} };
    };

    const initContainerStatuses = initSpecs.map((c) => statusOf(c, 'init'));
    const containerStatuses = pod.spec.containers.map((c) => statusOf(c, 'container'));
    const phase = observed.sandbox || observed.all.length ? podPhase(pod.spec, initContainerStatuses, containerStatuses) : 'Pending';
    const conditions = podConditions(phase, initContainerStatuses, containerStatuses, st.transitions, new Date().toISOString());
    const status: PodRuntimeStatus = { phase, containerStatuses, initContainerStatuses, conditions };
    if (podIP) {
      status.podIP = podIP;
      status.podIPs = [{ ip: podIP }];
    }
    if (this.opts.hostIP) status.hostIP = this.opts.hostIP;
    const startTime = st.startTime ?? (observed.sandbox ? new Date(observed.sandbox.info.Created).toISOString() : undefined);
    if (startTime) status.startTime = startTime;
    const configErr = [...initContainerStatuses, ...containerStatuses].find(
      (s) =>
        s.state?.waiting?.reason &&
        s.state.waiting.reason !== 'ContainerCreating' &&
        s.state.waiting.reason !== 'PodInitializing' &&
        s.state.waiting.reason !== 'CrashLoopBackOff',
    );
    if (phase === 'Pending' && configErr?.state?.waiting) {
      status.reason = configErr.state.waiting.reason;
      status.message = configErr.state.waiting.message;
    }
    return status;
  }

  // ---- termination -------------------------------------------------------------------------------------------

  /** Stops the pod (preStop hooks, SIGTERM, SIGKILL after the grace period) and removes its containers and pod volumes. */
  killPod(pod: Pod, gracePeriodSeconds?: number): Promise<void> {
    const ref = podRef(pod);
    const st = this.state(ref);
    st.terminating = true;
    st.pod = pod;
    this.forget(st);
    const grace = gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    return this.withLock(st, async () => {
      await this.removePod(ref, pod, grace);
      if (this.states.get(ref.uid) === st) this.states.delete(ref.uid);
    });
  }

  private async removePod(ref: PodRef, pod: Pod | undefined, graceSeconds: number): Promise<void> {
    const observed = await this.observe(ref.uid);
    const specs = new Map<string, Container>([...(pod?.spec.initContainers ?? []), ...(pod?.spec.containers ?? [])].map((c) => [c.name, c]));
    const running = observed.all.filter((i) => i.role !== 'sandbox' && i.obs.running);
    await Promise.all(
      running.map((i) =>
        this.stopInstance(pod ?? ({ metadata: {}, spec: { containers: [] }, apiVersion: 'v1', kind: 'Pod' } as Pod), specs.get(i.name), i, graceSeconds).catch(
          () => undefined,
        ),
      ),
    );
    const others = observed.all.filter((i) => i.role !== 'sandbox');
    await Promise.all(
      others.map((i) =>
        this.docker
          .getContainer(i.info.Id)
          .remove({ force: true, v: true })
          .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e))),
      ),
    );
    if (observed.sandbox)
      await this.docker
        .getContainer(observed.sandbox.info.Id)
        .remove({ force: true, v: true })
        .catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
    await this.removePodVolumes(ref.uid);
    await removeSubPathBinds(path.posix.join(this.subPathDir, ref.uid));
  }

  private async removePodVolumes(uid: string): Promise<void> {
    const res = await this.docker.listVolumes({ filters: { label: [`${LABEL.podUid}=${uid}`, `${LABEL.node}=${this.nodeName}`] } });
    await Promise.all(
      (res.Volumes ?? []).map(async (v) => {
        for (let attempt = 0; ; attempt++) {
          try {
            await this.docker.getVolume(v.Name).remove();
            return;
          } catch (e) {
            if (isNotFound(e)) return;
            if (attempt >= 5) throw e;
            await sleep(100 * (attempt + 1));
          }
        }
      }),
    );
  }

  // ---- adoption and garbage collection -----------------------------------------------------------------------

  /** Every pod this node has containers or volumes for, from Docker's labels alone. */
  async listManaged(): Promise<ManagedPod[]> {
    const pods = new Map<string, ManagedPod>();
    const entry = (uid: string, labels: Record<string, string>): ManagedPod => {
      let p = pods.get(uid);
      if (!p) {
        p = { podUid: uid, namespace: labels[LABEL.podNamespace] ?? '', name: labels[LABEL.podName] ?? '', containers: [], volumes: [] };
        pods.set(uid, p);
      }
      return p;
    };
    const list = await this.docker.listContainers({ all: true, filters: { label: [LABEL.node + '=' + this.nodeName, LABEL.podUid] } });
    for (const c of list) {
      const labels = c.Labels ?? {};
      entry(labels[LABEL.podUid], labels).containers.push({
        id: c.Id,
        name: labels[LABEL.containerName] ?? '',
        role: (labels[LABEL.role] as ContainerRole) ?? 'container',
        state: c.State,
        restartCount: Number(labels[LABEL.restartCount] ?? 0),
        previous: (c.Names ?? []).some((n) => n.endsWith(PREVIOUS_SUFFIX)),
      });
    }
    const vols = await this.docker.listVolumes({ filters: { label: [LABEL.node + '=' + this.nodeName, LABEL.podUid] } });
    for (const v of vols.Volumes ?? []) entry(v.Labels[LABEL.podUid], v.Labels).volumes.push(v.Name);
    return [...pods.values()];
  }

  /** Removes the containers and volumes of every pod on this node whose uid is not in `keepUids`. */
  async removeOrphans(keepUids: ReadonlySet<string>, gracePeriodSeconds = 2): Promise<string[]> {
    const removed: string[] = [];
    for (const p of await this.listManaged()) {
      if (keepUids.has(p.podUid)) continue;
      const ref: PodRef = { uid: p.podUid, name: p.name, namespace: p.namespace };
      const st = this.state(ref);
      st.terminating = true;
      this.forget(st);
      await this.withLock(st, () => this.removePod(ref, st.pod, gracePeriodSeconds));
      this.states.delete(p.podUid);
      removed.push(p.podUid);
    }
    // subPath binds of pods whose containers are already gone (removed while the agent was down, or a failed clean-up).
    for (const uid of subPathBindOwners(this.subPathDir)) {
      if (!keepUids.has(uid)) await removeSubPathBinds(path.posix.join(this.subPathDir, uid));
    }
    return removed;
  }

  // ---- logs and exec -----------------------------------------------------------------------------------------

  /**
   * A pod container's current (or kept previous) instances, found by labels rather than by name: containers an
   * older agent made under another name scheme (`legacyContainerName`) are still this pod's after an upgrade.
   */
  private async instancesOf(ref: PodRef, container: string, previous: boolean): Promise<Docker.ContainerInfo[]> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`${LABEL.podUid}=${ref.uid}`, `${LABEL.node}=${this.nodeName}`, `${LABEL.containerName}=${container}`] },
    });
    return list.filter((c) => (c.Names ?? []).some((n) => n.endsWith(PREVIOUS_SUFFIX)) === previous).sort((a, b) => b.Created - a.Created);
  }

  private async instanceId(ref: PodRef, container: string, previous: boolean): Promise<string | undefined> {
    return (await this.instancesOf(ref, container, previous))[0]?.Id;
  }

  /** A container's stdout and stderr as plain text; `previous` reads the last exited instance. */
  async logs(pod: Pod, container: string, opts: LogOptions = {}): Promise<NodeJS.ReadableStream> {
    const ref = podRef(pod);
    const id = await this.instanceId(ref, container, !!opts.previous);
    const handle = this.docker.getContainer(id ?? `${containerName(ref, container)}${opts.previous ? PREVIOUS_SUFFIX : ''}`);
    let info: Docker.ContainerInspectInfo;
    try {
      info = await handle.inspect();
    } catch (e) {
      if (!isNotFound(e)) throw e;
      throw new Error(
        opts.previous
          ? `previous terminated container "${container}" in pod "${ref.name}" not found`
          : `container "${container}" in pod "${ref.name}" is waiting to start: ContainerCreating`,
      );
    }
    const base = {
      stdout: true,
      stderr: true,
      timestamps: !!opts.timestamps,
      tail: opts.tailLines,
      since: opts.sinceSeconds ? Math.floor(Date.now() / 1000) - opts.sinceSeconds : 0,
    };
    const raw: NodeJS.ReadableStream =
      opts.follow && !opts.previous ? await handle.logs({ ...base, follow: true }) : Readable.from([await handle.logs({ ...base, follow: false })]);
    const text: NodeJS.ReadableStream = info.Config.Tty ? raw : raw.pipe(new DockerDemuxer());
    if (opts.limitBytes === undefined) return text;
    const destroy = (): void => (raw as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    return text.pipe(new ByteLimiter(opts.limitBytes, destroy));
  }

  /** Starts a command in a running container (kubectl exec). */
  async exec(pod: Pod, container: string, command: string[], opts: { stdin?: boolean; tty?: boolean } = {}): Promise<ExecSession> {
    const ref = podRef(pod);
    const handle = this.docker.getContainer((await this.instanceId(ref, container, false)) ?? containerName(ref, container));
    const exec = await handle.exec({ Cmd: command, AttachStdin: !!opts.stdin, AttachStdout: true, AttachStderr: true, Tty: !!opts.tty });
    const stream = await exec.start({ hijack: true, stdin: !!opts.stdin, Tty: !!opts.tty });
    const split = opts.tty ? undefined : splitDockerStream(stream);
    const ended = new Promise<void>((resolve) => {
      stream.once('end', () => resolve());
      stream.once('close', () => resolve());
      stream.once('error', () => resolve());
    });
    return {
      stream,
      stdout: split?.stdout ?? stream,
      stderr: split?.stderr,
      resize: async (width, height) => {
        await exec.resize({ w: width, h: height });
      },
      exitCode: async () => {
        await ended;
        for (let i = 0; i < 100; i++) {
          const info = await exec.inspect();
          if (!info.Running) return info.ExitCode ?? -1;
          await sleep(20);
        }
        return -1;
      },
    };
  }
}
