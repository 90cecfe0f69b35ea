-- AlterTable
ALTER TABLE "_users" ADD COLUMN     "session_kept" TEXT,
ADD COLUMN     "sessions_ended_at" TIMESTAMP(3);
