/**
 * The backup archive format (version 1), portable between SQLite and PostgreSQL:
 *
 *     manifest.json            this file's shape (BackupManifest)
 *     db/<table>.ndjson        one JSON object per row, keyed by column name
 *     files/…                  the uploaded files (`<data dir>/files`), as they were
 *
 * Rows are written as the source database returns them, plus each column's declared type in
 * the manifest; restoring converts per column for the target database (portable-values.ts).
 * Collection tables are recreated from their definitions (the `_collections` rows) with the
 * target database's DDL, so indexes and full-text search come back in the target's own form.
 */
import type { Dialect } from "../../config.ts";

export const BACKUP_FORMAT = "cairn-backup";
export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST_FILE = "manifest.json";
export const DATA_FOLDER = "db";
export const FILES_FOLDER = "files";

/**
 * System tables left out of backups (and left alone by restores): migration bookkeeping, the
 * event outbox's delivery state, and jobs (a restore runs as one: it must not replace its own row).
 */
export const UNSAVED_TABLES: ReadonlySet<string> = new Set(["_migrations", "_events", "_event_cursors", "_jobs"]);

export interface ManifestTable {
  name: string;
  /** `system` (Cairn's own tables) or `collection` (recreated from its definition) */
  kind: "system" | "collection";
  rows: number;
  columns: { name: string; type: string }[];
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  version: number;
  id: string;
  /** ISO time of the snapshot */
  created: string;
  /** the database the backup was taken from */
  database: Dialect;
  /** `manual`, `scheduled` or `pre_restore` */
  reason: BackupReason;
  /** migrations applied to the source database (a restore needs all of them) */
  migrations: string[];
  tables: ManifestTable[];
  files: { count: number; bytes: number };
}

export type BackupReason = "manual" | "scheduled" | "pre_restore";

/** Throws an Error naming what is wrong when `value` is not a manifest this version reads. */
export function checkManifest(value: unknown): BackupManifest {
  const m = value as Partial<BackupManifest> | null;
  if (!m || typeof m !== "object" || m.format !== BACKUP_FORMAT) throw new Error("it is not a Cairn backup (no manifest)");
  if (m.version !== BACKUP_FORMAT_VERSION) throw new Error(`its format version ${String(m.version)} is not supported (this Cairn reads version ${BACKUP_FORMAT_VERSION})`);
  if (!Array.isArray(m.tables) || !Array.isArray(m.migrations) || (m.database !== "sqlite" && m.database !== "postgres")) throw new Error("its manifest is incomplete");
  for (const t of m.tables) {
    if (typeof t?.name !== "string" || /[/\\]|\.\./.test(t.name) || !Array.isArray(t.columns)) throw new Error("its manifest lists an invalid table");
  }
  return m as BackupManifest;
}
