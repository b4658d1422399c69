// The controller process: the dispatcher, the reconcile workers on BullMQ, the scheduler, the node lifecycle
// loop, and (FLOTILLA_HOLLOW_NODES > 0) simulated hollow nodes for tests, demos and benchmarks.
import { hostname } from 'node:os';
import IORedis from 'ioredis';
import { startBackupSchedule } from '@flotilla/backup';
import { HollowNodes } from '@flotilla/hollow';
import { componentsKey, leaderKey, recordComponentStart } from '@flotilla/queue';
import { Store, StoreError } from '@flotilla/store';
import type { Namespace } from '@flotilla/resources';
import { ClusterIndex } from './cluster-index';
import { loadConfig } from './config';
import type { ControllerConfig } from './config';
import type { ControllerContext } from './context';
import { cronJobReconciler } from './controllers/cronjob';
import { endpointsReconciler } from './controllers/endpoints';
import { garbageCollector } from './controllers/garbage-collector';
import { namespaceReconciler } from './controllers/namespace';
import { NODE_LEASE_NAMESPACE, NodeLifecycle } from './controllers/node-lifecycle';
import { SchedulerWorker } from './controllers/scheduler';
import { deploymentReconciler, jobReconciler, replicaSetReconciler } from './controllers/workloads';
import { Dispatcher } from './dispatcher';
import { EventRecorder } from './events';
import { R, T } from './kinds';
import { LeaderLock } from './leader';
import { createLogger, errorText, requireSupportedNode } from '@flotilla/log';
import { WorkQueues } from './work-queue';

export interface RunningController {
  scheduler: SchedulerWorker;
  hollow: HollowNodes | undefined;
  stop: () => Promise<void>;
}

async function ensureNamespace(store: Store, name: string): Promise<void> {
  if (store.cache.get(R.namespace, '', name)) return;
  const ns: Namespace = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  try {
    await store.create(T.namespace, ns, '');
  } catch (err) {
    if (!(err instanceof StoreError && err.reason === 'AlreadyExists')) throw err;
  }
}

export async function startController(config: ControllerConfig): Promise<RunningController> {
  const log = createLogger('controller', config.logLevel);
  const store = await Store.open({ databaseUrl: config.databaseUrl, ringSize: 0, log: (msg, fields) => log.warn(msg, fields) });
  const redis = new IORedis(config.redisUrl, { maxRetriesPerRequest: null, enableReadyCheck: true });
  redis.on('error', (err) => log.warn('redis connection error', { error: errorText(err) }));
  // Not awaited: a start is recorded once Redis answers; the controller does not wait on it to work.
  recordComponentStart(redis, componentsKey(config.databaseUrl), 'controller', hostname()).catch((err: unknown) =>
    log.warn('could not record this start', { error: errorText(err) }),
  );

  const index = new ClusterIndex(store.cache);
  const queues = new WorkQueues({ connection: redis, prefix: config.queuePrefix, concurrency: config.concurrency, log });
  const ctx: ControllerContext = { store, index, queues, config, log };
  const leader = new LeaderLock(redis, leaderKey(config.queuePrefix, 'controller-singletons'), 4000, log);
  await leader.start();
  await ensureNamespace(store, NODE_LEASE_NAMESPACE);

  let hollow: HollowNodes | undefined;
  if (config.hollowNodes > 0) {
    // SIMULATOR: nodes without containers, for tests, demos and benchmarks.
    hollow = new HollowNodes(store, {
      count: config.hollowNodes,
      prefix: config.hollowNodePrefix,
      startDelayMs: config.hollowStartMs,
      jobDurationMs: config.hollowJobMs,
      leaseSeconds: config.hollowLeaseSeconds,
      log: (msg, fields) => log.info(msg, { ...fields, simulator: 'hollow' }),
    });
    await hollow.start();
  }

  const scheduler = new SchedulerWorker(store, new EventRecorder(store, 'default-scheduler', log), log, {
    batchSize: config.schedulerBatch,
    eventsMaxBatch: config.schedulerEventsMaxBatch,
    isLeader: () => leader.isLeader,
  });
  scheduler.start();
  const lifecycle = new NodeLifecycle(ctx, () => leader.isLeader);
  lifecycle.start();
  startBackupSchedule(store, () => leader.isLeader, log); // platform backups (libs/backup): off unless FLOTILLA_BACKUP_REPOSITORY is set

  queues.start({
    deployment: deploymentReconciler(ctx),
    replicaset: replicaSetReconciler(ctx),
    endpoints: endpointsReconciler(ctx),
    job: jobReconciler(ctx),
    cronjob: cronJobReconciler(ctx),
    garbagecollector: garbageCollector(ctx),
    namespace: namespaceReconciler(ctx),
  });
  const dispatcher = new Dispatcher(ctx, redis);
  await dispatcher.start();
  log.info('controller running', { queuePrefix: config.queuePrefix, concurrency: config.concurrency, hollowNodes: config.hollowNodes });

  return {
    scheduler,
    hollow,
    stop: async () => {
      dispatcher.stop();
      lifecycle.stop();
      scheduler.stop();
      await hollow?.stop();
      await queues.close();
      await leader.stop();
      redis.disconnect();
      await store.close();
    },
  };
}

if (require.main === module) {
  requireSupportedNode('controller');
  let config: ControllerConfig;
  try {
    config = loadConfig();
  } catch (err) {
    process.stderr.write(`controller: invalid configuration: ${errorText(err)}\n`);
    process.exit(2);
  }
  startController(config).then(
    (running) => {
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        running.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on('SIGTERM', stop);
      process.on('SIGINT', stop);
    },
    (err: unknown) => {
      process.stderr.write(`controller failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
