// Builders for the scheduler specs: small, readable nodes and pods with only what a test cares about.
import type { Container, Node, OwnerReference, Pod, PodPhase, PodSpec, Taint, Toleration } from '@flotilla/resources';

export interface NodeFixture {
  cpu?: string;
  memory?: string;
  pods?: number;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown' | null;
}

export function node(name: string, f: NodeFixture = {}): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...f.labels } },
    spec: { unschedulable: f.unschedulable, taints: f.taints },
    status: {
      allocatable: { cpu: f.cpu ?? '4', memory: f.memory ?? '8Gi', pods: f.pods ?? 110 },
      conditions: f.ready === null ? [] : [{ type: 'Ready', status: f.ready ?? 'True' }],
    },
  };
}

export interface PodFixture {
  cpu?: string;
  memory?: string;
  nodeName?: string;
  phase?: PodPhase;
  owner?: string;
  tolerations?: Toleration[];
  spec?: Partial<PodSpec>;
  containers?: Container[];
  deleting?: boolean;
}

let seq = 0;

export function pod(name: string, f: PodFixture = {}): Pod {
  const requests: Record<string, string> = {};
  if (f.cpu) requests.cpu = f.cpu;
  if (f.memory) requests.memory = f.memory;
  const owner: OwnerReference[] | undefined = f.owner
    ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: f.owner, uid: `uid-${f.owner}`, controller: true }]
    : undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}-${++seq}`,
      ownerReferences: owner,
      deletionTimestamp: f.deleting ? '2024-01-01T00:00:00Z' : undefined,
    },
    spec: {
      containers: f.containers ?? [{ name: 'app', image: 'nginx', resources: { requests } }],
      nodeName: f.nodeName,
      tolerations: f.tolerations,
      ...f.spec,
    },
    status: { phase: f.phase ?? (f.nodeName ? 'Running' : 'Pending') },
  };
}

/** A pod already running on a node, as the cache learns of it from the API. */
export function boundPod(name: string, nodeName: string, f: PodFixture = {}): Pod {
  return pod(name, { ...f, nodeName });
}

/** An rng that always returns the same value, so ties resolve the same way every run. */
export function fixedRng(value = 0.5): () => number {
  return () => value;
}
