/**
 * Start-up reconciliation of system columns (query/system-fields.ts): a collection table created
 * before a system column existed gets it added (`ALTER TABLE … ADD COLUMN`, cheap on both
 * databases: no table rewrite) and, when the column declares a `backfill`, its value for the
 * rows already there. One catalogue read finds every missing column, so an up-to-date database
 * pays only that read; each changed table is altered in its own transaction under the catalogue
 * lock, re-checked there (another instance may have done it meanwhile).
 */
import type { SqlDb } from "../../db/sql-db.ts";
import { SYSTEM_FIELDS, type SystemField } from "../../query/system-fields.ts";
import { lockCatalog, loadCatalog } from "./catalog.ts";
import { createViewWithWriterSql, dropViewSql, q, script } from "./ddl.ts";

/** What reconciliation added to one collection table. */
export interface SystemColumnChange {
  collection: string;
  added: string[];
}

/** Columns that can be added to a table holding rows: nullable, or NOT NULL with a default. */
const addable = (f: SystemField): boolean => f.nullable || /\bDEFAULT\b/i.test(f.ddl.sqlite);

/**
 * Adds the system columns missing from collection tables.
 * @returns the tables changed (empty when every table was up to date). Database errors propagate.
 */
export async function reconcileSystemColumns(db: SqlDb): Promise<SystemColumnChange[]> {
  const catalog = await loadCatalog(db);
  const tables = catalog.filter((d) => d.type !== "view").map((d) => d.name);
  const views = catalog.filter((d) => d.type === "view");
  if (catalog.length === 0) return [];
  const present = await columnsOf(
    db,
    catalog.map((d) => d.name),
  );
  const changes: SystemColumnChange[] = [];
  // a view made before `updated_by` existed: its query wrapped to yield it (ddl.ts)
  for (const view of views) {
    if (present.get(view.name.toLowerCase())?.has("updated_by") !== false) continue;
    await db.transaction(async (tx) => {
      await lockCatalog(tx);
      await tx.script(script([dropViewSql(view.name), createViewWithWriterSql(view.name, view.viewQuery ?? "")]));
    });
    changes.push({ collection: view.name, added: ["updated_by"] });
  }
  for (const table of tables) {
    if (missing(present.get(table.toLowerCase())).length === 0) continue;
    const added = await db.transaction(async (tx) => {
      await lockCatalog(tx);
      const todo = missing((await columnsOf(tx, [table])).get(table.toLowerCase()));
      if (todo.length === 0) return [];
      const statements: string[] = [];
      for (const f of todo) {
        if (!addable(f)) throw new Error(`Cannot add the NOT NULL system column '${f.column}' without a default to '${table}'`);
        statements.push(`ALTER TABLE ${q(table)} ADD COLUMN ${q(f.column)} ${f.ddl[tx.dialect]}`);
        if (f.backfill) statements.push(`UPDATE ${q(table)} SET ${q(f.column)} = ${f.backfill.value} WHERE ${f.backfill.where}`);
      }
      await tx.script(script(statements));
      return todo.map((f) => f.column);
    });
    if (added.length) changes.push({ collection: table, added });
  }
  return changes;
}

function missing(columns: ReadonlySet<string> | undefined): SystemField[] {
  return SYSTEM_FIELDS.filter((f) => !columns?.has(f.column));
}

/** Column names (lower case) of the given tables, keyed by lower-case table name: one read. */
async function columnsOf(db: SqlDb, tables: readonly string[]): Promise<Map<string, Set<string>>> {
  const names = tables.map((t) => t.toLowerCase());
  const placeholders = names.map((_, i) => (db.dialect === "sqlite" ? "?" : `$${i + 1}`)).join(", ");
  const rows =
    db.dialect === "sqlite"
      ? await db.query<{ t: string; c: string }>({
          sql: `SELECT m.name AS t, c.name AS c FROM sqlite_master m, pragma_table_info(m.name) c WHERE m.type = 'table' AND lower(m.name) IN (${placeholders})`,
          parameters: names,
        })
      : await db.query<{ t: string; c: string }>({
          sql: `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND lower(table_name) IN (${placeholders})`,
          parameters: names,
        });
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const key = r.t.toLowerCase();
    let set = out.get(key);
    if (!set) out.set(key, (set = new Set()));
    set.add(r.c.toLowerCase());
  }
  return out;
}
