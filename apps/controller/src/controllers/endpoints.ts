// The Endpoints worker: the pods behind each Service selector, ready and not ready apart (planEndpoints).
import { planEndpoints } from '@flotilla/controllers';
import { matchesSelector, selectorFromMap } from '@flotilla/resources';
import type { Endpoints, Labels, Pod, Service } from '@flotilla/resources';
import type { ReconcileKey } from '@flotilla/queue';
import { applyActions } from '../apply-actions';
import { settle } from '../context';
import type { ControllerContext } from '../context';
import { EventRecorder } from '../events';
import { R } from '../kinds';
import { keysOf, reconcileKey, selfKey } from '../registration';
import type { QueueControllerRegistration } from '../registration';
import type { ReconcileOutcome, Reconciler } from '../work-queue';

export function endpointsReconciler(ctx: ControllerContext): Reconciler {
  const events = new EventRecorder(ctx.store, 'endpoint-controller', ctx.log);
  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const svc = ctx.store.cache.get(R.service, key.namespace, key.name)?.obj as Service | undefined;
    const existing = ctx.store.cache.get(R.endpoints, key.namespace, key.name)?.obj as Endpoints | undefined;
    // Endpoints with no Service are ours to delete only if we made them (a selector-less Service's are hand-made).
    if (!svc && !existing) return {};
    const pods = svc ? ctx.store.cache.list(R.pod, key.namespace).map((e) => e.obj as Pod) : [];
    const actions = planEndpoints(svc, pods, existing);
    if (actions.length === 0) return {};
    return settle(ctx, await applyActions({ ...ctx, events }, actions));
  };
}

function selects(svc: Service, labels: Labels | undefined): boolean {
  if (!labels) return false;
  const sel = selectorFromMap(svc.spec.selector);
  return !sel.matchesNothing && matchesSelector(sel, labels);
}

export const endpointsController: QueueControllerRegistration = {
  name: 'endpoint-controller',
  queue: 'endpoints',
  owns: [R.endpoints],
  watches: {
    [R.service]: selfKey('Service'),
    // Someone deleted the Endpoints of a live Service: put them back.
    [R.endpoints]: function* (ic, view) {
      const c = ic.change;
      if (c.type === 'DELETED' && view.cache.get(R.service, c.namespace, c.name)) yield reconcileKey('Service', c.namespace, c.name);
    },
    // Services whose selector matches the pod now or matched it before.
    [R.pod]: function* (ic, view) {
      const ns = ic.change.namespace;
      const labels = ic.change.obj.metadata.labels;
      for (const e of view.cache.list(R.service, ns)) {
        const svc = e.obj as Service;
        if (selects(svc, labels) || selects(svc, ic.prevLabels)) yield reconcileKey('Service', ns, e.name);
      }
    },
  },
  resync: (view) => keysOf(view, R.service, 'Service'),
  reconciler: endpointsReconciler,
};
