-- Every platform backup and its verification (libs/backup): the API's /metrics reads the newest row
-- (flotilla_backup_last_verified_timestamp, flotilla_backup_last_result), so a backup that failed or did not
-- verify is visible instead of silent. Rows are kept in the database being backed up, so a restore brings
-- back the history up to the backup it came from.
CREATE TABLE "backup_runs" (
    "id" BIGSERIAL NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "snapshot_id" TEXT,
    "repository" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "verified_at" TIMESTAMPTZ(3),
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,
    "data_added_bytes" BIGINT,
    "total_bytes" BIGINT,
    "objects" INTEGER,
    "report" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "backup_runs_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "backup_runs_started_at_idx" ON "backup_runs"("started_at");
