// The container-level decision of a pod sync, as kubelet's computePodActions: given the pod, what runs now and
// the clock, what the runtime does next. Pure, so restart policies, back-off and init order are unit-tested
// without an engine; the Docker runtime only carries the actions out.
import type { Container, Pod } from '@flotilla/resources';
import { backoffDelay, type BackoffPolicy } from './backoff';
import type { ContainerRole } from './labels';
import type { ObservedInstance } from './pod-status';

/** The current instance of one of the pod's containers, as the engine reports it. */
export interface ObservedContainer extends ObservedInstance {
  /** When the instance was created (the back-off counts from here when it never ran). */
  createdAt: string;
  /** The hash of the container spec the instance was made from (see `specHash`). */
  specHash?: string;
}

export type SandboxState = 'running' | 'dead' | 'missing';

export interface PodActionsInput {
  pod: Pod;
  sandbox: SandboxState;
  /** Current (not kept-previous) instances by container name; init container names are distinct from the others'. */
  containers: ReadonlyMap<string, ObservedContainer>;
  now: number;
  backoff: BackoffPolicy;
  /** Hash of a container spec; an instance whose hash differs is replaced. */
  specHash: (c: Container) => string;
  /** Ids of running instances whose liveness probe failed. */
  unhealthy?: ReadonlySet<string>;
}

export type ContainerAction =
  /** No instance yet: create and start one (the caller knows the restart count it carries over). */
  | { type: 'start'; role: ContainerRole; container: Container }
  /** Created but never started (an earlier sync stopped half-way): start it. */
  | { type: 'startCreated'; role: ContainerRole; container: Container; id: string }
  /** Exited and the restart policy says again, and its back-off has passed: a new instance replaces it. */
  | { type: 'restart'; role: ContainerRole; container: Container; id: string; restartCount: number }
  /** Exited and restarts, but not before `retryAt`: it waits in CrashLoopBackOff meanwhile. */
  | { type: 'backOff'; role: ContainerRole; container: Container; id: string; retryAt: number; delayMs: number }
  /** Running from an older spec (a new image, say): stop it and start a new instance now. */
  | { type: 'replace'; role: 'container'; container: Container; id: string; restartCount: number; graceSeconds: number }
  /** Running but its liveness probe failed: stop it; the restart policy decides at the next sync. */
  | { type: 'kill'; role: 'container'; container: Container; id: string; graceSeconds: number }
  /** Exited and stays so (restart policy): nothing waits any more. */
  | { type: 'done'; role: ContainerRole; container: Container; id: string };

export interface PodActions {
  /** Whether a sandbox must be made: none exists, or the dead one goes first together with every container joined to it. */
  sandbox: 'keep' | 'create' | 'recreate';
  /** The init container that runs or starts now; undefined when every one has completed. */
  initNext?: string;
  /** Every init container completed: the app containers run. */
  initDone: boolean;
  /** No container runs or will run again: the pod has reached Succeeded or Failed. */
  podDone: boolean;
  actions: ContainerAction[];
}

/** Whether an exited instance runs again under the pod's restart policy (init containers never restart after success). */
export function shouldRestart(role: ContainerRole, policy: 'Always' | 'OnFailure' | 'Never', exitCode: number): boolean {
  if (role === 'init') return policy !== 'Never' && exitCode !== 0;
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}

/** The exit code an instance counts with: one that never started (a start error) failed as 128, as kubelet reports. */
function exitCodeOf(o: ObservedContainer): number {
  return o.created ? 128 : o.exitCode;
}

/** Created and neither started nor refused to start. */
function pendingStart(o: ObservedContainer): boolean {
  return o.created && !o.error;
}

/**
 * When a failed instance may restart: its finish time plus the back-off for its restart count, which resets
 * after a long enough clean run. One place, so the status read before a restart says the same as the sync.
 */
