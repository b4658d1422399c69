// Events the agent records on the objects it acts for (a pod it re-created or will not run, a Service it will
// not route), so the tenant sees why in `kubectl describe`, not only the node's operator in the agent's log.
// Best effort: an Event that cannot be written is logged and never fails the work it describes.
import { randomBytes } from 'node:crypto';
import type { KubeEvent, KubeObject } from '@flotilla/resources';
import { errorText, type Logger } from '@flotilla/log';
import type { ApiClient } from './api-client';
import { k8sTime } from './time';

/** What an Event is about; `fieldPath` names a part of it (`spec.containers{c}`). */
export interface EventTarget {
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export interface EventNote {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * The Event object, named `<object>.<hex>` as Kubernetes' recorder names them (cut so that a maximal object
 * name still gives a valid one). `component` is `kubelet` for what kubelet would report about pods.
 */
export function eventObject(target: EventTarget, note: EventNote, nodeName: string, now: Date, component = 'kubelet'): KubeEvent {
  const { kind, apiVersion, namespace, name, uid, resourceVersion, fieldPath } = target;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${name.slice(0, 236).replace(/[-.]+$/, '')}.${randomBytes(8).toString('hex')}`, namespace },
    involvedObject: { kind, apiVersion, namespace, name, uid, ...(resourceVersion ? { resourceVersion } : {}), ...(fieldPath ? { fieldPath } : {}) },
    type: note.type,
    reason: note.reason,
    message: note.message,
    count: 1,
    firstTimestamp: k8sTime(now),
    lastTimestamp: k8sTime(now),
    eventTime: null,
    source: { component, host: nodeName },
    reportingComponent: component,
    reportingInstance: nodeName,
  };
}

/** Writes `ev`; false (logged) when the API did not take it. */
export async function postEvent(api: ApiClient, ev: KubeEvent, log: Logger): Promise<boolean> {
  const o = ev.involvedObject;
  try {
    await api.request('POST', `/api/v1/namespaces/${encodeURIComponent(ev.metadata.namespace ?? 'default')}/events`, ev);
    return true;
  } catch (e) {
    log.warn('cannot record event', { object: `${o.namespace}/${o.name}`, reason: ev.reason, error: errorText(e) });
    return false;
  }
}

/** An Event about `object` from the agent itself, written in the background. */
export function recordEvent(api: ApiClient, nodeName: string, log: Logger, e: EventNote & { object: KubeObject }): void {
  const m = e.object.metadata;
  const target = {
    kind: e.object.kind ?? '',
    apiVersion: e.object.apiVersion ?? '',
    namespace: m.namespace ?? 'default',
    name: m.name ?? '',
    uid: m.uid ?? '',
  };
  void postEvent(api, eventObject(target, e, nodeName, new Date(), 'flotilla-agent'), log);
}
