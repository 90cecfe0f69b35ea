/**
 * Picks the storage adapter from the configuration: S3 when `CAIRN_S3_BUCKET` is set (or
 * `CAIRN_STORAGE=s3`), else the `files` directory under the data dir.
 */
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { BlobStore } from "./blob-store.ts";
import { LocalBlobStore } from "./local-store.ts";
import { S3BlobStore } from "./s3-store.ts";

/** The directory local storage keeps files in: `<data dir>/files` (backups archive it). */
export const filesDir = (config: Pick<Config, "dataDir">) => join(config.dataDir, "files");

/** The configured blob store. */
export function createBlobStore(config: Config): BlobStore {
  if (config.storage.kind === "s3") return new S3BlobStore(config.storage.s3);
  return new LocalBlobStore(filesDir(config));
}
