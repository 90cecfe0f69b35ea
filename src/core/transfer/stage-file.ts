/**
 * Uploaded import files are written to the data directory first (`<data>/imports/`), streamed
 * with a size limit, so that counting rows, a job running later, or a job resumed after a
 * restart can read them again. The import deletes its file when it ends.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Context, Services } from "../context.ts";
import { BadRequestError, PayloadTooLargeError } from "../errors.ts";
import { formatOfName, FORMATS, parseFormat, type Format } from "./formats.ts";

/** Default largest import file: 200 MiB (setting `max_import_size`, bytes). */
export const DEFAULT_MAX_IMPORT_SIZE = 200 * 1024 * 1024;

/** The import size limit in bytes (setting `max_import_size`, else {@link DEFAULT_MAX_IMPORT_SIZE}). */
export function maxImportSize(services: Pick<Services, "settings">): number {
  const v = services.settings.get<unknown>("max_import_size", undefined);
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_IMPORT_SIZE;
}

const size = (n: number) => (n % (1024 * 1024) === 0 ? `${n / 1024 / 1024} MiB` : `${n} bytes`);

/**
 * The format of an upload: `format` when given, else from the file name. 400 when neither says
 * (or they disagree on a known extension).
 */
export function uploadFormat(fileName: string | undefined, format: string | undefined): Format {
  const byName = fileName ? formatOfName(fileName) : undefined;
  if (format) {
    const f = parseFormat(format);
    if (byName && byName !== f) throw new BadRequestError(`The file name '${fileName}' does not match format=${f}`, { format: "Does not match the file name" });
    return f;
  }
  if (!byName) throw new BadRequestError(`Cannot tell the format of '${fileName ?? "the upload"}': name it *.${FORMATS.join(", *.")} or pass format=`, { file: "Unknown file type" });
  return byName;
}

/**
 * Streams `source` to a new file under the data directory; returns its path. Over the size
 * limit → 413 and nothing kept; an empty file → 400.
 */
export async function stageImportFile(ctx: Context, source: Readable, format: Format): Promise<string> {
  const dir = join(ctx.services.config.dataDir, "imports");
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${randomUUID()}.${format}`);
  const limit = maxImportSize(ctx.services);
  let seen = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(new PayloadTooLargeError(`The file is larger than the import limit of ${size(limit)} (setting max_import_size)`));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(source, guard, createWriteStream(path));
  } catch (e) {
    await rm(path, { force: true });
    // keep reading what the client still sends so it receives the answer
    source.resume();
    throw e;
  }
  if (seen === 0) {
    await rm(path, { force: true });
    throw new BadRequestError("The file is empty", { file: "Empty file" });
  }
  return path;
}
