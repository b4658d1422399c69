// Events about pods, written by the node as kubelet writes them (source component `kubelet`, the node as
// host), so `kubectl describe pod` and `kubectl get events` say what happened: a sandbox re-created after the
// engine lost it, a container refused before it was created. Best effort: an Event that cannot be written is
// logged and never holds back a pod's sync.
import type { ContainerStatus, KubeEvent, Pod } from '@flotilla/resources';
import type { PodEvent, PodRef, PodRuntimeStatus } from '@flotilla/runtime';
import type { Logger } from '@flotilla/log';
import type { ApiClient } from './api-client';
import { eventObject, postEvent, type EventTarget } from './events';

/** What an Event is about: the pod, and for a container's Event its field path (`spec.containers{c}`). */
export type PodEventTarget = PodRef & Pick<EventTarget, 'resourceVersion' | 'fieldPath'>;

/** The Event for `ev` about the pod `ref`, as kubelet writes it. */
export function podEventObject(ref: PodEventTarget, ev: PodEvent, nodeName: string, now: Date): KubeEvent {
  return eventObject({ kind: 'Pod', apiVersion: 'v1', ...ref }, ev, nodeName, now);
}

export function recordPodEvent(api: ApiClient, nodeName: string, ref: PodEventTarget, ev: PodEvent, log: Logger): Promise<boolean> {
  return postEvent(api, podEventObject(ref, ev, nodeName, new Date()), log);
}

// Container failures reported: only those the tenant must act on, a container refused before it was created
// (`CreateContainerConfigError`: a bad subPath, a missing ConfigMap key, ...), reason `Failed` as kubelet
// writes it. One Event per distinct message: a resync finding the same failure adds nothing.
const REPORTED_REASONS = new Set(['CreateContainerConfigError']);

/** The failures in `rs` not yet reported for the pod (`reported`: container name → message), updating `reported`. */
export function newFailures(rs: PodRuntimeStatus, reported: Map<string, string>): { container: string; message: string }[] {
  const out: { container: string; message: string }[] = [];
  const statuses: ContainerStatus[] = [...rs.initContainerStatuses, ...rs.containerStatuses];
  for (const s of statuses) {
    const w = s.state?.waiting;
    if (!w?.reason || !REPORTED_REASONS.has(w.reason)) {
      reported.delete(s.name);
      continue;
    }
    const message = `Error: ${w.message ?? w.reason}`;
    if (reported.get(s.name) === message) continue;
    reported.set(s.name, message);
    out.push({ container: s.name, message });
  }
  return out;
}

/** A Warning Event `Failed` on the pod, naming the container as kubelet does (`spec.containers{name}`). */
export function failedEvent(pod: Pod, container: string, message: string, nodeName: string, now = new Date()): KubeEvent {
  const init = (pod.spec.initContainers ?? []).some((c) => c.name === container);
  const target: PodEventTarget = {
    namespace: pod.metadata.namespace ?? 'default',
    name: pod.metadata.name ?? '',
    uid: pod.metadata.uid ?? '',
    resourceVersion: pod.metadata.resourceVersion,
    fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${container}}`,
  };
  return podEventObject(target, { type: 'Warning', reason: 'Failed', message }, nodeName, now);
}
