// Events about pods, written by the node as kubelet writes them (source component `kubelet`, the node as host).
// Best effort: an Event that cannot be written is logged, never retried, and never holds back a pod's sync.
import { randomBytes } from 'node:crypto';
import type { KubeEvent } from '@flotilla/resources';
import type { PodEvent, PodRef } from '@flotilla/runtime';
import { errorText, type Logger } from '@flotilla/log';
import type { ApiClient } from './api-client';

/** The Event object for `ev` about pod `ref`, named like Kubernetes' recorder names them. */
export function podEventObject(ref: PodRef, ev: PodEvent, nodeName: string, now: Date): KubeEvent {
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${ref.name}.${(BigInt(now.getTime()) * 1_000_000n).toString(16)}${randomBytes(3).toString('hex')}`, namespace: ref.namespace },
    involvedObject: { kind: 'Pod', apiVersion: 'v1', namespace: ref.namespace, name: ref.name, uid: ref.uid },
    type: ev.type,
    reason: ev.reason,
    message: ev.message,
    count: 1,
    firstTimestamp: time,
    lastTimestamp: time,
    eventTime: null,
    source: { component: 'kubelet', host: nodeName },
    reportingComponent: 'kubelet',
    reportingInstance: nodeName,
  };
}

export async function recordPodEvent(api: ApiClient, nodeName: string, ref: PodRef, ev: PodEvent, log: Logger): Promise<void> {
  try {
    await api.request('POST', `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/events`, podEventObject(ref, ev, nodeName, new Date()));
  } catch (e) {
    log.warn('could not record a pod event', { pod: `${ref.namespace}/${ref.name}`, reason: ev.reason, error: errorText(e) });
  }
}
