-- CreateTable
CREATE TABLE "_jobs" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "input" TEXT NOT NULL DEFAULT '{}',
    "progress_done" INTEGER NOT NULL DEFAULT 0,
    "progress_total" INTEGER,
    "result" TEXT,
    "errors" TEXT,
    "error" TEXT,
    "checkpoint" TEXT,
    "actor" TEXT NOT NULL,
    "created_by" TEXT,
    "lease_owner" TEXT,
    "lease_until" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created" TEXT NOT NULL,
    "started" TEXT,
    "finished" TEXT,
    "updated" TEXT NOT NULL,

    CONSTRAINT "_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "_jobs_state_idx" ON "_jobs"("state");

-- CreateIndex
CREATE INDEX "_jobs_account_id_created_idx" ON "_jobs"("account_id", "created");
