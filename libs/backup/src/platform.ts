// Platform backups: a consistent pg_dump, the PKI and the configuration (which holds the Secret encryption
// keys) stored through restic, then restored into a scratch database and checked before the backup counts.
// Every outcome is recorded in backup_runs (read by the API's /metrics); a failure also raises a Warning Event.
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { Client } from 'pg';
import type { BackupConfig } from './config';
import { redactRepository } from './config';
import { run } from './exec';
import { compare, measure, type Manifest } from './manifest';
import { Restic, type ResticSnapshot, type ResticSummary } from './restic';
import { openSecret, parseEnvFile, parseKeys } from './secrets';

export const MANIFEST = 'flotilla-backup.json';
export const DUMP = 'database.dump';
/**
 * What of the data directory a backup holds: the PKI (CA and serving keys: agents trust this CA), the
 * configuration (env: the Secret encryption keys) and the admin token.
 */
export const DATA_ITEMS = ['pki', 'env', 'admin-token'] as const;

export type Progress = (line: string) => void;

export interface VerifyReport {
  snapshot: string;
  objects: number;
  kinds: number;
  resourceVersion: string;
  sampled: number;
  secretsDecrypted: number;
  secretsPlain: number;
  files: string[];
  durationMs: number;
}

export interface BackupOutcome {
  result: 'verified' | 'backup-failed' | 'verify-failed';
  snapshot?: string;
  error?: string;
  summary?: ResticSummary;
  verify?: VerifyReport;
  retentionError?: string;
  durationMs: number;
}

/** Raises an alert for an outcome that is not verified (a Warning Event; see alerts.ts). */
export type Alert = (reason: string, message: string) => Promise<void>;

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Runs pg_dump or pg_restore against `url` with the password in PGPASSWORD, not on the command line, where
 * any local user could read it (/proc/<pid>/cmdline).
 */
function pgTool(tool: 'pg_dump' | 'pg_restore', url: string, args: string[]) {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password) env.PGPASSWORD = password;
  return run(tool, [...args, `--dbname=${u.toString()}`], { env });
}

async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Dumps the database and measures it in one snapshot, copies the PKI and configuration; returns the manifest. */
export async function stage(config: BackupConfig, dir: string, progress: Progress): Promise<Manifest> {
  const db = await connect(config.databaseUrl);
  try {
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snap = (await db.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0].s;
    progress('dumping the database (pg_dump, custom format, one consistent snapshot)');
    const dump = pgTool('pg_dump', config.databaseUrl, ['--format=custom', `--snapshot=${snap}`, `--file=${join(dir, DUMP)}`]);
    const measured = await measure(db, config.sampleSize);
    await dump;
    await db.query('COMMIT');
    const files: string[] = [];
    for (const item of DATA_ITEMS) {
      const from = join(config.dataDir, item);
      if (!existsSync(from)) continue;
      cpSync(from, join(dir, 'data', item), { recursive: true, preserveTimestamps: true });
      files.push(...listFiles(join(dir, 'data'), join(dir, 'data', item)));
    }
    const envPath = join(config.dataDir, 'env');
    const env = existsSync(envPath) ? parseEnvFile(readFileSync(envPath, 'utf8')) : {};
    // The repository password must never travel inside the repository it opens.
    if (env.FLOTILLA_BACKUP_PASSWORD)
      throw new Error(
        `${envPath} holds FLOTILLA_BACKUP_PASSWORD, which would be stored in the backup: remove it and set it in the environment or a file outside ${config.dataDir}`,
      );
    if (config.passwordFile && resolve(config.passwordFile).startsWith(`${config.dataDir}/`))
      throw new Error(`FLOTILLA_BACKUP_PASSWORD_FILE is inside the data directory ${config.dataDir}: keep it outside, away from what is backed up`);
    const keys = parseKeys(env.FLOTILLA_ENCRYPTION_KEYS);
    const manifest: Manifest = { format: 1, createdAt: new Date().toISOString(), ...measured, files, encryptionKeyIds: keys.map((k) => k.id) };
    writeFileSync(join(dir, MANIFEST), JSON.stringify(manifest, null, 2), { mode: 0o600 });
    progress(
      `database: ${manifest.objects} objects in ${Object.keys(manifest.counts).length} kinds, resourceVersion ${manifest.resourceVersion}; files: ${files.join(', ') || 'none'}`,
    );
    return manifest;
  } finally {
    await db.end().catch(() => undefined);
  }
}

