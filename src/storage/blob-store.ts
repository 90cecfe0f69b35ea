/**
 * The storage port: where file bytes live. Two adapters — a directory under the data dir
 * (local-store.ts, the default) and an S3 bucket (s3-store.ts) — behind this one small interface,
 * like PocketBase's blob drivers. Keys are opaque, made by the files core (`<account>/<file id>`),
 * never from client input; adapters still refuse keys that could leave their root.
 */
import type { Readable } from "node:stream";

/** A byte range, both ends inclusive (HTTP Range semantics). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobStore {
  /** `local` or `s3`: stored with each file */
  readonly kind: "local" | "s3";
  /**
   * Stores the stream's bytes under `key`. The object appears only when the stream ended without
   * error: a stream destroyed with an error (e.g. over the size limit) rejects with that error and
   * leaves nothing behind.
   */
  put(key: string, body: Readable, contentType: string): Promise<void>;
  /** The bytes of `key` (or of `range` of it). Rejects with BlobNotFoundError when absent. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Removes `key`; absent keys are not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections. */
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(key: string) {
    super(`No stored object '${key}'`);
    this.name = "BlobNotFoundError";
  }
}

const KEY = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/;

/** Throws unless `key` is segments of letters, digits, `_` and `-` joined by `/` (no dots, no traversal). */
export function assertKey(key: string): void {
  if (!KEY.test(key) || key.length > 300) throw new Error(`Invalid storage key '${key}'`);
}
