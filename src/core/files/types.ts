/**
 * Files as the core sees them, and the services the files feature runs on (the storage port,
 * the thumbnail cache directory, the key that signs download URLs).
 */
import type { BlobStore } from "../../storage/blob-store.ts";

/** One stored file (the `_files` row, camelCase). */
export interface FileView {
  id: string;
  accountId: string;
  /** the uploader; null when the system stored it */
  userId: string | null;
  /** original name, without any path */
  name: string;
  mimeType: string;
  size: number;
  /** hex SHA-256 of the bytes */
  sha256: string;
  storageKey: string;
  storageType: string;
  /** the collection, record and field named at upload (FastCMS metadata) */
  collection: string | null;
  recordId: string | null;
  field: string | null;
  created: Date;
  updated: Date;
}

export interface FileServices {
  readonly blobs: BlobStore;
  /** thumbnails are cached here, one directory per file (`<data dir>/thumbs/<file id>/`) */
  readonly thumbsDir: string;
  /** HMAC key of signed download URLs (derived from the instance secret) */
  readonly urlKey: Buffer;
}

/** The file id pattern (UUIDs): anything else cannot name a file. */
export const FILE_ID = /^[0-9a-fA-F-]{1,64}$/;

/** The public download path of a file: REST answers and GraphQL's `File.url` carry it. */
export const fileDownloadPath = (id: string) => `/api/v1/files/${encodeURIComponent(id)}/download`;
