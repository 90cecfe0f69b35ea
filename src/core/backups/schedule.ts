/**
 * Scheduled backups: the setting `backup_schedule` (category `backup`) is a cron expression
 * (croner syntax: 5 fields, or 6 with seconds first; UTC); unset or "" turns it off. Each run
 * takes a backup with reason `scheduled`, then deletes the oldest scheduled backups beyond
 * `backup_keep` (default 7). Manual and pre-restore backups are never deleted by the schedule.
 * A change of either setting on this instance takes effect at once.
 */
import { join } from "node:path";
import { rm } from "node:fs/promises";
import { Cron } from "croner";
import type { Services } from "../context.ts";
import { takeBackup } from "./create-backup.ts";
import { allBackups } from "./manage-backups.ts";
import { backupsDir } from "./names.ts";

export const DEFAULT_BACKUP_KEEP = 7;

/** Null when `value` is a valid schedule (a cron expression, or empty to turn it off); else why not. */
export function scheduleProblem(value: unknown): string | null {
  if (value === null || value === "") return null;
  if (typeof value !== "string") return "must be a cron expression (e.g. '0 3 * * *') or an empty string";
  try {
    new Cron(value, { paused: true, timezone: "UTC" }).stop();
    return null;
  } catch (e) {
    return `must be a cron expression (e.g. '0 3 * * *'): ${(e as Error).message}`;
  }
}

export interface BackupScheduler {
  /** next planned run, or null when the schedule is off */
  nextRun(): Date | null;
  /** Resolves when the run in progress (if any) finished. */
  idle(): Promise<void>;
  stop(): void;
}

/** Follows the schedule settings until `stop()`. */
export function startBackupSchedule(services: Services): BackupScheduler {
  let job: Cron | undefined;
  let running: Promise<void> = Promise.resolve();
  const run = () => {
    running = services.gate
      .exclusive(async () => {
        const info = await takeBackup(services, "scheduled");
        services.log.info({ backup: info.filename, size: info.sizeBytes }, "scheduled backup taken");
        await prune(services);
      })
      .catch((err: unknown) => services.log.error({ err }, "scheduled backup failed"));
  };
  const apply = () => {
    job?.stop();
    job = undefined;
    const pattern = services.settings.get<unknown>("backup_schedule", "");
    if (typeof pattern !== "string" || pattern === "" || scheduleProblem(pattern)) return;
    job = new Cron(pattern, { timezone: "UTC", protect: true }, run);
  };
  apply();
  const off = services.settings.onChange((key) => {
    if (key === "backup_schedule") apply();
  });
  return {
    nextRun: () => job?.nextRun() ?? null,
    idle: () => running,
    stop() {
      off();
      job?.stop();
      job = undefined;
    },
  };
}

/** Deletes scheduled backups beyond `backup_keep`, oldest first. */
async function prune(services: Services): Promise<void> {
  const raw = services.settings.get<unknown>("backup_keep", DEFAULT_BACKUP_KEEP);
  const keep = typeof raw === "number" && Number.isInteger(raw) && raw >= 1 ? raw : DEFAULT_BACKUP_KEEP;
  const scheduled = (await allBackups(services)).filter((b) => b.reason === "scheduled");
  const dir = backupsDir(services.config);
  for (const b of scheduled.slice(keep)) {
    await rm(join(dir, b.filename), { force: true });
    await rm(join(dir, `${b.id}.manifest.json`), { force: true });
  }
}
