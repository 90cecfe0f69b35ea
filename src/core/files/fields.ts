/**
 * Reads of file fields: the files a page of records holds, in one query, so transports can
 * render each id as `{id, name, size, type, url}` (ids of files that are gone are left out).
 */
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import type { RecordData } from "../records/values.ts";
import { filesByIds } from "./read.ts";
import { fileFields, fileIdsOf } from "./refs.ts";
import type { FileView } from "./types.ts";

const NONE: ReadonlyMap<string, FileView> = new Map();

/** The files the records' file fields hold, by id (one query; none without file fields). */
export async function filesOfRecords(ctx: Context, def: CollectionDef, records: readonly RecordData[]): Promise<ReadonlyMap<string, FileView>> {
  const fields = fileFields(def);
  if (fields.length === 0 || records.length === 0) return NONE;
  const ids: string[] = [];
  for (const r of records) for (const f of fields) ids.push(...fileIdsOf(r, f.name));
  return ids.length ? filesByIds(ctx, ids) : NONE;
}
