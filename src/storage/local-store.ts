/**
 * Local storage: files under a directory (`<data dir>/files` by default). A put streams into a
 * temporary file in `<root>/.tmp` and renames it into place only when the stream ended well, so
 * a refused or broken upload leaves nothing behind and readers never see half a file.
 */
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { assertKey, BlobNotFoundError, type BlobStore, type ByteRange } from "./blob-store.ts";

export class LocalBlobStore implements BlobStore {
  readonly kind = "local" as const;
  readonly #tmp: string;

  constructor(readonly root: string) {
    this.#tmp = join(root, ".tmp");
  }

  #path(key: string): string {
    assertKey(key);
    return join(this.root, key);
  }

  async put(key: string, body: Readable, _contentType: string): Promise<void> {
    const target = this.#path(key);
    await mkdir(this.#tmp, { recursive: true });
    const tmp = join(this.#tmp, randomUUID());
    try {
      await pipeline(body, createWriteStream(tmp, { flags: "wx", mode: 0o600 }));
      await mkdir(dirname(target), { recursive: true });
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    const path = this.#path(key);
    try {
      await stat(path);
    } catch {
      throw new BlobNotFoundError(key);
    }
    return createReadStream(path, range ? { start: range.start, end: range.end } : {});
  }

  async delete(key: string): Promise<void> {
    await rm(this.#path(key), { force: true });
  }

  async close(): Promise<void> {}
}
