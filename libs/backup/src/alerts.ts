// A backup that failed or did not verify is announced as a Warning Event on the `default` Namespace, where
// `kubectl get events` and the portal show it (next to the /metrics gauges).
import { randomBytes } from 'node:crypto';
import { resourceFor, type KubeObject } from '@flotilla/resources';
import type { Store } from '@flotilla/store';
import type { Alert } from './platform';

export const ALERT_NAMESPACE = 'default';
export const ALERT_COMPONENT = 'flotilla-backup';

export function eventAlert(store: Store): Alert {
  const events = resourceFor('', 'v1', 'events');
  if (!events) throw new Error('the events resource is not registered in @flotilla/resources');
  return async (reason, message) => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `platform-backup.${Date.now().toString(16)}${randomBytes(3).toString('hex')}`, namespace: ALERT_NAMESPACE },
      involvedObject: { apiVersion: 'v1', kind: 'Namespace', name: ALERT_NAMESPACE },
      reason,
      message,
      type: 'Warning',
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      eventTime: null,
      source: { component: ALERT_COMPONENT },
      reportingComponent: ALERT_COMPONENT,
      reportingInstance: '',
    } as unknown as KubeObject;
    await store.create(events, event, ALERT_NAMESPACE);
  };
}
