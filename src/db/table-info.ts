/**
 * Catalogue questions a restore asks of the live database (inside its transaction): the
 * stored columns of each table, which tables reference which (so rows are deleted children
 * first and inserted parents first), and resetting PostgreSQL's serial sequences after rows
 * were inserted with their ids.
 */
import type { SqlDb } from "./sql-db.ts";

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** Stored columns (name → declared type, lower case) of every base table. */
export async function liveColumns(tx: SqlDb): Promise<Map<string, Map<string, string>>> {
  const rows =
    tx.dialect === "sqlite"
      ? await tx.query<{ t: string; name: string; type: string }>({
          sql: "SELECT m.name AS t, c.name AS name, c.type AS type FROM sqlite_master m, pragma_table_xinfo(m.name) c WHERE m.type = 'table' AND c.hidden = 0",
          parameters: [],
        })
      : await tx.query<{ t: string; name: string; type: string }>({
          sql: "SELECT table_name AS t, column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND is_generated = 'NEVER'",
          parameters: [],
        });
  const out = new Map<string, Map<string, string>>();
  for (const r of rows) {
    let cols = out.get(r.t);
    if (!cols) out.set(r.t, (cols = new Map()));
    cols.set(r.name, String(r.type).toLowerCase());
  }
  return out;
}

/** `tables` ordered so that every table comes after the tables it references (cycles kept in input order). */
export async function parentsFirst(tx: SqlDb, tables: readonly string[]): Promise<string[]> {
  const set = new Set(tables);
  const edges =
    tx.dialect === "sqlite"
      ? await tx.query<{ child: string; parent: string }>({
          sql: "SELECT m.name AS child, f.\"table\" AS parent FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
          parameters: [],
        })
      : await tx.query<{ child: string; parent: string }>({
          sql: `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c
                JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = current_schema()`,
          parameters: [],
        });
  const unquote = (s: string) => s.replace(/^"(.*)"$/, "$1").replace(/""/g, '"');
  const parents = new Map<string, Set<string>>();
  for (const e of edges) {
    const child = unquote(e.child);
    const parent = unquote(e.parent);
    if (!set.has(child) || !set.has(parent) || child === parent) continue;
    let p = parents.get(child);
    if (!p) parents.set(child, (p = new Set()));
    p.add(parent);
  }
  const out: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (t: string) => {
    if (state.has(t)) return;
    state.set(t, "visiting");
    for (const p of parents.get(t) ?? []) visit(p);
    state.set(t, "done");
    out.push(t);
  };
  for (const t of tables) visit(t);
  return out;
}

/** PostgreSQL: moves every serial sequence of `tables` past the largest id now stored (no-op on SQLite). */
export async function resetSequences(tx: SqlDb, tables: readonly string[]): Promise<void> {
  if (tx.dialect !== "postgres") return;
  const serials = await tx.query<{ t: string; c: string }>({
    sql: "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'",
    parameters: [],
  });
  const wanted = new Set(tables);
  for (const { t, c } of serials) {
    if (!wanted.has(t)) continue;
    await tx.query({
      sql: `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE((SELECT max(${q(c)}) FROM ${q(t)}), 1), (SELECT max(${q(c)}) FROM ${q(t)}) IS NOT NULL)`,
      parameters: [q(t), c],
    });
  }
}
