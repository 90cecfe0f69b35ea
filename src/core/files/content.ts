/**
 * What a download sends: the original bytes or a thumbnail, with the type, size and ETag a
 * transport needs for conditional and range requests before it opens the bytes.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { BlobNotFoundError, type ByteRange } from "../../storage/blob-store.ts";
import type { Context } from "../context.ts";
import { NotFoundError, ServiceUnavailableError } from "../errors.ts";
import { thumbnailPath, type ThumbSpec } from "./thumbnails.ts";
import type { FileView } from "./types.ts";

export interface FileContent {
  /** bytes in total (of the thumbnail, for one) */
  size: number;
  /** the stored type (of the thumbnail, for one) */
  mimeType: string;
  /** strong ETag, quoted */
  etag: string;
  /** Opens the bytes, or `range` of them (inclusive, within size). */
  open(range?: ByteRange): Promise<Readable>;
}

/**
 * The content of an (already authorised) file, or of its thumbnail for `thumb`.
 * @throws 400 (thumbnail of a non-image), 404 when the bytes are missing from storage, 503 when
 *   the storage fails.
 */
export async function fileContent(ctx: Context, file: FileView, thumb?: ThumbSpec): Promise<FileContent> {
  if (thumb) {
    const t = await withStorage(ctx, file, () => thumbnailPath(ctx, file, thumb));
    return { size: t.size, mimeType: t.type, etag: `"${file.sha256}-${thumb.name}"`, open: async (range) => createReadStream(t.path, range ?? {}) };
  }
  return {
    size: file.size,
    mimeType: file.mimeType,
    etag: `"${file.sha256}"`,
    open: (range) => withStorage(ctx, file, () => ctx.services.files.blobs.get(file.storageKey, range)),
  };
}

async function withStorage<T>(ctx: Context, file: FileView, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BlobNotFoundError) throw new NotFoundError(`The bytes of file '${file.id}' are missing from storage`);
    if (e instanceof Error && "status" in e && typeof e.status === "number" && e.status < 500) throw e;
    ctx.log.error({ err: e, fileId: file.id }, "file storage failed");
    throw new ServiceUnavailableError("File storage unavailable", 5, { cause: e });
  }
}
