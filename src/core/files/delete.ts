/**
 * Deleting a file by id: its uploader or a superadmin, and only while no record uses it (a file
 * in a record's field goes when the field is cleared or the record deleted).
 */
import { requireSignedIn } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { findFile, ownsFile } from "./read.ts";
import { removeStoredFiles } from "./remove.ts";
import type { FileView } from "./types.ts";

/**
 * Deletes the file (row now; bytes and thumbnails right after).
 * @throws 401 anonymous; NotFoundError 404 (absent, or not the caller's); ConflictError 409 while
 *   a record uses it (`details.records`: how many).
 */
export async function deleteFile(ctx: Context, id: string): Promise<FileView> {
  requireSignedIn(ctx);
  const { prisma } = ctx.services;
  const f = await findFile(ctx, id);
  if (!f || !ownsFile(ctx, f)) throw new NotFoundError(`File '${id}' not found`);
  const used = await prisma.fileRef.count({ where: { fileId: id } });
  if (used > 0) throw new ConflictError(`File '${id}' is used by ${used} record${used > 1 ? "s" : ""}; remove it from ${used > 1 ? "them" : "it"} first`, { records: used });
  const { count } = await prisma.file.deleteMany({ where: { id, accountId: ctx.principal.accountId } });
  if (count === 0) throw new NotFoundError(`File '${id}' not found`);
  removeStoredFiles(ctx.services, [f]);
  return f;
}
