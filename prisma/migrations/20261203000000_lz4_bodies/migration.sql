-- Object bodies and change-log entries of about 2 kB and up (pods, nodes, deployments) are compressed by
-- TOAST, and every write compresses them and every read (cache fill, watch catch-up, a write's row lock)
-- decompresses them. lz4 does both several times faster than the default pglz. Values already stored keep
-- their compression; a Postgres built without lz4 keeps pglz (a notice says so).
DO $$
BEGIN
  ALTER TABLE "objects" ALTER COLUMN "body" SET COMPRESSION lz4;
  ALTER TABLE "changes" ALTER COLUMN "object" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
  RAISE NOTICE 'this Postgres has no lz4 support: object bodies stay compressed with pglz';
END $$;
