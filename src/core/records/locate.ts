/**
 * Which collection holds a record id. Record ids are UUIDs from one id space (no two records
 * of any collection share one), so an id alone finds its record: one statement probes the
 * primary key of every collection table (`UNION ALL` of one index lookup per table), for all the
 * ids asked at once. Nothing is written on the write path for this (no id → collection map).
 *
 * Existence is all this tells, and only to the core: callers then read the records through
 * `getRecordsByIds`, which applies the caller's view rules, so a hidden record reads as absent.
 */
import { sql } from "kysely";
import type { SqlDb, Statement } from "../../db/sql-db.ts";
import type { CollectionDef } from "../collections/types.ts";
import type { Context } from "../context.ts";

/** Tables per statement: SQLite caps a compound SELECT at 500 terms. */
const TABLES_PER_STATEMENT = 200;
/** Stands for the account while compiling; swapped on every use. */
const ACCOUNT = Symbol("account");
/** Stands for the id list while compiling; swapped on every use. */
const IDS = Symbol("ids");

interface Probe {
  sql: string;
  /** compiled parameters, holding {@link ACCOUNT} and {@link IDS} */
  parameters: unknown[];
}

/** Compiled probe statements per database, for one set of definitions (rebuilt when it changes). */
const compiled = new WeakMap<SqlDb, { defs: readonly CollectionDef[]; probes: Probe[] }>();

/** Collections with a table of their own records (views re-expose other collections' ids). */
const ownsRecords = (def: CollectionDef) => def.type !== "view";

function probes(db: SqlDb, defs: readonly CollectionDef[]): Probe[] {
  const hit = compiled.get(db);
  if (hit && hit.defs.length === defs.length && hit.defs.every((d, i) => d === defs[i])) return hit.probes;
  const out: Probe[] = [];
  for (let i = 0; i < defs.length; i += TABLES_PER_STATEMENT) {
    const selects = defs.slice(i, i + TABLES_PER_STATEMENT).map((def) => {
      const ids = db.dialect === "postgres" ? sql<boolean>`${sql.ref("id")} = ANY(${IDS}::text[])` : sql<boolean>`${sql.ref("id")} IN (SELECT value FROM json_each(${IDS}))`;
      return db.qb
        .selectFrom(def.name)
        .select([sql.lit(def.name).as("collection"), "id"])
        .where("account_id", "=", ACCOUNT)
        .where(ids);
    });
    let union = selects[0]!;
    for (const s of selects.slice(1)) union = union.unionAll(s);
    const { sql: text, parameters } = union.compile();
    out.push({ sql: text, parameters: [...parameters] });
  }
  compiled.set(db, { defs, probes: out });
  return out;
}

/**
 * The collection of each id found in the caller's account (ids found nowhere are absent):
 * one statement per 200 collections, whatever the number of ids.
 * @example await locateRecords(ctx, ["0190…"]) // Map { "0190…" => "posts" }
 */
export async function locateRecords(ctx: Context, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  const { db, collections } = ctx.services;
  const defs = collections.list().filter(ownsRecords);
  if (defs.length === 0) return out;
  const idsParam = db.dialect === "postgres" ? unique : JSON.stringify(unique);
  const bind = (p: Probe): Statement => ({ sql: p.sql, parameters: p.parameters.map((v) => (v === ACCOUNT ? ctx.principal.accountId : v === IDS ? idsParam : v)) });
  const results = await Promise.all(probes(db, defs).map((p) => db.query<{ collection: string; id: string }>(bind(p))));
  for (const rows of results) for (const r of rows) if (!out.has(r.id)) out.set(r.id, r.collection);
  return out;
}
