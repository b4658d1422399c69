// A control plane for the node-loss suites: a fresh API and a controller that judges a node lost fast (grace
// 4 s, evictions 3 s later), with no node left over from an earlier suite (several dead nodes would read as
// a disruption and stop evictions), and the local images built.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ControllerProcess, startControllerProcess } from '../../apps/controller/src/testing/e2e';
import { dropNodes, testDatabaseUrl, testRedisUrl } from './env';
import { Platform, startPlatform } from './platform';

export async function startFastFailoverPlane(): Promise<{ p: Platform; controller: ControllerProcess }> {
  await dropNodes();
  execFileSync('bash', [join(__dirname, '../../docker/images/build.sh')], { stdio: 'pipe' });
  const p = await startPlatform();
  const controller = await startControllerProcess(
    { databaseUrl: testDatabaseUrl(), redisUrl: testRedisUrl() },
    { FLOTILLA_HOLLOW_NODES: '0', FLOTILLA_NODE_GRACE_SECONDS: '4', FLOTILLA_POD_EVICTION_SECONDS: '3' },
  );
  return { p, controller };
}
