/**
 * The write side of document versions (collections with the `versions` option): the record write
 * path calls {@link storeVersions} with the events of each write, inside its transaction — one
 * INSERT per write whatever the number of records (SQL compiled once), plus, every
 * {@link PRUNE_EVERY} versions of a document past `content_versions_keep`, one indexed DELETE of
 * the older ones (reads stop at the retention, so it is exact for clients). Reads and restores:
 * versions.ts.
 */
import type { SqlDb } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";
import type { CairnEvent } from "../events/bus.ts";
import type { AlsoInsert } from "../events/outbox.ts";
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

/** Versions past the retention are deleted every this many versions of a document (reads stop at the retention). */
export const PRUNE_EVERY = 10;

const COLUMNS = ["account_id", "collection_id", "record_id", "record_version", "status", "data", "author_id", "created"] as const;

/** SQL text of the fixed-shape statements, compiled once per dialect (the write path runs them per update). */
const texts: Partial<Record<SqlDb["dialect"], { insert: string; prune: string }>> = {};
function statements(tx: SqlDb) {
  return (texts[tx.dialect] ??= {
    insert: tx.qb
      .insertInto(VERSIONS_TABLE)
      .values(Object.fromEntries(COLUMNS.map((c) => [c, ""])))
      .compile().sql,
    prune: tx.qb.deleteFrom(VERSIONS_TABLE).where("collection_id", "=", "").where("record_id", "=", "").where("record_version", "<=", 0).compile().sql,
  });
}

/** The record's field values as JSON (one pass, no intermediate object). */
function snapshot(def: CollectionDef, rec: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const f of def.fields) parts.push(`${JSON.stringify(f.name)}:${JSON.stringify(rec[f.name] ?? null)}`);
  return `{${parts.join(",")}}`;
}

/**
 * Stores a snapshot for every created or updated record of a versioned collection among
 * `events`, and drops the versions of deleted records, in `tx`. Events of other collections are
 * ignored; no statement runs when none is versioned. With `deferSingle`, a lone snapshot is not
 * written but returned, for the outbox statement to write (events/outbox.ts `AlsoInsert`).
 */
export async function storeVersions(ctx: Context, tx: SqlDb, events: readonly CairnEvent[], opts: { deferSingle?: boolean } = {}): Promise<AlsoInsert | undefined> {
  let rows: unknown[][] | undefined;
  let deleted: Map<string, string[]> | undefined;
  let keep = 0;
  const authorId = ctx.principal.kind === "user" ? ctx.principal.userId : null;
  for (const e of events) {
    if (!e.recordId || !e.type.startsWith("record.")) continue;
    const def = ctx.services.collections.get(e.collection);
    if (!def || !contentOptions(def).versions) continue;
    if (e.type === "record.delete") {
      deleted ??= new Map();
      const list = deleted.get(def.id) ?? [];
      list.push(e.recordId);
      deleted.set(def.id, list);
      continue;
    }
    const rec = e.payload as RecordData;
    (rows ??= []).push([e.accountId, def.id, e.recordId, rec.version, typeof rec.status === "string" ? rec.status : null, snapshot(def, rec), authorId, e.created]);
    keep ||= versionsKeep(ctx);
    if (rec.version > keep && rec.version % PRUNE_EVERY === 0) await tx.execute({ sql: statements(tx).prune, parameters: [def.id, e.recordId, rec.version - keep] });
  }
  // a single snapshot may go out with the outbox row (one statement: version-store's caller passes it on)
  if (rows?.length === 1 && opts.deferSingle && !deleted) return { table: VERSIONS_TABLE, row: Object.fromEntries(COLUMNS.map((c, i) => [c, rows![0]![i]])) };
  if (rows?.length === 1) await tx.execute({ sql: statements(tx).insert, parameters: rows[0]! });
  else if (rows?.length) await tx.execute(tx.qb.insertInto(VERSIONS_TABLE).values(rows.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]])))));
  if (deleted) for (const [collectionId, ids] of deleted) await tx.execute(tx.qb.deleteFrom(VERSIONS_TABLE).where("collection_id", "=", collectionId).where("record_id", "in", ids));
  return undefined;
}

/** Drops every version of a collection's documents (the collection is being deleted, in `tx`). */
export async function dropCollectionVersions(tx: SqlDb, collectionId: string): Promise<void> {
  await tx.execute(tx.qb.deleteFrom(VERSIONS_TABLE).where("collection_id", "=", collectionId));
}
