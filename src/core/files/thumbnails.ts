/**
 * Thumbnails of images, made with sharp on first request and cached on disk
 * (`<data dir>/thumbs/<file id>/<spec>`), removed with the file. Specs follow PocketBase:
 * `WxH` crops to fill from the centre, `WxHt` / `WxHb` keep the top / bottom, `WxHf` fits inside
 * without cropping, `Wx0` / `0xH` scale to one side keeping the aspect ratio; a `fit` of
 * cover, contain, fill, inside or outside overrides the mode.
 */
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Context } from "../context.ts";
import { BadRequestError } from "../errors.ts";
import { THUMBNAIL_TYPES } from "./mime.ts";
import { thumbDir } from "./remove.ts";
import type { FileView } from "./types.ts";

export const MAX_THUMB_SIDE = 2000;
/** Images with more pixels than this are refused (decompression bombs). */
const MAX_INPUT_PIXELS = 64_000_000;
const FITS = ["cover", "contain", "fill", "inside", "outside"] as const;
export type ThumbFit = (typeof FITS)[number];

export interface ThumbSpec {
  width: number;
  height: number;
  fit: ThumbFit;
  position: "centre" | "top" | "bottom";
  /** canonical name: cache file and ETag suffix */
  name: string;
}

/**
 * Parses `?thumb=` (and `?fit=`). @throws BadRequestError 400 naming the expected forms.
 * @example parseThumb("100x100t") // cover, top
 */
export function parseThumb(thumb: string, fit?: string): ThumbSpec {
  const m = /^(\d{1,4})x(\d{1,4})([tbf]?)$/.exec(thumb);
  const bad = () => new BadRequestError(`Invalid thumb '${thumb}': expected WxH, WxHt, WxHb, WxHf, Wx0 or 0xH with sides up to ${MAX_THUMB_SIDE}`, { thumb: "Expected e.g. 100x100" });
  if (!m) throw bad();
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width > MAX_THUMB_SIDE || height > MAX_THUMB_SIDE || (width === 0 && height === 0)) throw bad();
  if (fit !== undefined && !(FITS as readonly string[]).includes(fit)) throw new BadRequestError(`Invalid fit '${fit}': expected one of ${FITS.join(", ")}`, { fit: `One of ${FITS.join(", ")}` });
  const mode = m[3];
  const chosen: ThumbFit = (fit as ThumbFit | undefined) ?? (mode === "f" || width === 0 || height === 0 ? "inside" : "cover");
  const position = mode === "t" ? "top" : mode === "b" ? "bottom" : "centre";
  return { width, height, fit: chosen, position, name: `${width}x${height}-${chosen}-${position}` };
}

/** The type a thumbnail of `type` is written as (GIFs become PNGs of their first frame). */
export function thumbType(type: string): string {
  return type === "image/gif" ? "image/png" : type;
}

const EXT: Record<string, string> = { "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/avif": "avif" };
const inFlight = new Map<string, Promise<void>>();

/**
 * The path of the cached thumbnail of `file` for `spec`, made now when missing (concurrent
 * requests for the same one wait for one rendering).
 * @throws BadRequestError 400 when the file is not an image sharp can read.
 */
export async function thumbnailPath(ctx: Context, file: FileView, spec: ThumbSpec): Promise<{ path: string; size: number; type: string }> {
  if (!THUMBNAIL_TYPES.has(file.mimeType)) throw new BadRequestError(`Thumbnails are made of images (png, jpeg, gif, webp, avif), not '${file.mimeType}'`, { thumb: "Not an image" });
  const type = thumbType(file.mimeType);
  const dir = thumbDir(ctx.services, file.id);
  const path = join(dir, `${spec.name}.${EXT[type]}`);
  const have = await stat(path).catch(() => undefined);
  if (have) return { path, size: have.size, type };
  let job = inFlight.get(path);
  if (!job) {
    job = render(ctx, file, spec, dir, path, type).finally(() => inFlight.delete(path));
    inFlight.set(path, job);
  }
  await job;
  return { path, size: (await stat(path)).size, type };
}

async function render(ctx: Context, file: FileView, spec: ThumbSpec, dir: string, path: string, type: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${randomUUID()}`);
  // sharp (libvips) loads with the first thumbnail, not at start-up.
  const { default: sharp } = await import("sharp");
  const source = await ctx.services.files.blobs.get(file.storageKey);
  const resize = sharp({ limitInputPixels: MAX_INPUT_PIXELS, failOn: "error" })
    .rotate()
    .resize({ width: spec.width || undefined, height: spec.height || undefined, fit: spec.fit, position: spec.position, withoutEnlargement: false })
    .toFormat(EXT[type] === "jpg" ? "jpeg" : (EXT[type] as "png" | "webp" | "avif"));
  try {
    await pipeline(source, resize, createWriteStream(tmp));
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    ctx.log.debug({ err: e, fileId: file.id }, "thumbnail failed");
    throw new BadRequestError(`Cannot make a thumbnail of file '${file.id}': the image cannot be read`, { thumb: "Unreadable image" });
  }
}
