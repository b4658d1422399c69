// Platform backups proven by restoring them (libs/backup, issue 24): a real API writing encrypted Secrets to a
// private database, real pg_dump/pg_restore and a real restic repository. Backed up by the CLI and by the
// leader controller's schedule; the database destroyed and restored (same uids and resourceVersions, Secrets
// decrypt through the API); a corrupted repository and an unreachable one each raise the Event and the metric.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startControllerProcess, type ControllerProcess } from '../apps/controller/src/testing/e2e';
import { ROOT, testDatabaseUrl, testRedisUrl } from './support/env';
import { eventually } from './support/eventually';
import { httpsGet, kubectlFor, startPlatform, type Platform } from './support/platform';

jest.setTimeout(240_000);

const CLI = join(ROOT, 'libs/backup/dist/cli.js');
const DB_NAME = `flotilla_backup_e2e_${randomBytes(4).toString('hex')}`;
const KEYS = `k1:${randomBytes(32).toString('base64')}`;
const NAMESPACES = ['bk-alpha', 'bk-beta'];

function databaseUrl(name = DB_NAME): string {
  const u = new URL(testDatabaseUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = [], url = databaseUrl()): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** The database server's own maintenance connection, to create and drop the suite's database. */
const admin = (text: string) => sql(text, [], testDatabaseUrl());

async function freshDatabase(): Promise<void> {
  await admin(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${DB_NAME}"`);
  const r = spawnSync(process.execPath, [join(ROOT, 'libs/store/dist/migrate-cli.js')], {
    env: { ...process.env, DATABASE_URL: databaseUrl() },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`migrations failed: ${r.stderr}`);
}

let work: string;
let repo: string;
let p: Platform;

function backupEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: databaseUrl(),
    FLOTILLA_DATA_DIR: p.dataDir,
    FLOTILLA_BACKUP_REPOSITORY: repo,
    FLOTILLA_BACKUP_PASSWORD_FILE: join(work, 'password'),
    RESTIC_CACHE_DIR: join(work, 'restic-cache'),
    ...extra,
  };
}

function cli(args: string[], extra: Record<string, string> = {}): { code: number; out: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { env: backupEnv(extra), encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

interface Row extends Record<string, unknown> {
  resource: string;
  namespace: string;
  name: string;
  uid: string;
  rv: string;
  body: string;
}
const snapshotOfObjects = () =>
  sql<Row>(
    'SELECT resource, namespace, name, uid::text AS uid, resource_version::text AS rv, body::text AS body FROM objects ORDER BY resource, namespace, name',
  );

async function metric(name: string): Promise<string[]> {
  const r = await httpsGet(p.url, '/metrics', p.caCert);
  return r.body.split('\n').filter((l) => l.startsWith(name));
}

async function warningEvents(reason: string): Promise<string[]> {
  const rows = await sql<{ message: string }>(
    "SELECT body->>'message' AS message FROM objects WHERE resource = 'core/events' AND namespace = 'default' AND body->>'reason' = $1 AND body->>'type' = 'Warning'",
    [reason],
  );
  return rows.map((r) => r.message);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'flotilla-backup-e2e-'));
  repo = join(work, 'repo');
  writeFileSync(join(work, 'password'), randomBytes(18).toString('base64'), { mode: 0o600 });
  await freshDatabase();
  p = await startPlatform({ DATABASE_URL: databaseUrl(), FLOTILLA_ENCRYPTION_KEYS: KEYS });
  // The configuration a set-up machine keeps in its data directory (scripts/up.sh writes the keys there).
  writeFileSync(join(p.dataDir, 'env'), `DATABASE_URL=${databaseUrl()}\nFLOTILLA_ENCRYPTION_KEYS=${KEYS}\n`, { mode: 0o600 });
  const kubectl = kubectlFor(p);
  for (const ns of NAMESPACES) {
    const docs = [
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}`,
      ...[1, 2].map(
        (i) =>
          `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-${i}\n  namespace: ${ns}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web-${i}}\n  template:\n    metadata:\n      labels: {app: web-${i}}\n    spec:\n      containers:\n      - name: web\n        image: flotilla/busybox:1\n        command: [sleep, '3600']`,
      ),
      ...[1, 2].map((i) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds-${i}\n  namespace: ${ns}\nstringData:\n  password: ${ns}-secret-${i}`),
    ];
    // create, not apply: apply's last-applied-configuration annotation would carry stringData in clear.
    const r = kubectl(['create', '-f', '-'], docs.join('\n---\n'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }
  // Stored encrypted: the database alone does not give a Secret away.
  const stored = await sql<{ body: string }>("SELECT body::text AS body FROM objects WHERE resource = 'core/secrets' AND namespace = ANY($1)", [NAMESPACES]);
  expect(stored).toHaveLength(4);
  for (const s of stored) expect(s.body).not.toContain('secret-');
});

