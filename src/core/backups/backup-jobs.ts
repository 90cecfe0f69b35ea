/**
 * Backups and restores as jobs (core/jobs): `startBackupJob` and `startRestoreJob` check the
 * caller and the name at once (401/403, 400, 404), then queue the work and return the job; its
 * progress is tables done out of all, its result `{ backup }` or `{ restore }` (domain shapes of
 * create-backup.ts / restore-backup.ts). A backup interrupted by a restart runs again from the
 * start (harmless); an interrupted restore fails with the reason (its transaction rolled back).
 */
import { requireSuperadmin } from "../auth/guards.ts";
import type { Context, Services } from "../context.ts";
import { registerJobKind, startJob, type JobView } from "../jobs/jobs.ts";
import { createBackup, type BackupProgress } from "./create-backup.ts";
import { backupFile } from "./manage-backups.ts";
import { restoreBackup } from "./restore-backup.ts";

export const BACKUP_JOB = "backup";
export const RESTORE_JOB = "restore";

const progressOf = (report: (done: number, total?: number | null) => void) => (p: BackupProgress) => report(p.tablesDone, p.tablesTotal || null);

/** Registers the `backup` and `restore` job kinds (call while wiring the app). */
export function registerBackupJobs(services: Services): void {
  registerJobKind(services, BACKUP_JOB, async (_job, { ctx, progress }) => ({ backup: await createBackup(ctx, { onProgress: progressOf(progress) }) }), { resumable: true });
  registerJobKind(
    services,
    RESTORE_JOB,
    async (job, { ctx, progress }) => {
      const filename = String((job.input as { filename?: unknown } | null)?.filename ?? "");
      return { restore: await restoreBackup(ctx, filename, { onProgress: progressOf(progress) }) };
    },
    { resumable: false },
  );
}

/** Queues a backup (superadmins); returns the job. @throws 401/403 */
export async function startBackupJob(ctx: Context): Promise<JobView> {
  requireSuperadmin(ctx);
  return startJob(ctx, BACKUP_JOB, {});
}

/** Queues the restore of a backup by id or filename (superadmins); returns the job. @throws 401/403, 400 bad name, 404 unknown */
export async function startRestoreJob(ctx: Context, name: string): Promise<JobView> {
  requireSuperadmin(ctx);
  await backupFile(ctx.services, name);
  return startJob(ctx, RESTORE_JOB, { filename: name });
}
