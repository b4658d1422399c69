// Micro-benchmark: 10,000 pods onto 1,000 nodes. Logs the time; asserts only correctness (no timing
// assertions in this project), so it can run in CI on any machine.
import type { Node, Pod } from '@flotilla/resources';
import { SchedulerCache } from './cache';
import { podRequests } from './requests';
import { schedule } from './schedule';
import { node, pod } from './testing/fixtures';

const NODES = 1000;
const PODS = 10_000;

function buildCluster(): Node[] {
  const nodes: Node[] = [];
  for (let i = 0; i < NODES; i++) {
    nodes.push(
      node(`node-${i}`, {
        cpu: '4',
        memory: '8Gi',
        pods: 110,
        labels: { zone: `zone-${i % 3}` },
        // A few cordoned and dedicated nodes, so filters reject something on every pass.
        unschedulable: i % 100 === 0,
        taints: i % 50 === 1 ? [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] : undefined,
      }),
    );
  }
  return nodes;
}

function buildPods(): Pod[] {
  const pods: Pod[] = [];
  for (let i = 0; i < PODS; i++) {
    const big = i % 10 === 0;
    pods.push(
      pod(`web-${i}`, {
        owner: `rs-${i % 20}`,
        cpu: big ? '500m' : '100m',
        memory: big ? '1Gi' : '128Mi',
        spec: i % 7 === 0 ? { nodeSelector: { zone: 'zone-1' } } : undefined,
      }),
    );
  }
  return pods;
}

describe('scheduler benchmark', () => {
  it('places 10,000 pods on 1,000 nodes without overcommitting any node', () => {
    const nodes = buildCluster();
    const pods = buildPods();
    const cache = new SchedulerCache();
    for (const n of nodes) cache.upsertNode(n);

    const placements: string[] = [];
    const started = process.hrtime.bigint();
    for (const p of pods) {
      const r = schedule(p, cache);
      if (r.nodeName === null) throw new Error(`pod ${p.metadata.name} not placed: ${r.message}`);
      cache.assume(p, r.nodeName);
      placements.push(r.nodeName);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(
      `scheduled ${PODS} pods on ${NODES} nodes in ${ms.toFixed(0)} ms: ${((ms * 1000) / PODS).toFixed(1)} µs/pod, ${Math.round((PODS / ms) * 1000)} pods/s`,
    );

    expect(placements).toHaveLength(PODS);
    // Recount independently of the cache's own bookkeeping.
    const used = new Map<string, { cpu: number; memory: number; pods: number }>();
    placements.forEach((name, i) => {
      const r = podRequests(pods[i]);
      const u = used.get(name) ?? { cpu: 0, memory: 0, pods: 0 };
      used.set(name, { cpu: u.cpu + r.cpu, memory: u.memory + r.memory, pods: u.pods + 1 });
    });
    const byName = new Map(nodes.map((n) => [n.metadata.name!, n]));
    for (const [name, u] of used) {
      const n = byName.get(name)!;
      expect(n.spec.unschedulable).toBeFalsy();
      expect(n.spec.taints).toBeUndefined();
      expect(u.cpu).toBeLessThanOrEqual(4 + 1e-9);
      expect(u.memory).toBeLessThanOrEqual(8 * 1024 ** 3);
      expect(u.pods).toBeLessThanOrEqual(110);
      expect(cache.nodeInfo(name)?.requested.pods).toBe(u.pods);
    }
    placements.forEach((name, i) => {
      if (pods[i].spec.nodeSelector) expect(byName.get(name)!.metadata.labels!.zone).toBe('zone-1');
    });
  });
});
