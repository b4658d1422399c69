// The controller's configuration: every environment variable it reads, validated once at start-up.
import { ConfigError, type Env, int, type Level, logLevelOf, num, seconds, url } from '@flotilla/log';

export interface ControllerConfig {
  databaseUrl: string;
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one per run so parallel runs never share queues. */
  queuePrefix: string;
  /** Jobs each control loop runs at once. */
  concurrency: number;
  /** Every key of every loop is re-enqueued this often (0 disables). */
  resyncSeconds: number;
  /** A node whose Lease is older than this becomes Ready=Unknown and gets the unreachable taint. */
  nodeGraceSeconds: number;
  /** Pods on an unreachable node that do not tolerate it are evicted after this (their own tolerationSeconds win). */
  podEvictionSeconds: number;
  /** Share of unreachable nodes (more than 2) that is a partial disruption: evictions stop (small) or slow (large cluster). */
  nodeDisruptionThreshold: number;
  /** Clusters of up to this many nodes are small: a partial disruption stops evictions. */
  nodeLargeClusterSize: number;
  /** Nodes per second whose pod evictions may start. */
  nodeEvictionRate: number;
  /** Most pods bound in one transaction. */
  schedulerBatch: number;
  /** Skip the per-pod Scheduled events when a batch binds more pods than this (they are the bulk of the writes). */
  schedulerEventsMaxBatch: number;
  /** Hollow (simulated) nodes to run in-process: for tests, demos and benchmarks only. */
  hollowNodes: number;
  hollowNodePrefix: string;
  hollowStartMs: number;
  hollowJobMs: number;
  hollowLeaseSeconds: number;
  logLevel: Level;
}

export function loadConfig(env: Env = process.env): ControllerConfig {
  const prefix = env.FLOTILLA_QUEUE_PREFIX ?? 'flotilla';
  if (!/^[A-Za-z0-9_.-]+$/.test(prefix)) throw new ConfigError(`FLOTILLA_QUEUE_PREFIX may hold letters, digits, '_', '.', '-' only, got "${prefix}"`);
  return {
    databaseUrl: url(env, 'DATABASE_URL', 'postgresql://flotilla:flotilla@127.0.0.1:5432/flotilla', ['postgres', 'postgresql']),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis', 'rediss']),
    queuePrefix: prefix,
    concurrency: int(env, 'FLOTILLA_CONTROLLER_CONCURRENCY', 16, { min: 1 }),
    resyncSeconds: seconds(env, 'FLOTILLA_RESYNC_SECONDS', 30),
    nodeGraceSeconds: seconds(env, 'FLOTILLA_NODE_GRACE_SECONDS', 8),
    podEvictionSeconds: seconds(env, 'FLOTILLA_POD_EVICTION_SECONDS', 5),
    nodeDisruptionThreshold: num(env, 'FLOTILLA_NODE_DISRUPTION_THRESHOLD', 0.55, { over: 0, max: 1 }),
    nodeLargeClusterSize: int(env, 'FLOTILLA_NODE_LARGE_CLUSTER_SIZE', 50, { min: 0 }),
    nodeEvictionRate: num(env, 'FLOTILLA_NODE_EVICTION_RATE', 0.1, { over: 0 }),
    schedulerBatch: int(env, 'FLOTILLA_SCHEDULER_BATCH', 500, { min: 1 }),
    schedulerEventsMaxBatch: int(env, 'FLOTILLA_SCHEDULER_EVENTS_MAX_BATCH', 50, { min: 0 }),
    hollowNodes: int(env, 'FLOTILLA_HOLLOW_NODES', 0, { min: 0 }),
    hollowNodePrefix: env.FLOTILLA_HOLLOW_NODE_PREFIX ?? 'hollow-node',
    hollowStartMs: int(env, 'FLOTILLA_HOLLOW_START_MS', 200, { min: 0 }),
    hollowJobMs: int(env, 'FLOTILLA_HOLLOW_JOB_MS', 1000, { min: 0 }),
    hollowLeaseSeconds: seconds(env, 'FLOTILLA_HOLLOW_LEASE_SECONDS', 2),
    logLevel: logLevelOf(env.FLOTILLA_LOG_LEVEL),
  };
}
