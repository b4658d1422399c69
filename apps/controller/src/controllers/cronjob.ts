// The CronJob worker: planCronJob over the Jobs the CronJob owns.
import { planCronJob } from '@flotilla/controllers';
import type { CronJob, Job } from '@flotilla/resources';
import type { ReconcileKey } from '@flotilla/queue';
import { applyActions } from '../apply-actions';
import { settle } from '../context';
import type { ControllerContext } from '../context';
import { EventRecorder } from '../events';
import { R } from '../kinds';
import { controllerKey, keysOf, selfKey } from '../registration';
import type { QueueControllerRegistration } from '../registration';
import type { ReconcileOutcome, Reconciler } from '../work-queue';

export function cronJobReconciler(ctx: ControllerContext): Reconciler {
  const events = new EventRecorder(ctx.store, 'cronjob-controller', ctx.log);
  return async (key: ReconcileKey): Promise<ReconcileOutcome> => {
    const cj = ctx.store.cache.get(R.cronJob, key.namespace, key.name)?.obj as CronJob | undefined;
    if (!cj) return {};
    const jobs = ctx.index.dependentObjects<Job>(cj.metadata.uid ?? '', R.job);
    const actions = planCronJob(cj, jobs, new Date());
    if (actions.length === 0) return {};
    return settle(ctx, await applyActions({ ...ctx, events }, actions));
  };
}

export const cronJobController: QueueControllerRegistration = {
  name: 'cronjob-controller',
  queue: 'cronjob',
  owns: [R.cronJob, R.job],
  watches: {
    [R.cronJob]: selfKey('CronJob'),
    [R.job]: (ic) => controllerKey(ic, 'CronJob'),
  },
  resync: (view) => keysOf(view, R.cronJob, 'CronJob'),
  reconciler: cronJobReconciler,
};
