import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod } from '@flotilla/resources';
import { SchedulerCache } from './cache';
import {
  REASON_HOST_PORTS,
  REASON_INSUFFICIENT_CPU,
  REASON_INSUFFICIENT_MEMORY,
  REASON_NODE_AFFINITY,
  REASON_TOO_MANY_PODS,
  REASON_UNSCHEDULABLE,
} from './filters';
import { schedule } from './schedule';
import type { ScheduleResult } from './schedule';
import { boundPod, node, pod } from './testing/fixtures';

/** Schedules `p` onto a one-node cluster already running `existing`; returns the reasons it was refused. */
function refusal(n: Node, p: Pod, existing: Pod[] = []): string[] {
  const cache = new SchedulerCache();
  cache.upsertNode(n);
  for (const e of existing) cache.upsertPod(e);
  const r: ScheduleResult = schedule(p, cache);
  return r.nodeName === null ? Object.keys(r.reasons).sort() : [];
}

describe('node conditions and cordoning', () => {
  it('admits a Ready, schedulable node', () => {
    expect(refusal(node('n1'), pod('p'))).toEqual([]);
  });

  it('refuses a cordoned node', () => {
    expect(refusal(node('n1', { unschedulable: true }), pod('p'))).toEqual([REASON_UNSCHEDULABLE]);
  });

  it('admits a cordoned node for a pod tolerating the unschedulable taint', () => {
    const p = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
    expect(refusal(node('n1', { unschedulable: true }), p)).toEqual([]);
  });

  it('refuses a NotReady node as tainted not-ready', () => {
    expect(refusal(node('n1', { ready: 'False' }), pod('p'))).toEqual(['node(s) had untolerated taint {node.kubernetes.io/not-ready: }']);
  });

  it('refuses an unreachable node as tainted unreachable', () => {
    expect(refusal(node('n1', { ready: 'Unknown' }), pod('p'))).toEqual(['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
  });

  it('admits an unreachable node for a pod tolerating the unreachable taint', () => {
    const p = pod('p', { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] });
    expect(refusal(node('n1', { ready: 'Unknown' }), p)).toEqual([]);
  });

  it('reports only the first filter that refuses a node, as kube-scheduler does', () => {
    expect(refusal(node('n1', { unschedulable: true, ready: 'False', cpu: '1' }), pod('p', { cpu: '2' }))).toEqual([REASON_UNSCHEDULABLE]);
  });
});

describe('taints and tolerations', () => {
  const gpu = node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });

  it('refuses a NoSchedule taint the pod does not tolerate, naming it', () => {
    expect(refusal(gpu, pod('p'))).toEqual(['node(s) had untolerated taint {dedicated: gpu}']);
  });

  it('refuses a NoExecute taint the pod does not tolerate', () => {
    const n = node('n1', { taints: [{ key: 'evict', effect: 'NoExecute' }] });
    expect(refusal(n, pod('p'))).toEqual(['node(s) had untolerated taint {evict: }']);
  });

  it('admits a tolerated taint', () => {
    expect(refusal(gpu, pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }))).toEqual([]);
  });

  it('admits despite a PreferNoSchedule taint (it only lowers the score)', () => {
    expect(refusal(node('n1', { taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] }), pod('p'))).toEqual([]);
  });

  it('admits anything for a pod that tolerates everything', () => {
    expect(refusal(gpu, pod('p', { tolerations: [{ operator: 'Exists' }] }))).toEqual([]);
  });
});

describe('node selector and required node affinity', () => {
  const ssd = node('n1', { labels: { disk: 'ssd', generation: '5' } });
  const withTerms = (terms: NodeSelectorTerm[]): Pod =>
    pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } });

  it('admits a node with every nodeSelector label and refuses one missing a label', () => {
    expect(refusal(ssd, pod('p', { spec: { nodeSelector: { disk: 'ssd' } } }))).toEqual([]);
    expect(refusal(ssd, pod('p', { spec: { nodeSelector: { disk: 'ssd', zone: 'a' } } }))).toEqual([REASON_NODE_AFFINITY]);
  });

  it.each<[string, NodeSelectorRequirement, boolean]>([
    ['In', { key: 'disk', operator: 'In', values: ['hdd', 'ssd'] }, true],
    ['In (no match)', { key: 'disk', operator: 'In', values: ['hdd'] }, false],
    ['NotIn', { key: 'disk', operator: 'NotIn', values: ['hdd'] }, true],
    ['NotIn (match)', { key: 'disk', operator: 'NotIn', values: ['ssd'] }, false],
    ['Exists', { key: 'disk', operator: 'Exists' }, true],
    ['Exists (absent)', { key: 'gpu', operator: 'Exists' }, false],
    ['DoesNotExist', { key: 'gpu', operator: 'DoesNotExist' }, true],
    ['DoesNotExist (present)', { key: 'disk', operator: 'DoesNotExist' }, false],
    ['Gt', { key: 'generation', operator: 'Gt', values: ['4'] }, true],
    ['Gt (equal)', { key: 'generation', operator: 'Gt', values: ['5'] }, false],
    ['Lt', { key: 'generation', operator: 'Lt', values: ['6'] }, true],
    ['Lt (non-numeric label)', { key: 'disk', operator: 'Lt', values: ['6'] }, false],
  ])('matchExpressions %s', (_name, expr, admitted) => {
    expect(refusal(ssd, withTerms([{ matchExpressions: [expr] }]))).toEqual(admitted ? [] : [REASON_NODE_AFFINITY]);
  });

  it('selects by node name with matchFields', () => {
    expect(refusal(ssd, withTerms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]))).toEqual([]);
    expect(refusal(ssd, withTerms([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }]))).toEqual([REASON_NODE_AFFINITY]);
  });

  it('ORs the terms and ANDs the requirements inside a term', () => {
    const hdd: NodeSelectorRequirement = { key: 'disk', operator: 'In', values: ['hdd'] };
    const gen5: NodeSelectorRequirement = { key: 'generation', operator: 'In', values: ['5'] };
    expect(refusal(ssd, withTerms([{ matchExpressions: [hdd] }, { matchExpressions: [gen5] }]))).toEqual([]);
    expect(refusal(ssd, withTerms([{ matchExpressions: [hdd, gen5] }]))).toEqual([REASON_NODE_AFFINITY]);
  });

  it('matches no node with an empty term', () => {
    expect(refusal(ssd, withTerms([{}]))).toEqual([REASON_NODE_AFFINITY]);
  });

  it('requires the nodeSelector and the affinity together', () => {
    const p = withTerms([{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }]);
    p.spec.nodeSelector = { zone: 'a' };
    expect(refusal(ssd, p)).toEqual([REASON_NODE_AFFINITY]);
  });
});

