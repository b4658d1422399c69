// The backup configuration, from the environment (README "Configuration"), validated before anything runs.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, int, text } from '@flotilla/log';

/** A backup setting or argument that cannot be used (the CLI exits 2). */
export class BackupConfigError extends ConfigError {}

export interface Retention {
  daily: number;
  weekly: number;
  monthly: number;
}

export interface BackupConfig {
  /** A restic repository: a directory, `sftp:user@host:/path`, `s3:https://host/bucket/path`, `rest:…`. */
  repository: string | undefined;
  /** The repository password, held by the admin; handed to restic through its environment, never written. */
  password: string | undefined;
  passwordFile: string | undefined;
  databaseUrl: string;
  dataDir: string;
  /** Seconds between scheduled backups (0: no schedule). */
  scheduleSeconds: number;
  retention: Retention;
  /** How many objects verification compares body for body. */
  sampleSize: number;
}

const count = (env: NodeJS.ProcessEnv, key: string, def: number): number => int(env, key, def, { min: 0 });

export function loadBackupConfig(env: NodeJS.ProcessEnv = process.env): BackupConfig {
  const repository = text(env, 'FLOTILLA_BACKUP_REPOSITORY');
  const password = text(env, 'FLOTILLA_BACKUP_PASSWORD');
  const passwordFile = text(env, 'FLOTILLA_BACKUP_PASSWORD_FILE');
  if (password && passwordFile) throw new BackupConfigError('set FLOTILLA_BACKUP_PASSWORD or FLOTILLA_BACKUP_PASSWORD_FILE, not both');
  if (repository && !password && !passwordFile)
    throw new BackupConfigError(
      'FLOTILLA_BACKUP_REPOSITORY is set but no password: set FLOTILLA_BACKUP_PASSWORD or FLOTILLA_BACKUP_PASSWORD_FILE (keep it away from the backups)',
    );
  if (passwordFile) {
    try {
      readFileSync(passwordFile);
    } catch (err) {
      throw new BackupConfigError(`FLOTILLA_BACKUP_PASSWORD_FILE: cannot read ${passwordFile}: ${(err as Error).message}`);
    }
  }
  // The same default as the controller's (README "Configuration"): the schedule runs inside it.
  const databaseUrl = text(env, 'DATABASE_URL') ?? 'postgresql://flotilla:flotilla@127.0.0.1:5432/flotilla';
  const scheduleSeconds = count(env, 'FLOTILLA_BACKUP_SCHEDULE_SECONDS', repository ? 86_400 : 0);
  if (scheduleSeconds > 0 && scheduleSeconds < 60) throw new BackupConfigError('FLOTILLA_BACKUP_SCHEDULE_SECONDS must be 0 (off) or at least 60');
  return {
    repository,
    password,
    passwordFile,
    databaseUrl,
    dataDir: resolve(env.FLOTILLA_DATA_DIR ?? join(process.cwd(), '.flotilla')),
    scheduleSeconds: repository ? scheduleSeconds : 0,
    retention: {
      daily: count(env, 'FLOTILLA_BACKUP_KEEP_DAILY', 7),
      weekly: count(env, 'FLOTILLA_BACKUP_KEEP_WEEKLY', 4),
      monthly: count(env, 'FLOTILLA_BACKUP_KEEP_MONTHLY', 6),
    },
    sampleSize: count(env, 'FLOTILLA_BACKUP_VERIFY_SAMPLE', 200),
  };
}

/** The repository as it may be shown and stored: credentials in a URL are removed. */
export function redactRepository(repo: string): string {
  return repo.replace(/\/\/[^/@]*@/, '//***@');
}
