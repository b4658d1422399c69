// SIMULATOR entry point: runs FLOTILLA_HOLLOW_NODES hollow nodes in their own process (tests, demos,
// benchmarks). Same variables as the in-process simulator (see config.ts).
import { HollowNodes } from '@flotilla/hollow';
import { Store } from '@flotilla/store';
import { loadConfig } from './config';
import { createLogger, errorText } from '@flotilla/log';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger('hollow', config.logLevel);
  if (config.hollowNodes <= 0) throw new Error('set FLOTILLA_HOLLOW_NODES to the number of simulated nodes');
  const store = await Store.open({ databaseUrl: config.databaseUrl, ringSize: 0, log: (m, f) => log.warn(m, f) });
  const hollow = new HollowNodes(store, {
    count: config.hollowNodes,
    prefix: config.hollowNodePrefix,
    startDelayMs: config.hollowStartMs,
    jobDurationMs: config.hollowJobMs,
    leaseSeconds: config.hollowLeaseSeconds,
    log: (msg, fields) => log.info(msg, fields),
  });
  await hollow.start();
  const stop = () =>
    void hollow
      .stop()
      .then(() => store.close())
      .then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`hollow nodes failed: ${errorText(err)}\n`);
  process.exit(1);
});
