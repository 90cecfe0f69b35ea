/**
 * Removing the stored bytes and cached thumbnails of deleted files. Runs after the deleting
 * transaction committed; failures are logged (the metadata is gone, so nothing can serve them).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Services } from "../context.ts";
import { FILE_ID } from "./types.ts";

/** The thumbnail cache directory of a file. */
export function thumbDir(services: Pick<Services, "files">, fileId: string): string {
  if (!FILE_ID.test(fileId)) throw new Error(`invalid file id '${fileId}'`);
  return join(services.files.thumbsDir, fileId);
}

/** Deletes the bytes and thumbnails of these files, in the background. */
export function removeStoredFiles(services: Pick<Services, "files" | "log">, files: readonly { id: string; storageKey: string }[]): void {
  for (const f of files) {
    services.files.blobs.delete(f.storageKey).catch((e: unknown) => services.log.warn({ err: e, fileId: f.id }, "could not delete a stored file"));
    rm(thumbDir(services, f.id), { recursive: true, force: true }).catch((e: unknown) => services.log.warn({ err: e, fileId: f.id }, "could not delete cached thumbnails"));
  }
}