describe('host ports', () => {
  const web = (name: string, hostPort: number, extra: { protocol?: 'TCP' | 'UDP'; hostIP?: string; nodeName?: string } = {}): Pod => {
    const { nodeName, ...port } = extra;
    return pod(name, { nodeName, containers: [{ name: 'web', ports: [{ containerPort: 80, hostPort, ...port }] }] });
  };

  it('refuses a port already bound on the node', () => {
    expect(refusal(node('n1'), web('b', 8080), [web('a', 8080, { nodeName: 'n1' })])).toEqual([REASON_HOST_PORTS]);
  });

  it('admits the same port on another protocol, another address, or a different port', () => {
    const running = web('a', 8080, { hostIP: '10.0.0.1', nodeName: 'n1' });
    expect(refusal(node('n1'), web('b', 8080, { protocol: 'UDP' }), [running])).toEqual([]);
    expect(refusal(node('n1'), web('c', 8080, { hostIP: '10.0.0.2' }), [running])).toEqual([]);
    expect(refusal(node('n1'), web('d', 8081), [running])).toEqual([]);
  });

  it('treats 0.0.0.0 as conflicting with every address', () => {
    expect(refusal(node('n1'), web('b', 8080), [web('a', 8080, { hostIP: '10.0.0.1', nodeName: 'n1' })])).toEqual([REASON_HOST_PORTS]);
  });

  it('frees the port when the pod using it finishes', () => {
    const done = web('a', 8080, { nodeName: 'n1' });
    done.status = { phase: 'Succeeded' };
    expect(refusal(node('n1'), web('b', 8080), [done])).toEqual([]);
  });
});

describe('resources fit', () => {
  it('admits a pod that fits exactly', () => {
    expect(
      refusal(node('n1', { cpu: '1', memory: '1Gi' }), pod('p', { cpu: '300m', memory: '512Mi' }), [boundPod('a', 'n1', { cpu: '700m', memory: '512Mi' })]),
    ).toEqual([]);
  });

  it('refuses when cpu is short', () => {
    expect(refusal(node('n1', { cpu: '1' }), pod('p', { cpu: '300m' }), [boundPod('a', 'n1', { cpu: '800m' })])).toEqual([REASON_INSUFFICIENT_CPU]);
  });

  it('refuses when memory is short', () => {
    expect(refusal(node('n1', { memory: '1Gi' }), pod('p', { memory: '600Mi' }), [boundPod('a', 'n1', { memory: '500Mi' })])).toEqual([
      REASON_INSUFFICIENT_MEMORY,
    ]);
  });

  it('refuses when the node already runs its maximum number of pods', () => {
    expect(refusal(node('n1', { pods: 1 }), pod('p'), [boundPod('a', 'n1')])).toEqual([REASON_TOO_MANY_PODS]);
  });

  it('reports every resource that is short', () => {
    expect(refusal(node('n1', { cpu: '1', memory: '1Gi', pods: 1 }), pod('p', { cpu: '2', memory: '2Gi' }), [boundPod('a', 'n1')])).toEqual([
      REASON_INSUFFICIENT_CPU,
      REASON_INSUFFICIENT_MEMORY,
      REASON_TOO_MANY_PODS,
    ]);
  });

  it('counts the largest init container', () => {
    const p = pod('p', {
      containers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }],
      spec: { initContainers: [{ name: 'init', resources: { requests: { cpu: '3' } } }] },
    });
    expect(refusal(node('n1', { cpu: '2' }), p)).toEqual([REASON_INSUFFICIENT_CPU]);
    expect(refusal(node('n1', { cpu: '3' }), p)).toEqual([]);
  });

  it('admits a pod requesting nothing on a fully requested node', () => {
    expect(refusal(node('n1', { cpu: '1' }), pod('p'), [boundPod('a', 'n1', { cpu: '1' })])).toEqual([]);
  });

  it('does not count pods that Succeeded, Failed or are being deleted', () => {
    const n = node('n1', { cpu: '1' });
    expect(refusal(n, pod('p', { cpu: '1' }), [boundPod('a', 'n1', { cpu: '1', phase: 'Succeeded' })])).toEqual([]);
    expect(refusal(n, pod('p', { cpu: '1' }), [boundPod('a', 'n1', { cpu: '1', phase: 'Failed' })])).toEqual([]);
    expect(refusal(n, pod('p', { cpu: '1' }), [boundPod('a', 'n1', { cpu: '1', deleting: true })])).toEqual([]);
  });
});
