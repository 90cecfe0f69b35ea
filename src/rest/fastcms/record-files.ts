/**
 * File fields in FastCMS record answers: each file id becomes `{id, name, size, type, url}`, in
 * the records of a page and in every record expanded from them (`expand=`), with one query for
 * the lot (ids of files that are gone are left out). Records of collections without file fields
 * come back as they are.
 */
import type { Context } from "../../core/context.ts";
import { filesByIds } from "../../core/files/read.ts";
import { fileFields, fileIdsOf } from "../../core/files/refs.ts";
import type { FileView } from "../../core/files/types.ts";
import type { ExpandedRecord, Expansion } from "../../core/records/expand.ts";
import type { RecordData } from "../../core/records/values.ts";
import { fileUrl } from "./files.ts";

/** Every expanded record under `expansions`, each once. */
function expandedRecords(expansions: Iterable<Expansion>): ExpandedRecord[] {
  const out: ExpandedRecord[] = [];
  const seen = new Set<Expansion>();
  const visit = (exp: Expansion) => {
    if (seen.has(exp)) return;
    seen.add(exp);
    for (const v of exp.values()) {
      if (v === null) continue;
      for (const e of Array.isArray(v) ? v : [v]) {
        out.push(e);
        visit(e.expand);
      }
    }
  };
  for (const exp of expansions) visit(exp);
  return out;
}

/**
 * Resolves the file fields of `recs` (records of `collection`) and of every record in
 * `expansions` (replaced in place inside the expansion maps, which belong to this request).
 * Returns the page's records with their files. One query, none without file fields.
 */
export async function withFiles(ctx: Context, collection: string, recs: RecordData[], expansions: Iterable<Expansion> = []): Promise<RecordData[]> {
  const nested = expandedRecords(expansions);
  const fieldsOf = (name: string) => {
    const def = ctx.services.collections.get(name);
    return def ? fileFields(def) : [];
  };
  const ids = new Set<string>();
  const collect = (name: string, rec: RecordData) => {
    for (const f of fieldsOf(name)) for (const id of fileIdsOf(rec, f.name)) ids.add(id);
  };
  for (const r of recs) collect(collection, r);
  for (const e of nested) collect(e.collection, e.record);
  if (ids.size === 0) return recs;
  const files = await filesByIds(ctx, ids);
  const resolve = (name: string, rec: RecordData): RecordData => {
    const fields = fieldsOf(name);
    if (fields.length === 0) return rec;
    const out: RecordData = { ...rec };
    for (const f of fields) {
      if (rec[f.name] === null || rec[f.name] === undefined) continue;
      out[f.name] = fileIdsOf(rec, f.name).flatMap((id) => {
        const file: FileView | undefined = files.get(id);
        return file ? [{ id, name: file.name, size: file.size, type: file.mimeType, url: fileUrl(id) }] : [];
      });
    }
    return out;
  };
  for (const e of nested) e.record = resolve(e.collection, e.record);
  return recs.map((r) => resolve(collection, r));
}
