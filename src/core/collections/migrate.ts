/**
 * Runs collection DDL inside the caller's transaction: create, drop, and schema changes (a plan
 * from plan.ts, executed by the dialect's migrator). Data checks run before any DDL, so a change
 * that cannot convert an existing value fails with a 422 naming the field and the value; a field
 * that becomes required is checked (and filled with its default) after it, in the same transaction.
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { ConflictError, ValidationError } from "../errors.ts";
import { CHECKED_CONVERSIONS, acceptsValue, type ConversionKind } from "./conversions.ts";
import { createCollectionSql, createViewSql, createViewWithWriterSql, dropCollectionSql, dropViewSql, q, script } from "./ddl.ts";
import { migratePostgres } from "./migrate-postgres.ts";
import { migrateSqlite } from "./migrate-sqlite.ts";
import type { SchemaPlan } from "./plan.ts";
import { settleRequiredValues } from "./required-values.ts";
import { SYSTEM_COLUMNS, type CollectionDef } from "./types.ts";

const PAGE = 1000;

/** Creates the table (or view) of a new collection with its indexes and search objects. */
export async function createCollectionObjects(tx: SqlDb, def: CollectionDef): Promise<void> {
  if (def.type === "view") return createView(tx, def);
  await tx.script(script(createCollectionSql(tx.dialect, def, def.name, { trigram: tx.trigram })));
  await refreshStatistics(tx, def.name);
}

/**
 * Gathers planner statistics for a collection table after its DDL, so the planner knows the
 * indexes from the first query on (SQLite samples a bounded number of rows, see db/sqlite.ts;
 * PostgreSQL samples a fixed number too). Growth later is followed by SQLite's optimize timer
 * and PostgreSQL's autovacuum.
 */
export async function refreshStatistics(tx: SqlDb, table: string): Promise<void> {
  await tx.script(`ANALYZE ${q(table)}`);
}

/** Drops the table (or view) of a collection with everything attached to it. */
export async function dropCollectionObjects(tx: SqlDb, def: CollectionDef): Promise<void> {
  await withDependencyErrors(def.name, () => tx.script(script(def.type === "view" ? [dropViewSql(def.name)] : dropCollectionSql(tx.dialect, def, def.name))));
}

/**
 * Applies a schema change plan: checks data, runs the dialect's DDL, then gives fields that
 * became required their default where rows hold no value (or refuses, see required-values.ts).
 */
export async function applySchemaChange(tx: SqlDb, plan: SchemaPlan): Promise<void> {
  const { old, next } = plan;
  if (old.type === "view") {
    if (old.name !== next.name || old.viewQuery !== next.viewQuery || plan.added.length || plan.renamed.length) {
      await tx.script(dropViewSql(old.name));
      await createView(tx, next);
    }
    return;
  }
  if (plan.structural) await changeTable(tx, plan);
  await settleRequiredValues(tx, plan);
  if (plan.structural) await refreshStatistics(tx, next.name);
}

/** Checks converted values, then runs the dialect's DDL (unique values checked in between). */
async function changeTable(tx: SqlDb, plan: SchemaPlan): Promise<void> {
  const { old, next } = plan;
  for (const k of plan.converted) {
    if (!CHECKED_CONVERSIONS.has(k.conversion as ConversionKind)) continue;
    const bad = await findUnconvertible(tx, old.name, k.from.name, k.conversion as ConversionKind);
    if (bad !== undefined) {
      throw new ValidationError(`Cannot change field '${k.to.name}' to ${k.to.type}: existing value ${show(bad)} does not convert`, {
        [`schema[${k.index}].type`]: `existing value ${show(bad)} of field '${k.from.name}' cannot be converted to ${k.to.type}`,
      });
    }
  }
  const checkUnique = () => assertUnique(tx, next.name, plan.newlyUnique);
  await withDependencyErrors(old.name, () => (tx.dialect === "sqlite" ? migrateSqlite(tx, plan, checkUnique) : migratePostgres(tx, plan, checkUnique)));
}

