// SIMULATOR: hollow nodes (kubemark-style) for tests, demos and benchmarks. Not a node agent.
//
// Registers N Nodes, renews their Leases, and "runs" the pods bound to them without any container: after a
// delay a pod becomes Running and Ready with a fake, unique IP; a Job pod (restartPolicy Never/OnFailure)
// finishes with Succeeded after another delay; a pod being deleted is removed (gracePeriodSeconds 0). Status
// writes are batched into transactions for throughput.
//
// Control through ordinary objects, so tests can use kubectl:
// - Node annotation `hollow.flotilla.dev/heartbeats: "off"`: the node goes silent (no Lease renewals, no pod
//   updates, as if partitioned); remove the annotation to bring it back.
// - Pod annotation `hollow.flotilla.dev/fail: "true"`: the pod's container exits with code 1 (phase Failed).
import { randomBytes } from 'node:crypto';
import type { Condition, ContainerStatus, KubeObject, Lease, Namespace, Node, Pod } from '@flotilla/resources';
import { resourceFor } from '@flotilla/resources';
import type { ResourceType } from '@flotilla/resources';
import { StoreError, prepareUpdate, resourceKey, timestamp } from '@flotilla/store';
import type { Change, Store, WriteTx } from '@flotilla/store';

export const HEARTBEATS_ANNOTATION = 'hollow.flotilla.dev/heartbeats';
export const FAIL_ANNOTATION = 'hollow.flotilla.dev/fail';
export const HOLLOW_LABEL = 'flotilla.dev/hollow';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface HollowOptions {
  count: number;
  /** Node names are `<prefix>-<i>`. */
  prefix: string;
  /** Bound → Running after this long. */
  startDelayMs: number;
  /** Running → Succeeded for pods that run to completion. */
  jobDurationMs: number;
  /** Lease renewal interval. */
  leaseSeconds: number;
  /** Most status writes per transaction. */
  batchSize?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

function must(group: string, plural: string): ResourceType {
  const t = resourceFor(group, 'v1', plural);
  if (!t) throw new Error(`resource ${plural} is not registered`);
  return t;
}

const NODE = must('', 'nodes');
const POD = must('', 'pods');
const LEASE = must('coordination.k8s.io', 'leases');
const NAMESPACE = must('', 'namespaces');

type WorkKind = 'start' | 'finish' | 'fail' | 'remove';

interface Work {
  kind: WorkKind;
  namespace: string;
  name: string;
  uid: string;
  due: number;
}

/** Lease timestamps are MicroTime: RFC 3339 with microseconds. */
function microTime(d: Date): string {
  return d.toISOString().replace(/Z$/, '000Z');
}

export class HollowNodes {
  readonly names: string[];
  private readonly mine = new Set<string>();
  private readonly silent = new Set<string>();
  private readonly work = new Map<string, Work>();
  private readonly ips = new Map<string, string>();
  private ipCounter = 0;
  private leaseTimer: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private flushing = false;
  private stopped = false;
  private readonly log: NonNullable<HollowOptions['log']>;

  constructor(
    private readonly store: Store,
    private readonly opts: HollowOptions,
  ) {
    this.names = Array.from({ length: opts.count }, (_, i) => `${opts.prefix}-${i}`);
    for (const n of this.names) this.mine.add(n);
    this.log = opts.log ?? (() => undefined);
  }

  async start(): Promise<void> {
    await this.ensureLeaseNamespace();
    await this.register();
    await this.renewLeases();
    this.leaseTimer = setInterval(() => void this.renewLeases(), this.opts.leaseSeconds * 1000);
    this.unsubscribe = this.store.cache.onChange((c) => this.onChange(c));
    for (const e of this.store.cache.list('core/pods')) {
      const pod = e.obj as Pod;
      // A restarted simulator keeps handing out addresses after the ones its pods already have.
      const m = /^10\.(\d+)\.(\d+)\.(\d+)$/.exec(pod.status?.podIP ?? '');
      if (m && pod.spec.nodeName && this.mine.has(pod.spec.nodeName))
        this.ipCounter = Math.max(this.ipCounter, (Number(m[1]) << 16) + (Number(m[2]) << 8) + Number(m[3]));
      this.observe(pod);
    }
    for (const e of this.store.cache.list('core/nodes')) this.observeNode(e.obj as Node);
    this.flushTimer = setInterval(() => void this.flush(), 20);
    this.log('hollow nodes running', { count: this.names.length, prefix: this.opts.prefix });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.unsubscribe?.();
  }

  /** Stops (or resumes) a node's heartbeats and pod handling, as if it were cut off. */
  setSilent(nodeName: string, silent: boolean): void {
    if (silent) this.silent.add(nodeName);
    else this.silent.delete(nodeName);
  }

  private async ensureLeaseNamespace(): Promise<void> {
    if (this.store.cache.get('core/namespaces', '', NODE_LEASE_NAMESPACE)) return;
    const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NODE_LEASE_NAMESPACE } };
    await ignoreExists(() => this.store.create(NAMESPACE, ns, ''));
  }

  private nodeObject(name: string, i: number, now: Date): Node {
    const t = timestamp(now);
    const ready: Condition = {
      type: 'Ready',
      status: 'True',
      reason: 'KubeletReady',
      message: 'hollow node (simulator) is posting ready status',
      lastHeartbeatTime: t,
      lastTransitionTime: t,
    };
    const pressure = (type: string, reason: string): Condition => ({
      type,
      status: 'False',
      reason,
      message: 'hollow node (simulator)',
      lastHeartbeatTime: t,
      lastTransitionTime: t,
    });
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', [HOLLOW_LABEL]: 'true' },
      },
      spec: {},
      status: {
        capacity: { cpu: '4', memory: '16Gi', pods: '110' },
        allocatable: { cpu: '4', memory: '16Gi', pods: '110' },
        conditions: [
          pressure('MemoryPressure', 'KubeletHasSufficientMemory'),
          pressure('DiskPressure', 'KubeletHasNoDiskPressure'),
          pressure('PIDPressure', 'KubeletHasSufficientPID'),
          ready,
        ],
        addresses: [
          { type: 'InternalIP', address: `10.${128 + ((i >> 16) & 63)}.${(i >> 8) & 255}.${i & 255}` },
          { type: 'Hostname', address: name },
        ],
        nodeInfo: {
          kubeletVersion: 'v1.32.0-hollow',
          containerRuntimeVersion: 'hollow://simulator',
          operatingSystem: 'linux',
          architecture: 'amd64',
          osImage: 'Flotilla hollow node (simulator)',
          kernelVersion: '',
          machineID: '',
          systemUUID: '',
          bootID: '',
          kubeProxyVersion: '',
        },
      },
    };
  }

  /**
   * Creates the Nodes that do not exist, then writes every Node's status (Ready), as an agent does at start.
   * Two transactions on purpose: the store cannot yet create and update one object in the same transaction.
   */
  private async register(): Promise<void> {
    const now = new Date();
    for (let i = 0; i < this.names.length; i += 200) {
      const chunk = this.names.slice(i, i + 200);
      await this.store.transaction(async (tx) => {
        for (let j = 0; j < chunk.length; j++) {
          if (await tx.read(NODE, '', chunk[j])) continue;
          await this.store.createIn(tx, NODE, { ...this.nodeObject(chunk[j], i + j, now), status: undefined }, '');
        }
      });
      await this.store.transaction(async (tx) => {
        for (let j = 0; j < chunk.length; j++) {
          const existing = (await tx.read(NODE, '', chunk[j])) as Node | undefined;
          if (!existing) continue;
          const desired = this.nodeObject(chunk[j], i + j, now);
          await this.store.updateIn(tx, NODE, { ...existing, status: { ...(existing.status ?? {}), ...desired.status } }, '', 'status');
        }
      });
    }
  }

  private async renewLeases(): Promise<void> {
    if (this.stopped) return;
    const now = new Date();
    const alive = this.names.filter((n) => !this.silent.has(n));
    try {
      for (let i = 0; i < alive.length; i += 250) {
        const chunk = alive.slice(i, i + 250);
        await this.store.transaction(async (tx) => {
          for (const name of chunk) {
            const lease = (await tx.read(LEASE, NODE_LEASE_NAMESPACE, name)) as Lease | undefined;
            const spec = { holderIdentity: name, leaseDurationSeconds: Math.ceil(this.opts.leaseSeconds * 4), renewTime: microTime(now) };
            if (!lease) {
              const obj: Lease = {
                apiVersion: 'coordination.k8s.io/v1',
                kind: 'Lease',
                metadata: { name, namespace: NODE_LEASE_NAMESPACE },
                spec: { ...spec, acquireTime: microTime(now) },
              };
              await this.store.createIn(tx, LEASE, obj, NODE_LEASE_NAMESPACE);
            } else {
              await this.store.updateIn(tx, LEASE, { ...lease, spec: { ...lease.spec, ...spec } }, NODE_LEASE_NAMESPACE);
            }
          }
        });
      }
    } catch (err) {
      this.log('lease renewal failed', { error: (err as Error).message });
    }
  }

  private onChange(c: Change): void {
    if (c.resource === 'core/nodes' && c.type !== 'DELETED') this.observeNode(c.obj as Node);
    if (c.resource !== 'core/pods') return;
    if (c.type === 'DELETED') {
      this.work.delete(`${c.namespace}/${c.name}`);
      this.ips.delete(c.obj.metadata.uid ?? '');
      return;
    }
    this.observe(c.obj as Pod);
  }

  private observeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    if (!this.mine.has(name)) return;
    this.setSilent(name, node.metadata.annotations?.[HEARTBEATS_ANNOTATION] === 'off');
  }

  /** Decides what happens next to a pod bound to one of our nodes. */
  private observe(pod: Pod): void {
    const nodeName = pod.spec.nodeName;
    if (!nodeName || !this.mine.has(nodeName)) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const uid = pod.metadata.uid ?? '';
    const now = Date.now();
    const phase = pod.status?.phase ?? 'Pending';
    let next: Work | undefined;
    if (pod.metadata.deletionTimestamp) next = { kind: 'remove', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid, due: now };
    else if (phase === 'Pending')
      next = { kind: 'start', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid, due: now + this.opts.startDelayMs };
    else if (phase === 'Running' && pod.metadata.annotations?.[FAIL_ANNOTATION] === 'true')
      next = { kind: 'fail', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid, due: now };
    else if (phase === 'Running' && (pod.spec.restartPolicy === 'Never' || pod.spec.restartPolicy === 'OnFailure'))
      next = { kind: 'finish', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid, due: now + this.opts.jobDurationMs };
    const existing = this.work.get(key);
    if (!next) {
      this.work.delete(key);
      return;
    }
    // Keep an earlier due time for the same step (a status echo must not postpone it).
    if (existing && existing.kind === next.kind && existing.uid === uid) return;
    this.work.set(key, next);
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.stopped || this.work.size === 0) return;
    this.flushing = true;
    try {
      const now = Date.now();
      const due: Work[] = [];
      for (const w of this.work.values()) {
        if (w.due > now) continue;
        due.push(w);
        if (due.length >= (this.opts.batchSize ?? 500)) break;
      }
      if (due.length === 0) return;
      await this.store.transaction(async (tx) => {
        const pods = await tx.lockPods(due);
        const now = new Date();
        for (const w of due) await this.apply(tx, w, pods.get(`${w.namespace}/${w.name}`), now);
      });
      for (const w of due) {
        const key = `${w.namespace}/${w.name}`;
        if (this.work.get(key) === w) this.work.delete(key);
      }
    } catch (err) {
      this.log('hollow status batch failed; retrying', { error: (err as Error).message });
    } finally {
      this.flushing = false;
    }
  }

  /** One pod transition inside the batch transaction; false when the pod moved on meanwhile. */
  private async apply(tx: WriteTx, w: Work, pod: Pod | undefined, now: Date): Promise<boolean> {
    if (!pod || pod.metadata.uid !== w.uid) return false;
    const nodeName = pod.spec.nodeName ?? '';
    if (this.silent.has(nodeName)) {
      // A silent node does nothing; try again once it is back.
      this.work.set(`${w.namespace}/${w.name}`, { ...w, due: Date.now() + 500 });
      return false;
    }
    if (w.kind === 'remove') {
      if (!pod.metadata.deletionTimestamp) return false;
      await this.store.deleteIn(tx, POD, w.namespace, w.name, { gracePeriodSeconds: 0, preconditions: { uid: w.uid } });
      return true;
    }
    if (pod.metadata.deletionTimestamp) return false;
    const t = timestamp(now);
    const status = { ...(pod.status ?? {}) };
    if (w.kind === 'start') {
      if ((status.phase ?? 'Pending') !== 'Pending') return false;
      status.phase = 'Running';
      status.hostIP = nodeIp(this.store, nodeName);
      status.podIP = this.ipFor(pod.metadata.uid ?? '');
      status.podIPs = [{ ip: status.podIP }];
      status.startTime = t;
      status.conditions = mergeConditions(status.conditions, [
        { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: t },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
      ]);
      status.containerStatuses = pod.spec.containers.map((c): ContainerStatus => ({
        name: c.name,
        image: c.image ?? '',
        imageID: `hollow://${c.image ?? ''}`,
        containerID: `hollow://${randomBytes(16).toString('hex')}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: t } },
      }));
    } else {
      if (status.phase !== 'Running') return false;
      const ok = w.kind === 'finish';
      status.phase = ok ? 'Succeeded' : 'Failed';
      status.conditions = mergeConditions(status.conditions, [
        { type: 'Ready', status: 'False', reason: ok ? 'PodCompleted' : 'PodFailed', lastProbeTime: null, lastTransitionTime: t },
        { type: 'ContainersReady', status: 'False', reason: ok ? 'PodCompleted' : 'PodFailed', lastProbeTime: null, lastTransitionTime: t },
      ]);
      status.containerStatuses = (status.containerStatuses ?? []).map((s) => {
        const started = s.state?.running?.startedAt ?? t;
        return {
          ...s,
          ready: false,
          started: false,
          state: { terminated: { exitCode: ok ? 0 : 1, reason: ok ? 'Completed' : 'Error', startedAt: started, finishedAt: t, containerID: s.containerID } },
        } as ContainerStatus;
      });
    }
    // The pod row is already locked and read (tx.lockPods): queue the status write without reading it again.
    const next = prepareUpdate(POD, pod, { ...pod, status } as KubeObject, 'status');
    if (next) tx.queue({ op: 'update', type: 'MODIFIED', resource: resourceKey(POD), namespace: w.namespace, name: w.name, obj: next });
    return true;
  }

  private ipFor(uid: string): string {
    let ip = this.ips.get(uid);
    if (!ip) {
      const n = ++this.ipCounter;
      ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
      this.ips.set(uid, ip);
    }
    return ip;
  }
}

function nodeIp(store: Store, nodeName: string): string {
  const node = store.cache.get('core/nodes', '', nodeName)?.obj as Node | undefined;
  return node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
}

function mergeConditions(current: Condition[] | undefined, next: Condition[]): Condition[] {
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  for (const c of next) {
    const old = byType.get(c.type);
    byType.set(c.type, old && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c);
  }
  return [...byType.values()];
}

async function ignoreExists(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof StoreError && err.reason === 'AlreadyExists')) throw err;
  }
}
