-- AlterTable
ALTER TABLE "_events" ADD COLUMN     "previous" TEXT;

-- CreateTable
CREATE TABLE "_event_cursors" (
    "consumer" TEXT NOT NULL,
    "last_seq" INTEGER NOT NULL,
    "lease_owner" TEXT,
    "lease_until" TEXT,
    "updated" TEXT NOT NULL,

    CONSTRAINT "_event_cursors_pkey" PRIMARY KEY ("consumer")
);