const show = (v: unknown) => JSON.stringify(typeof v === "string" && v.length > 80 ? `${v.slice(0, 80)}…` : v);

/** First distinct non-null value of a column that the conversion does not accept, if any. */
async function findUnconvertible(tx: SqlDb, table: string, column: string, kind: ConversionKind): Promise<unknown> {
  const col = sql.ref(column);
  const key = tx.dialect === "postgres" && kind === "list_to_single" ? sql`${col}::text` : col;
  let last: unknown;
  for (;;) {
    const after = last === undefined ? sql`` : sql`AND ${key} > ${last}`;
    const stmt = sql<{ v: unknown }>`SELECT DISTINCT ${key} AS v FROM ${sql.table(table)} WHERE ${col} IS NOT NULL ${after} ORDER BY 1 LIMIT ${PAGE}`;
    const rows = await tx.query<{ v: unknown }>(stmt.compile(tx.qb));
    for (const r of rows) if (!acceptsValue(kind, r.v)) return kind === "list_to_single" ? parseJson(r.v) : r.v;
    if (rows.length < PAGE) return undefined;
    last = rows[rows.length - 1]!.v;
  }
}

function parseJson(v: unknown): unknown {
  try {
    return typeof v === "string" ? JSON.parse(v) : v;
  } catch {
    return v;
  }
}

/** Fails with 422 when a field that must become unique has duplicate values in one account. */
async function assertUnique(tx: SqlDb, table: string, fields: SchemaPlan["newlyUnique"]): Promise<void> {
  for (const { field, index } of fields) {
    const col = sql.ref(field.name);
    const stmt = sql<{ v: unknown }>`SELECT ${col} AS v FROM ${sql.table(table)} WHERE ${col} IS NOT NULL GROUP BY "account_id", ${col} HAVING count(*) > 1 LIMIT 1`;
    const [dup] = await tx.query<{ v: unknown }>(stmt.compile(tx.qb));
    if (dup) {
      throw new ValidationError(`Field '${field.name}' cannot be unique: value ${show(dup.v)} occurs more than once`, {
        [`schema[${index}].unique`]: `value ${show(dup.v)} occurs more than once`,
      });
    }
  }
}

/** Creates a view collection and checks its query yields the system columns and every field. */
async function createView(tx: SqlDb, def: CollectionDef): Promise<void> {
  let columns: string[];
  try {
    await tx.script(createViewSql(def.name, def.viewQuery ?? ""));
    const stmt =
      tx.dialect === "sqlite"
        ? sql<{ name: string }>`SELECT name FROM pragma_table_info(${def.name})`
        : sql<{ name: string }>`SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${def.name}`;
    columns = (await tx.query<{ name: string }>(stmt.compile(tx.qb))).map((r) => r.name);
    if (!columns.includes("updated_by")) {
      await tx.script(script([dropViewSql(def.name), createViewWithWriterSql(def.name, def.viewQuery ?? "")]));
      columns.push("updated_by");
    }
  } catch (e) {
    // the query is the superadmin's own SQL: the database's complaint is the useful answer
    throw new ValidationError(`Invalid view query: ${(e as Error).message}`, { view_query: (e as Error).message });
  }
  const missing = [...SYSTEM_COLUMNS, ...def.fields.map((f) => f.name)].filter((c) => !columns.includes(c));
  if (missing.length) throw new ValidationError(`The view query must return the columns: ${missing.join(", ")}`, { view_query: `missing columns: ${missing.join(", ")}` });
}

/** Maps "other objects depend on this" database errors (e.g. a view over the table) to 409. */
async function withDependencyErrors<T>(table: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = (e as Error).message ?? "";
    if (code === "2BP01" || (code === "0A000" && /view|rule/.test(msg)) || /^error in (view|trigger)/.test(msg)) {
      throw new ConflictError(`Collection '${table}' cannot be changed: another database object (a view collection?) depends on it`);
    }
    throw e;
  }
}
