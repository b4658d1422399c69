// The Events kubelet writes about a pod's containers, so `kubectl describe pod` and `kubectl get events` show
// why a container does not start. Only failures the tenant must act on are reported: a container refused
// before it was created (`CreateContainerConfigError`: a bad subPath, a missing ConfigMap key, ...), reason
// `Failed` as kubelet writes it. One Event per distinct message: a resync finding the same failure adds nothing.
import { randomBytes } from 'node:crypto';
import type { ContainerStatus, KubeEvent, Pod } from '@flotilla/resources';
import type { PodRuntimeStatus } from '@flotilla/runtime';
import { k8sTime } from './time';

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
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  const init = (pod.spec.initContainers ?? []).some((c) => c.name === container);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}${randomBytes(3).toString('hex')}`, namespace: ns },
    involvedObject: {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: ns,
      name,
      uid: pod.metadata.uid,
      resourceVersion: pod.metadata.resourceVersion,
      fieldPath: `spec.${init ? 'initContainers' : 'containers'}{${container}}`,
    },
    reason: 'Failed',
    message,
    type: 'Warning',
    source: { component: 'kubelet', host: nodeName },
    reportingComponent: 'kubelet',
    reportingInstance: nodeName,
    firstTimestamp: k8sTime(now),
    lastTimestamp: k8sTime(now),
    eventTime: null,
    count: 1,
  };
}