export function crashLoopBackOff(backoff: BackoffPolicy, o: ObservedContainer): { restartAt: number; delayMs: number } {
  const finished = Date.parse(o.finishedAt ?? '') || Date.parse(o.createdAt);
  const startedAt = Date.parse(o.startedAt ?? '') || finished;
  const delayMs = backoffDelay(backoff, o.restartCount, finished - startedAt);
  return { restartAt: finished + delayMs, delayMs };
}

function restartOrBackOff(role: ContainerRole, c: Container, o: ObservedContainer, input: PodActionsInput): ContainerAction {
  const { restartAt, delayMs } = crashLoopBackOff(input.backoff, o);
  if (input.now < restartAt) return { type: 'backOff', role, container: c, id: o.id, retryAt: restartAt, delayMs };
  return { type: 'restart', role, container: c, id: o.id, restartCount: o.restartCount + 1 };
}

/**
 * What one sync does. Init containers run strictly in order, one step per sync; app containers only once all
 * of them completed. A dead sandbox takes every container with it, so its pod starts over from the first init
 * container. Restartable init containers (`restartPolicy: Always`, sidecars) are run as ordinary init
 * containers today: the runtime waits for them to exit.
 */
export function computePodActions(input: PodActionsInput): PodActions {
  const { pod } = input;
  const policy = pod.spec.restartPolicy ?? 'Always';
  const sandbox = input.sandbox === 'running' ? 'keep' : input.sandbox === 'dead' ? 'recreate' : 'create';
  // With a new sandbox nothing of the old one survives: decide as for a pod with no containers.
  const current = sandbox === 'recreate' ? new Map<string, ObservedContainer>() : input.containers;
  const actions: ContainerAction[] = [];

  let initNext: string | undefined;
  let initFailed = false;
  for (const c of pod.spec.initContainers ?? []) {
    const cur = current.get(c.name);
    if (cur && !cur.running && !cur.created && cur.exitCode === 0) continue;
    initNext = c.name;
    if (!cur) actions.push({ type: 'start', role: 'init', container: c });
    else if (cur.running) {
      // Runs until it exits; nothing else starts meanwhile.
    } else if (pendingStart(cur)) actions.push({ type: 'startCreated', role: 'init', container: c, id: cur.id });
    else if (shouldRestart('init', policy, cur.created ? 1 : cur.exitCode)) actions.push(restartOrBackOff('init', c, cur, input));
    else {
      // A failed init container under restartPolicy Never fails the pod.
      initFailed = true;
      actions.push({ type: 'done', role: 'init', container: c, id: cur.id });
    }
    break;
  }
  const initDone = initNext === undefined;

  let appsDone = initDone;
  if (initDone) {
    for (const c of pod.spec.containers) {
      const cur = current.get(c.name);
      if (!cur) {
        appsDone = false;
        actions.push({ type: 'start', role: 'container', container: c });
        continue;
      }
      if (cur.running) {
        appsDone = false;
        if (input.unhealthy?.has(cur.id)) {
          const graceSeconds = c.livenessProbe?.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
          actions.push({ type: 'kill', role: 'container', container: c, id: cur.id, graceSeconds });
        } else if (cur.specHash !== input.specHash(c)) {
          // The spec changed (e.g. a new image): replace the container now, as kubelet does.
          const graceSeconds = pod.spec.terminationGracePeriodSeconds ?? 30;
          actions.push({ type: 'replace', role: 'container', container: c, id: cur.id, restartCount: cur.restartCount + 1, graceSeconds });
        }
        continue;
      }
      if (pendingStart(cur)) {
        appsDone = false;
        actions.push({ type: 'startCreated', role: 'container', container: c, id: cur.id });
        continue;
      }
      if (shouldRestart('container', policy, exitCodeOf(cur))) {
        appsDone = false;
        actions.push(restartOrBackOff('container', c, cur, input));
      } else actions.push({ type: 'done', role: 'container', container: c, id: cur.id });
    }
  }
  return { sandbox, initNext, initDone, podDone: initFailed || (initDone && appsDone), actions };
}
