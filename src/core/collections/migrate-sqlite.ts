/**
 * Schema changes on SQLite. Indexes, FTS table and triggers affected by the change are dropped
 * first and recreated at the end (a recreated FTS index is rebuilt from the table). Column changes use ALTER TABLE where
 * SQLite supports it (ADD/DROP/RENAME COLUMN); a type change rebuilds the table:
 * `_new_<name>` ← INSERT … SELECT with conversion expressions (rowids kept), drop, rename.
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { conversionSql } from "./conversions.ts";
import { columnType, createTableSql, q, script, trigramName } from "./ddl.ts";
import type { SchemaPlan } from "./plan.ts";
import { SYSTEM_COLUMNS, ftsTable, type CollectionDef } from "./types.ts";

export async function migrateSqlite(tx: SqlDb, plan: SchemaPlan, checkUnique: () => Promise<void>): Promise<void> {
  const { old, next, derived } = plan;
  if (derived.all) await dropDerived(tx, old);
  else if (derived.drop.length) await tx.script(script(derived.drop));
  if (plan.converted.length) {
    await rebuild(tx, plan);
  } else {
    await alterColumns(tx, plan);
    if (plan.renameTable) await renameTable(tx, old.name, next.name);
  }
  await checkUnique();
  if (derived.create.length) await tx.script(script(derived.create));
}

/** Drops every index and trigger on the table (found in sqlite_master), its FTS and trigram tables. */
async function dropDerived(tx: SqlDb, def: CollectionDef): Promise<void> {
  const table = def.name;
  const stmt = sql<{ type: string; name: string }>`SELECT type, name FROM sqlite_master WHERE tbl_name = ${table} AND type IN ('index', 'trigger') AND sql IS NOT NULL`;
  const rows = await tx.query<{ type: string; name: string }>(stmt.compile(tx.qb));
  const drops = rows.map((r) => `DROP ${r.type === "index" ? "INDEX" : "TRIGGER"} IF EXISTS ${q(r.name)}`);
  drops.push(`DROP TABLE IF EXISTS ${q(ftsTable(table))}`);
  for (const f of def.fields) drops.push(`DROP TABLE IF EXISTS ${q(trigramName(table, f.id))}`);
  await tx.script(script(drops));
}

async function alterColumns(tx: SqlDb, plan: SchemaPlan): Promise<void> {
  const t = q(plan.old.name);
  const out: string[] = [];
  for (const f of plan.dropped) out.push(`ALTER TABLE ${t} DROP COLUMN ${q(f.name)}`);
  // two steps through a temporary name: swaps and case-only renames need it
  for (const k of plan.renamed) out.push(`ALTER TABLE ${t} RENAME COLUMN ${q(k.from.name)} TO ${q(`_r_${k.to.id}`)}`);
  for (const k of plan.renamed) out.push(`ALTER TABLE ${t} RENAME COLUMN ${q(`_r_${k.to.id}`)} TO ${q(k.to.name)}`);
  for (const f of plan.added) out.push(`ALTER TABLE ${t} ADD COLUMN ${q(f.name)} ${columnType("sqlite", f)}`);
  if (out.length) await tx.script(script(out));
}

async function renameTable(tx: SqlDb, from: string, to: string): Promise<void> {
  // SQLite table names are case-insensitive: a case-only rename goes through a temporary name
  const steps =
    from.toLowerCase() === to.toLowerCase()
      ? [
          [from, `_tmp_${to}`],
          [`_tmp_${to}`, to],
        ]
      : [[from, to]];
  await tx.script(script(steps.map(([a, b]) => `ALTER TABLE ${q(a!)} RENAME TO ${q(b!)}`)));
}

/** Full rebuild for type changes: new table, copy with conversions, swap. */
async function rebuild(tx: SqlDb, plan: SchemaPlan): Promise<void> {
  const { old, next } = plan;
  const tmp = `_new_${next.name}`;
  const targets = [...SYSTEM_COLUMNS.map((c) => q(c))];
  const sources = [...SYSTEM_COLUMNS.map((c) => q(c))];
  for (const k of plan.kept) {
    targets.push(q(k.to.name));
    sources.push(k.conversion === "none" ? q(k.from.name) : conversionSql("sqlite", k.conversion, q(k.from.name)));
  }
  await tx.script(
    script([
      `DROP TABLE IF EXISTS ${q(tmp)}`,
      createTableSql("sqlite", next, tmp),
      `INSERT INTO ${q(tmp)} (rowid, ${targets.join(", ")}) SELECT rowid, ${sources.join(", ")} FROM ${q(old.name)}`,
      `DROP TABLE ${q(old.name)}`,
    ]),
  );
  // legacy mode: do not re-check other schema objects (e.g. a view over the dropped table) while renaming
  await tx.script("PRAGMA legacy_alter_table = ON");
  try {
    await tx.script(`ALTER TABLE ${q(tmp)} RENAME TO ${q(next.name)}`);
  } finally {
    await tx.script("PRAGMA legacy_alter_table = OFF");
  }
}
