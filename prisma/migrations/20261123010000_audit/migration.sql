-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "time" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "request_id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "source_ip" TEXT NOT NULL,
    "user_agent" TEXT,
    "verb" TEXT NOT NULL,
    "api_group" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "subresource" TEXT NOT NULL DEFAULT '',
    "namespace" TEXT NOT NULL DEFAULT '',
    "name" TEXT NOT NULL DEFAULT '',
    "code" INTEGER NOT NULL,
    "decision" TEXT NOT NULL,
    "reason" TEXT,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_events_time_idx" ON "audit_events"("time");

-- CreateIndex
CREATE INDEX "audit_events_username_time_idx" ON "audit_events"("username", "time");

-- CreateIndex
CREATE INDEX "audit_events_namespace_time_idx" ON "audit_events"("namespace", "time");
