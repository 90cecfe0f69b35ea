/**
 * Reading and writing backup archives (gzip-compressed tar, `tar` package). Archives are
 * written under a temporary name and renamed into place, so a backup that fails half-way never
 * shows up in the list. Extraction stays inside its target folder (absolute paths and `..` are
 * stripped by `tar`; links are refused).
 */
import { createWriteStream } from "node:fs";
import { lstat, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import { join } from "node:path";
import { checkManifest, MANIFEST_FILE, type BackupManifest } from "./manifest.ts";

/** Packs `entries` of `folder` (following symbolic links) into `file` atomically. */
export async function packArchive(folder: string, entries: string[], file: string): Promise<void> {
  const tmp = `${file}.partial`;
  try {
    await (await import("tar")).c({ gzip: true, file: tmp, cwd: folder, follow: true, portable: true }, entries);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Extracts `file` into `folder` (regular files and folders only). */
export async function unpackArchive(file: string, folder: string): Promise<void> {
  await (
    await import("tar")
  ).x({
    file,
    cwd: folder,
    strict: true,
    filter: (_path, entry) => {
      const type = (entry as { type?: string }).type;
      return type === "File" || type === "Directory" || type === "OldFile";
    },
  });
}

/** The manifest inside an archive (read without extracting the rest). */
export async function readArchiveManifest(file: string): Promise<BackupManifest> {
  let text: string | undefined;
  await (
    await import("tar")
  ).t({
    file,
    filter: (path) => path === MANIFEST_FILE,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on("data", (c: Buffer) => chunks.push(c));
      entry.on("end", () => (text = Buffer.concat(chunks).toString("utf8")));
    },
  });
  if (text === undefined) throw new Error("it is not a Cairn backup (no manifest)");
  return checkManifest(JSON.parse(text));
}

/** The manifest kept next to an archive (`<id>.manifest.json`), else the one inside it. */
export async function manifestOf(dir: string, id: string, archive: string): Promise<BackupManifest> {
  try {
    return checkManifest(JSON.parse(await readFile(join(dir, `${id}.manifest.json`), "utf8")));
  } catch {
    const manifest = await readArchiveManifest(archive);
    await writeFile(join(dir, `${id}.manifest.json`), JSON.stringify(manifest)).catch(() => {});
    return manifest;
  }
}

/** Writes NDJSON lines to `file`, waiting for the disk when its buffer is full. */
export class LineWriter {
  readonly #out;
  constructor(file: string) {
    this.#out = createWriteStream(file);
  }
  async write(line: string): Promise<void> {
    if (!this.#out.write(line + "\n")) await once(this.#out, "drain");
  }
  async close(): Promise<void> {
    this.#out.end();
    await once(this.#out, "finish");
  }
  destroy(): void {
    this.#out.destroy();
  }
}

/** Number and total size of the regular files under `folder` (0 when it does not exist). */
export async function folderSize(folder: string): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true, recursive: true });
  } catch {
    return { count, bytes };
  }
  for (const e of entries) {
    if (!e.isFile()) continue;
    const s = await lstat(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
    count++;
    bytes += s.size;
  }
  return { count, bytes };
}
