/**
 * SQL text for collection tables on SQLite and PostgreSQL. Only identifiers (validated names,
 * always double-quoted) and fixed constants appear in the text; values never do.
 *
 * Object names derive from the table name (`indexPrefix`) so rename and drop find them:
 *   <p>__created        index (account_id, created, id): the default order, newest first
 *   <p>__id             index (account_id, id): `sort=id` and id keysets
 *   <p>__uq_<fieldId>   unique index (account_id, column)
 *   <p>__ix_<fieldId>   index (account_id, column, id) in the list order (see {@link sortIndexKey});
 *                       a single reference: (account_id, column, created, id), which serves
 *                       equality lookups and "newest first per parent" (reverse connections)
 *   <p>__search         PostgreSQL GIN index on the generated `_search` tsvector column
 *   _fts_<table>        SQLite FTS5 external-content table, kept in sync by the triggers
 *   <p>__fts_ai|ad|au
 */
import { createHash } from "node:crypto";
import { SYSTEM_FIELDS } from "../../query/system-fields.ts";
import { SEARCH_COLUMN, SEARCHABLE_TYPES, ftsTable, storageKind, type CollectionDef, type FieldDef, type StorageKind } from "./types.ts";

export type Dialect = "sqlite" | "postgres";

/** Double-quotes an identifier. */
export const q = (id: string): string => `"${id.replace(/"/g, '""')}"`;
const lit = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const COLUMN_TYPES: Record<Dialect, Record<StorageKind, string>> = {
  sqlite: { text: "TEXT", number: "REAL", bool: "INTEGER", date: "TEXT", datetime: "TEXT", json: "TEXT" },
  postgres: { text: "TEXT", number: "DOUBLE PRECISION", bool: "BOOLEAN", date: "DATE", datetime: "TIMESTAMPTZ", json: "JSONB" },
};

/** SQL column type of a field. */
export function columnType(dialect: Dialect, field: Pick<FieldDef, "type" | "options">): string {
  return COLUMN_TYPES[dialect][storageKind(field)];
}

/** Prefix of every index/trigger name of a table: the name itself, or a hashed form when long (PostgreSQL keeps 63 bytes). */
export function indexPrefix(table: string): string {
  if (table.length <= 36) return table;
  return `${table.slice(0, 27)}_${createHash("sha1").update(table).digest("hex").slice(0, 8)}`;
}

export const objectName = (table: string, suffix: string): string => `${indexPrefix(table)}__${suffix}`;

export const searchableFields = (def: Pick<CollectionDef, "fields">): FieldDef[] => def.fields.filter((f) => SEARCHABLE_TYPES.has(f.type));

/** CREATE TABLE for a collection (system columns, then one column per field), named `table`. */
export function createTableSql(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string): string {
  const cols = [...SYSTEM_FIELDS.map((f) => `${q(f.column)} ${f.ddl[dialect]}`), ...def.fields.map((f) => `${q(f.name)} ${columnType(dialect, f)}`)];
  if (dialect === "postgres") cols.push(`CONSTRAINT ${q(objectName(table, "pkey"))} PRIMARY KEY ("id")`);
  return `CREATE TABLE ${q(table)} (\n  ${cols.join(",\n  ")}\n)`;
}

/**
 * One object derived from the table's columns (an index, or the search objects), with what a
 * schema change needs to decide whether it can stay: `identity` compares definitions (fields by
 * id, where the database follows column renames by itself) and `deps` lists the field ids it
 * reads (a converted or dropped field forces it to be recreated).
 */
export interface DerivedObject {
  key: string;
  identity: string;
  deps: string[];
  create: string[];
  drop: string[];
}

/**
 * Key of a field in a sort-serving index, matching `sortKey`/`orderByList` in
 * records/list-query.ts: text in code-point order (COLLATE "C") and nulls first ascending on
 * PostgreSQL, so one index scanned forwards or backwards serves both directions; SQLite's
 * default collation and null placement already match.
 */
function sortIndexKey(dialect: Dialect, f: FieldDef): string {
  if (dialect === "sqlite") return q(f.name);
  return `${q(f.name)}${storageKind(f) === "text" ? ' COLLATE "C"' : ""} NULLS FIRST`;
}

/** A single reference: its values are ids, compared with `=`/`IN` in the default collation. */
const isSingleReference = (f: FieldDef): boolean => f.type === "reference" && !f.options.multiple;

function indexObjects(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string): DerivedObject[] {
  const t = q(table);
  const created = q(objectName(table, "created"));
  const byId = q(objectName(table, "id"));
  const out: DerivedObject[] = [
    { key: "created", identity: "created", deps: [], create: [`CREATE INDEX ${created} ON ${t} ("account_id", "created", "id")`], drop: [`DROP INDEX IF EXISTS ${created}`] },
    { key: "id", identity: "id", deps: [], create: [`CREATE INDEX ${byId} ON ${t} ("account_id", "id")`], drop: [`DROP INDEX IF EXISTS ${byId}`] },
  ];
  for (const f of def.fields) {
    if (!f.unique && !f.index) continue;
    const kind = f.unique ? "uq" : "ix";
    const name = q(objectName(table, `${kind}_${f.id}`));
    const columns = f.unique ? `"account_id", ${q(f.name)}` : isSingleReference(f) ? `"account_id", ${q(f.name)}, "created", "id"` : `"account_id", ${sortIndexKey(dialect, f)}, "id"`;
    const create = `CREATE ${f.unique ? "UNIQUE " : ""}INDEX ${name} ON ${t} (${columns})`;
    out.push({ key: `${kind}_${f.id}`, identity: `${kind}_${f.id}`, deps: [f.id], create: [create], drop: [`DROP INDEX IF EXISTS ${name}`] });
  }
  return out;
}

