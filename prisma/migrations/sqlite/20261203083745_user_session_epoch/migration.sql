-- AlterTable
ALTER TABLE "_users" ADD COLUMN "session_kept" TEXT;
ALTER TABLE "_users" ADD COLUMN "sessions_ended_at" DATETIME;
