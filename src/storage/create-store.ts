/**
 * Picks the storage adapter from the configuration: S3 when `CAIRN_S3_BUCKET` is set (or
 * `CAIRN_STORAGE=s3`), else the `files` directory under the data dir.
 */
import { join } from "node:path";
import type { Config } from "../config.ts";
import type { BlobStore } from "./blob-store.ts";
import { LocalBlobStore } from "./local-store.ts";

/** The directory local storage keeps files in: `<data dir>/files` (backups archive it). */
export const filesDir = (config: Pick<Config, "dataDir">) => join(config.dataDir, "files");

/**
 * The configured blob store. The S3 adapter (and the AWS SDK, tens of MB and a slower start) is
 * loaded only when S3 is configured.
 */
export async function createBlobStore(config: Config): Promise<BlobStore> {
  if (config.storage.kind === "s3") {
    const { S3BlobStore } = await import("./s3-store.ts");
    return new S3BlobStore(config.storage.s3);
  }
  return new LocalBlobStore(filesDir(config));
}
