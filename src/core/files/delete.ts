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
  const { db, prisma } = ctx.services;
  const f = await findFile(ctx, id);
  if (!f || !ownsFile(ctx, f)) throw new NotFoundError(`File '${id}' not found`);
  // One statement: a record attaching the file meanwhile makes it delete nothing (then 409).
  const { changes } = await db.execute(
    db.qb
      .deleteFrom("_files")
      .where("id", "=", id)
      .where("account_id", "=", ctx.principal.accountId)
      .where((eb) => eb.not(eb.exists(eb.selectFrom("_file_refs").select("file_id").where("file_id", "=", id)))),
  );
  if (changes === 0) {
    const used = await prisma.fileRef.count({ where: { fileId: id } });
    if (used > 0) throw new ConflictError(`File '${id}' is used by ${used} record${used > 1 ? "s" : ""}; remove it from ${used > 1 ? "them" : "it"} first`, { records: used });
    throw new NotFoundError(`File '${id}' not found`);
  }
  removeStoredFiles(ctx.services, [f]);
  return f;
}