/**
 * SQLite FTS5 external-content table + sync triggers, refilled from the table when created.
 * FTS5 reads content columns by name, so a renamed searchable field recreates it.
 */
function sqliteSearchObject(def: Pick<CollectionDef, "fields">, table: string): DerivedObject[] {
  const fields = searchableFields(def);
  if (!fields.length) return [];
  const fts = q(ftsTable(table));
  const cols = fields.map((f) => q(f.name));
  const list = cols.join(", ");
  const vals = (row: "new" | "old") => cols.map((c) => `${row}.${c}`).join(", ");
  const ins = `INSERT INTO ${fts}(rowid, ${list}) VALUES (new.rowid, ${vals("new")});`;
  const del = `INSERT INTO ${fts}(${fts}, rowid, ${list}) VALUES ('delete', old.rowid, ${vals("old")});`;
  const t = q(table);
  const triggers = ["fts_ai", "fts_ad", "fts_au"].map((s) => q(objectName(table, s)));
  const create = [
    `CREATE VIRTUAL TABLE ${fts} USING fts5(${list}, content=${lit(table)}, content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`,
    `CREATE TRIGGER ${triggers[0]} AFTER INSERT ON ${t} BEGIN ${ins} END`,
    `CREATE TRIGGER ${triggers[1]} AFTER DELETE ON ${t} BEGIN ${del} END`,
    `CREATE TRIGGER ${triggers[2]} AFTER UPDATE ON ${t} BEGIN ${del} ${ins} END`,
    `INSERT INTO ${fts}(${fts}) VALUES ('rebuild')`,
  ];
  const drop = [...triggers.map((tr) => `DROP TRIGGER IF EXISTS ${tr}`), `DROP TABLE IF EXISTS ${fts}`];
  return [{ key: "search", identity: create[0]!, deps: fields.map((f) => f.id), create, drop }];
}

/** PostgreSQL generated tsvector column + GIN index; PostgreSQL follows column renames itself. */
function postgresSearchObject(def: Pick<CollectionDef, "fields">, table: string): DerivedObject[] {
  const fields = searchableFields(def);
  if (!fields.length) return [];
  const doc = (name: (f: FieldDef) => string) => fields.map((f) => `coalesce(${q(name(f))}, '')`).join(` || ' ' || `);
  const create = [
    `ALTER TABLE ${q(table)} ADD COLUMN ${q(SEARCH_COLUMN)} tsvector GENERATED ALWAYS AS (to_tsvector('simple', ${doc((f) => f.name)})) STORED`,
    `CREATE INDEX ${q(objectName(table, "search"))} ON ${q(table)} USING GIN (${q(SEARCH_COLUMN)})`,
  ];
  // dropping the column drops its index
  return [{ key: "search", identity: doc((f) => f.id), deps: fields.map((f) => f.id), create, drop: [`ALTER TABLE ${q(table)} DROP COLUMN IF EXISTS ${q(SEARCH_COLUMN)}`] }];
}

/** Every derived object of a definition on `table`: indexes and full-text search. */
export function derivedObjects(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string): DerivedObject[] {
  return dialect === "postgres" ? [...postgresSearchObject(def, table), ...indexObjects(dialect, def, table)] : [...indexObjects(dialect, def, table), ...sqliteSearchObject(def, table)];
}

/** The statements creating every derived object. */
export function derivedSql(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string): string[] {
  return derivedObjects(dialect, def, table).flatMap((o) => o.create);
}

/** The full set of statements creating a new, empty collection table. */
export function createCollectionSql(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string): string[] {
  return [createTableSql(dialect, def, table), ...derivedSql(dialect, def, table).filter((s) => !s.endsWith("VALUES ('rebuild')"))];
}

/** Statements dropping a collection table and everything attached to it. */
export function dropCollectionSql(dialect: Dialect, table: string): string[] {
  if (dialect === "postgres") return [`DROP TABLE IF EXISTS ${q(table)}`];
  // dropping the table drops its indexes and triggers; the FTS table is separate
  return [`DROP TABLE IF EXISTS ${q(ftsTable(table))}`, `DROP TABLE IF EXISTS ${q(table)}`];
}

export const createViewSql = (name: string, query: string): string => `CREATE VIEW ${q(name)} AS ${query}`;
export const dropViewSql = (name: string): string => `DROP VIEW IF EXISTS ${q(name)}`;

/** Joins statements into one script (trigger bodies carry their own semicolons). */
export const script = (statements: string[]): string => statements.map((s) => `${s};`).join("\n");
