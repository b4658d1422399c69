// Scheduled platform backups, run by the controller holding the leader lock (one backup per interval for
// the whole control plane). Off unless FLOTILLA_BACKUP_REPOSITORY is set; daily unless
// FLOTILLA_BACKUP_SCHEDULE_SECONDS says otherwise. The interval counts from the newest recorded backup, so a
// restart or a leader change neither skips a backup nor doubles it.
import type { Store } from '@flotilla/store';
import { eventAlert } from './alerts';
import { loadBackupConfig, type BackupConfig } from './config';
import { backup } from './platform';
import { backupRunsQuery } from './status';

export interface ScheduleLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface BackupSchedule {
  stop(): void;
  /** Resolves when the running backup, if any, is done. */
  idle(): Promise<void>;
}

/** Starts the schedule (the configuration is validated now: a bad value stops the controller's start). */
export function startBackupSchedule(store: Store, isLeader: () => boolean, log: ScheduleLog, env: NodeJS.ProcessEnv = process.env): BackupSchedule {
  const config: BackupConfig = loadBackupConfig(env);
  if (!config.repository || config.scheduleSeconds === 0) return { stop: () => undefined, idle: () => Promise.resolve() };
  const sql = backupRunsQuery(config.databaseUrl);
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  let stopped = false;
  const tick = async () => {
    if (busy || stopped || !isLeader()) return;
    busy = true;
    try {
      const rows = await sql<{ age: string | null }>('SELECT extract(epoch FROM now() - max(started_at))::text AS age FROM backup_runs');
      const age = rows[0]?.age === null || rows[0]?.age === undefined ? Infinity : Number(rows[0].age);
      if (age < config.scheduleSeconds) return;
      log.info('scheduled platform backup starting', { everySeconds: config.scheduleSeconds });
      const outcome = await backup(config, (line) => log.info(`backup: ${line}`), eventAlert(store));
      if (outcome.result === 'verified') log.info('scheduled platform backup verified', { snapshot: outcome.snapshot, durationMs: outcome.durationMs });
      else log.warn('scheduled platform backup did not verify', { result: outcome.result, error: outcome.error });
    } catch (err) {
      log.warn('scheduled platform backup could not run', { error: (err as Error).message });
    } finally {
      busy = false;
    }
  };
  // The first look soon after the start (a backup overdue since before a restart runs now), then every minute.
  const first = setTimeout(() => (running = tick()), 5_000);
  const timer = setInterval(() => (running = tick()), Math.min(60, config.scheduleSeconds) * 1000);
  first.unref();
  timer.unref();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
    },
    idle: () => running,
  };
}
