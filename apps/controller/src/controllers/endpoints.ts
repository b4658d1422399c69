// The Endpoints worker: the pods behind each Service selector, ready and not ready apart (planEndpoints).
import { planEndpoints } from '@flotilla/controllers';
import type { Endpoints, Pod, Service } from '@flotilla/resources';
import type { ReconcileKey } from '@flotilla/queue';
import { applyActions } from '../apply-actions';
import { settle } from '../context';
import type { ControllerContext } from '../context';
import { EventRecorder } from '../events';
import { R } from '../kinds';
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
