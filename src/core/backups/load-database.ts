/**
 * Replaces the database's contents with an unpacked backup, in one transaction (a failure
 * anywhere leaves the database as it was): drops every collection table and view, empties the
 * saved system tables (children first), inserts the backup's system rows (parents first),
 * recreates each collection from its restored definition with this database's DDL, inserts its
 * rows, recreates views, and moves PostgreSQL's serial sequences past the restored ids.
 * The outbox (`_events`, `_event_cursors`) and `_migrations` are kept as they are.
 */
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Dialect } from "../../config.ts";
import type { SqlDb } from "../../db/sql-db.ts";
import { liveColumns, parentsFirst, resetSequences } from "../../db/table-info.ts";
import { loadCatalog, lockCatalog } from "../collections/catalog.ts";
import { createCollectionObjects, dropCollectionObjects } from "../collections/migrate.ts";
import type { ProgressListener } from "./create-backup.ts";
import { DATA_FOLDER, UNSAVED_TABLES, type BackupManifest, type ManifestTable } from "./manifest.ts";
import { fromPortable } from "./portable-values.ts";

/** Parameters per INSERT stay below both databases' limits (SQLite 32766, PostgreSQL 65535). */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_INSERT = 500;

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const isSavedSystemTable = (t: string) => t.startsWith("_") && !UNSAVED_TABLES.has(t) && !t.startsWith("_fts_");

/** Loads the unpacked backup in `folder` into `db`; returns the rows and collections restored. */
export async function loadDatabase(db: SqlDb, folder: string, manifest: BackupManifest, onProgress: ProgressListener): Promise<{ rows: number; collections: number }> {
  const byName = new Map(manifest.tables.map((t) => [t.name, t]));
  const tablesTotal = manifest.tables.length;
  let tablesDone = 0;
  let rows = 0;
  const load = async (tx: SqlDb, table: ManifestTable, target: Map<string, string>) => {
    onProgress({ phase: "restore", table: table.name, tablesDone, tablesTotal, rows });
    rows += await insertRows(tx, join(folder, DATA_FOLDER, `${table.name}.ndjson`), table, target, manifest.database);
    tablesDone++;
  };
  return db.transaction(async (tx) => {
    await lockCatalog(tx);
    const current = await loadCatalog(tx);
    for (const def of [...current.filter((d) => d.type === "view"), ...current.filter((d) => d.type !== "view")]) await dropCollectionObjects(tx, def);

    let live = await liveColumns(tx);
    const system = await parentsFirst(tx, [...live.keys()].filter(isSavedSystemTable).sort());
    for (const t of [...system].reverse()) await tx.execute({ sql: `DELETE FROM ${q(t)}`, parameters: [] });
    for (const t of system) {
      const saved = byName.get(t);
      if (saved?.kind === "system") await load(tx, saved, live.get(t)!);
    }

    const restored = await loadCatalog(tx);
    const tables = restored.filter((d) => d.type !== "view");
    for (const def of tables) await createCollectionObjects(tx, def);
    live = await liveColumns(tx);
    for (const def of tables) {
      const saved = byName.get(def.name);
      if (saved?.kind === "collection") await load(tx, saved, live.get(def.name)!);
    }
    for (const def of restored.filter((d) => d.type === "view")) await createCollectionObjects(tx, def);
    await resetSequences(tx, system);
    return { rows, collections: restored.length };
  });
}

/** Inserts a table's NDJSON rows (the columns both sides have) in multi-row INSERTs. */
async function insertRows(tx: SqlDb, file: string, table: ManifestTable, target: Map<string, string>, source: Dialect): Promise<number> {
  if (!existsSync(file)) return 0;
  const columns = table.columns.filter((c) => target.has(c.name)).map((c) => ({ name: c.name, source: { dialect: source, type: c.type }, target: { dialect: tx.dialect, type: target.get(c.name)! } }));
  if (columns.length === 0) return 0;
  const perInsert = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / columns.length)));
  let batch: Record<string, unknown>[] = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await tx.execute(tx.qb.insertInto(table.name).values(batch));
    count += batch.length;
    batch = [];
  };
  const lines = createInterface({ input: createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    const row = JSON.parse(line) as Record<string, unknown>;
    batch.push(Object.fromEntries(columns.map((c) => [c.name, fromPortable(Object.hasOwn(row, c.name) ? row[c.name] : null, c.source, c.target)])));
    if (batch.length >= perInsert) await flush();
  }
  await flush();
  return count;
}