function listFiles(base: string, path: string): string[] {
  if (!statSync(path).isDirectory()) return [relative(base, path)];
  return readdirSync(path).flatMap((e) => listFiles(base, join(path, e)));
}

/** The directory of a restored snapshot that holds the manifest (restic keeps the staging's absolute path). */
function findRoot(dir: string, depth = 8): string | undefined {
  if (existsSync(join(dir, MANIFEST))) return dir;
  if (depth === 0) return undefined;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const found = findRoot(join(dir, e.name), depth - 1);
    if (found) return found;
  }
  return undefined;
}

/** Restores a snapshot's files into `target`; returns the directory holding the manifest, dump and data. */
export async function restoreFiles(restic: Restic, snapshot: string, target: string): Promise<string> {
  await restic.restore(snapshot, target);
  const root = findRoot(target);
  if (!root) throw new Error(`snapshot ${snapshot} holds no ${MANIFEST}: it is not a Flotilla platform backup`);
  return root;
}

/**
 * Restores the snapshot into a scratch database on the same server and checks it against the manifest
 * written inside the dump's own snapshot; throws with every difference found.
 */
export async function verify(config: BackupConfig, snapshot: string, progress: Progress): Promise<VerifyReport> {
  const started = Date.now();
  const restic = new Restic(config);
  const tmp = mkdtempSync(join(config.dataDir, '.backup-verify-'));
  // The start time in the name: a scratch database left by a verification that was killed is dropped by a later one.
  const scratch = `${SCRATCH_PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
  const admin = await connect(config.databaseUrl);
  let created = false;
  try {
    await dropStaleScratch(admin, progress);
    progress(`verifying snapshot ${snapshot}: restoring its files`);
    const root = await restoreFiles(restic, snapshot, tmp);
    const manifest = JSON.parse(readFileSync(join(root, MANIFEST), 'utf8')) as Manifest;
    const missing = manifest.files.filter((f) => !existsSync(join(root, 'data', f)));
    if (missing.length) throw new Error(`files missing from the restore: ${missing.join(', ')}`);
    progress(`restoring the database into the scratch database ${scratch}`);
    await admin.query(`CREATE DATABASE "${scratch}"`);
    created = true;
    const scratchUrl = withDatabase(config.databaseUrl, scratch);
    await pgTool('pg_restore', scratchUrl, ['--no-owner', '--no-privileges', '--exit-on-error', join(root, DUMP)]);
    const db = await connect(scratchUrl);
    try {
      const problems = await compare(db, manifest);
      const env = existsSync(join(root, 'data', 'env')) ? parseEnvFile(readFileSync(join(root, 'data', 'env'), 'utf8')) : {};
      const keys = parseKeys(env.FLOTILLA_ENCRYPTION_KEYS);
      let decrypted = 0;
      let plain = 0;
      const secrets = await db.query<{ body: Parameters<typeof openSecret>[0] }>("SELECT body FROM objects WHERE resource = 'core/secrets'");
      for (const { body } of secrets.rows) {
        try {
          if (openSecret(body, keys) === 'decrypted') decrypted++;
          else plain++;
        } catch (err) {
          problems.push((err as Error).message);
        }
      }
      if (problems.length)
        throw new Error(
          `the restored backup differs from what was backed up: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` (and ${problems.length - 10} more)` : ''}`,
        );
      const report: VerifyReport = {
        snapshot,
        objects: manifest.objects,
        kinds: Object.keys(manifest.counts).length,
        resourceVersion: manifest.resourceVersion,
        sampled: manifest.sample.length,
        secretsDecrypted: decrypted,
        secretsPlain: plain,
        files: manifest.files,
        durationMs: Date.now() - started,
      };
      progress(
        `verified: ${report.objects} objects in ${report.kinds} kinds, resourceVersion ${report.resourceVersion}, ${report.sampled} objects byte for byte, ${decrypted} Secrets decrypted (${plain} stored unencrypted), ${report.files.length} files`,
      );
      return report;
    } finally {
      await db.end().catch(() => undefined);
    }
  } finally {
    if (created)
      await admin
        .query(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`)
        .catch((err: Error) => progress(`warning: could not drop the scratch database ${scratch} (${err.message}): drop it by hand`));
    await admin.end().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}

