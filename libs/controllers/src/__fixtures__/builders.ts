// Builders for the controller specs: small objects carrying only what a test cares about.
import type {
  Condition,
  Deployment,
  DeploymentStrategy,
  KubeObject,
  Labels,
  Lease,
  Node,
  Pod,
  PodPhase,
  PodTemplateSpec,
  ReplicaSet,
  Service,
  ServicePort,
} from '@flotilla/resources';
import { controllerRefTo, formatTime } from '../actions';
import type { Action } from '../actions';

export const NS = 'default';
export const T0 = new Date('2024-05-01T12:00:00Z');

export function at(seconds: number): Date {
  return new Date(T0.getTime() + seconds * 1000);
}

/** A deterministic newName(): five lower-case characters, a fresh one per call. */
export function names(): () => string {
  let i = 0;
  return () => {
    let n = i++;
    let s = '';
    for (let k = 0; k < 5; k++) {
      s = 'abcdefghijklmnopqrstuvwxyz'[n % 26] + s;
      n = Math.floor(n / 26);
    }
    return s;
  };
}

let uidSeq = 0;
export function uid(prefix: string): string {
  return `${prefix}-uid-${++uidSeq}`;
}

export function template(image = 'nginx:1.25', labels: Labels = { app: 'web' }): PodTemplateSpec {
  return { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'app', image }] } };
}

export interface ReplicaSetFixture {
  replicas?: number;
  labels?: Labels;
  template?: PodTemplateSpec;
  generation?: number;
  minReadySeconds?: number;
  owner?: KubeObject;
  status?: ReplicaSet['status'];
  annotations?: Record<string, string>;
  created?: Date;
  deleting?: boolean;
}

export function replicaSet(name: string, f: ReplicaSetFixture = {}): ReplicaSet {
  const labels = f.labels ?? { app: 'web' };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: NS,
      uid: uid(name),
      resourceVersion: '1',
      generation: f.generation ?? 1,
      labels: { ...labels },
      annotations: f.annotations,
      creationTimestamp: formatTime(f.created ?? T0),
      ownerReferences: f.owner ? [controllerRefTo(f.owner)] : undefined,
      deletionTimestamp: f.deleting ? formatTime(T0) : undefined,
    },
    spec: {
      replicas: f.replicas ?? 3,
      minReadySeconds: f.minReadySeconds,
      selector: { matchLabels: { ...labels } },
      template: f.template ?? template('nginx:1.25', labels),
    },
    status: f.status,
  };
}

export interface PodFixture {
  labels?: Labels;
  owner?: KubeObject;
  phase?: PodPhase;
  /** Ready since this time (true: since T0 - 1h). */
  ready?: boolean | Date;
  nodeName?: string;
  restarts?: number;
  created?: Date;
  deleting?: boolean;
  ip?: string;
  containerPorts?: { name: string; containerPort: number }[];
}

export function pod(name: string, f: PodFixture = {}): Pod {
  const conditions: Condition[] = [];
  if (f.ready) {
    const since = f.ready === true ? at(-3600) : f.ready;
    conditions.push({ type: 'Ready', status: 'True', lastTransitionTime: formatTime(since) });
  } else if (f.ready === false) {
    conditions.push({ type: 'Ready', status: 'False', lastTransitionTime: formatTime(T0) });
  }
  const running = f.phase ?? (f.ready ? 'Running' : 'Pending');
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: uid(name),
      resourceVersion: '1',
      labels: { ...(f.labels ?? { app: 'web' }) },
      creationTimestamp: formatTime(f.created ?? at(-7200)),
      ownerReferences: f.owner ? [controllerRefTo(f.owner)] : undefined,
      deletionTimestamp: f.deleting ? formatTime(T0) : undefined,
    },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.25', ports: f.containerPorts }],
      nodeName: f.nodeName ?? (running === 'Pending' ? undefined : 'node-1'),
    },
    status: {
      phase: running,
      conditions,
      podIP: f.ip,
      containerStatuses: f.restarts !== undefined ? [{ name: 'app', ready: !!f.ready, restartCount: f.restarts, image: 'nginx:1.25' }] : undefined,
    },
  };
}

export interface DeploymentFixture {
  replicas?: number;
  image?: string;
  labels?: Labels;
  strategy?: DeploymentStrategy;
  paused?: boolean;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  minReadySeconds?: number;
  annotations?: Record<string, string>;
}

export function deployment(name: string, f: DeploymentFixture = {}): Deployment {
  const labels = f.labels ?? { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: NS,
      uid: uid(name),
      resourceVersion: '1',
      generation: 1,
      annotations: f.annotations,
      creationTimestamp: formatTime(at(-86400)),
    },
    spec: {
      replicas: f.replicas ?? 3,
      selector: { matchLabels: { ...labels } },
      template: template(f.image ?? 'nginx:1.25', labels),
      strategy: f.strategy,
      paused: f.paused,
      revisionHistoryLimit: f.revisionHistoryLimit,
      progressDeadlineSeconds: f.progressDeadlineSeconds,
      minReadySeconds: f.minReadySeconds,
    },
  };
}

export function service(name: string, selector: Labels | undefined, ports: ServicePort[], extra: Partial<Service['spec']> = {}): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, uid: uid(name), resourceVersion: '1', labels: { team: 'shop' } },
    spec: { selector, ports, clusterIP: '10.96.0.10', ...extra },
  };
}

// ---- Reading plans ---------------------------------------------------------------------------

export function ofType<T extends Action['type']>(actions: Action[], type: T): Extract<Action, { type: T }>[] {
  return actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);
}

export function eventMessages(actions: Action[]): string[] {
  return ofType(actions, 'event').map((a) => `${a.event.reason}: ${a.event.message}`);
}

/** Actions that change stored state (events and requeues excluded). */
export function writes(actions: Action[]): Action[] {
  return actions.filter((a) => a.type !== 'event' && a.type !== 'requeueAfter');
}

export interface NodeFixture {
  /** Taints as the node controller writes them (added at this time). */
  unreachableSince?: Date;
  ready?: Condition['status'];
  readyReason?: string;
}

export function node(name: string, f: NodeFixture = {}): Node {
  const t = f.unreachableSince && formatTime(f.unreachableSince);
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: uid(name), resourceVersion: '1', creationTimestamp: formatTime(at(-86_400)) },
    spec: {
      taints: t
        ? [
            { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: t },
            { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: t },
          ]
        : undefined,
    },
    status: {
      conditions: [{ type: 'Ready', status: f.ready ?? 'True', reason: f.readyReason ?? 'KubeletReady', lastTransitionTime: formatTime(at(-86_400)) }],
    },
  };
}

/** A node's Lease in kube-node-lease, last renewed at `renewed`. */
export function lease(nodeName: string, renewed: Date): Lease {
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: nodeName, namespace: 'kube-node-lease' },
    spec: { holderIdentity: nodeName, renewTime: new Date(renewed).toISOString() },
  };
}
