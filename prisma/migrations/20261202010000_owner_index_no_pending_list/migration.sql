-- Controllers count an owner's pods through the owner_uids index on every scaling step. With GIN's pending
-- list (fastupdate) each lookup also scanned every entry inserted since the last vacuum, which during a burst
-- of creates made it the most expensive statement of the scheduler benchmark (pg_stat_statements: 32 ms mean,
-- 89 s in all). Entries now go straight into the index.
ALTER INDEX "objects_owner_uids_idx" SET (fastupdate = off);
