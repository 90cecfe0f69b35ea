/**
 * Uploads, streamed: the bytes go from the request through a meter (size, SHA-256, magic number)
 * straight to the storage port — never held whole in memory. The limits (setting
 * `max_upload_size`/`max_file_size`, allowed types) are checked while streaming: past the size
 * limit the stream fails with 413 and nothing is stored. Two steps, because a multipart request
 * may name the collection, record and field after the file: `stageUpload` stores the bytes,
 * `commitUpload` checks the metadata, writes the `_files` row and attaches the file to the
 * record; any failure removes what was stored.
 */
import { createHash } from "node:crypto";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { v7 as uuidv7 } from "uuid";
import { requireSignedIn } from "../auth/guards.ts";
import type { Context } from "../context.ts";
import { AppError, PayloadTooLargeError, ServiceUnavailableError, ValidationError } from "../errors.ts";
import { getRecord } from "../records/read.ts";
import { updateRecord } from "../records/write.ts";
import { allowedFileTypes, maxUploadSize } from "../settings/features.ts";
import { cleanFileName, contentMismatch, SNIFF_BYTES, typeAllowed, uploadType } from "./mime.ts";
import { fileIdsOf } from "./refs.ts";
import { removeStoredFiles } from "./remove.ts";
import { toFileView } from "./read.ts";
import type { FileView } from "./types.ts";

export interface UploadSource {
  stream: Readable;
  /** the client's file name (any path in it is dropped) */
  filename?: string;
  /** the declared type; the extension decides when absent or application/octet-stream */
  mimeType?: string;
}

/** Bytes stored, not yet recorded: commit or discard it. */
export interface StagedUpload {
  id: string;
  storageKey: string;
  name: string;
  mimeType: string;
  size: number;
  sha256: string;
}

export interface UploadTarget {
  collection?: string;
  recordId?: string;
  field?: string;
}

const mib = (n: number) => (n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : n % 1024 === 0 ? `${n / 1024} KiB` : `${n} bytes`);

/** Counts, hashes and checks the first bytes of what passes through. */
class UploadMeter extends Transform {
  // not `size`: @aws-sdk/lib-storage reads a body's `size` as its length
  bytes = 0;
  readonly hash = createHash("sha256");
  #head: Buffer[] = [];
  #headLength = 0;
  #checked = false;

  constructor(
    readonly limit: number,
    readonly type: string,
  ) {
    super();
  }

