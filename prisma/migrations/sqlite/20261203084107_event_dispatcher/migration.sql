-- AlterTable
ALTER TABLE "_events" ADD COLUMN "previous" TEXT;

-- CreateTable
CREATE TABLE "_event_cursors" (
    "consumer" TEXT NOT NULL PRIMARY KEY,
    "last_seq" INTEGER NOT NULL,
    "lease_owner" TEXT,
    "lease_until" TEXT,
    "updated" TEXT NOT NULL
);
