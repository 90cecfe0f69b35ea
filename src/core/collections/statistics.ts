/**
 * Planner statistics after bulk loads. A table that grew by many rows at once misleads the
 * planner until its statistics follow: SQLite's timer (db/sqlite.ts) catches up within a minute,
 * PostgreSQL's autovacuum later still. On SQLite the refresh is that timer's, run at once. Bulk
 * paths report the rows they wrote here; once a table has received {@link BULK_ANALYZE_ROWS} rows
 * this way (in one load or several), it is analysed — on PostgreSQL after flushing its GIN
 * indexes' pending lists too, whose size the planner otherwise charges to every trigram and full-text index scan (and plain ANALYZE does not flush).
 */
import { sql } from "kysely";
import type { SqlDb } from "../../db/sql-db.ts";
import { SqliteDb } from "../../db/sqlite.ts";
import { q } from "./ddl.ts";

/** Rows loaded in bulk into one table after which it is analysed. */
export const BULK_ANALYZE_ROWS = 1000;

const pending = new WeakMap<SqlDb, Map<string, number>>();

/**
 * Notes `rows` rows written to `table` by a bulk path (bulk create, imports) and analyses the
 * table once enough have accumulated. Call it after the load committed, with the root handle.
 * Resolves true when it analysed. Database errors propagate (callers off the request path log them).
 * @example await analyzeAfterBulkLoad(db, "posts", 100_000)
 */
export async function analyzeAfterBulkLoad(db: SqlDb, table: string, rows: number): Promise<boolean> {
  let counts = pending.get(db);
  if (!counts) pending.set(db, (counts = new Map()));
  const total = (counts.get(table) ?? 0) + rows;
  if (total < BULK_ANALYZE_ROWS) {
    counts.set(table, total);
    return false;
  }
  counts.delete(table);
  // SQLite: the refresh its timer runs (db/sqlite.ts), now; it also makes the read connection
  // reload the statistics. The FTS5 trigram tables are left to their own automerge: an
  // 'optimize' rewrites a whole index into one segment — O(table), seconds on a large table —
  // and blocked every request for that long each time a bulk load passed the threshold.
  if (db instanceof SqliteDb) return db.optimizeIfChanged(0);
  if (db.dialect === "postgres") {
    const flush = sql`SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
      WHERE i.indrelid = to_regclass(${q(table)}) AND a.amname = 'gin'`;
    await db.query(flush.compile(db.qb));
  }
  await db.script(`ANALYZE ${q(table)}`);
  return true;
}
