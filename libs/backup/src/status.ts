// The newest backup outcome, for the API's /metrics (flotilla_backup_last_verified_timestamp, flotilla_backup_last_result).
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
