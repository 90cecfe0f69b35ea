/**
 * Listing, downloading and deleting backups (superadmins). Names are looked up in the backups
 * folder only (names.ts refuses separators and `..`).
 */
import { createReadStream, type ReadStream } from "node:fs";
import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { requireSuperadmin } from "../auth/guards.ts";
import { audit } from "../audit/audit.ts";
import type { Context, Services } from "../context.ts";
import { NotFoundError } from "../errors.ts";
import { manifestOf } from "./archive.ts";
import { infoFrom, type BackupInfo } from "./create-backup.ts";
import { ARCHIVE_EXTENSION, archiveName, backupIdFrom, backupsDir } from "./names.ts";

export interface BackupPage {
  items: BackupInfo[];
  page: number;
  perPage: number;
  total: number;
  totalPages: number;
}

/** Every readable backup of the folder, newest first (archives that are not backups are left out). */
export async function allBackups(services: Services): Promise<BackupInfo[]> {
  const dir = backupsDir(services.config);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(ARCHIVE_EXTENSION) && !n.startsWith("."));
  } catch {
    return [];
  }
  const out: BackupInfo[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const id = backupIdFrom(name);
      const [manifest, st] = await Promise.all([manifestOf(dir, id, file), stat(file)]);
      out.push({ ...infoFrom(manifest, st.size), id, filename: name });
    } catch (e) {
      services.log.warn({ err: e, file: name }, "backups: skipping a file that is not a readable backup");
    }
  }
  return out.sort((a, b) => b.created.localeCompare(a.created) || b.id.localeCompare(a.id));
}

/** A page of backups, newest first. @throws 401/403 */
export async function listBackups(ctx: Context, query: { page?: number; perPage?: number } = {}): Promise<BackupPage> {
  requireSuperadmin(ctx);
  const page = Math.max(1, query.page ?? 1);
  const perPage = Math.min(100, Math.max(1, query.perPage ?? 20));
  const all = await allBackups(ctx.services);
  return { items: all.slice((page - 1) * perPage, page * perPage), page, perPage, total: all.length, totalPages: Math.ceil(all.length / perPage) };
}

/** The archive file of a backup by id or filename. @throws BadRequestError 400 bad name, NotFoundError 404 */
export async function backupFile(services: Services, name: string): Promise<{ id: string; file: string; size: number }> {
  const id = backupIdFrom(name);
  const file = join(backupsDir(services.config), archiveName(id));
  try {
    const s = await stat(file);
    if (s.isFile()) return { id, file, size: s.size };
  } catch {
    /* not there */
  }
  throw new NotFoundError(`Backup '${name}' not found`);
}

/** Opens a backup for download. @throws 401/403, 400 bad name, 404 unknown */
export async function openBackup(ctx: Context, name: string): Promise<{ filename: string; size: number; stream: ReadStream }> {
  requireSuperadmin(ctx);
  const { id, file, size } = await backupFile(ctx.services, name);
  return { filename: archiveName(id), size, stream: createReadStream(file) };
}

/** Deletes a backup (archive and its manifest copy). @throws 401/403, 400 bad name, 404 unknown */
export async function deleteBackup(ctx: Context, name: string): Promise<void> {
  requireSuperadmin(ctx);
  const { id, file } = await backupFile(ctx.services, name);
  await rm(file, { force: true });
  await rm(join(backupsDir(ctx.services.config), `${id}.manifest.json`), { force: true });
  void audit(ctx, { eventType: "admin", eventAction: "delete", resourceType: "backup", resourceId: id, description: `Backup ${archiveName(id)} deleted` });
}
