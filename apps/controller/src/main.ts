// The controller process: the registered controllers (controllers/index.ts), which are reconcile workers on
// BullMQ fed by the dispatcher and loops such as the scheduler and node lifecycle, and (FLOTILLA_HOLLOW_NODES
// > 0) simulated hollow nodes for tests, demos and benchmarks.
import { hostname } from 'node:os';
import IORedis from 'ioredis';
import { startBackupSchedule } from '@flotilla/backup';
import { HollowNodes } from '@flotilla/hollow';
import { componentsKey, leaderKey, recordComponentStart } from '@flotilla/queue';
import type { ControllerQueue } from '@flotilla/queue';
import { Store } from '@flotilla/store';
import { ClusterIndex } from './cluster-index';
import { loadConfig } from './config';
import type { ControllerConfig } from './config';
import type { ControllerContext } from './context';
import { CONTROLLERS } from './controllers';
import { Dispatcher } from './dispatcher';
import { LeaderLock } from './leader';
import { isQueueController } from './registration';
import type { RunningLoop } from './registration';
import { createLogger, errorText, requireSupportedNode } from '@flotilla/log';
import type { Reconciler } from './work-queue';
import { WorkQueues } from './work-queue';

export interface RunningController {
  hollow: HollowNodes | undefined;
  stop: () => Promise<void>;
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
  const queued = CONTROLLERS.filter(isQueueController);
  const queues = new WorkQueues({ queues: queued.map((c) => c.queue), connection: redis, prefix: config.queuePrefix, concurrency: config.concurrency, log });
  const ctx: ControllerContext = { store, index, queues, config, log };
  const leader = new LeaderLock(redis, leaderKey(config.queuePrefix, 'controller-singletons'), 4000, log);
  await leader.start();
  for (const c of CONTROLLERS) if (!isQueueController(c)) await c.prepare?.(ctx);

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

  const loops: RunningLoop[] = [];
  for (const c of CONTROLLERS) if (!isQueueController(c)) loops.push(c.start(ctx, { isLeader: () => leader.isLeader }));
  startBackupSchedule(store, () => leader.isLeader, log); // platform backups (libs/backup): off unless FLOTILLA_BACKUP_REPOSITORY is set

  const reconcilers: Partial<Record<ControllerQueue, Reconciler>> = {};
  for (const c of queued) reconcilers[c.queue] = c.reconciler(ctx);
  queues.start(reconcilers);
  const dispatcher = new Dispatcher(ctx, redis, queued);
  await dispatcher.start();
  log.info('controller running', { queuePrefix: config.queuePrefix, concurrency: config.concurrency, hollowNodes: config.hollowNodes });

  return {
    hollow,
    stop: async () => {
      dispatcher.stop();
      for (const l of [...loops].reverse()) l.stop();
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
