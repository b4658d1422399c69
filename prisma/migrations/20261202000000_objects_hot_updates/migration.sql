-- Every write to an object changes its resource_version, and the index on it made every update a new entry
-- in all six of the table's indexes (two of them GIN). Nothing queries objects by version (the change log
-- serves versions), so it goes: an update that keeps the indexed fields (a status, a lease renewal) can then
-- be a heap-only (HOT) update, for which the table leaves room on each page.
DROP INDEX "objects_resource_resource_version_idx";
ALTER TABLE "objects" SET (fillfactor = 70);
