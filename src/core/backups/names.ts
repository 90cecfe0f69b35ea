/**
 * Where backups live and what they are called. Archives are `<data dir>/backups/<id>.tar.gz`
 * with ids like FastCMS's (`backup_YYYYMMDD_HHMMSS`, UTC; `_2`, `_3`… when a second already has
 * one; restores add `_pre_restore` to their safety backup). Clients name a backup by id or file
 * name, looked up in that folder only: a name with a path separator or `..` is refused.
 */
import { join } from "node:path";
import type { Config } from "../../config.ts";
import { BadRequestError } from "../errors.ts";

export const ARCHIVE_EXTENSION = ".tar.gz";
/** What a backup name may look like once the extension is removed. */
const ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** `<data dir>/backups` */
export const backupsDir = (config: Pick<Config, "dataDir">): string => join(config.dataDir, "backups");

/** `<data dir>/files`: the uploaded files that go into every backup. */
export const filesDir = (config: Pick<Config, "dataDir">): string => join(config.dataDir, "files");

/**
 * The backup id a client's name stands for (`backup_20261203_120000` or `…tar.gz`).
 * @throws BadRequestError 400 for a name with `/`, `\`, `..`, or other characters outside `A-Z a-z 0-9 _ . -`
 */
export function backupIdFrom(name: string): string {
  if (/[/\\]/.test(name) || name.includes(".."))
    throw new BadRequestError(`Invalid backup name '${name}': path separators and '..' are not allowed`, { filename: "must be a backup name from the list" });
  const id = name.endsWith(ARCHIVE_EXTENSION) ? name.slice(0, -ARCHIVE_EXTENSION.length) : name;
  if (!ID_RE.test(id)) throw new BadRequestError(`Invalid backup name '${name}': use the id or filename from the backup list`, { filename: "must be a backup name from the list" });
  return id;
}

/** A new id for a backup taken at `at` that is not in `taken`. */
export function newBackupId(at: Date, taken: (id: string) => boolean, suffix = ""): string {
  const stamp = at.toISOString().replace(/[-:]/g, "").replace("T", "_").slice(0, 15);
  const base = `backup_${stamp}${suffix}`;
  if (!taken(base)) return base;
  for (let n = 2; ; n++) if (!taken(`${base}_${n}`)) return `${base}_${n}`;
}

export const archiveName = (id: string): string => `${id}${ARCHIVE_EXTENSION}`;
