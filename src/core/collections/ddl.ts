/**
 * SQL text for collection tables on SQLite and PostgreSQL. Only identifiers (validated names,
 * always double-quoted) and fixed constants appear in the text; values never do.
 *
 * Object names derive from the table name (`indexPrefix`) so rename and drop find them:
 *   <p>__created        index (account_id, created, id)
 *   <p>__uq_<fieldId>   unique index (account_id, column)
 *   <p>__ix_<fieldId>   index (column)
 *   <p>__search         PostgreSQL GIN index on the generated `_search` tsvector column
 *   _fts_<table>        SQLite FTS5 external-content table, kept in sync by the triggers
 *   <p>__fts_ai|ad|au
 */
import { createHash } from "node:crypto";
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
  const ts = dialect === "sqlite" ? "TEXT" : "TIMESTAMPTZ";
  const cols = [
    dialect === "sqlite" ? `"id" TEXT PRIMARY KEY NOT NULL` : `"id" TEXT NOT NULL`,
    `"account_id" TEXT NOT NULL`,
    `"owner_id" TEXT`,
    `"created" ${ts} NOT NULL`,
    `"updated" ${ts} NOT NULL`,
    `"version" INTEGER NOT NULL DEFAULT 1`,
    ...def.fields.map((f) => `${q(f.name)} ${columnType(dialect, f)}`),
  ];
  if (dialect === "postgres") cols.push(`CONSTRAINT ${q(objectName(table, "pkey"))} PRIMARY KEY ("id")`);
  return `CREATE TABLE ${q(table)} (\n  ${cols.join(",\n  ")}\n)`;
}

/** Index statements for a definition on table `table`. */
export function indexSql(def: Pick<CollectionDef, "fields">, table: string): string[] {
  const t = q(table);
  const out = [`CREATE INDEX ${q(objectName(table, "created"))} ON ${t} ("account_id", "created", "id")`];
  for (const f of def.fields) {
    if (f.unique) out.push(`CREATE UNIQUE INDEX ${q(objectName(table, `uq_${f.id}`))} ON ${t} ("account_id", ${q(f.name)})`);
    else if (f.index) out.push(`CREATE INDEX ${q(objectName(table, `ix_${f.id}`))} ON ${t} (${q(f.name)})`);
  }
  return out;
}

/** SQLite FTS5 table + sync triggers (empty when no field is searchable). */
export function sqliteSearchSql(def: Pick<CollectionDef, "fields">, table: string): string[] {
  const fields = searchableFields(def);
  if (!fields.length) return [];
  const fts = q(ftsTable(table));
  const cols = fields.map((f) => q(f.name));
  const list = cols.join(", ");
  const vals = (row: "new" | "old") => cols.map((c) => `${row}.${c}`).join(", ");
  const ins = `INSERT INTO ${fts}(rowid, ${list}) VALUES (new.rowid, ${vals("new")});`;
  const del = `INSERT INTO ${fts}(${fts}, rowid, ${list}) VALUES ('delete', old.rowid, ${vals("old")});`;
  const t = q(table);
  return [
    `CREATE VIRTUAL TABLE ${fts} USING fts5(${list}, content=${lit(table)}, content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`,
    `CREATE TRIGGER ${q(objectName(table, "fts_ai"))} AFTER INSERT ON ${t} BEGIN ${ins} END`,
    `CREATE TRIGGER ${q(objectName(table, "fts_ad"))} AFTER DELETE ON ${t} BEGIN ${del} END`,
    `CREATE TRIGGER ${q(objectName(table, "fts_au"))} AFTER UPDATE ON ${t} BEGIN ${del} ${ins} END`,
  ];
}

/** PostgreSQL generated tsvector column + GIN index (empty when no field is searchable). */
export function postgresSearchSql(def: Pick<CollectionDef, "fields">, table: string): string[] {
  const fields = searchableFields(def);
  if (!fields.length) return [];
  const doc = fields.map((f) => `coalesce(${q(f.name)}, '')`).join(` || ' ' || `);
  return [
    `ALTER TABLE ${q(table)} ADD COLUMN ${q(SEARCH_COLUMN)} tsvector GENERATED ALWAYS AS (to_tsvector('simple', ${doc})) STORED`,
    `CREATE INDEX ${q(objectName(table, "search"))} ON ${q(table)} USING GIN (${q(SEARCH_COLUMN)})`,
  ];
}

/**
 * Everything derived from the columns: indexes and full-text search. Dropped before and
 * recreated after a structural change. On SQLite, `rebuildFts` refills the index from the table.
 */
export function derivedSql(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string, rebuildFts = false): string[] {
  if (dialect === "postgres") return [...postgresSearchSql(def, table), ...indexSql(def, table)];
  const fts = sqliteSearchSql(def, table);
  if (fts.length && rebuildFts) fts.push(`INSERT INTO ${q(ftsTable(table))}(${q(ftsTable(table))}) VALUES ('rebuild')`);
  return [...indexSql(def, table), ...fts];
}

/** The full set of statements creating a new, empty collection table. */
export function createCollectionSql(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string): string[] {
  return [createTableSql(dialect, def, table), ...derivedSql(dialect, def, table)];
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
