// The newest backup outcome, for the API's /metrics (flotilla_backup_last_verified_timestamp, flotilla_backup_last_result).
import { Pool } from 'pg';

export type SqlQuery = <T = Record<string, unknown>>(sql: string, ...params: unknown[]) => Promise<T[]>;

export interface BackupStatus {
  /** Seconds since the epoch of the newest verified backup; undefined when none ever verified. */
  lastVerified: number | undefined;
  /** The newest backup's result (verified | backup-failed | verify-failed); undefined when none ran. */
  lastResult: string | undefined;
}

export async function backupStatus(sql: SqlQuery): Promise<BackupStatus> {
  const rows = await sql<{ verified: string | null; result: string | null }>(
    `SELECT (SELECT extract(epoch FROM max(verified_at))::text FROM backup_runs WHERE result = 'verified') AS verified,
            (SELECT result FROM backup_runs ORDER BY id DESC LIMIT 1) AS result`,
  );
  const r = rows[0];
  return { lastVerified: r?.verified ? Number(r.verified) : undefined, lastResult: r?.result ?? undefined };
}

/**
 * A query function on a one-connection pool of its own: libs/backup owns the backup_runs table, as libs/identity
 * owns the identity tables, so the store's connections never carry it. The idle connection closes after 10 s
 * and never holds the process open.
 */
export function backupRunsQuery(databaseUrl: string): SqlQuery {
  let pool: Pool | undefined;
  return async <T>(text: string, ...params: unknown[]): Promise<T[]> => {
    if (!pool) {
      pool = new Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
      pool.on('error', () => undefined); // a restarted Postgres must not crash the process
    }
    return (await pool.query(text, params)).rows as T[];
  };
}
