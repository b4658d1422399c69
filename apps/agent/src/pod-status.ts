// Turns what the runtime observed into the PodStatus Kubernetes would write, keeping what the API already
// holds where nothing changed (transition times, startTime, qosClass) so a re-sync writes nothing.
import type { Condition, ContainerStatus, Pod, PodStatus } from '@flotilla/resources';
import type { PodRuntimeStatus } from '@flotilla/runtime';
import { k8sTime, toK8sTime } from './time';

export type FullPodStatus = PodStatus & { hostIPs?: { ip: string }[]; qosClass?: string };

function normState(s: ContainerStatus['state']): ContainerStatus['state'] {
  if (!s) return s;
  if (s.running) return { running: { startedAt: toK8sTime(s.running.startedAt) } };
  if (s.terminated) {
    const t = s.terminated;
    const out: NonNullable<NonNullable<ContainerStatus['state']>['terminated']> = { exitCode: t.exitCode };
    if (t.signal !== undefined) out.signal = t.signal;
    if (t.reason) out.reason = t.reason;
    if (t.message) out.message = t.message;
    const startedAt = toK8sTime(t.startedAt);
    const finishedAt = toK8sTime(t.finishedAt);
    if (startedAt) out.startedAt = startedAt;
    if (finishedAt) out.finishedAt = finishedAt;
    if (t.containerID) out.containerID = t.containerID;
    return { terminated: out };
  }
  if (s.waiting)
    return { waiting: { ...(s.waiting.reason ? { reason: s.waiting.reason } : {}), ...(s.waiting.message ? { message: s.waiting.message } : {}) } };
  return {};
}

function normContainer(c: ContainerStatus): ContainerStatus {
  const out: ContainerStatus = {
    name: c.name,
    state: normState(c.state),
    lastState: normState(c.lastState) ?? {},
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID ?? '',
    started: c.started ?? false,
  };
  if (c.containerID) out.containerID = c.containerID;
  return out;
}

function condition(type: string, ok: boolean, previous: Condition[] | undefined, now: string, reason?: string, message?: string): Condition {
  const status: Condition['status'] = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  const c: Condition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
  };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

/** PodStatus for `pod` from the runtime's report; hostIP is the node's address. */
export function buildPodStatus(pod: Pod, rs: PodRuntimeStatus, hostIP: string, now = new Date()): FullPodStatus {
  const prev = pod.status as FullPodStatus | undefined;
  const t = k8sTime(now);
  const prevConds = prev?.conditions;
  const fromRuntime = (type: string): Condition | undefined => rs.conditions.find((c) => c.type === type);
  const rc = (type: string): Condition => {
    const r = fromRuntime(type);
    return condition(type, r?.status === 'True', prevConds, t, r?.reason, r?.message);
  };
  const conditions: Condition[] = [
    condition('PodReadyToStartContainers', !!rs.podIP, prevConds, t),
    rc('Initialized'),
    rc('Ready'),
    rc('ContainersReady'),
    condition('PodScheduled', true, prevConds, t),
  ];
  const status: FullPodStatus = {
    phase: rs.phase,
    conditions,
    hostIP,
    hostIPs: [{ ip: hostIP }],
  };
  if (rs.podIP) {
    status.podIP = rs.podIP;
    status.podIPs = rs.podIPs ?? [{ ip: rs.podIP }];
  } else if (prev?.podIP && (rs.phase === 'Succeeded' || rs.phase === 'Failed')) {
    // kubelet keeps the IP a finished pod had.
    status.podIP = prev.podIP;
    status.podIPs = prev.podIPs ?? [{ ip: prev.podIP }];
  }
  const startTime = prev?.startTime ?? toK8sTime(rs.startTime) ?? t;
  status.startTime = startTime;
  if (rs.reason) status.reason = rs.reason;
  if (rs.message) status.message = rs.message;
  if ((pod.spec.initContainers ?? []).length) status.initContainerStatuses = rs.initContainerStatuses.map(normContainer);
  status.containerStatuses = rs.containerStatuses.map(normContainer);
  if (prev?.qosClass) status.qosClass = prev.qosClass;
  return status;
}

/** Key-order-insensitive equality of two JSON values. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as Record<string, unknown>;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(o).sort()) if (o[k] !== undefined) sorted[k] = o[k];
      return sorted;
    }
    return val;
  });
}