  #check(): Error | undefined {
    this.#checked = true;
    const problem = contentMismatch(this.type, Buffer.concat(this.#head));
    this.#head = [];
    return problem ? new ValidationError(problem, { file: problem }) : undefined;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) return cb(new PayloadTooLargeError(`File is larger than the upload limit of ${mib(this.limit)}`));
    if (!this.#checked) {
      this.#head.push(chunk);
      this.#headLength += chunk.length;
      if (this.#headLength >= SNIFF_BYTES) {
        const e = this.#check();
        if (e) return cb(e);
      }
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    cb(this.#checked ? null : (this.#check() ?? null));
  }
}

/** `<account>/<file id>`; an account id unfit for a key is hashed. */
function storageKey(accountId: string, id: string): string {
  const account = /^[A-Za-z0-9_-]{1,64}$/.test(accountId) ? accountId : createHash("sha256").update(accountId).digest("hex").slice(0, 32);
  return `${account}/${id}`;
}

/**
 * Streams an upload into storage. @throws 401 anonymous; ValidationError 422 (type not allowed,
 * content contradicting its type); PayloadTooLargeError 413 (over the limit: nothing stored);
 * ServiceUnavailableError 503 when the storage fails. The source is drained on failure.
 */
export async function stageUpload(ctx: Context, src: UploadSource): Promise<StagedUpload> {
  requireSignedIn(ctx);
  const name = cleanFileName(src.filename);
  const type = uploadType(src.mimeType, name);
  const allowed = allowedFileTypes(ctx.services);
  if (!typeAllowed(type, allowed)) {
    src.stream.resume();
    throw new ValidationError(`File type '${type}' is not allowed (allowed: ${allowed.join(", ")})`, { file: `Type '${type}' is not allowed` });
  }
  const id = uuidv7();
  const key = storageKey(ctx.principal.accountId, id);
  const meter = new UploadMeter(maxUploadSize(ctx.services), type);
  let sourceError: Error | undefined;
  const onSourceError = (e: Error) => meter.destroy((sourceError = e));
  src.stream.once("error", onSourceError);
  // The meter may fail (limit, content) before the store listens: keep its error, it is the answer.
  let meterError: unknown;
  meter.on("error", (e) => (meterError ??= e === sourceError ? undefined : e));
  src.stream.pipe(meter);
  try {
    await ctx.services.files.blobs.put(key, meter, type);
    if (meterError) throw meterError;
  } catch (caught) {
    const e = meterError ?? caught;
    src.stream.unpipe(meter);
    src.stream.resume();
    if (meterError) await ctx.services.files.blobs.delete(key).catch(() => {});
    if (e instanceof AppError) throw e;
    if (sourceError) throw new ValidationError("The upload was interrupted", { file: "Upload interrupted" });
    ctx.log.error({ err: e }, "file storage failed");
    throw new ServiceUnavailableError("File storage unavailable", 5, { cause: e });
  } finally {
    src.stream.off("error", onSourceError);
  }
  return { id, storageKey: key, name, mimeType: type, size: meter.bytes, sha256: meter.hash.digest("hex") };
}

/** Removes staged bytes that will not be recorded. */
export function discardUpload(ctx: Context, staged: StagedUpload): void {
  removeStoredFiles(ctx.services, [{ id: staged.id, storageKey: staged.storageKey }]);
}

/** 422 naming the target input unless the collection, field and record make sense together. */
function checkTarget(ctx: Context, staged: StagedUpload, t: UploadTarget) {
  if (t.collection === undefined) {
    if (t.recordId !== undefined || t.field !== undefined) throw new ValidationError("recordId and field need a collection", { collection: "Required with recordId or field" });
    return undefined;
  }
  const def = ctx.services.collections.get(t.collection);
  if (!def) throw new ValidationError(`Collection '${t.collection}' not found`, { collection: `Collection '${t.collection}' not found` });
  if (t.field === undefined) return { def, field: undefined };
  const field = def.fields.find((f) => f.name === t.field);
  if (!field || field.type !== "file") throw new ValidationError(`'${t.field}' is not a file field of '${def.name}'`, { field: `Not a file field of '${def.name}'` });
  if (field.options.maxSize !== undefined && staged.size > field.options.maxSize)
    throw new PayloadTooLargeError(`File is larger than the limit of ${mib(field.options.maxSize)} of field '${def.name}.${field.name}'`);
  if (field.options.mimeTypes?.length && !typeAllowed(staged.mimeType, field.options.mimeTypes))
    throw new ValidationError(`Field '${field.name}' does not accept '${staged.mimeType}' (accepts ${field.options.mimeTypes.join(", ")})`, {
      file: `Type '${staged.mimeType}' not accepted by '${field.name}'`,
    });
  return { def, field };
}

/**
 * Records a staged upload: checks the target (collection must exist, field must be one of its
 * file fields, per-field size and types; record must be visible to the caller), writes the
 * `_files` row and, with a record and field, adds the file to that field through the record
 * update (its update rule applies; a single-file field's previous file is replaced). With a
 * record but no field the record still protects the file. On any failure the bytes are removed.
 * @throws ValidationError 422, PayloadTooLargeError 413, NotFoundError 404 (record), 401/403.
 */
export async function commitUpload(ctx: Context, staged: StagedUpload, target: UploadTarget = {}): Promise<FileView> {
  const { prisma } = ctx.services;
  let recorded = false;
  try {
    const t = checkTarget(ctx, staged, target);
    if (target.recordId !== undefined && !t) throw new ValidationError("recordId needs a collection", { collection: "Required with recordId" });
    const current = t && target.recordId !== undefined ? await getRecord(ctx, t.def.name, target.recordId) : undefined;
    const p = ctx.principal;
    const row = await prisma.file.create({
      data: {
        id: staged.id,
        accountId: p.accountId,
        userId: p.kind === "user" ? p.userId : null,
        name: staged.name,
        mimeType: staged.mimeType,
        size: staged.size,
        sha256: staged.sha256,
        storageKey: staged.storageKey,
        storageType: ctx.services.files.blobs.kind,
        collection: t?.def.name ?? null,
        recordId: target.recordId ?? null,
        field: t?.field?.name ?? null,
      },
    });
    recorded = true;
    if (t && current) {
      if (t.field) {
        const kept = t.field.options.maxFiles === 1 ? [] : fileIdsOf(current, t.field.name);
        await updateRecord(ctx, t.def.name, current.id, { [t.field.name]: [...kept, staged.id] });
      } else {
        await prisma.fileRef.create({ data: { fileId: staged.id, collectionId: t.def.id, recordId: current.id } });
      }
    }
    return toFileView(row);
  } catch (e) {
    if (recorded) await prisma.file.deleteMany({ where: { id: staged.id } }).catch(() => {});
    discardUpload(ctx, staged);
    throw e;
  }
}

/** Stages and commits in one go (sources that carry their metadata up front). */
export async function uploadFile(ctx: Context, src: UploadSource, target: UploadTarget = {}): Promise<FileView> {
  return commitUpload(ctx, await stageUpload(ctx, src), target);
}
