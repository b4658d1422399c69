// A pod's status as the engine reports it now: each container's state (waiting reasons the runtime recorded
// included), readiness from the probers, phase and conditions.
import type { Container, ContainerStatus, Pod } from '@flotilla/resources';
import { formatDuration } from '../backoff';
import type { ContainerRole, PodRef } from '../labels';
import { crashLoopBackOff, shouldRestart, type ObservedContainer } from '../pod-actions';
import { podConditions, podPhase, terminatedState, type PodRuntimeStatus } from '../pod-status';
import type { DockerContext } from './context';
import { podIP as podIPOf, type ObservedPod } from './observe';
import type { PodState } from './pod-state';

/** The waiting state kubelet reports while a failed container waits out its back-off. */
export function crashLoopWaiting(ref: PodRef, name: string, delayMs: number): { reason: 'CrashLoopBackOff'; message: string } {
  return {
    reason: 'CrashLoopBackOff',
    message: `back-off ${formatDuration(delayMs)} restarting failed container=${name} pod=${ref.name}_${ref.namespace}(${ref.uid})`,
  };
}

function crashLoopOf(ctx: DockerContext, ref: PodRef, name: string, o: ObservedContainer): { reason: 'CrashLoopBackOff'; message: string } {
  return crashLoopWaiting(ref, name, crashLoopBackOff(ctx.backoff, o).delayMs);
}

export function podStatus(ctx: DockerContext, pod: Pod, st: PodState, observed: ObservedPod): PodRuntimeStatus {
  const { ref } = st;
  const policy = pod.spec.restartPolicy ?? 'Always';
  const podIP = podIPOf(ctx, ref.namespace, observed.sandbox);
  const initSpecs = pod.spec.initContainers ?? [];
  const initDone = initSpecs.every((c) => {
    const cur = observed.current.get(c.name);
    return cur && !cur.obs.running && !cur.obs.created && cur.obs.exitCode === 0;
  });
  const statusOf = (c: Container, role: ContainerRole): ContainerStatus => {
    const cur = observed.current.get(c.name);
    const prev = observed.previous.get(c.name);
    const image = c.image ?? '';
    const base: ContainerStatus = { name: c.name, image, ready: false, restartCount: cur?.obs.restartCount ?? 0, started: false };
    if (cur) {
      base.imageID = `docker://${cur.obs.imageId}`;
      base.containerID = `docker://${cur.info.Id}`;
    }
    const waiting = st.waiting.get(c.name);
    const prevState = prev ? terminatedState(prev.obs) : undefined;
    if (cur?.obs.running) {
      const prober = st.probers.get(c.name);
      const started = prober ? prober.started : true;
      const ready = role === 'container' && (prober ? prober.ready : true);
      return { ...base, state: { running: { startedAt: cur.obs.startedAt } }, lastState: prevState ?? {}, ready, started };
    }
    if (cur && (!cur.obs.created || cur.obs.error)) {
      const exitCode = cur.obs.created ? 128 : cur.obs.exitCode;
      const term = terminatedState(cur.obs);
      if (shouldRestart(role, policy, exitCode) && !st.terminating) {
        return {
          ...base,
          state: { waiting: waiting?.reason === 'CrashLoopBackOff' || !waiting ? crashLoopOf(ctx, ref, c.name, cur.obs) : waiting },
          lastState: term,
        };
      }
      return { ...base, state: term, lastState: prevState ?? {} };
    }
    const reason = waiting ?? { reason: role === 'container' && !initDone ? 'PodInitializing' : 'ContainerCreating' };
    return { ...base, state: { waiting: reason }, lastState: prevState ?? {} };
  };

  const initContainerStatuses = initSpecs.map((c) => statusOf(c, 'init'));
  const containerStatuses = pod.spec.containers.map((c) => statusOf(c, 'container'));
  const phase = observed.sandbox || observed.all.length ? podPhase(pod.spec, initContainerStatuses, containerStatuses) : 'Pending';
  const conditions = podConditions(phase, initContainerStatuses, containerStatuses, st.transitions, new Date().toISOString());
  const status: PodRuntimeStatus = { phase, containerStatuses, initContainerStatuses, conditions };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  if (ctx.opts.hostIP) status.hostIP = ctx.opts.hostIP;
  const startTime = st.startTime ?? (observed.sandbox ? new Date(observed.sandbox.info.Created).toISOString() : undefined);
  if (startTime) status.startTime = startTime;
  const configErr = [...initContainerStatuses, ...containerStatuses].find(
    (s) =>
      s.state?.waiting?.reason &&
      s.state.waiting.reason !== 'ContainerCreating' &&
      s.state.waiting.reason !== 'PodInitializing' &&
      s.state.waiting.reason !== 'CrashLoopBackOff',
  );
  if (phase === 'Pending' && configErr?.state?.waiting) {
    status.reason = configErr.state.waiting.reason;
    status.message = configErr.state.waiting.message;
  }
  return status;
}
