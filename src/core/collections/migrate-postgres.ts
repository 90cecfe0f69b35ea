/**
 * Schema changes on PostgreSQL, all transactional: drop the indexes and the generated search
 * column the change affects, then ALTER TABLE (drop, change type USING a conversion expression, rename, add),
 * rename the table and its primary key, and recreate what was dropped.
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { conversionSql, type ConversionKind } from "./conversions.ts";
import { columnType, objectName, q, script } from "./ddl.ts";
import type { SchemaPlan } from "./plan.ts";
import { SEARCH_COLUMN } from "./types.ts";

export async function migratePostgres(tx: SqlDb, plan: SchemaPlan, checkUnique: () => Promise<void>): Promise<void> {
  const { old, next } = plan;
  const t = q(old.name);
  // conversion expressions read and write timestamps in UTC
  await tx.script(`SET LOCAL TIME ZONE 'UTC'`);
  if (plan.derived.all) await dropDerived(tx, old.name);
  else if (plan.derived.drop.length) await tx.script(script(plan.derived.drop));
  const out: string[] = [];
  if (plan.dropped.length) out.push(`ALTER TABLE ${t} ${plan.dropped.map((f) => `DROP COLUMN ${q(f.name)}`).join(", ")}`);
  if (plan.converted.length) {
    const clauses = plan.converted.map((k) => `ALTER COLUMN ${q(k.from.name)} TYPE ${columnType("postgres", k.to)} USING ${conversionSql("postgres", k.conversion as ConversionKind, q(k.from.name))}`);
    out.push(`ALTER TABLE ${t} ${clauses.join(", ")}`);
  }
  // two steps through a temporary name: swaps and case-changing renames need it
  for (const k of plan.renamed) out.push(`ALTER TABLE ${t} RENAME COLUMN ${q(k.from.name)} TO ${q(`_r_${k.to.id}`)}`);
  for (const k of plan.renamed) out.push(`ALTER TABLE ${t} RENAME COLUMN ${q(`_r_${k.to.id}`)} TO ${q(k.to.name)}`);
  if (plan.added.length) out.push(`ALTER TABLE ${t} ${plan.added.map((f) => `ADD COLUMN ${q(f.name)} ${columnType("postgres", f)}`).join(", ")}`);
  if (plan.renameTable) {
    out.push(`ALTER TABLE ${t} RENAME TO ${q(next.name)}`);
    out.push(`ALTER TABLE ${q(next.name)} RENAME CONSTRAINT ${q(objectName(old.name, "pkey"))} TO ${q(objectName(next.name, "pkey"))}`);
  }
  if (out.length) await tx.script(script(out));
  await checkUnique();
  if (plan.derived.create.length) await tx.script(script(plan.derived.create));
}

/** Drops every non-primary index on the table and the generated search column. */
async function dropDerived(tx: SqlDb, table: string): Promise<void> {
  const stmt = sql<{ name: string }>`
    SELECT i.relname AS name FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE t.relname = ${table} AND n.nspname = current_schema() AND NOT x.indisprimary`;
  const rows = await tx.query<{ name: string }>(stmt.compile(tx.qb));
  const drops = rows.map((r) => `DROP INDEX IF EXISTS ${q(r.name)}`);
  drops.push(`ALTER TABLE ${q(table)} DROP COLUMN IF EXISTS ${q(SEARCH_COLUMN)}`);
  await tx.script(script(drops));
}
