// Pure computation of a Kubernetes PodStatus from what Docker reports about a pod's containers.
import type { Condition, ContainerStatus, PodSpec } from '@flotilla/resources';

export type PodRuntimePhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** What the runtime reports for a pod: Kubernetes' PodStatus, every list present. */
export interface PodRuntimeStatus {
  phase: PodRuntimePhase;
  podIP?: string;
  podIPs?: { ip: string }[];
  hostIP?: string;
  containerStatuses: ContainerStatus[];
  initContainerStatuses: ContainerStatus[];
  conditions: Condition[];
  startTime?: string;
  message?: string;
  reason?: string;
}

/** One Docker container instance, reduced to what status needs. */
export interface ObservedInstance {
  id: string;
  imageId: string;
  running: boolean;
  /** Created but never started, or failed to start. */
  created: boolean;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  startedAt?: string;
  finishedAt?: string;
  restartCount: number;
}

type State = NonNullable<ContainerStatus['state']>;

const ZERO_TIME = '0001-01-01T00:00:00Z';

function time(t: string | undefined): string | undefined {
  return t && !t.startsWith('0001-') && t !== ZERO_TIME ? t : undefined;
}

export function terminatedState(i: ObservedInstance, message?: string): State {
  const reason = i.oomKilled ? 'OOMKilled' : i.created && i.error ? 'ContainerCannotRun' : i.exitCode === 0 ? 'Completed' : 'Error';
  return {
    terminated: {
      exitCode: i.created && i.error && i.exitCode === 0 ? 128 : i.exitCode,
      reason,
      ...(message || (i.created && i.error) ? { message: message ?? i.error } : {}),
      startedAt: time(i.startedAt),
      finishedAt: time(i.finishedAt),
      containerID: `docker://${i.id}`,
    },
  };
}

export function isTerminated(s: ContainerStatus['state']): boolean {
  return !!s?.terminated;
}

/** Kubernetes' getPhase (kubelet_pods.go), restricted to what a single node knows. */
export function podPhase(spec: PodSpec, init: ContainerStatus[], containers: ContainerStatus[]): PodRuntimePhase {
  const policy = spec.restartPolicy ?? 'Always';
  for (const s of init) {
    const t = s.state?.terminated;
    if (t && t.exitCode !== 0 && policy === 'Never') return 'Failed';
  }
  const initialising = init.some((s) => !(s.state?.terminated && s.state.terminated.exitCode === 0));
  if (initialising) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of containers) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export function podConditions(
  phase: PodRuntimePhase,
  init: ContainerStatus[],
  containers: ContainerStatus[],
  transitions: Map<string, { status: Condition['status']; time: string }>,
  now: string,
): Condition[] {
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const status: Condition['status'] = ok ? 'True' : 'False';
    const prev = transitions.get(type);
    const lastTransitionTime = prev && prev.status === status ? prev.time : now;
    transitions.set(type, { status, time: lastTransitionTime });
    return { type, status, lastProbeTime: null, lastTransitionTime, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
  };
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const pendingInit = init.filter((s) => !(s.state?.terminated && s.state.terminated.exitCode === 0)).map((s) => s.name);
  const unready = containers.filter((s) => !s.ready).map((s) => s.name);
  const initialized = pendingInit.length === 0;
  const ready = initialized && unready.length === 0 && containers.length > 0 && !completed;
  const notReadyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = completed ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  return [
    cond(
      'Initialized',
      initialized,
      initialized ? undefined : 'ContainersNotInitialized',
      initialized ? undefined : `containers with incomplete status: [${pendingInit.join(' ')}]`,
    ),
    cond('ContainersReady', ready, ready ? undefined : notReadyReason, ready ? undefined : notReadyMessage),
    cond('Ready', ready, ready ? undefined : notReadyReason, ready ? undefined : notReadyMessage),
  ];
}
