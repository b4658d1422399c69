// Disaster-recovery drill (issue 24): a real API, controller and agent running a Deployment; the platform is
// backed up, the API and controller die, the database is wiped, and libs/backup's restore brings it back. The
// agent reconnects by itself and its running containers are adopted: same pod uids, same containers, 0 restarts.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { Node, Pod } from '@flotilla/resources';
import { docker } from '../apps/agent/testing/harness';
import { startAttackCluster, type AttackCluster } from './support/attacks';
import { ROOT, testDatabaseUrl } from './support/env';
import { eventually } from './support/eventually';

jest.setTimeout(240_000);

let c: AttackCluster;
let work: string;

async function sql(text: string): Promise<void> {
  const db = new Client({ connectionString: testDatabaseUrl() });
  await db.connect();
  try {
    await db.query(text);
  } finally {
    await db.end();
  }
}

function cli(args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'libs/backup/dist/cli.js'), ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: testDatabaseUrl(),
      FLOTILLA_DATA_DIR: c.p.dataDir,
      FLOTILLA_BACKUP_REPOSITORY: join(work, 'repo'),
      FLOTILLA_BACKUP_PASSWORD_FILE: join(work, 'password'),
      RESTIC_CACHE_DIR: join(work, 'cache'),
    },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

interface Running {
  uid: string;
  containerID: string;
  restartCount: number;
  startedAt: string;
}

async function runningPods(): Promise<Running[]> {
  const r = await c.api('GET', `/api/v1/namespaces/${c.ns}/pods?labelSelector=app%3Ddrill`, undefined, c.p.token);
  expect(r.status).toBe(200);
  const pods = (r.json() as { items: Pod[] }).items;
  expect(pods).toHaveLength(2);
  return pods
    .map((p) => {
      const cs = p.status?.containerStatuses?.[0];
      expect(p.status?.phase).toBe('Running');
      expect(cs?.state?.running?.startedAt).toBeDefined();
      return {
        uid: String(p.metadata.uid),
        containerID: String(cs?.containerID),
        restartCount: cs?.restartCount ?? -1,
        startedAt: String(cs?.state?.running?.startedAt),
      };
    })
    .sort((a, b) => a.uid.localeCompare(b.uid));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'flotilla-backup-drill-'));
  writeFileSync(join(work, 'password'), randomBytes(18).toString('base64'), { mode: 0o600 });
  c = await startAttackCluster('bkdrill');
});

afterAll(async () => {
  await c?.stop();
  rmSync(work, { recursive: true, force: true });
});

it('restores the control plane under a running agent: the agent reconnects and its containers are adopted, not restarted', async () => {
  const made = await c.api(
    'POST',
    `/apis/apps/v1/namespaces/${c.ns}/deployments`,
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'drill' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'drill' } },
        template: { metadata: { labels: { app: 'drill' } }, spec: { containers: [{ name: 'main', image: 'flotilla/busybox:1', command: ['sleep', '3600'] }] } },
      },
    },
    c.p.token,
  );
  expect(made.status).toBe(201);
  const before = await eventually(runningPods, { timeoutMs: 90_000, intervalMs: 500 });
  expect(before.map((p) => p.restartCount)).toEqual([0, 0]);

  const b = cli(['backup']);
  expect(b.out).toContain('verified:');
  expect(b.code).toBe(0);

  // The disaster: the API and controller gone, the database wiped; the agent keeps running its containers.
  await c.controller.kill();
  await c.p.kill?.();
  await sql('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  const migrated = spawnSync(process.execPath, [join(ROOT, 'libs/store/dist/migrate-cli.js')], {
    env: { ...process.env, DATABASE_URL: testDatabaseUrl() },
    encoding: 'utf8',
  });
  expect(migrated.status).toBe(0);

  const r = cli(['restore', 'latest']);
  expect(r.out).toContain('restored:');
  expect(r.code).toBe(0);
  const restoredAt = Date.now();
  await c.p.restart?.();
  await c.controller.restart();

  // The agent reconnects on its own (same CA, its credential back in the database): its heartbeats arrive again.
  await eventually(
    async () => {
      const n = await c.api('GET', `/api/v1/nodes/${c.nodeName}`, undefined, c.p.token);
      expect(n.status).toBe(200);
      const ready = (n.json() as Node).status?.conditions?.find((x) => x.type === 'Ready');
      expect(ready?.status).toBe('True');
      expect(Date.parse(String(ready?.lastHeartbeatTime))).toBeGreaterThan(restoredAt);
    },
    { timeoutMs: 90_000, intervalMs: 1000, context: () => c.agent.logs().slice(-3000) },
  );
  const after = await eventually(
    async () => {
      const now = await runningPods();
      expect(now.map((p) => p.uid)).toEqual(before.map((p) => p.uid));
      return now;
    },
    { timeoutMs: 90_000, intervalMs: 1000, context: () => c.agent.logs().slice(-3000) },
  );
  expect(after).toEqual(before);
  // Still the same after the controller's first passes over the restored Deployment.
  await new Promise((res) => setTimeout(res, 5000));
  expect(await runningPods()).toEqual(before);
  // The engine's word, not only the restored status: the very containers still run, never restarted.
  for (const p of before) {
    const state = (await docker.getContainer(p.containerID.replace(/^docker:\/\//, '')).inspect()).State;
    expect(state.Running).toBe(true);
    expect(state.Restarting).toBe(false);
    // Kubernetes' startedAt has whole seconds; the engine's has more.
    expect(Math.floor(new Date(state.StartedAt).getTime() / 1000) * 1000).toBe(new Date(p.startedAt).getTime());
  }
  await c.assertIntact();
});
