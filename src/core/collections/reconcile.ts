/**
 * Start-up reconciliation of derived objects (indexes, search and trigram objects, see ddl.ts):
 * a database created by older code lacks objects newer code derives from the same definition
 * (the `(account_id, id)` index, trigram indexes), or keeps some it no longer does. Each
 * collection's objects are compared with what its definition wants — from one catalogue read,
 * so a database that is up to date costs that one read — and only the differing objects are
 * dropped and (re)created, collection by collection, each in its own transaction.
 *
 * SQLite keeps each object's CREATE text, so a changed definition under the same name is
 * recreated too; PostgreSQL is compared by name (its catalogue prints definitions in its own form).
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { lockCatalog, loadCatalog } from "./catalog.ts";
import { derivedObjects, indexPrefix, q, script, type DerivedObject } from "./ddl.ts";
import { refreshStatistics } from "./migrate.ts";
import { ftsTable, SEARCH_COLUMN, type CollectionDef } from "./types.ts";

/** An object as the catalogue lists it: SQLite index/trigger/table with its text, PostgreSQL index/column. */
interface CatalogObject {
  type: string;
  name: string;
  tbl: string;
  sql: string | null;
}

/** What reconciliation did to one collection. */
export interface ReconcileChange {
  collection: string;
  created: string[];
  dropped: string[];
}

/**
 * Brings every table collection's derived objects in line with its definition.
 * @returns the collections changed (empty when everything was in place). Database errors propagate
 *   (start-up fails with them rather than serving without the indexes it expects).
 */
export async function reconcileDerivedObjects(db: SqlDb): Promise<ReconcileChange[]> {
  const catalog = await readCatalog(db);
  const byTable = new Map<string, CatalogObject[]>();
  for (const o of catalog) {
    const key = o.tbl.toLowerCase();
    byTable.set(key, [...(byTable.get(key) ?? []), o]);
  }
  const changes: ReconcileChange[] = [];
  for (const def of await loadCatalog(db)) {
    if (def.type === "view") continue;
    const diff = compare(db, def, byTable, catalog);
    if (!diff.create.length && !diff.drop.length) continue;
    await db.transaction(async (tx) => {
      await lockCatalog(tx);
      const drops = [...diff.drop.map((o) => dropStatement(def.name, o)), ...diff.create.flatMap((o) => o.drop)];
      if (drops.length) await tx.script(script(drops));
      const creates = diff.create.flatMap((o) => o.create);
      if (creates.length) await tx.script(script(creates));
      await refreshStatistics(tx, def.name);
    });
    changes.push({ collection: def.name, created: diff.create.map((o) => o.key), dropped: diff.drop.map((o) => o.name) });
  }
  return changes;
}

/** Derived objects missing or changed (recreated whole) and catalogue objects no longer derived. */
function compare(db: SqlDb, def: CollectionDef, byTable: Map<string, CatalogObject[]>, catalog: CatalogObject[]): { create: DerivedObject[]; drop: CatalogObject[] } {
  const wanted = derivedObjects(db.dialect, def, def.name, { trigram: db.trigram });
  const present = new Map<string, CatalogObject>();
  const onTable = byTable.get(def.name.toLowerCase()) ?? [];
  for (const o of onTable) present.set(o.name.toLowerCase(), o);
  const prefix = `${indexPrefix(def.name)}__tri_`.toLowerCase();
  // SQLite virtual tables are listed under their own name; ours are found by name
  const tables = catalog.filter(
    (o) => o.type === "table" && o.sql?.startsWith("CREATE VIRTUAL TABLE") && (o.name.toLowerCase().startsWith(prefix) || o.name.toLowerCase() === ftsTable(def.name).toLowerCase()),
  );
  for (const o of tables) present.set(o.name.toLowerCase(), o);
  const expected = new Set(wanted.flatMap((w) => w.objects.map((o) => o.name.toLowerCase())));
  const create = wanted.filter((w) =>
    w.objects.some((o) => {
      const found = present.get(o.name.toLowerCase());
      return !found || (db.dialect === "sqlite" && o.sql !== undefined && found.sql !== o.sql);
    }),
  );
  // only objects of our naming scheme are ours to drop (ddl.ts); anything else on the table stays
  const ours = new RegExp(`^${escapeRegExp(indexPrefix(def.name).toLowerCase())}__(created|id|uq_.*|ix_.*|search|fts_a[iud]|tri_.*)$`);
  const stale = (o: CatalogObject) => !expected.has(o.name.toLowerCase()) && (o.type === "table" || o.type === "column" || ours.test(o.name.toLowerCase()));
  const drop = [...onTable.filter((o) => o.type !== "table"), ...tables].filter(stale);
  return { create, drop };
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function dropStatement(table: string, o: CatalogObject): string {
  if (o.type === "column") return `ALTER TABLE ${q(table)} DROP COLUMN IF EXISTS ${q(o.name)}`;
  if (o.type === "table") return `DROP TABLE IF EXISTS ${q(o.name)}`;
  return `DROP ${o.type === "trigger" ? "TRIGGER" : "INDEX"} IF EXISTS ${q(o.name)}`;
}

/** Every index, trigger and virtual table (SQLite) or index and search column (PostgreSQL): one read. */
async function readCatalog(db: SqlDb): Promise<CatalogObject[]> {
  if (db.dialect === "sqlite") {
    const stmt = sql<CatalogObject>`SELECT type, name, tbl_name AS tbl, sql FROM sqlite_master WHERE sql IS NOT NULL AND type IN ('index', 'trigger', 'table')`;
    return db.query<CatalogObject>(stmt.compile(db.qb));
  }
  const stmt = sql<CatalogObject>`
    SELECT 'index' AS type, indexname AS name, tablename AS tbl, NULL AS sql FROM pg_indexes WHERE schemaname = current_schema()
    UNION ALL
    SELECT 'column', column_name, table_name, NULL FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = ${SEARCH_COLUMN}`;
  return db.query<CatalogObject>(stmt.compile(db.qb));
}
