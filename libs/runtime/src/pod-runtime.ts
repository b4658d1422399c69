// What the node agent needs from a container runtime. The agent is written against this interface only;
// Docker (DockerRuntime) is one implementation. Pods are Kubernetes pods; the runtime is level-triggered:
// each call reads what runs and moves it one step towards the pod's spec.
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from '@flotilla/resources';
import type { EngineGarbage, EngineKeep } from './engine-gc';
import type { DataResolver } from './env';
import type { ContainerRole, PodRef } from './labels';
import type { PodRuntimeStatus } from './pod-status';
import type { PodEvent } from './sandbox-change';

export interface ManagedContainer {
  id: string;
  /** The Kubernetes container name (`POD` for the sandbox). */
  name: string;
  role: ContainerRole;
  /** The runtime's state: created, running, exited, … */
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

/** One container instance of a pod on this node, with the pod it belongs to. */
export interface ContainerInstance extends ManagedContainer {
  podUid: string;
  podNamespace: string;
  podName: string;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
}

export type OutputStream = 'stdout' | 'stderr';

/** An instance's output being followed. */
export interface InstanceLogFollow {
  /** Settles when the output ends: the instance stopped, or the connection to the runtime broke. */
  ended: Promise<void>;
  stop(): void;
}

export interface ExecSession {
  /** The command's connection: write stdin here; for a tty it also carries the raw output. */
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

/** The machine the runtime runs containers on, for the Node's capacity and nodeInfo. */
export interface RuntimeInfo {
  cpus: number;
  memoryBytes: number;
  /** `<runtime>://<version>`, as Kubernetes' containerRuntimeVersion. */
  runtimeVersion: string;
  osImage: string;
  /** `linux`, … (empty when the runtime does not say). */
  osType: string;
  /** The runtime's architecture name (`x86_64`, `aarch64`, …). */
  architecture: string;
  kernelVersion: string;
  /** Where the runtime keeps images and volumes on the host (its disk pressure is this file system's). */
  rootDir: string;
}

/** One Service's proxy as the runtime runs it (ClusterIP by name; see the agent's services-proxy.ts). */
export interface ServiceProxyInstance {
  id: string;
  /** The name the agent gave it (one per Service and node). */
  name: string;
  namespace: string;
  service: string;
  /** The image it runs, by id: a rebuilt image means a new proxy. */
  imageId: string;
  running: boolean;
}

export interface ServiceProxySpec {
  name: string;
  image: string;
  namespace: string;
  service: string;
  /** Host directory with the proxy's configuration, mounted read-only at `configMountPath`. */
  configDir: string;
  configMountPath: string;
  env: Record<string, string>;
  /** The names the proxy answers to on its namespace's network. */
  aliases: string[];
}

export interface PodRuntime {
  readonly nodeName: string;

  // ---- pods
  /** Moves the pod one step towards its spec (sandbox, init containers, start/restart containers); its status after. */
  syncPod(pod: Pod, resolve: DataResolver): Promise<PodRuntimeStatus>;
  /** The pod's status as the runtime reports it now, without changing anything. */
  podStatus(pod: Pod): Promise<PodRuntimeStatus>;
  /** Stops the pod (preStop hooks, SIGTERM, SIGKILL after the grace period) and removes its containers and pod volumes. */
  killPod(pod: Pod, gracePeriodSeconds?: number): Promise<void>;
  /** Every pod this node has containers or volumes for. */
  listManaged(): Promise<ManagedPod[]>;
  /** Removes the containers and volumes of every pod on this node whose uid is not in `keepUids`; the uids removed. */
  removeOrphans(keepUids: ReadonlySet<string>, gracePeriodSeconds?: number): Promise<string[]>;
  /** Networks and volumes of this node that nothing uses (and claims that are gone). */
  removeUnusedEngineObjects(keep: EngineKeep): Promise<EngineGarbage>;
  /** The claims whose volumes this node holds. */
  claimVolumes(): Promise<{ namespace: string; claim: string }[]>;

  // ---- streams
  /** A container's stdout and stderr as plain text; `previous` reads the last exited instance. */
  logs(pod: Pod, container: string, opts?: LogOptions): Promise<NodeJS.ReadableStream>;
  /** Starts a command in a running container (kubectl exec); ContainerNotFoundError, ContainerNotRunningError. */
  exec(pod: Pod, container: string, command: string[], opts?: { stdin?: boolean; tty?: boolean }): Promise<ExecSession>;
  /** A connection to the pod's `port` (kubectl port-forward), connecting when returned; the pod must have an IP. */
  portForward(pod: Pod, port: number): Socket;
  /** Every pod container instance on this node, sandboxes included. */
  listInstances(): Promise<ContainerInstance[]>;
  /** Follows an instance's timestamped output from `sinceSeconds` (Unix time, 0: all), piece by piece. */
  followInstanceLogs(id: string, sinceSeconds: number, output: (stream: OutputStream, data: Buffer) => void): Promise<InstanceLogFollow>;
  /** Whether the instance runs; undefined when it is gone. */
  instanceRunning(id: string): Promise<boolean | undefined>;

  // ---- the runtime itself
  info(): Promise<RuntimeInfo>;
  /** Resolves when the runtime answers. */
  ping(): Promise<void>;
  /** Called whenever the runtime itself re-synced a pod (a container exited, a probe flipped, a back-off ended). */
  onPodStatus(listener: PodStatusListener): () => void;
  /** Called with the Events a pod's sync produced (SandboxChanged), for the agent to record. */
  onPodEvent(listener: PodEventListener): () => void;
  /** Called when the runtime answers again after being away: what it ran must be checked at once. */
  onEngineBack(listener: () => void): () => void;
  /** Stops probes, timers and event streams; leaves containers running. */
  close(): Promise<void>;

  // ---- service proxies
  listServiceProxies(): Promise<ServiceProxyInstance[]>;
  /** The id of a local image; rejects when the image is missing. */
  imageId(image: string): Promise<string>;
  /** Creates and starts a proxy on its namespace's network. */
  createServiceProxy(spec: ServiceProxySpec): Promise<void>;
  startServiceProxy(id: string): Promise<void>;
  removeServiceProxy(id: string): Promise<void>;
}
