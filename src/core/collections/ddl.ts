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
 *   <p>__tri_<fieldId>  trigram index of one field for `contains` (see {@link hasTrigramIndex}):
 *                       PostgreSQL GIN (column gin_trgm_ops); SQLite an FTS5 external-content
 *                       table (tokenize trigram, detail none) kept by triggers <p>__tri_<fieldId>_ai|ad|au
 */
import { createHash } from "node:crypto";
import { hasCodePointIndex } from "../../query/field-kinds.ts";
import { SYSTEM_FIELDS } from "../../query/system-fields.ts";
import { SEARCH_COLUMN, SEARCHABLE_TYPES, ftsTable, hasTrigramIndex, storageKind, type CollectionDef, type FieldDef, type StorageKind } from "./types.ts";

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
  /**
   * The database objects it consists of, for start-up reconciliation (reconcile.ts): `sql` is
   * the text SQLite keeps in sqlite_master (compared to find a changed definition).
   */
  objects: DbObject[];
}

/** A named schema object (a `column` is the PostgreSQL generated search column). */
export interface DbObject {
  type: "index" | "table" | "trigger" | "column";
  name: string;
  sql?: string;
}

/** What the database offers beyond the basics. */
export interface DdlOptions {
  /** a trigram index method: always on SQLite (FTS5), on PostgreSQL when pg_trgm is installed */
  trigram?: boolean;
}

/** Name of the trigram index (PostgreSQL) or FTS5 trigram table (SQLite) of a field. */
export const trigramName = (table: string, fieldId: string): string => objectName(table, `tri_${fieldId}`);

/** A single reference: its values are ids, compared with `=`/`IN` in the default collation. */
const isSingleReference = (f: FieldDef): boolean => f.type === "reference" && !f.options.multiple;

/**
 * Key of a field in a sort-serving index, matching `sortKey`/`orderByList` in
 * records/list-query.ts: text in code-point order (COLLATE "C", see {@link hasCodePointIndex}) and
 * nulls first ascending on PostgreSQL, so one index scanned forwards or backwards serves both
 * directions; SQLite's default collation and null placement already match.
 */
function sortIndexKey(dialect: Dialect, f: FieldDef): string {
  if (dialect === "sqlite") return q(f.name);
  return `${q(f.name)}${hasCodePointIndex(f) ? ' COLLATE "C"' : ""} NULLS FIRST`;
}

function indexObjects(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string): DerivedObject[] {
  const t = q(table);
  const created = q(objectName(table, "created"));
  const byId = q(objectName(table, "id"));
  const out: DerivedObject[] = [
    index("created", "created", [], objectName(table, "created"), `CREATE INDEX ${created} ON ${t} ("account_id", "created", "id")`),
    index("id", "id", [], objectName(table, "id"), `CREATE INDEX ${byId} ON ${t} ("account_id", "id")`),
  ];
  for (const f of def.fields) {
    if (!f.unique && !f.index) continue;
    const kind = f.unique ? "uq" : "ix";
    const name = q(objectName(table, `${kind}_${f.id}`));
    const columns = f.unique ? `"account_id", ${q(f.name)}` : isSingleReference(f) ? `"account_id", ${q(f.name)}, "created", "id"` : `"account_id", ${sortIndexKey(dialect, f)}, "id"`;
    const create = `CREATE ${f.unique ? "UNIQUE " : ""}INDEX ${name} ON ${t} (${columns})`;
    out.push(index(`${kind}_${f.id}`, `${kind}_${f.id}`, [f.id], objectName(table, `${kind}_${f.id}`), create));
  }
  return out;
}

function index(key: string, identity: string, deps: string[], name: string, create: string): DerivedObject {
  return { key, identity, deps, create: [create], drop: [`DROP INDEX IF EXISTS ${q(name)}`], objects: [{ type: "index", name, sql: create }] };
}

/**
 * Trigram indexes serving `contains` on PostgreSQL (pg_trgm; the planner picks them for
 * `ILIKE '%…%'` when a pattern is selective). The index follows column renames by itself.
 */
function postgresTrigramObjects(def: Pick<CollectionDef, "fields">, table: string): DerivedObject[] {
  return def.fields.filter(hasTrigramIndex).map((f) => {
    const name = trigramName(table, f.id);
    return index(`tri_${f.id}`, `tri_${f.id}`, [f.id], name, `CREATE INDEX ${q(name)} ON ${q(table)} USING GIN (${q(f.name)} gin_trgm_ops) WITH (gin_pending_list_limit = 128)`);
  });
}

/**
 * Trigram tables serving `contains` on SQLite: one FTS5 external-content table per field
 * (`detail=none`, `columnsize=0`: only which rows hold a trigram, the smallest index and the
 * cheapest write), queried with the AND of a pattern's trigrams for candidate rowids; the
 * caller re-checks the real `LIKE` (records/contains-index.ts). Case-insensitive like `~`: its
 * folding covers SQLite's ASCII folding, so candidates are a superset. Updates re-index only
 * when the field changes. FTS5 reads the column by name, so a rename recreates the table.
 */