const SCRATCH_PREFIX = 'flotilla_verify_';
/** Longer than any verification runs. */
const SCRATCH_STALE_SECONDS = 6 * 3600;

async function dropStaleScratch(admin: Client, progress: Progress): Promise<void> {
  const rows = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${SCRATCH_PREFIX}%`]);
  for (const { datname } of rows.rows) {
    const started = Number(/^flotilla_verify_(\d+)_[0-9a-f]+$/.exec(datname)?.[1]);
    if (!started || Date.now() / 1000 - started < SCRATCH_STALE_SECONDS) continue;
    progress(`dropping the scratch database ${datname}, left by a verification that did not finish`);
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
  }
}

/** One backup: stage, store through restic, apply retention, verify; recorded, and alerted when not verified. */
export async function backup(config: BackupConfig, progress: Progress, alert: Alert): Promise<BackupOutcome> {
  const started = new Date();
  const outcome: BackupOutcome = { result: 'backup-failed', durationMs: 0 };
  const host = hostname();
  const staging = mkdtempSync(join(config.dataDir, '.backup-staging-'));
  try {
    const restic = new Restic(config);
    progress(`repository ${redactRepository(config.repository ?? '')}`);
    if ((await restic.ensureRepository()) === 'created') progress('created the restic repository (keep its password: without it nothing can be restored)');
    await stage(config, staging, progress);
    progress('storing through restic');
    outcome.summary = await restic.backup(staging, host);
    outcome.snapshot = outcome.summary.snapshot_id;
    progress(
      `snapshot ${outcome.snapshot.slice(0, 8)}: ${outcome.summary.total_bytes_processed} bytes, ${outcome.summary.data_added} new bytes stored, ${outcome.summary.total_duration.toFixed(1)}s`,
    );
  } catch (err) {
    outcome.error = `backup failed: ${(err as Error).message}`;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  if (outcome.snapshot) {
    outcome.result = 'verify-failed';
    try {
      outcome.verify = await verify(config, outcome.snapshot, progress);
      outcome.result = 'verified';
    } catch (err) {
      outcome.error = `verification failed: ${(err as Error).message}`;
    }
  }
  if (outcome.result === 'verified') {
    try {
      progress(`retention: keeping ${config.retention.daily} daily, ${config.retention.weekly} weekly, ${config.retention.monthly} monthly`);
      await new Restic(config).forget(config.retention, host);
    } catch (err) {
      outcome.retentionError = (err as Error).message;
    }
  }
  outcome.durationMs = Date.now() - started.getTime();
  await finish(config, started, outcome, progress, alert);
  return outcome;
}

/** Verifies an existing snapshot on demand, recorded and alerted like a backup's own verification. */
export async function verifyExisting(config: BackupConfig, snapshot: string, progress: Progress, alert: Alert): Promise<BackupOutcome> {
  const started = new Date();
  const outcome: BackupOutcome = { result: 'verify-failed', snapshot, durationMs: 0 };
  try {
    outcome.verify = await verify(config, snapshot, progress);
    outcome.result = 'verified';
  } catch (err) {
    outcome.error = `verification failed: ${(err as Error).message}`;
  }
  outcome.durationMs = Date.now() - started.getTime();
  await finish(config, started, outcome, progress, alert);
  return outcome;
}

const NEXT_STEP: Record<BackupOutcome['result'], string> = {
  verified: '',
  'backup-failed':
    'Check that the repository is reachable and has space (restic snapshots), that the password is the one it was created with, and that DATABASE_URL answers; if restic says the repository is locked by a run that no longer exists, run `restic unlock`; then run scripts/backup.sh again.',
  'verify-failed':
    'Do not rely on this snapshot. Run `restic check --read-data` on the repository, then scripts/backup.sh again; if the repository is damaged, start a new one (FLOTILLA_BACKUP_REPOSITORY).',
};

async function finish(config: BackupConfig, started: Date, outcome: BackupOutcome, progress: Progress, alert: Alert): Promise<void> {
  if (outcome.error) progress(`error: ${outcome.error}`);
  if (outcome.result !== 'verified') progress(`next: ${NEXT_STEP[outcome.result]}`);
  if (outcome.retentionError) progress(`warning: retention (restic forget --prune) failed: ${outcome.retentionError}`);
  try {
    await record(config, started, outcome);
  } catch (err) {
    progress(`warning: could not record the outcome in the database: ${(err as Error).message}`);
  }
  const alerts: [string, string][] = [];
  if (outcome.result === 'backup-failed') alerts.push(['BackupFailed', `${outcome.error} ${NEXT_STEP['backup-failed']}`]);
  if (outcome.result === 'verify-failed') alerts.push(['BackupNotVerified', `snapshot ${outcome.snapshot}: ${outcome.error} ${NEXT_STEP['verify-failed']}`]);
  if (outcome.retentionError) alerts.push(['BackupRetentionFailed', `old snapshots were not removed: ${outcome.retentionError}`]);
  for (const [reason, message] of alerts) {
    try {
      await alert(reason, message.slice(0, 1000));
    } catch (err) {
      progress(`warning: could not raise the ${reason} Event: ${(err as Error).message}`);
    }
  }
}

async function record(config: BackupConfig, started: Date, o: BackupOutcome): Promise<void> {
  const db = await connect(config.databaseUrl);
  try {
    await db.query(
      `INSERT INTO backup_runs (started_at, finished_at, snapshot_id, repository, result, verified_at, error, duration_ms, data_added_bytes, total_bytes, objects, report)
       VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        started,
        o.snapshot ?? null,
        redactRepository(config.repository ?? ''),
        o.result,
        o.result === 'verified' ? new Date() : null,
        o.error ?? null,
        o.durationMs,
        o.summary?.data_added ?? null,
        o.summary?.total_bytes_processed ?? null,
        o.verify?.objects ?? null,
        JSON.stringify({ summary: o.summary, verify: o.verify, retentionError: o.retentionError }),
      ],
    );
  } finally {
    await db.end().catch(() => undefined);
  }
}

