/**
 * A consistent, read-only view of the whole database for backups, taken without stopping
 * writers:
 * - SQLite: a separate read-only connection holding one read transaction. In WAL mode it keeps
 *   the snapshot of its first read while the write connection goes on committing.
 * - PostgreSQL: a pooled connection in a `REPEATABLE READ READ ONLY` transaction (one snapshot for
 *   every statement), rows read through a server-side cursor so no table is held in memory.
 * Rows come back as the core sees them (PostgreSQL timestamps as ISO text, see postgres.ts).
 */
import Database from "better-sqlite3";
import type pg from "pg";
import type { Dialect } from "../config.ts";
import type { PostgresDb } from "./postgres.ts";
import type { Row, SqlDb } from "./sql-db.ts";
import type { SqliteDb } from "./sqlite.ts";

export interface ColumnInfo {
  name: string;
  /** the declared type, lower case (`text`, `integer`, `jsonb`, `timestamp without time zone`…) */
  type: string;
}

export interface TableInfo {
  name: string;
  /** stored columns in table order (generated and hidden columns left out: they are derived) */
  columns: ColumnInfo[];
}

export interface Snapshot {
  readonly dialect: Dialect;
  /** Base tables (no views, no full-text index tables) with their stored columns. */
  tables(): Promise<TableInfo[]>;
  /** Every row of `table` (these columns), in batches of at most `batch`. */
  rows(table: string, columns: readonly string[], batch?: number): AsyncIterable<Row[]>;
  /** Ends the snapshot and releases its connection. */
  close(): Promise<void>;
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
/** SQLite's full-text index tables (collections' `_fts_<t>` and its shadow tables) are rebuilt, not copied. */
const isDerivedTable = (name: string) => name.startsWith("_fts_") || name.startsWith("sqlite_");

/** Opens a snapshot of the database (see the module comment). */
export async function openSnapshot(db: SqlDb): Promise<Snapshot> {
  return db.dialect === "sqlite" ? sqliteSnapshot((db as SqliteDb).file) : postgresSnapshot(await (db as PostgresDb).pool.connect());
}

function sqliteSnapshot(file: string): Snapshot {
  const conn = new Database(file, { readonly: true, fileMustExist: true });
  conn.pragma("busy_timeout = 5000");
  conn.exec("BEGIN");
  // The snapshot starts with the first read of the transaction.
  conn.prepare("SELECT count(*) FROM sqlite_master").get();
  return {
    dialect: "sqlite",
    async tables() {
      const tables = conn.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string; sql: string | null }[];
      return tables
        .filter((t) => !isDerivedTable(t.name) && !/^\s*CREATE\s+VIRTUAL/i.test(t.sql ?? ""))
        .map((t) => ({
          name: t.name,
          columns: (conn.prepare("SELECT name, type, hidden FROM pragma_table_xinfo(?) ORDER BY cid").all(t.name) as { name: string; type: string; hidden: number }[])
            .filter((c) => c.hidden === 0)
            .map((c) => ({ name: c.name, type: c.type.toLowerCase() })),
        }));
    },
    async *rows(table, columns, batch = 1000) {
      const it = conn.prepare(`SELECT ${columns.map(q).join(", ")} FROM ${q(table)}`).iterate() as IterableIterator<Row>;
      let rows: Row[] = [];
      try {
        for (const row of it) {
          rows.push(row);
          if (rows.length >= batch) {
            yield rows;
            rows = [];
          }
        }
      } finally {
        it.return?.();
      }
      if (rows.length) yield rows;
    },
    async close() {
      try {
        conn.exec("COMMIT");
      } finally {
        conn.close();
      }
    },
  };
}

async function postgresSnapshot(client: pg.PoolClient): Promise<Snapshot> {
  let cursors = 0;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    // The snapshot is taken at the first statement after BEGIN.
    await client.query("SELECT 1");
  } catch (e) {
    client.release(e as Error);
    throw e;
  }
  return {
    dialect: "postgres",
    async tables() {
      const { rows: tables } = await client.query<{ name: string }>(
        "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
      );
      const { rows: cols } = await client.query<{ table: string; name: string; type: string }>(
        "SELECT table_name AS table, column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY table_name, ordinal_position",
      );
      return tables.filter((t) => !isDerivedTable(t.name)).map((t) => ({ name: t.name, columns: cols.filter((c) => c.table === t.name).map((c) => ({ name: c.name, type: c.type.toLowerCase() })) }));
    },
    async *rows(table, columns, batch = 1000) {
      const cursor = `backup_cursor_${++cursors}`;
      await client.query(`DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${columns.map(q).join(", ")} FROM ${q(table)}`);
      try {
        for (;;) {
          const { rows } = await client.query<Row>(`FETCH ${batch} FROM ${cursor}`);
          if (rows.length) yield rows;
          if (rows.length < batch) break;
        }
      } finally {
        await client.query(`CLOSE ${cursor}`);
      }
    },
    async close() {
      try {
        await client.query("COMMIT");
        client.release();
      } catch (e) {
        client.release(e as Error);
        throw e;
      }
    },
  };
}