function sqliteTrigramObjects(def: Pick<CollectionDef, "fields">, table: string): DerivedObject[] {
  const t = q(table);
  return def.fields.filter(hasTrigramIndex).map((f) => {
    const name = trigramName(table, f.id);
    const tri = q(name);
    const col = q(f.name);
    // NULLs have no trigrams: neither indexed nor deleted
    const ins = `INSERT INTO ${tri}(rowid, ${col}) SELECT new.rowid, new.${col} WHERE new.${col} IS NOT NULL;`;
    const del = `INSERT INTO ${tri}(${tri}, rowid, ${col}) SELECT 'delete', old.rowid, old.${col} WHERE old.${col} IS NOT NULL;`;
    const [ai, ad, au] = ["ai", "ad", "au"].map((s) => `${name}_${s}`) as [string, string, string];
    const vtable = `CREATE VIRTUAL TABLE ${tri} USING fts5(${col}, content=${lit(table)}, content_rowid='rowid', tokenize='trigram case_sensitive 0', detail=none, columnsize=0)`;
    const triggers = [
      { name: ai, sql: `CREATE TRIGGER ${q(ai)} AFTER INSERT ON ${t} BEGIN ${ins} END` },
      { name: ad, sql: `CREATE TRIGGER ${q(ad)} AFTER DELETE ON ${t} BEGIN ${del} END` },
      { name: au, sql: `CREATE TRIGGER ${q(au)} AFTER UPDATE OF ${col} ON ${t} BEGIN ${del} ${ins} END` },
    ];
    const create = [vtable, ...triggers.map((x) => x.sql), `INSERT INTO ${tri}(${tri}) VALUES ('rebuild')`];
    const drop = [...triggers.map((x) => `DROP TRIGGER IF EXISTS ${q(x.name)}`), `DROP TABLE IF EXISTS ${tri}`];
    const objects: DbObject[] = [{ type: "table", name, sql: vtable }, ...triggers.map((x) => ({ type: "trigger" as const, ...x }))];
    return { key: `tri_${f.id}`, identity: vtable, deps: [f.id], create, drop, objects };
  });
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
  const objects: DbObject[] = [
    { type: "table", name: ftsTable(table), sql: create[0]! },
    ...triggers.map((tr, i) => ({ type: "trigger" as const, name: objectName(table, ["fts_ai", "fts_ad", "fts_au"][i]!), sql: create[i + 1]! })),
  ];
  return [{ key: "search", identity: create[0]!, deps: fields.map((f) => f.id), create, drop, objects }];
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
  const objects: DbObject[] = [
    { type: "column", name: SEARCH_COLUMN },
    { type: "index", name: objectName(table, "search") },
  ];
  return [{ key: "search", identity: doc((f) => f.id), deps: fields.map((f) => f.id), create, drop: [`ALTER TABLE ${q(table)} DROP COLUMN IF EXISTS ${q(SEARCH_COLUMN)}`], objects }];
}

/**
 * Every derived object of a definition on `table`: indexes, full-text search and (where the
 * engine has them, `opts.trigram`, default on) trigram indexes.
 */
export function derivedObjects(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string, opts: DdlOptions = {}): DerivedObject[] {
  const trigram = opts.trigram ?? true;
  return dialect === "postgres"
    ? [...postgresSearchObject(def, table), ...indexObjects(dialect, def, table), ...(trigram ? postgresTrigramObjects(def, table) : [])]
    : [...indexObjects(dialect, def, table), ...sqliteSearchObject(def, table), ...(trigram ? sqliteTrigramObjects(def, table) : [])];
}

/** The statements creating every derived object. */
export function derivedSql(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string, opts: DdlOptions = {}): string[] {
  return derivedObjects(dialect, def, table, opts).flatMap((o) => o.create);
}

/** The full set of statements creating a new, empty collection table. */
export function createCollectionSql(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string, opts: DdlOptions = {}): string[] {
  return [createTableSql(dialect, def, table), ...derivedSql(dialect, def, table, opts).filter((s) => !s.endsWith("VALUES ('rebuild')"))];
}

/** Statements dropping a collection table and everything attached to it. */
export function dropCollectionSql(dialect: Dialect, def: Pick<CollectionDef, "fields">, table: string): string[] {
  if (dialect === "postgres") return [`DROP TABLE IF EXISTS ${q(table)}`];
  // dropping the table drops its indexes and triggers; the FTS tables are separate
  const trigram = def.fields.filter(hasTrigramIndex).map((f) => `DROP TABLE IF EXISTS ${q(trigramName(table, f.id))}`);
  return [`DROP TABLE IF EXISTS ${q(ftsTable(table))}`, ...trigram, `DROP TABLE IF EXISTS ${q(table)}`];
}

export const createViewSql = (name: string, query: string): string => `CREATE VIEW ${q(name)} AS ${query}`;

/**
 * A view whose query does not name the `updated_by` system column (it came later): the query
 * wrapped so the view has it, as NULL (the last writer of a view row is not known).
 */
export const createViewWithWriterSql = (name: string, query: string): string => `CREATE VIEW ${q(name)} AS SELECT "_q".*, CAST(NULL AS TEXT) AS "updated_by" FROM (${query}) AS "_q"`;
export const dropViewSql = (name: string): string => `DROP VIEW IF EXISTS ${q(name)}`;

/** Joins statements into one script (trigger bodies carry their own semicolons). */
export const script = (statements: string[]): string => statements.map((s) => `${s};`).join("\n");
