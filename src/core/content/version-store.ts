/**
 * The write side of document versions (collections with the `versions` option): the record write
 * path calls {@link storeVersions} with the events of each write, inside its transaction — one
 * multi-row INSERT per write whatever the number of records, plus one indexed DELETE once a
 * document has more than `content_versions_keep` versions. Reads and restores: versions.ts.
 */
import { v7 as uuidv7 } from "uuid";
import type { SqlDb } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import type { CairnEvent } from "../events/bus.ts";
import type { RecordData } from "../records/values.ts";
import { contentOptions } from "./options.ts";

export const VERSIONS_TABLE = "_content_versions";
/** Versions kept per document unless the setting `content_versions_keep` says otherwise. */
export const DEFAULT_VERSIONS_KEEP = 50;

/** How many versions a document keeps (setting `content_versions_keep`). */
export function versionsKeep(ctx: Context): number {
  const v = ctx.services.settings.get<unknown>("content_versions_keep", DEFAULT_VERSIONS_KEEP);
  return typeof v === "number" && Number.isInteger(v) && v >= 1 ? v : DEFAULT_VERSIONS_KEEP;
}

function fieldValues(def: CollectionDef, rec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of def.fields) out[f.name] = rec[f.name] ?? null;
  return out;
}

/**
 * Stores a snapshot for every created or updated record of a versioned collection among
 * `events`, and drops the versions of deleted records, in `tx`. Events of other collections are
 * ignored; no statement runs when none is versioned.
 */
export async function storeVersions(ctx: Context, tx: SqlDb, events: readonly CairnEvent[]): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  const deleted = new Map<string, string[]>();
  const prune: { collectionId: string; recordId: string; below: number }[] = [];
  let keep = 0;
  for (const e of events) {
    if (!e.recordId || !e.type.startsWith("record.")) continue;
    const def = ctx.services.collections.get(e.collection);
    if (!def || !contentOptions(def).versions) continue;
    if (e.type === "record.delete") {
      const list = deleted.get(def.id) ?? [];
      list.push(e.recordId);
      deleted.set(def.id, list);
      continue;
    }
    const rec = e.payload as RecordData;
    rows.push({
      id: uuidv7(),
      account_id: e.accountId,
      collection_id: def.id,
      record_id: e.recordId,
      record_version: rec.version,
      status: typeof rec.status === "string" ? rec.status : null,
      data: JSON.stringify(fieldValues(def, rec)),
      author_id: ctx.principal.kind === "user" ? ctx.principal.userId : null,
      created: e.created,
    });
    keep ||= versionsKeep(ctx);
    if (rec.version > keep) prune.push({ collectionId: def.id, recordId: e.recordId, below: rec.version - keep });
  }
  if (rows.length) await tx.execute(tx.qb.insertInto(VERSIONS_TABLE).values(rows));
  for (const p of prune)
    await tx.execute(tx.qb.deleteFrom(VERSIONS_TABLE).where("collection_id", "=", p.collectionId).where("record_id", "=", p.recordId).where("record_version", "<=", p.below));
  for (const [collectionId, ids] of deleted) await tx.execute(tx.qb.deleteFrom(VERSIONS_TABLE).where("collection_id", "=", collectionId).where("record_id", "in", ids));
}


/** Drops every version of a collection's documents (the collection is being deleted, in `tx`). */
export async function dropCollectionVersions(tx: SqlDb, collectionId: string): Promise<void> {
  await tx.execute(tx.qb.deleteFrom(VERSIONS_TABLE).where("collection_id", "=", collectionId));
}