export async function list(config: BackupConfig): Promise<ResticSnapshot[]> {
  return new Restic(config).snapshots();
}

/**
 * Disaster recovery: brings back the database (replacing the target's objects), the PKI and the
 * configuration from a snapshot. The API, controller and agents must be stopped first (scripts/down.sh).
 * The restored env keeps this machine's DATABASE_URL and REDIS_URL (set-up chose them) and takes
 * everything else (the encryption keys) from the backup.
 */
export async function restore(config: BackupConfig, snapshot: string, progress: Progress): Promise<void> {
  const restic = new Restic(config);
  const tmp = mkdtempSync(join(config.dataDir, '.backup-restore-'));
  try {
    progress(`restoring the files of snapshot ${snapshot}`);
    const root = await restoreFiles(restic, snapshot, tmp);
    const manifest = JSON.parse(readFileSync(join(root, MANIFEST), 'utf8')) as Manifest;
    progress(`restoring the database (${manifest.objects} objects, resourceVersion ${manifest.resourceVersion}) into ${redactRepository(config.databaseUrl)}`);
    await pgTool('pg_restore', config.databaseUrl, [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      join(root, DUMP),
    ]);
    const db = await connect(config.databaseUrl);
    try {
      const problems = await compare(db, manifest);
      if (problems.length) throw new Error(`the restored database differs from the backup: ${problems.slice(0, 5).join('; ')}`);
    } finally {
      await db.end().catch(() => undefined);
    }
    for (const item of DATA_ITEMS) {
      if (item === 'env' || !existsSync(join(root, 'data', item))) continue;
      progress(`restoring ${join(config.dataDir, item)}`);
      rmSync(join(config.dataDir, item), { recursive: true, force: true });
      cpSync(join(root, 'data', item), join(config.dataDir, item), { recursive: true, preserveTimestamps: true });
    }
    if (existsSync(join(root, 'data', 'env'))) {
      const envPath = join(config.dataDir, 'env');
      const here = existsSync(envPath) ? parseEnvFile(readFileSync(envPath, 'utf8')) : {};
      const backedUp = parseEnvFile(readFileSync(join(root, 'data', 'env'), 'utf8'));
      const merged = { ...backedUp };
      for (const k of ['DATABASE_URL', 'REDIS_URL', 'TEST_DATABASE_URL']) if (here[k]) merged[k] = here[k];
      progress(`restoring the configuration into ${envPath} (keeping this machine's DATABASE_URL and REDIS_URL)`);
      writeFileSync(
        envPath,
        Object.entries(merged)
          .map(([k, v]) => `${k}=${v}\n`)
          .join(''),
        { mode: 0o600 },
      );
    }
    progress('restored: start the control plane (scripts/up.sh); agents reconnect with their credentials and adopt their containers');
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
