/**
 * `restoreBackup`: replaces the database and the uploaded files with a backup's, without a
 * restart. Order: unpack and check the archive (400 when it is not a backup this Cairn can
 * read) → take a safety backup of the current state (`…_pre_restore`) → close the service gate
 * (every client gets 503 with Retry-After, on every instance sharing the database) → load the database in one transaction → swap the
 * files folder → reload the collection registry (the GraphQL schema follows), settings, roles
 * and API keys → reopen the gate. Works across databases (a SQLite backup into PostgreSQL and
 * the other way round, see manifest.ts).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { requireSuperadmin } from "../auth/guards.ts";
import { audit } from "../audit/audit.ts";
import type { Context, Services } from "../context.ts";
import { BadRequestError } from "../errors.ts";
import { unpackArchive } from "./archive.ts";
import { takeBackup, type BackupInfo, type ProgressListener } from "./create-backup.ts";
import { loadDatabase } from "./load-database.ts";
import { checkManifest, DATA_FOLDER, FILES_FOLDER, MANIFEST_FILE, type BackupManifest } from "./manifest.ts";
import { backupFile } from "./manage-backups.ts";
import { reloadState } from "./reload-state.ts";
import { closeEveryInstance } from "./restore-gate.ts";
import { archiveName, backupsDir, filesDir } from "./names.ts";

export const RESTORING_MESSAGE = "A backup is being restored; try again in a few seconds";

export interface RestoreResult {
  id: string;
  filename: string;
  /** the backup of the state before the restore */
  safetyBackup: BackupInfo;
  database: "sqlite" | "postgres";
  rows: number;
  collections: number;
  files: number;
}

/**
 * Restores a backup by id or filename (superadmins).
 * @throws 401/403; BadRequestError 400 for a bad name or an archive that is not a readable
 *   backup (or needs migrations this Cairn lacks); NotFoundError 404 unknown backup
 */
export async function restoreBackup(ctx: Context, name: string, opts: { onProgress?: ProgressListener } = {}): Promise<RestoreResult> {
  requireSuperadmin(ctx);
  const { services } = ctx;
  const onProgress = opts.onProgress ?? (() => {});
  const { id, file } = await backupFile(services, name);
  const result = await services.gate.exclusive(async () => {
    const folder = join(backupsDir(services.config), `.restore-${id}-${randomBytes(4).toString("hex")}`);
    await mkdir(folder, { recursive: true });
    try {
      const manifest = await unpack(services, id, file, folder);
      onProgress({ phase: "safety_backup", tablesDone: 0, tablesTotal: manifest.tables.length, rows: 0 });
      const safetyBackup = await takeBackup(services, "pre_restore");
      const loaded = await services.gate.closedWhile(RESTORING_MESSAGE, () =>
        closeEveryInstance(services, RESTORING_MESSAGE, async () => {
          const counts = await loadDatabase(services.db, folder, manifest, onProgress);
          await swapFiles(services, folder);
          await reloadCaches(services);
          return counts;
        }),
      );
      onProgress({ phase: "done", tablesDone: manifest.tables.length, tablesTotal: manifest.tables.length, rows: loaded.rows });
      return { id, filename: archiveName(id), safetyBackup, database: manifest.database, rows: loaded.rows, collections: loaded.collections, files: manifest.files.count };
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
  void audit(ctx, {
    eventType: "admin",
    eventAction: "update",
    severity: "warning",
    resourceType: "backup",
    resourceId: id,
    description: `Backup ${result.filename} restored (safety backup ${result.safetyBackup.filename})`,
    details: { rows: result.rows, collections: result.collections, from: result.database },
  });
  return result;
}

/** Unpacks and checks an archive. @throws BadRequestError 400 naming what is wrong */
async function unpack(services: Services, id: string, file: string, folder: string): Promise<BackupManifest> {
  const refuse = (why: string) => new BadRequestError(`Backup '${id}' cannot be restored: ${why}`);
  let manifest: BackupManifest;
  try {
    await unpackArchive(file, folder);
    manifest = checkManifest(JSON.parse(await readFile(join(folder, MANIFEST_FILE), "utf8")));
  } catch (e) {
    throw refuse(
      e instanceof SyntaxError || (e as { code?: string }).code === "ENOENT" ? "it is not a Cairn backup (no manifest)" : e instanceof Error && !("code" in e) ? e.message : "the archive is damaged",
    );
  }
  for (const t of manifest.tables) if (!existsSync(join(folder, DATA_FOLDER, `${t.name}.ndjson`))) throw refuse(`the data of table '${t.name}' is missing`);
  const applied = new Set((await services.db.query<{ name: string }>({ sql: 'SELECT name FROM "_migrations"', parameters: [] })).map((r) => r.name));
  const unknown = manifest.migrations.filter((m) => !applied.has(m));
  if (unknown.length) throw refuse(`it was made by a newer Cairn (unknown migrations: ${unknown.join(", ")}); upgrade first`);
  return manifest;
}

/** Replaces `<data dir>/files` with the backup's files (an empty folder when it had none). */
async function swapFiles(services: Services, folder: string): Promise<void> {
  const target = filesDir(services.config);
  const incoming = join(folder, FILES_FOLDER);
  const old = `${target}.old-${randomBytes(4).toString("hex")}`;
  if (existsSync(target)) await rename(target, old);
  if (existsSync(incoming)) await rename(incoming, target);
  await rm(old, { recursive: true, force: true });
}

/** Brings every in-memory copy of database state up to date after the restore committed. */
async function reloadCaches(services: Services): Promise<void> {
  await reloadState(services);
  // Other instances sharing the database: re-read the catalogue (a schema notice for no known
  // collection makes them sync) and their settings; the gate's "open" notice (restore-gate.ts)
  // makes them reload everything too before they answer again.
  services.pubsub.publish("schema", { seq: 0, type: "collection.update", collection: "", id: "", updated: "" });
  services.pubsub.publish("settings", { key: "*" });
}
