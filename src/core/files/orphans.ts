/**
 * Orphan uploads: files uploaded but never attached to a record (no `_file_refs` row) are
 * deleted once they are older than the grace period, setting `orphan_file_grace_hours`
 * (category storage; a number > 0, default 24). Files that lose their last record are deleted
 * with that write already (refs.ts); this sweep only catches the ones nobody ever used.
 *
 * Safe with several instances on one database: each sweep is a single
 * `DELETE … WHERE updated < cutoff AND NOT EXISTS (reference) RETURNING`, so a row is returned
 * (and its bytes removed) by exactly one instance. Attaching a file touches its `updated`
 * inside the record write's transaction (refs.ts `checkAttachable`), so on PostgreSQL a sweep
 * that meets a file being attached waits for that write and then re-checks `updated` on the new
 * row version (no longer past the cutoff): a file is never deleted under a record that just
 * took it. On SQLite writes are serialised anyway.
 */
import type { Services } from "../context.ts";
import { removeStoredFiles } from "./remove.ts";

/** Default grace period of never-attached uploads: 24 hours. */
export const DEFAULT_ORPHAN_GRACE_HOURS = 24;
/** Rows deleted per statement; a sweep repeats until fewer come back. */
const SWEEP_BATCH = 500;
/** Sweeps run every grace/2, within these bounds. */
const MIN_INTERVAL_MS = 250;
const MAX_INTERVAL_MS = 15 * 60_000;

/** The grace period in milliseconds: `orphan_file_grace_hours` when a number > 0, else 24 h. */
export function orphanGraceMs(services: Pick<Services, "settings">): number {
  const v = services.settings.get<unknown>("orphan_file_grace_hours", undefined);
  const hours = typeof v === "number" && Number.isFinite(v) && v > 0 ? v : DEFAULT_ORPHAN_GRACE_HOURS;
  return hours * 3_600_000;
}

/** A timestamp as the system tables store it (Prisma's ISO 8601 form; PostgreSQL reads it as UTC). */
export const dbTimestamp = (d: Date): string => d.toISOString().replace("Z", "+00:00");

/**
 * Deletes the uploads no record uses that were last touched before now − grace (every account),
 * their bytes and thumbnails after each statement. Returns how many were deleted.
 */
export async function sweepOrphanUploads(services: Pick<Services, "db" | "settings" | "now" | "files" | "log">): Promise<number> {
  const { db } = services;
  const cutoff = dbTimestamp(new Date(services.now().getTime() - orphanGraceMs(services)));
  let total = 0;
  for (;;) {
    const orphan = (qb: typeof db.qb) =>
      qb
        .selectFrom("_files")
        .select("id")
        .where("updated", "<", cutoff)
        .where((eb) => eb.not(eb.exists(eb.selectFrom("_file_refs").select("file_id").whereRef("_file_refs.file_id", "=", "_files.id"))))
        .limit(SWEEP_BATCH);
    const { rows } = await db.execute<{ id: string; storage_key: string }>(
      db.qb
        .deleteFrom("_files")
        .where("id", "in", orphan(db.qb))
        .where("updated", "<", cutoff)
        .where((eb) => eb.not(eb.exists(eb.selectFrom("_file_refs").select("file_id").whereRef("_file_refs.file_id", "=", "_files.id"))))
        .returning(["id", "storage_key"]),
    );
    if (rows.length)
      removeStoredFiles(
        services,
        rows.map((r) => ({ id: r.id, storageKey: r.storage_key })),
      );
    total += rows.length;
    if (rows.length < SWEEP_BATCH) return total;
  }
}

export interface OrphanSweeper {
  /** Runs a sweep now (also what the timer does); resolves with the number deleted. */
  sweep(): Promise<number>;
  /** Stops the timer; resolves once a sweep in progress finished. */
  stop(): Promise<void>;
}

/** Sweeps every grace/2 (0.25 s – 15 min), following changes of the setting, until `stop()`. */
export function startOrphanSweep(services: Services): OrphanSweeper {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let running: Promise<number> = Promise.resolve(0);
  const sweep = () =>
    (running = running.then(() =>
      sweepOrphanUploads(services).catch((err: unknown) => {
        services.log.warn({ err }, "files: orphan upload sweep failed");
        return 0;
      }),
    ));
  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    const every = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, orphanGraceMs(services) / 2));
    timer = setTimeout(() => void sweep().then(schedule), every);
    timer.unref();
  };
  schedule();
  const off = services.settings.onChange((key) => {
    if (key === "orphan_file_grace_hours") schedule();
  });
  return {
    sweep,
    async stop() {
      stopped = true;
      off();
      clearTimeout(timer);
      await running;
    },
  };
}
