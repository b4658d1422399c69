// Events the agent records on the objects it acts for (a Service it will not route, a pod it will not run),
// so the tenant sees why in `kubectl describe`, not only the node's operator in the agent's log.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '@flotilla/resources';
import { errorText, type Logger } from '@flotilla/log';
import type { ApiClient } from './api-client';

export interface AgentEvent {
  object: KubeObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/** Posts the Event; a failure is only logged (an Event is never worth failing the work it describes). */
export function recordEvent(api: ApiClient, nodeName: string, log: Logger, e: AgentEvent): void {
  const namespace = e.object.metadata.namespace ?? 'default';
  const name = e.object.metadata.name ?? '';
  const now = new Date().toISOString();
  void api
    .request('POST', `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
      apiVersion: 'v1',
      kind: 'Event',
      // `<object>.<hex>` as Kubernetes' recorder names them (a generateName may not end in a dot here).
      metadata: { name: `${name.slice(0, 236).replace(/[-.]+$/, '')}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: { kind: e.object.kind, apiVersion: e.object.apiVersion, namespace, name, uid: e.object.metadata.uid ?? '' },
      type: e.type,
      reason: e.reason,
      message: e.message,
      source: { component: 'flotilla-agent', host: nodeName },
      reportingComponent: 'flotilla-agent',
      reportingInstance: nodeName,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    })
    .catch((err: unknown) => log.warn('cannot record event', { object: `${namespace}/${name}`, reason: e.reason, error: errorText(err) }));
}