afterAll(async () => {
  await p?.stop();
  await admin(`DROP DATABASE IF EXISTS "${DB_NAME}" WITH (FORCE)`);
  const left = await admin("SELECT datname FROM pg_database WHERE datname LIKE 'flotilla_verify_%'");
  rmSync(work, { recursive: true, force: true });
  // Verification drops its scratch databases even when it fails.
  expect(left).toEqual([]);
});

describe('platform backups', () => {
  let controller: ControllerProcess | undefined;
  afterEach(async () => {
    await controller?.stop();
    controller = undefined;
  });

  it('runs a scheduled backup on the leader controller, restores it into a scratch database and records it verified', async () => {
    controller = await startControllerProcess(
      { databaseUrl: databaseUrl(), redisUrl: testRedisUrl() },
      { FLOTILLA_HOLLOW_NODES: '0', ...backupEnv({ FLOTILLA_BACKUP_SCHEDULE_SECONDS: '3600' }) },
    );
    const c = controller;
    const [run] = await eventually(
      async () => {
        const rows = await sql<{
          result: string;
          snapshot_id: string;
          objects: number;
          total_bytes: string;
          data_added_bytes: string;
          report: { verify?: { secretsDecrypted: number } };
        }>('SELECT result, snapshot_id, objects, total_bytes::text, data_added_bytes::text, report FROM backup_runs');
        expect(rows).toHaveLength(1);
        return rows;
      },
      { timeoutMs: 120_000, intervalMs: 1000, context: () => c.logs() },
    );
    expect(run.result).toBe('verified');
    expect(run.snapshot_id).toMatch(/^[0-9a-f]{8,64}$/);
    expect(run.objects).toBeGreaterThanOrEqual(NAMESPACES.length * 5);
    expect(Number(run.total_bytes)).toBeGreaterThan(0);
    expect(Number(run.data_added_bytes)).toBeGreaterThan(0);
    expect(run.report.verify?.secretsDecrypted).toBeGreaterThanOrEqual(4);
    // Once per interval, counted from the newest recorded backup: no second run right after the first.
    await new Promise((r) => setTimeout(r, 7000));
    expect(await sql('SELECT 1 FROM backup_runs')).toHaveLength(1);
    const ts = await eventually(async () => {
      const [line] = await metric('flotilla_backup_last_verified_timestamp');
      expect(line).toBeDefined();
      return Number(line.split(' ')[1]);
    });
    expect(Math.abs(ts * 1000 - Date.now())).toBeLessThan(300_000);
    expect(await metric('flotilla_backup_last_result')).toEqual(['flotilla_backup_last_result{result="verified"} 1']);
  });

  it('restores the database, PKI and keys after the database is destroyed: same uids and resourceVersions, Secrets decrypt', async () => {
    // The API down first: nothing writes between the backup and the listing it is compared with.
    await p.kill?.();
    const b = cli(['backup']);
    expect(b.out).toContain('verified:');
    expect(b.code).toBe(0);
    const snapshot = /snapshot ([0-9a-f]{8}) verified/.exec(b.out)?.[1];
    expect(snapshot).toBeDefined();
    const listed = cli(['list']);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(snapshot);
    const before = await snapshotOfObjects();
    const ca = readFileSync(join(p.dataDir, 'pki', 'ca.crt'), 'utf8');

    // The disaster: the database and the PKI gone; a new empty, migrated database (scripts/setup.sh).
    await freshDatabase();
    rmSync(join(p.dataDir, 'pki'), { recursive: true });
    writeFileSync(join(p.dataDir, 'env'), `DATABASE_URL=${databaseUrl()}\n`);
    expect(await snapshotOfObjects()).toEqual([]);

    const r = cli(['restore', snapshot as string]);
    expect(r.out).toContain('restored:');
    expect(r.code).toBe(0);
    expect(await snapshotOfObjects()).toEqual(before);
    expect(readFileSync(join(p.dataDir, 'pki', 'ca.crt'), 'utf8')).toBe(ca);
    expect(readFileSync(join(p.dataDir, 'env'), 'utf8')).toContain(`FLOTILLA_ENCRYPTION_KEYS=${KEYS}`);

    await p.restart?.();
    const kubectl = kubectlFor(p);
    for (const ns of NAMESPACES) {
      const got = kubectl(['get', 'secret', 'creds-2', '-n', ns, '-o', 'jsonpath={.data.password}']);
      expect(got.code).toBe(0);
      expect(Buffer.from(got.stdout, 'base64').toString()).toBe(`${ns}-secret-2`);
      const deploy = kubectl(['get', 'deployment', 'web-1', '-n', ns, '-o', 'jsonpath={.metadata.uid} {.metadata.resourceVersion}']);
      const row = before.find((o) => o.resource === 'apps/deployments' && o.namespace === ns && o.name === 'web-1');
      expect(deploy.stdout).toBe(`${row?.uid} ${row?.rv}`);
    }
  });

  it('catches a corrupted repository in verification and raises the Event and the metric', async () => {
    const packs: string[] = [];
    const walk = (d: string) => readdirSync(d).forEach((e) => (statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : packs.push(join(d, e))));
    walk(join(repo, 'data'));
    expect(packs.length).toBeGreaterThan(0);
    for (const f of packs) {
      const bytes = readFileSync(f);
      for (let i = 0; i < bytes.length; i += 512) bytes[i] ^= 0xff;
      writeFileSync(f, bytes);
    }
    const v = cli(['verify']);
    expect(v.out).toContain('verification failed');
    expect(v.out).toContain('next:');
    expect(v.code).toBe(1);
    const [run] = await sql<{ result: string; error: string }>('SELECT result, error FROM backup_runs ORDER BY id DESC LIMIT 1');
    expect(run.result).toBe('verify-failed');
    expect(await warningEvents('BackupNotVerified')).toHaveLength(1);
    await eventually(async () => expect(await metric('flotilla_backup_last_result')).toEqual(['flotilla_backup_last_result{result="verify-failed"} 0']));
  });

  it('fails a backup to an unreachable target with the alert, and says what to do', async () => {
    const r = cli(['backup'], { FLOTILLA_BACKUP_REPOSITORY: 'rest:http://127.0.0.1:1/' });
    expect(r.out).toContain('backup failed');
    expect(r.out).toContain('connection refused');
    expect(r.out).toContain('next: Check that the repository is reachable');
    expect(r.code).toBe(1);
    expect(await warningEvents('BackupFailed')).toHaveLength(1);
    await eventually(async () => expect(await metric('flotilla_backup_last_result')).toEqual(['flotilla_backup_last_result{result="backup-failed"} 0']));
    // The newest verified backup stays visible, so an alert can say how old the last good one is.
    expect(await metric('flotilla_backup_last_verified_timestamp')).toHaveLength(1);
    expect(existsSync(join(p.dataDir, 'pki', 'ca.crt'))).toBe(true);
  });
});
