/**
 * Reading file metadata: one file (with the download access check), lists, and files by id in
 * one query (for the file fields of records). Who may see a file: superadmins; its uploader;
 * anyone who may view one of the records using it (the owning record's view rule — protected
 * files); anyone holding a valid signed URL. Everyone else gets 404, as for a record they may
 * not see.
 */
import type { File as FileRow } from "../../generated/prisma/client.ts";
import { requireSignedIn } from "../auth/guards.ts";
import { isSuperadmin, type Context } from "../context.ts";
import { AppError, NotFoundError } from "../errors.ts";
import { getRecord } from "../records/read.ts";
import { FILE_ID, type FileView } from "./types.ts";
import { verifyFileSignature, type FileSignature } from "./signed-url.ts";

/** Records checked at most when looking for one the caller may view. */
const MAX_REFS_CHECKED = 20;

export function toFileView(r: FileRow): FileView {
  return {
    id: r.id,
    accountId: r.accountId,
    userId: r.userId,
    name: r.name,
    mimeType: r.mimeType,
    size: r.size,
    sha256: r.sha256,
    storageKey: r.storageKey,
    storageType: r.storageType,
    collection: r.collection,
    recordId: r.recordId,
    field: r.field,
    created: r.created,
    updated: r.updated,
  };
}

const notFound = (id: string) => new NotFoundError(`File '${id}' not found`);

/** The file row in the caller's account, or undefined. */
export async function findFile(ctx: Context, id: string): Promise<FileView | undefined> {
  if (!FILE_ID.test(id)) return undefined;
  const row = await ctx.services.prisma.file.findFirst({ where: { id, accountId: ctx.principal.accountId } });
  return row ? toFileView(row) : undefined;
}

/** True when the caller uploaded the file or is a superadmin. */
export function ownsFile(ctx: Context, f: FileView): boolean {
  return isSuperadmin(ctx) || (ctx.principal.kind === "user" && ctx.principal.userId === f.userId);
}

/** True when the caller may view one of the records that use the file. */
async function viewsAnyOwningRecord(ctx: Context, f: FileView): Promise<boolean> {
  const refs = await ctx.services.prisma.fileRef.findMany({ where: { fileId: f.id }, take: MAX_REFS_CHECKED });
  for (const ref of refs) {
    const def = ctx.services.collections.list().find((c) => c.id === ref.collectionId);
    if (!def) continue;
    try {
      await getRecord(ctx, def.name, ref.recordId);
      return true;
    } catch (e) {
      // not found, hidden by the view rule, or the collection is closed to the caller: try the next
      if (!(e instanceof AppError) || e.status >= 500) throw e;
    }
  }
  return false;
}

/**
 * The file, when the caller may see it (see the module doc) or `signature` is a valid signed-URL
 * signature for it. @throws NotFoundError 404 otherwise (also for ids that cannot be file ids).
 */
export async function getFile(ctx: Context, id: string, signature?: FileSignature): Promise<FileView> {
  const f = await findFile(ctx, id);
  if (!f) throw notFound(id);
  if (signature && verifyFileSignature(ctx, id, signature)) return f;
  if (ownsFile(ctx, f) || (await viewsAnyOwningRecord(ctx, f))) return f;
  throw notFound(id);
}

export interface FileListQuery {
  collection?: string;
  recordId?: string;
  page: number;
  pageSize: number;
}

export interface FileList {
  items: FileView[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * Lists files newest first: superadmins see every file of the account, others the files they
 * uploaded; optionally only those uploaded for a collection and/or record. @throws 401 anonymous.
 */
export async function listFiles(ctx: Context, q: FileListQuery): Promise<FileList> {
  const p = requireSignedIn(ctx);
  const where = {
    accountId: ctx.principal.accountId,
    ...(isSuperadmin(ctx) ? {} : { userId: p.kind === "user" ? p.userId : "" }),
    ...(q.collection !== undefined ? { collection: q.collection } : {}),
    ...(q.recordId !== undefined ? { recordId: q.recordId } : {}),
  };
  const [rows, total] = await Promise.all([
    ctx.services.prisma.file.findMany({ where, orderBy: [{ created: "desc" }, { id: "desc" }], skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
    ctx.services.prisma.file.count({ where }),
  ]);
  return { items: rows.map(toFileView), total, page: q.page, pageSize: q.pageSize };
}

/**
 * Files of the caller's account by id, in one query (unknown ids are absent from the map). For
 * the file fields of records the caller already may read: no further access check.
 */
export async function filesByIds(ctx: Context, ids: Iterable<string>): Promise<Map<string, FileView>> {
  const list = [...new Set(ids)].filter((id) => FILE_ID.test(id));
  if (list.length === 0) return new Map();
  const { db } = ctx.services;
  // The core database handle (not Prisma): statement-count tests watch this path.
  const rows = await db.query<Record<string, unknown>>(db.qb.selectFrom("_files").select(FILE_COLUMNS).where("account_id", "=", ctx.principal.accountId).where("id", "in", list));
  return new Map(rows.map((r) => [String(r.id), fromRow(r)]));
}

const FILE_COLUMNS = ["id", "account_id", "user_id", "name", "mime_type", "size", "sha256", "storage_key", "storage_type", "collection", "record_id", "field", "created", "updated"];

/** A `_files` row read with the SQL builder (dates: ISO text on SQLite, Date on PostgreSQL). */
function fromRow(r: Record<string, unknown>): FileView {
  const text = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    id: String(r.id),
    accountId: String(r.account_id),
    userId: text(r.user_id),
    name: String(r.name),
    mimeType: String(r.mime_type),
    size: Number(r.size),
    sha256: String(r.sha256),
    storageKey: String(r.storage_key),
    storageType: String(r.storage_type),
    collection: text(r.collection),
    recordId: text(r.record_id),
    field: text(r.field),
    created: new Date(r.created as string | Date),
    updated: new Date(r.updated as string | Date),
  };
}
