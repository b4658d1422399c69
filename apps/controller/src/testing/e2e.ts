// Test support for the controller's end-to-end suites (test/controller-*.e2e.ts): runs the built controller as
// a real process against the test database and Redis, with a unique queue prefix and hollow-node names per run
// so parallel runs never share queues or nodes. Excluded from the build (tsconfig).
import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import IORedis from 'ioredis';

export interface ControllerProcess {
  prefix: string;
  nodePrefix: string;
  env: Record<string, string>;
  logs: () => string;
  /** Kills it at once (SIGKILL: as a crash would). */
  kill: () => Promise<void>;
  /** Starts it again with the same settings. */
  restart: () => Promise<void>;
  stop: () => Promise<void>;
}

const ROOT = join(__dirname, '..', '..', '..', '..');

export async function startControllerProcess(
  base: { databaseUrl: string; redisUrl: string },
  extraEnv: Record<string, string> = {},
  entry: 'main' | 'hollow-main' = 'main',
): Promise<ControllerProcess> {
  const id = extraEnv.FLOTILLA_TEST_ID ?? randomBytes(3).toString('hex');
  const prefix = `flotilla-test-${id}`;
  const nodePrefix = `hollow-${id}`;
  const env: Record<string, string> = {
    DATABASE_URL: base.databaseUrl,
    REDIS_URL: base.redisUrl,
    FLOTILLA_QUEUE_PREFIX: prefix,
    FLOTILLA_HOLLOW_NODES: '3',
    FLOTILLA_HOLLOW_NODE_PREFIX: nodePrefix,
    FLOTILLA_HOLLOW_START_MS: '100',
    FLOTILLA_HOLLOW_JOB_MS: '500',
    FLOTILLA_HOLLOW_LEASE_SECONDS: '1',
    FLOTILLA_NODE_GRACE_SECONDS: '4',
    FLOTILLA_POD_EVICTION_SECONDS: '2',
    FLOTILLA_RESYNC_SECONDS: '10',
    FLOTILLA_LOG_LEVEL: 'info',
    ...extraEnv,
  };
  let output = '';
  let child: ChildProcess | undefined;
  const launch = async () => {
    const c = spawn(process.execPath, [join(ROOT, `apps/controller/dist/${entry}.js`)], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    c.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    // Generous: on a loaded machine Node's start takes tens of seconds.
    const deadline = Date.now() + 60_000;
    const ready = entry === 'main' ? '"controller running"' : '"hollow nodes running"';
    while (!output.includes(ready)) {
      if (c.exitCode !== null) throw new Error(`controller exited with ${c.exitCode}:\n${output}`);
      if (Date.now() > deadline) {
        // The caller never gets a handle to stop it: a left-running controller keeps jest from exiting.
        c.kill('SIGKILL');
        throw new Error(`controller did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const exit = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const done = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await done;
  };
  await launch();
  return {
    prefix,
    nodePrefix,
    env,
    logs: () => output,
    kill: () => exit('SIGKILL'),
    restart: async () => {
      output += '\n--- restart ---\n';
      await launch();
    },
    stop: async () => {
      await exit('SIGTERM');
      // Leave no queues behind in Redis.
      const redis = new IORedis(env.REDIS_URL);
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
