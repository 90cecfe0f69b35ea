/**
 * `createBackup`: a consistent backup taken while the service keeps running (writes go on; the
 * archive holds the database as of one snapshot, see db/snapshot.ts), packed with the uploaded
 * files and a manifest (manifest.ts) into `<data dir>/backups/<id>.tar.gz`.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openSnapshot, type Snapshot } from "../../db/snapshot.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import { audit } from "../audit/audit.ts";
import type { Context, Services } from "../context.ts";
import { folderSize, LineWriter, packArchive } from "./archive.ts";
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DATA_FOLDER, FILES_FOLDER, MANIFEST_FILE, UNSAVED_TABLES, type BackupManifest, type BackupReason, type ManifestTable } from "./manifest.ts";
import { archiveName, backupsDir, filesDir, newBackupId } from "./names.ts";
import { toPortable } from "./portable-values.ts";

/** A backup as the operations describe it. */
export interface BackupInfo {
  id: string;
  filename: string;
  sizeBytes: number;
  /** ISO time of the snapshot */
  created: string;
  database: "sqlite" | "postgres";
  reason: BackupReason;
  /** rows over all tables */
  rows: number;
  collections: number;
  files: number;
}

/** Progress of a backup or restore: the step, and tables done out of all. */
export interface BackupProgress {
  phase: "snapshot" | "files" | "archive" | "safety_backup" | "restore" | "done";
  table?: string;
  tablesDone: number;
  tablesTotal: number;
  rows: number;
}
export type ProgressListener = (p: BackupProgress) => void;

export function infoFrom(m: BackupManifest, sizeBytes: number): BackupInfo {
  return {
    id: m.id,
    filename: archiveName(m.id),
    sizeBytes,
    created: m.created,
    database: m.database,
    reason: m.reason,
    rows: m.tables.reduce((n, t) => n + t.rows, 0),
    collections: m.tables.filter((t) => t.kind === "collection").length,
    files: m.files.count,
  };
}

/**
 * Takes a backup now (superadmins). Backups and restores run one at a time per instance.
 * @throws 401/403; ServiceUnavailableError 503 when the database is unavailable
 */
export async function createBackup(ctx: Context, opts: { onProgress?: ProgressListener } = {}): Promise<BackupInfo> {
  requireSuperadmin(ctx);
  const info = await ctx.services.gate.exclusive(() => takeBackup(ctx.services, "manual", opts.onProgress));
  void audit(ctx, { eventType: "admin", eventAction: "create", resourceType: "backup", resourceId: info.id, description: `Backup ${info.filename} created`, details: { size: info.sizeBytes } });
  return info;
}

/** Takes a backup; the caller holds `services.gate.exclusive`. */
export async function takeBackup(services: Services, reason: BackupReason, onProgress: ProgressListener = () => {}): Promise<BackupInfo> {
  const dir = backupsDir(services.config);
  await mkdir(dir, { recursive: true });
  const created = services.now();
  const id = newBackupId(created, (candidate) => existsSync(join(dir, archiveName(candidate))), reason === "pre_restore" ? "_pre_restore" : "");
  const staging = join(dir, `.staging-${id}-${randomBytes(4).toString("hex")}`);
  await mkdir(join(staging, DATA_FOLDER), { recursive: true });
  try {
    const snapshot = await openSnapshot(services.db);
    let tables: ManifestTable[];
    let migrations: string[];
    try {
      ({ tables, migrations } = await dumpTables(snapshot, staging, onProgress));
    } finally {
      await snapshot.close();
    }
    onProgress({ phase: "files", tablesDone: tables.length, tablesTotal: tables.length, rows: tables.reduce((n, t) => n + t.rows, 0) });
    const files = filesDir(services.config);
    const entries = [MANIFEST_FILE, DATA_FOLDER];
    if (existsSync(files)) {
      await symlink(files, join(staging, FILES_FOLDER), "dir");
      entries.push(FILES_FOLDER);
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      version: BACKUP_FORMAT_VERSION,
      id,
      created: created.toISOString(),
      database: services.db.dialect,
      reason,
      migrations,
      tables,
      files: await folderSize(files),
    };
    await writeFile(join(staging, MANIFEST_FILE), JSON.stringify(manifest, null, 2));
    onProgress({ phase: "archive", tablesDone: tables.length, tablesTotal: tables.length, rows: tables.reduce((n, t) => n + t.rows, 0) });
    const file = join(dir, archiveName(id));
    await packArchive(staging, entries, file);
    await writeFile(join(dir, `${id}.manifest.json`), JSON.stringify(manifest));
    const info = infoFrom(manifest, (await stat(file)).size);
    onProgress({ phase: "done", tablesDone: tables.length, tablesTotal: tables.length, rows: info.rows });
    return info;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Writes every saved table of the snapshot as NDJSON; returns the manifest's table list. */
async function dumpTables(snapshot: Snapshot, staging: string, onProgress: ProgressListener): Promise<{ tables: ManifestTable[]; migrations: string[] }> {
  const all = await snapshot.tables();
  const migrations: string[] = [];
  if (all.some((t) => t.name === "_migrations")) for await (const rows of snapshot.rows("_migrations", ["name"])) for (const r of rows) migrations.push(String(r.name));
  const collections = new Set<string>();
  for await (const rows of snapshot.rows("_collections", ["name", "type"])) for (const r of rows) if (r.type !== "view") collections.add(String(r.name));
  const saved = all.filter((t) => (t.name.startsWith("_") && !UNSAVED_TABLES.has(t.name)) || collections.has(t.name));
  const tables: ManifestTable[] = [];
  let total = 0;
  for (const t of saved) {
    onProgress({ phase: "snapshot", table: t.name, tablesDone: tables.length, tablesTotal: saved.length, rows: total });
    const out = new LineWriter(join(staging, DATA_FOLDER, `${t.name}.ndjson`));
    let rows = 0;
    try {
      const names = t.columns.map((c) => c.name);
      for await (const batch of snapshot.rows(t.name, names)) {
        for (const row of batch) {
          // fromEntries: column names are data (own properties even for names like `__proto__`)
          await out.write(JSON.stringify(Object.fromEntries(names.map((n) => [n, toPortable(row[n])]))));
        }
        rows += batch.length;
      }
      await out.close();
    } catch (e) {
      out.destroy();
      throw e;
    }
    total += rows;
    tables.push({ name: t.name, kind: collections.has(t.name) ? "collection" : "system", rows, columns: t.columns });
  }
  return { tables, migrations };
}
