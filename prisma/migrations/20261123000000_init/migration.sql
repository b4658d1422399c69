-- CreateTable
CREATE TABLE "objects" (
    "resource" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "uid" UUID NOT NULL,
    "resource_version" BIGINT NOT NULL,
    "generation" BIGINT NOT NULL DEFAULT 1,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "node_name" TEXT,
    "phase" TEXT,
    "owner_uids" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "deletion_timestamp" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "body" JSONB NOT NULL,

    CONSTRAINT "objects_pkey" PRIMARY KEY ("resource","namespace","name")
);

-- CreateTable
CREATE TABLE "changes" (
    "resource_version" BIGINT NOT NULL,
    "resource" TEXT NOT NULL,
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "uid" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "object" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "changes_pkey" PRIMARY KEY ("resource_version")
);

-- CreateTable
CREATE TABLE "store_counters" (
    "name" TEXT NOT NULL,
    "value" BIGINT NOT NULL,

    CONSTRAINT "store_counters_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "objects_uid_key" ON "objects"("uid");

-- CreateIndex
CREATE INDEX "objects_resource_resource_version_idx" ON "objects"("resource", "resource_version");

-- CreateIndex
CREATE INDEX "objects_resource_node_name_idx" ON "objects"("resource", "node_name");

-- CreateIndex
CREATE INDEX "objects_resource_phase_idx" ON "objects"("resource", "phase");

-- CreateIndex
CREATE INDEX "objects_labels_idx" ON "objects" USING GIN ("labels");

-- CreateIndex
CREATE INDEX "objects_owner_uids_idx" ON "objects" USING GIN ("owner_uids");

-- CreateIndex
CREATE INDEX "changes_created_at_idx" ON "changes"("created_at");

-- Seed the counters the store relies on.
INSERT INTO "store_counters" ("name", "value") VALUES ('resource_version', 1), ('compacted', 0);
