// What the runtime decides when a pod's sandbox or the whole engine went away. Pure, so each decision is tested
// without stopping Docker.
import type { ContainerStatus, Pod } from '@flotilla/resources';
import type { ContainerRole } from './labels';

/** The Event kubelet records when it replaces a pod's dead sandbox (same reason and words). */
export const SANDBOX_CHANGED = {
  type: 'Normal',
  reason: 'SandboxChanged',
  message: 'Pod sandbox changed, it will be killed and re-created.',
} as const;

export interface PodEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * The restart count of a container created where the engine holds no instance of it. Kubelet counts every
 * re-creation of a container that ran before as a restart, also when its sandbox (or the engine) died under it:
 * `inEngine` is the count of the instance the runtime removed together with a dead sandbox; without one, the
 * count the pod's status reports, if that status names a container that existed (a container id), since the
 * engine may have lost the instance altogether.
 */
export function recreatedRestartCount(inEngine: number | undefined, reported: Pick<ContainerStatus, 'containerID' | 'restartCount'> | undefined): number {
  if (inEngine !== undefined) return inEngine + 1;
  if (reported?.containerID) return (reported.restartCount ?? 0) + 1;
  return 0;
}

/** The status the API holds for one of the pod's containers, by role and name. */
export function reportedStatus(pod: Pod, role: ContainerRole, name: string): ContainerStatus | undefined {
  const list = role === 'init' ? pod.status?.initContainerStatuses : pod.status?.containerStatuses;
  return list?.find((s) => s.name === name);
}

/**
 * Whether the engine came back after being away. Docker closes every event stream when it stops, so the end
 * of the runtime's stream (or a failure to open one) starts pinging; the first answer afterwards means the
 * engine is back, and everything it ran must be checked at once: it does not restart pods' containers.
 */
export class EngineLiveness {
  private lost = false;

  /** The event stream ended or could not be opened. Returns true when a ping loop should start. */
  streamLost(): boolean {
    if (this.lost) return false;
    this.lost = true;
    return true;
  }

  /** A ping answered. Returns true once per outage: the moment to re-open the stream and re-sync everything. */
  pingAnswered(): boolean {
    if (!this.lost) return false;
    this.lost = false;
    return true;
  }

  get away(): boolean {
    return this.lost;
  }
}

/** Delay before the next ping while the engine is away: quick at first (a restart takes a second or two), then capped. */
export function pingDelayMs(attempt: number): number {
  return Math.min(2000, 100 * 2 ** Math.min(attempt, 5));
}
