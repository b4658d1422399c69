// What a pod asks of a node: cpu, memory, host ports and the controller it belongs to.
import type { Container, Pod, ResourceList } from '@flotilla/resources';
import { milliValue, wholeValue } from '@flotilla/resources';

/** A pod's effective requests, in cores and bytes. */
export interface PodRequests {
  cpu: number;
  memory: number;
  pods: 1;
}

/** The same, in the integer units the cache sums (millicores, bytes). */
export interface PodDemand {
  milliCpu: number;
  memory: number;
  /** With the scheduler's defaults for containers that request nothing; only scoring uses these. */
  nonZeroMilliCpu: number;
  nonZeroMemory: number;
}

export interface HostPort {
  protocol: string;
  port: number;
  /** '0.0.0.0' when the pod did not name an address (binds every address). */
  ip: string;
}

/** kube-scheduler's assumption for a container without requests, so best-effort pods still spread. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export const ANY_IP = '0.0.0.0';

function requested(list: ResourceList | undefined, limits: ResourceList | undefined, name: string): string | number | undefined {
  // API defaulting copies a limit into an unset request; do the same for objects that skipped it.
  const r = list?.[name];
  return r !== undefined ? r : limits?.[name];
}

interface ContainerDemand {
  milliCpu: number;
  memory: number;
  nonZeroMilliCpu: number;
  nonZeroMemory: number;
}

function containerDemand(c: Container): ContainerDemand {
  const cpu = requested(c.resources?.requests, c.resources?.limits, 'cpu');
  const mem = requested(c.resources?.requests, c.resources?.limits, 'memory');
  const milliCpu = cpu === undefined ? 0 : milliValue(cpu);
  const memory = mem === undefined ? 0 : wholeValue(mem);
  return {
    milliCpu,
    memory,
    nonZeroMilliCpu: cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : milliCpu,
    nonZeroMemory: mem === undefined ? DEFAULT_MEMORY_REQUEST : memory,
  };
}

/**
 * Kubernetes' pod request rule: app containers run together, init containers one at a time before
 * them, so a pod needs max(sum of app containers, largest init container) of each resource.
 * Sidecars (init containers with restartPolicy Always) keep running, so they add to everything
 * that starts after them.
 */
export function podDemand(pod: Pod): PodDemand {
  const app = { milliCpu: 0, memory: 0, nonZeroMilliCpu: 0, nonZeroMemory: 0 };
  for (const c of pod.spec.containers ?? []) addInto(app, containerDemand(c));
  const sidecars = { milliCpu: 0, memory: 0, nonZeroMilliCpu: 0, nonZeroMemory: 0 };
  const init = { milliCpu: 0, memory: 0, nonZeroMilliCpu: 0, nonZeroMemory: 0 };
  for (const c of pod.spec.initContainers ?? []) {
    const d = containerDemand(c);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, d);
      maxInto(init, sidecars);
    } else {
      maxInto(init, {
        milliCpu: d.milliCpu + sidecars.milliCpu,
        memory: d.memory + sidecars.memory,
        nonZeroMilliCpu: d.nonZeroMilliCpu + sidecars.nonZeroMilliCpu,
        nonZeroMemory: d.nonZeroMemory + sidecars.nonZeroMemory,
      });
    }
  }
  addInto(app, sidecars);
  maxInto(app, init);
  return app;
}

function addInto(into: ContainerDemand, d: ContainerDemand): void {
  into.milliCpu += d.milliCpu;
  into.memory += d.memory;
  into.nonZeroMilliCpu += d.nonZeroMilliCpu;
  into.nonZeroMemory += d.nonZeroMemory;
}

function maxInto(into: ContainerDemand, d: ContainerDemand): void {
  into.milliCpu = Math.max(into.milliCpu, d.milliCpu);
  into.memory = Math.max(into.memory, d.memory);
  into.nonZeroMilliCpu = Math.max(into.nonZeroMilliCpu, d.nonZeroMilliCpu);
  into.nonZeroMemory = Math.max(into.nonZeroMemory, d.nonZeroMemory);
}

/** A pod's effective cpu (cores) and memory (bytes) requests, as the resources filter counts them. */
export function podRequests(pod: Pod): PodRequests {
  const d = podDemand(pod);
  return { cpu: d.milliCpu / 1000, memory: d.memory, pods: 1 };
}

/** The host ports a pod binds: declared hostPorts, or every containerPort under hostNetwork. */
export function podHostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const collect = (c: Container): void => {
    for (const p of c.ports ?? []) {
      const port = p.hostPort ?? (pod.spec.hostNetwork ? p.containerPort : 0);
      if (!port || port <= 0) continue;
      out.push({ protocol: p.protocol ?? 'TCP', port, ip: p.hostIP || ANY_IP });
    }
  };
  for (const c of pod.spec.containers ?? []) collect(c);
  for (const c of pod.spec.initContainers ?? []) if (c.restartPolicy === 'Always') collect(c);
  return out;
}

/** The uid of the pod's controlling owner (its ReplicaSet, Job, ...), if any. */
export function controllerUid(pod: Pod): string | undefined {
  const refs = pod.metadata.ownerReferences;
  if (!refs) return undefined;
  for (const r of refs) if (r.controller) return r.uid;
  return undefined;
}
