/**
 * S3 storage (AWS S3 or any S3-compatible server: MinIO, R2, s3rver…). Uploads stream through
 * `@aws-sdk/lib-storage` (multipart above 5 MiB, one PutObject below), so a file is never held
 * whole in memory; a stream that fails aborts the upload and no object is created.
 */
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { Readable } from "node:stream";
import { assertKey, BlobNotFoundError, type BlobStore, type ByteRange } from "./blob-store.ts";

export interface S3Options {
  bucket: string;
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  /** key prefix inside the bucket (`cairn/`), may be empty */
  prefix: string;
}

export class S3BlobStore implements BlobStore {
  readonly kind = "s3" as const;
  readonly #client: S3Client;

  constructor(readonly options: S3Options) {
    this.#client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      // Checksums only where S3 requires them: the SDK's default CRC trailers on every part are
      // not understood by many S3-compatible servers.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      ...(options.accessKeyId && options.secretAccessKey ? { credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey } } : {}),
    });
  }

  #key(key: string): string {
    assertKey(key);
    return this.options.prefix + key;
  }

  async put(key: string, body: Readable, contentType: string): Promise<void> {
    const upload = new Upload({ client: this.#client, params: { Bucket: this.options.bucket, Key: this.#key(key), Body: body, ContentType: contentType }, partSize: 5 * 1024 * 1024 });
    // lib-storage reads the stream; an error the stream was destroyed with must win over the SDK's own.
    let streamError: unknown;
    body.once("error", (e) => (streamError ??= e));
    try {
      await upload.done();
    } catch (e) {
      await upload.abort().catch(() => {});
      throw streamError ?? e;
    }
    if (streamError) {
      await this.delete(key).catch(() => {});
      throw streamError;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.#key(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
      return out.Body as Readable;
    } catch (e) {
      if (e instanceof NoSuchKey || (e as { name?: string }).name === "NoSuchKey") throw new BlobNotFoundError(key);
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.#client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.#key(key) }));
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}
